"""Test helper: write a pandas DataFrame as an XES file (to make XES copies of CSV logs).

One ``<trace>`` per value of ``case_col``, traces in order of first appearance, events in
row order within a trace. Columns named ``case:<key>`` become trace attributes ``<key>`` (taken
from the trace's first row where the value is present); the other columns become event
attributes. ``time:timestamp`` is written as ``<date>`` (ISO 8601), everything else as
``<string>``. NaN/None/NaT values are omitted, as XES has no null.
"""

from __future__ import annotations

import gzip as gzip_module
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
"""
TIME_COLUMN = "time:timestamp"


def write_xes(
    df: pd.DataFrame, path: str | Path, case_col: str = "case:concept:name", gzip: bool | None = None
) -> Path:
    """Write ``df`` as XES at ``path``; gzip it when ``gzip`` is true (default: name ends in .gz)."""
    path = Path(path)
    if gzip is None:
        gzip = path.name.endswith(".gz")
    trace_cols = [c for c in df.columns if c.startswith("case:")]
    event_cols = [c for c in df.columns if not c.startswith("case:")]
    if case_col not in trace_cols:
        raise ValueError(f"case column {case_col!r} must be one of the case: columns {trace_cols}")

    # Traces in order of first appearance, each with its rows in order (rows without a case id
    # form one trace without concept:name). Plain Python: pandas groupby is slow per group.
    traces: dict[object, list[int]] = {}
    for i, case in enumerate(df[case_col].tolist()):
        traces.setdefault(None if _missing(case) else case, []).append(i)
    trace_rows = df[trace_cols].to_numpy(dtype=object)
    event_rows = df[event_cols].to_numpy(dtype=object)

    opener = gzip_module.open if gzip else open
    with opener(path, "wt", encoding="utf-8", newline="\n") as out:
        out.write(HEADER)
        for rows in traces.values():
            out.write("  <trace>\n")
            for j, col in enumerate(trace_cols):
                present = [v for v in trace_rows[rows, j] if not _missing(v)]
                if present:
                    out.write(_attribute(col.removeprefix("case:"), present[0], "    "))
            for i in rows:
                out.write("    <event>\n")
                for col, value in zip(event_cols, event_rows[i]):
                    out.write(_attribute(col, value, "      "))
                out.write("    </event>\n")
            out.write("  </trace>\n")
        out.write("</log>\n")
    return path


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _attribute(key: str, value, indent: str) -> str:
    if _missing(value):
        return ""
    tag = "date" if key == TIME_COLUMN else "string"
    text = value.isoformat() if isinstance(value, pd.Timestamp) else str(value)
    return f"{indent}<{tag} key={quoteattr(key)} value={quoteattr(text)}/>\n"
