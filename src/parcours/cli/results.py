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


def read_analysis(folder: Path, *, tables: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """analysis.json and, with ``tables``, the CSV tables beside it (as parcours analyze wrote them)."""
    data = read_json(folder / "analysis.json", "parcours analyze")
    found: dict[str, Any] = {}
    if tables:
        import pyarrow.csv as pacsv

        for csv in sorted(folder.glob("*.csv")):
            try:
                found[csv.stem] = pacsv.read_csv(csv)
            except Exception as e:  # pyarrow's messages name the row
                raise InputError(f"{csv}: cannot be read as a table: {e}", hint="run parcours analyze again") from e
    return data, found


def read_compare(path: Path) -> dict[str, Any]:
    """A compare.json, given as the file or as the folder parcours compare wrote it to."""
    data = read_json(path / "compare.json" if path.is_dir() else path, "parcours compare")
    if not isinstance(data.get("rows"), list) or "compare" not in data:
        raise InputError(f"{path}: not a compare.json (no 'rows' and 'compare')", hint="give the --out folder of parcours compare")
    return data
