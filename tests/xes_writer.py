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

    opener = gzip_module.open if gzip else open
    with opener(path, "wt", encoding="utf-8", newline="\n") as out:
        out.write(HEADER)
        # sort=False keeps traces in order of first appearance; dropna=False keeps every row.
        for _, trace in df.groupby(case_col, sort=False, dropna=False):
            out.write("  <trace>\n")
            for col in trace_cols:
                present = trace[col].dropna()
                if len(present):
                    out.write(_attribute(col.removeprefix("case:"), present.iloc[0], "    "))
            for values in trace[event_cols].itertuples(index=False, name=None):
                out.write("    <event>\n")
                for col, value in zip(event_cols, values):
                    out.write(_attribute(col, value, "      "))
                out.write("    </event>\n")
            out.write("  </trace>\n")
        out.write("</log>\n")
    return path


def _attribute(key: str, value, indent: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    tag = "date" if key == TIME_COLUMN else "string"
    text = value.isoformat() if isinstance(value, pd.Timestamp) else str(value)
    return f"{indent}<{tag} key={quoteattr(key)} value={quoteattr(text)}/>\n"
