"""A spreadsheet (``.xlsx``, ``.xlsm``) -> a CSV file the CSV reader reads: the first sheet, or
the one ``sheet`` names (by name or 1-based number).

Limits are checked before anything is decompressed (a spreadsheet is a ZIP archive): the
workbook's parts may expand to at most ``PARCOURS_MAX_XLSX_BYTES`` (default 2 GiB) and no part
more than 200 times its compressed size — a "zip bomb" is refused naming the part. Cells are
written as people read them: whole numbers without ``.0`` (ids stay ``101``), dates and times in
ISO 8601 (``2026-03-01 10:02:00``: a date cell is read as a date whatever the workbook's
locale), booleans ``true``/``false``, empty cells empty; every row as wide as the widest, so
that no row is refused for its shape. Rows keep their numbers: row *n* of the data is row
*n* + 1 of the sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from parcours.errors import InputError

MAX_BYTES = 2 << 30
MAX_RATIO = 200


@dataclass
class Sheet:
    name: str
    names: list[str]  # every sheet of the workbook
    rows: int


def limit() -> int:
    try:
        return int(os.environ.get("PARCOURS_MAX_XLSX_BYTES", MAX_BYTES))
    except ValueError:
        return MAX_BYTES


def check_archive(path: Path) -> None:
    """Refuse a workbook that is no ZIP archive, or whose parts would expand past the limits."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"{path.name}: not a readable .xlsx workbook ({e})",
                         hint="save it again from the spreadsheet program as .xlsx, or export the sheet as CSV (UTF-8)") from None
    total = sum(i.file_size for i in infos)
    if total > limit():
        raise InputError(f"{path.name}: the workbook expands to {total:,} bytes, more than the {limit():,} allowed",
                         hint="export the sheet as CSV, or raise PARCOURS_MAX_XLSX_BYTES")
    for i in infos:
        if i.file_size > 1 << 20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise InputError(f"{path.name}: its part {i.filename} expands {i.file_size // max(i.compress_size, 1)} "
                             f"times its size ({i.file_size:,} bytes): refused as a possible zip bomb",
                             hint="export the sheet as CSV from the spreadsheet program")


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v)


def to_csv(path: Path, out: Path, sheet: str | int | None = None) -> Sheet:
    """Write the chosen sheet of ``path`` to ``out`` as CSV (module doc)."""
    from python_calamine import CalamineWorkbook

    check_archive(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # noqa: BLE001 - calamine's own errors: a damaged workbook
        raise InputError(f"{path.name}: the workbook cannot be read ({str(e).splitlines()[0] if str(e) else e})",
                         hint="save it again from the spreadsheet program as .xlsx, or export the sheet as CSV (UTF-8)") from None
    names = list(wb.sheet_names)
    if not names:
        raise InputError(f"{path.name}: the workbook has no sheet")
    if sheet is None or sheet == "":
        name = names[0]
    elif str(sheet).isdigit() and str(sheet) not in names:
        k = int(str(sheet))
        if not 1 <= k <= len(names):
            raise InputError(f"{path.name}: no sheet number {k} (the workbook has {len(names)})",
                             hint=f"sheets are: {', '.join(names)}")
        name = names[k - 1]
    elif str(sheet) in names:
        name = str(sheet)
    else:
        raise InputError(f"{path.name}: no sheet named {sheet!r}", hint=f"sheets are: {', '.join(names)}")
    rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    if not rows or all(v in (None, "") for v in rows[0]):
        raise InputError(f"{path.name}: sheet {name!r} is empty (its first row must name the columns)",
                         hint=f"choose the sheet with --sheet (sheets are: {', '.join(names)})")
    width = max(len(r) for r in rows)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        for r in rows:
            w.writerow([_text(v) for v in r] + [""] * (width - len(r)))
    return Sheet(name, names, len(rows) - 1)
