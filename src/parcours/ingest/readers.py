"""Readers: an event file (CSV/TSV, Parquet, JSON Lines, XES) or a table -> a raw Ibis table.

The raw table keeps the input's own columns and adds ``__seq`` (global input order),
``__row`` (1-based row or line in its file), ``__file`` and ``__error`` (why a row is
unusable before any parsing, e.g. invalid JSON). Rows the CSV parser cannot split
(wrong number of fields...) are returned as ``rejects``, one per line with all its reasons
(``ingest/rejects.py``, ``ingest/csvfile.py``), so that nothing is lost silently and nothing is
counted twice. :meth:`RawInput.all_rows` puts them back among the rows, for a table built from a
file (``project/merge.py``) to carry them: read again, such a table's rows keep their ``__row``,
``__file`` and ``__error``, and ``__text`` gives a rejected line's text.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.errors import InputError, is_out_of_memory
from parcours.ingest.csvfile import read_csv_file

FORMATS = ("csv", "tsv", "parquet", "jsonl", "xes", "xlsx")
TEXT_TABLES = ("csv", "tsv", "xlsx")  # read by the CSV reader: values as text, rows numbered as in the file
_counter = itertools.count(1)


def detect_format(path: Path) -> str:
    """Format from the file name (``.csv``, ``.tsv``, ``.parquet``, ``.jsonl``, ``.xes``, gzip allowed)."""
    if path.is_dir():
        return "parquet"
    name = path.name.lower().removesuffix(".gz").removesuffix(".gzip")
    for suffixes, fmt in ((".csv", "csv"), (".txt", "csv"), (".tsv", "tsv"), (".tab", "tsv"),
                          (".parquet", "parquet"), (".pq", "parquet"), (".jsonl", "jsonl"),
                          (".ndjson", "jsonl"), (".json", "jsonl"), (".xes", "xes"), (".xlsx", "xlsx"),
                          (".xlsm", "xlsx")):
        if name.endswith(suffixes):
            return fmt
    raise InputError(f"{path.name}: cannot tell the file format from its name",
                     hint=f"name it .csv, .tsv, .parquet, .jsonl, .xes (gzip allowed) or .xlsx, or pass --format ({', '.join(FORMATS)})")


@dataclass
class RawInput:
    """What a reader produced, before roles and types are applied."""

    table: ir.Table
    source: str
    format: str
    rejects: list[dict[str, Any]] = field(default_factory=list)  # {row, line, reason, text}, one per line
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the file was read, when it needed care

    @property
    def reject_rows(self) -> list[int]:
        return sorted(r["row"] for r in self.rejects)

    @property
    def data_columns(self) -> list[str]:
        return [c for c in self.table.columns if not c.startswith("__")]

    def all_rows(self) -> ir.Table:
        """The data columns, ``__row``, ``__file``, ``__error`` and ``__text``, the rejected lines
        included as rows of their own (data empty, ``__error`` their reason, ``__text`` the line),
        every row numbered in its file: what a table built from this input carries so that
        :func:`read_raw` of it quarantines them once, at their rows (see the module)."""
        t, cols = self.table, self.data_columns
        null = ibis.null().cast("string")
        kept = t.select(*cols, __row=t["__row"].cast("int64"), __file=t["__file"].cast("string"),
                        __error=t["__error"].cast("string"), __text=null)
        if not self.rejects:  # then the rows are numbered in the file already
            return kept
        # The j-th rejected line (1-based, at row r) comes after the first r - j accepted rows:
        # ordered on (accepted rows before it, j) among the accepted rows' (a, 0), all are numbered.
        import pyarrow as pa

        rejects = sorted(self.rejects, key=lambda r: r["row"])
        n = len(rejects)
        lines = ibis.memtable(pa.table({
            **{c: pa.nulls(n, pa.string()) for c in cols},
            "__file": pa.array([self.source] * n, pa.string()),
            "__error": pa.array([r["reason"] for r in rejects], pa.string()),
            "__text": pa.array([r["text"] for r in rejects], pa.string()),
            "__after": pa.array([r["row"] - j for j, r in enumerate(rejects, start=1)], pa.int64()),
            "__j": pa.array(range(1, n + 1), pa.int64())}))
        accepted = kept.mutate(__after=kept["__row"], __j=ibis.literal(0, "int64")).drop("__row")
        both = accepted.union(lines.select(*accepted.columns), distinct=False)
        numbered = both.mutate(__row=ibis.row_number().over(order_by=[both["__after"], both["__j"]]).cast("int64") + 1)
        return numbered.order_by("__row").select(*cols, "__row", "__file", "__error", "__text")


def _name(prefix: str) -> str:
    return f"_parcours_{prefix}_{next(_counter)}"


def read_raw(con: Any, source: str | Path | ir.Table, *, fmt: str | None = None, delimiter: str | None = None,
             workdir: str | None = None, on_progress: Callable[[int], None] | None = None,
             sheet: str | int | None = None) -> RawInput:
    """Open ``source`` on the connection ``con`` as a raw table (see module doc); a spreadsheet's
    first sheet, or ``sheet`` (:mod:`parcours.ingest.spreadsheet`)."""
    if isinstance(source, ir.Table):
        return _from_table(source)
    path = Path(source)
    if not path.exists():
        raise InputError(f"{path}: file not found", hint="check the path")
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"{path.name}: the file is empty", hint="export the events again; the file has 0 bytes")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}", hint=f"formats are: {', '.join(FORMATS)}")
    if path.is_file():
        check_gzip(path)
    if sheet is not None and fmt != "xlsx":
        from parcours.errors import OptionError

        raise OptionError(f"--sheet {sheet!r}: {path.name} is not a spreadsheet", hint="--sheet is for .xlsx files")
    if fmt in ("csv", "tsv"):
        return _read_csv(con, path, fmt, delimiter)
    if fmt == "parquet":
        return _read_parquet(con, path, fmt)
    workdir = workdir or tempfile.mkdtemp(prefix="parcours-")
    if fmt == "xlsx":
        from parcours.ingest.said import said
        from parcours.ingest.spreadsheet import to_csv

        text = Path(workdir) / f"{path.stem}.{next(_counter)}.csv"
        info = to_csv(path, text, sheet)
        raw = _read_csv(con, text, "csv", ",")
        note = said("note.sheet", file=path.name, sheet=repr(info.name), sheets=len(info.names),
                    names=", ".join(info.names))
        return RawInput(table=raw.table, source=str(path), format="xlsx", rejects=raw.rejects, files=[str(path)],
                        notes=[note, *raw.notes])
    out = Path(workdir) / f"{path.name}.{next(_counter)}.parquet"
    if fmt == "jsonl":
        from parcours.ingest.jsonl import jsonl_to_parquet

        if jsonl_to_parquet(path, out, on_progress=on_progress) == 0:
            raise InputError(f"{path.name}: the file holds no JSON line", hint="one JSON object per line is expected")
    else:
        from parcours.ingest.xes import xes_to_parquet

        info = xes_to_parquet(path, out, on_progress=on_progress)
        if info.events == 0:
            raise InputError(f"{path.name}: the XES log holds no event ({info.traces} traces)")
    raw = _read_parquet(con, out, fmt, row_column="__row")
    raw.source = str(path)
    raw.files = [str(path)]
    return raw


def check_gzip(path: Path, chunk: int = 1 << 20) -> None:
    """Fail when a gzip file is truncated or corrupt.

    DuckDB reads a truncated gzip up to where it breaks and stops without an error, which
    would silently lose the rest of the file; decompressing once to the end catches it.
    """
    import zlib

    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b":
            return
        f.seek(0)
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while block := f.read(chunk):
                d.decompress(block)
                while d.eof and d.unused_data:  # multi-member gzip: next member
                    rest = d.unused_data
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    d.decompress(rest)
        except zlib.error as e:
            raise InputError(f"{path.name}: the gzip file is corrupt ({e})",
                             hint="download or export the file again") from None
        if not d.eof:
            raise InputError(f"{path.name}: the gzip file is truncated (it ends before its last block)",
                             hint="the download or export did not finish: get the complete file again")


def _from_table(table: ir.Table) -> RawInput:
    from parcours.engine.functions import engine_of, row_ids

    # Spark: ids that grow with the rows' order in each partition, without moving every row
    # into one partition as an unordered row_number() would (not consecutive: row ``id``).
    seq = row_ids() if engine_of(table) == "pyspark" else ibis.row_number().cast("int64") + 1
    t = table.mutate(__seq=seq)
    # A table built from a file (RawInput.all_rows) carries its rows' numbers, file and errors.
    carried = {c: t[c] for c in ("__row", "__file", "__error") if c in t.columns}
    t = t.mutate(__row=ibis.coalesce(carried["__row"], t["__seq"]) if "__row" in carried else t["__seq"],
                 __file=carried.get("__file", ibis.literal(None, "string")),
                 __error=carried.get("__error", ibis.literal(None, "string")))
    return RawInput(table=t, source="table", format="table")


def _read_csv(con: Any, path: Path, fmt: str, delimiter: str | None) -> RawInput:
    read = read_csv_file(con, path, fmt, delimiter)
    # __row counts the rows the parser accepted; ``rejects.true_row`` shifts it past the rejects
    # when a row is reported (only quarantined rows are ever reported, so this stays cheap).
    table = read.table.mutate(__row=read.table["__seq"], __file=ibis.literal(str(path), "string"),
                              __error=ibis.literal(None, "string"))
    return RawInput(table=table, source=str(path), format=fmt, rejects=read.rejects, files=[str(path)],
                    notes=read.notes)


def _read_parquet(con: Any, path: Path, fmt: str, row_column: str | None = None) -> RawInput:
    files = sorted(str(p) for p in path.rglob("*.parquet")) if path.is_dir() else [str(path)]
    if not files:
        raise InputError(f"{path}: the folder holds no .parquet file")
    try:
        t = con.read_parquet(files, table_name=_name("parquet"), file_row_number=True, filename=True)
    except Exception as e:  # noqa: BLE001
        if is_out_of_memory(e):
            raise
        raise InputError(f"{path.name}: cannot be read as Parquet: {_first_line(e)}",
                         hint="check that the file is complete (a truncated Parquet file has no footer)") from None
    # Global order: files in name order, rows in file order. 2**40 rows per file is plenty.
    index = ibis.cases(*[(t.filename == f, i) for i, f in enumerate(files)], else_=0) if len(files) > 1 else 0
    row = t[row_column].cast("int64") if row_column else t.file_row_number.cast("int64") + 1
    seq = (ibis.literal(index).cast("int64") if isinstance(index, int) else index.cast("int64")) * (2**40) + row
    t = t.mutate(__seq=seq, __row=row, __file=t.filename.cast("string"),
                 __error=t["__error"] if "__error" in t.columns else ibis.literal(None, "string"))
    t = t.drop("file_row_number", "filename")
    return RawInput(table=t, source=str(path), format=fmt, files=files)


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
