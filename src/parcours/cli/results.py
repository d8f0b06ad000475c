"""Reading what earlier commands wrote: an analysis folder (analysis.json and its CSV tables) and
a compare.json, with errors that name the file and say how to fix it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parcours.errors import InputError


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
    ids and names read as text, numbers and dates inferred)."""
    data = read_json(folder / "analysis.json", "parcours analyze")
    found: dict[str, Any] = {}
    if tables:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        for csv in sorted(folder.glob("*.csv")):
            try:
                header = csv.open(encoding="utf-8").readline()
                text = {c: pa.string() for c in TEXT_COLUMNS if f'"{c}"' in header}  # "007" stays "007"
                found[csv.stem] = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(column_types=text))
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
