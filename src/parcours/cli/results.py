"""Reading what earlier commands wrote: an analysis folder (analysis.json and its CSV tables) and
a compare.json, with errors that name the file and say how to fix it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parcours.errors import InputError, OptionError


def read_json(path: Path, made_by: str) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path}: no such file", hint=f"give the --out folder of {made_by}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f", line {e.lineno}" if isinstance(e, json.JSONDecodeError) else ""
        raise InputError(f"{path}{where}: not valid JSON ({e})", hint=f"run {made_by} again") from e


# Columns of Parcours' tables that hold names or ids from the data (a customer "007", an event
# "404"): read as text, whatever they look like.
TEXT_COLUMNS = ("group", "touchpoint", "stage", "from", "to", "event", "name", "customer", "customer_id", "journey",
                "period", "path", "item", "shape", "channels", "theme", "file", "line_text", "explanation", "comment")


def read_analysis(folder: Path, *, tables: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """analysis.json and, with ``tables``, the CSV tables beside it (as parcours analyze wrote them;
    ids and names read as text, numbers and dates inferred, formula quotes taken away)."""
    data = read_json(folder / "analysis.json", "parcours analyze")
    found: dict[str, Any] = {}
    if tables:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        from parcours.result import analysis_key_of
        from parcours.spreadsheet import restore_table

        for csv in sorted(folder.glob("*.csv")):
            key = analysis_key_of(csv.stem)
            if key is not None and key not in data:
                continue  # a table this analysis did not compute (--analyses), left by an earlier one
            if csv.stat().st_size == 0:  # a table with no rows and no columns (no opportunity found)
                found[csv.stem] = pa.table({})
                continue
            try:
                header = csv.open(encoding="utf-8").readline()
                text = {c: pa.string() for c in TEXT_COLUMNS if f'"{c}"' in header}  # "007" stays "007"
                table = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(column_types=text))
                found[csv.stem] = restore_table(table)  # "'=x" was written for spreadsheets: the value is "=x"
            except Exception as e:  # pyarrow's messages name the row
                raise InputError(f"{csv}: cannot be read as a table: {e}", hint="run parcours analyze again") from e
    return data, found


COMPARE_ROW = ("level", "item", "name", "indicator", "before", "after", "change", "n_before", "n_after", "p_value",
               "significant")


def read_compare(path: Path) -> dict[str, Any]:
    """A compare.json, given as the file or as the folder parcours compare wrote it to."""
    path = path / "compare.json" if path.is_dir() else path
    data = read_json(path, "parcours compare")
    hint = "give the --out folder of parcours compare (its compare.json)"
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) or not isinstance(data.get("compare"), dict):
        raise InputError(f"{path}: not a compare.json (it needs 'compare' and a list of 'rows')", hint=hint)
    for i, row in enumerate(data["rows"]):
        missing = [k for k in COMPARE_ROW if not isinstance(row, dict) or k not in row]
        if missing:
            raise InputError(f"{path}, rows[{i}]: missing {', '.join(missing)}", hint=hint)
    return data


def measured(map_path: Path, *, events: str | None, results: Path | None, feedback: Path | None, by: str | None,
             journey_gap: str | None, lang: str | None, compare: Path | None, tables: bool = False,
             say: Any = None) -> tuple[Any, dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """What ``parcours report`` and ``parcours export`` show: the map, the analysis (read from
    ``results`` or measured on ``events``, by segment when the map has segments), its tables
    (with ``tables``) and the compare.json given. Options are checked before a long analysis."""
    from parcours.model import load_map

    if lang not in (None, "fr", "en"):
        raise OptionError(f"--lang {lang!r}", hint="use fr or en")
    m = load_map(map_path)
    before_after = read_compare(compare) if compare is not None else None
    if results is not None:
        data, found = read_analysis(results, tables=tables)
        return m, data, found, before_after
    from parcours.project import analyze

    r = analyze(events, map_path, feedback=feedback, by=by or ("segment" if m.segments else None),
                journey_gap=journey_gap, lang=lang, on_progress=say)
    found = dict(r.tables) if tables else {}
    if tables and r.quarantine is not None:
        found["quarantine"] = r.quarantine
    return m, r.data, found, before_after
