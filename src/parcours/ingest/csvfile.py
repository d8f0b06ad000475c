"""A CSV or TSV file read by DuckDB with every line accounted for: the accepted rows in a table,
every other line of the file a reject, once, at its own data row (``rejects.py``).

DuckDB sniffs the dialect on a sample and parses the file with it. Three cases would lose lines
or split them wrongly; they are read here as follows:

- **Mixed line endings** (one LF line in a CRLF file): the sniffer and the strict parser fail
  on the whole file. It is read from a copy whose endings are all LF, each line a record, and a
  note names the first line whose ending differs.
- **One unclosed quote in a file that quotes its values**: finding no quoting that fits every
  line, the sniffer reads the file without quoting; good values such as ``"cat, wolf"`` are then
  rejected (too many columns) and others keep their quote marks. When the sniffed dialect has no
  quote but the file's first lines hold values quoted whole, the dialect is sniffed again on those
  lines without the ones whose quotes do not pair up, and the file read with it.
- **With quoting on, a quote that never closes** runs into the next lines, up to the next quote or
  the end of the file: one rejected record that swallows good lines. The file is read again from
  a copy where that record's first line is a marker DuckDB rejects alone, until no rejected
  record runs over lines; the marker's reject is then that line's, quarantined alone. The copy
  has the file's lines, so every row keeps its number.
"""

from __future__ import annotations

import csv
import itertools
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.engine.fetch import rows
from parcours.errors import InputError, is_out_of_memory
from parcours.ingest.csvlines import copy_lf, copy_replacing, mixed_endings, quoted_sample
from parcours.ingest.rejects import rejects_by_line
from parcours.ingest.said import said

MAX_PASSES = 50  # reads of a file with unclosed quotes, each setting aside the lines found
UNCLOSED = said("reason.unclosed_quote")
UNQUOTED = "unquoted value:"  # DuckDB's kind of error for "Value with unterminated quote found"
_NO_QUOTE = ("", "(empty)", None)
_counter = itertools.count(1)


@dataclass
class CsvRead:
    """The accepted rows (``__seq``: 1, 2, ... in file order) and the lines not accepted."""

    table: ir.Table
    rejects: list[dict[str, Any]]  # {row, line, reason, text}, ``row`` the file's data row
    notes: list[str] = field(default_factory=list)


@dataclass
class _Scan:
    table: ir.Table
    rejects: list[dict[str, Any]]  # rejects_by_line: ``offset`` and ``text`` are the file read's
    dialect: dict[str, Any]  # delimiter, quote, escape, skip_rows: what DuckDB read with
    columns: list[str]
    names: list[str]  # the view and tables made, dropped when read again


def _name(prefix: str) -> str:
    return f"_parcours_{prefix}_{next(_counter)}"


def read_csv_file(con: Any, path: Path, fmt: str, delimiter: str | None) -> CsvRead:
    """Read ``path`` (see the module) on the DuckDB connection ``con``."""
    options: dict[str, Any] = {"all_varchar": True, "header": True}
    if delimiter or fmt == "tsv":
        options["delim"] = delimiter or "\t"
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="parcours-csv-") as work:
        current = path
        try:
            scan = _scan(con, path, options, path.name, fmt)
        except InputError as unreadable:
            mixed = mixed_endings(path)
            if mixed is None:
                raise
            line, ending, first = mixed
            mixed_said = f"line {line} ends with {ending}, the lines before with {first}"
            current = Path(work) / "lf.csv"
            copy_lf(path, current)
            try:
                scan = _scan(con, current, options, path.name, fmt)
            except InputError as e:
                raise InputError(f"{e.message} (its line endings are mixed: {mixed_said})",
                                 hint="convert its line endings to one kind (e.g. dos2unix), then "
                                      + (e.hint or "read it again")) from unreadable
            notes.append(said("note.mixed_endings", file=path.name, line=line, ending=ending, first=first))
        if con.name == "duckdb" and scan.dialect.get("quote") in _NO_QUOTE:
            scan = _keep_quoting(con, scan, current, Path(work), delimiter, path.name, fmt)
        scan = _leave_out_unclosed(con, scan, current, Path(work), path.name, fmt)
        rejects = [{k: r[k] for k in ("row", "line", "reason", "text")} for r in scan.rejects]
        return CsvRead(table=scan.table, rejects=rejects, notes=notes)


def _scan(con: Any, file: Path, options: dict[str, Any], name: str, fmt: str) -> _Scan:
    """One read of ``file`` by DuckDB into a temporary table, with its rejects and dialect."""
    view, raw, rejects_table, rejects_scan = _name("csv"), _name("raw"), _name("rejects"), _name("rejects_scan")
    try:
        t = con.read_csv(str(file), table_name=view, store_rejects=True, rejects_table=rejects_table,
                         rejects_scan=rejects_scan, **options)
        if not t.columns:
            raise InputError(f"{name}: no columns found", hint="the file needs a header line")
        table = con.create_table(raw, t.mutate(__seq=ibis.row_number().cast("int64") + 1), temp=True)
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - DuckDB's parser errors carry the line
        if is_out_of_memory(e):
            raise
        first_line = _first_line(e).replace(str(file), name)
        raise InputError(f"{name}: cannot be read as {fmt.upper()}: {first_line}",
                         hint="check the delimiter (--delimiter), the quoting and the encoding (UTF-8)") from None
    scanned = con.table(rejects_scan)
    dialect = rows(con, scanned.select("delimiter", "quote", "escape", "skip_rows").limit(1))
    return _Scan(table=table, rejects=rejects_by_line(con, rejects_table), dialect=dialect[0] if dialect else {},
                 columns=list(t.columns), names=[view, raw])


def _explicit(dialect: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """read_csv options that read with ``dialect`` and ``columns`` (all text), sniffing nothing."""
    options: dict[str, Any] = {"header": True, "delim": dialect["delimiter"], "columns": dict.fromkeys(columns, "VARCHAR")}
    if dialect.get("quote") not in _NO_QUOTE:
        options["quote"] = dialect["quote"]
        if dialect.get("escape") not in _NO_QUOTE:  # else DuckDB's default: the quote, doubled
            options["escape"] = dialect["escape"]
    if dialect.get("skip_rows"):
        options["skip"] = int(dialect["skip_rows"])
    return options


def _drop(con: Any, scan: _Scan) -> None:
    con.drop_table(scan.names[1], force=True)
    con.drop_view(scan.names[0], force=True)


def _keep_quoting(con: Any, scan: _Scan, file: Path, work: Path, delimiter: str | None, name: str,
                  fmt: str) -> _Scan:
    """``scan`` again, or ``file`` read with the quoting of its first lines when ``scan`` was read
    without quoting although they quote values (sniffed without the lines whose quotes do not pair up)."""
    sample = work / "sample.csv"
    if not quoted_sample(file, sample, delimiter or ",;\t|"):
        return scan
    # DuckDB notes the dialect it read with only beside rejects. Without rejects, quoted values
    # that kept their quote marks in the first rows say that it read without quoting.
    if scan.dialect.get("quote") not in _NO_QUOTE or (not scan.dialect and not _quote_marks_kept(con, scan)):
        return scan
    dialect = _sniff(con, sample, delimiter)
    if dialect is None or dialect["quote"] in _NO_QUOTE:
        return scan
    quoted = _scan(con, file, _explicit(dialect, dialect["columns"]), name, fmt)
    _drop(con, scan)
    return quoted


def _quote_marks_kept(con: Any, scan: _Scan, first: int = 1000) -> bool:
    head = scan.table.order_by("__seq").limit(first)
    marked = [head[c].startswith('"') & head[c].endswith('"') & (head[c].length() >= 2) for c in scan.columns]
    return bool(marked) and bool(rows(con, head.aggregate(n=ibis.or_(*marked).sum()))[0]["n"])


def _sniff(con: Any, file: Path, delimiter: str | None) -> dict[str, Any] | None:
    """DuckDB's dialect for ``file`` (a header line, ``delimiter`` if given), or None if it finds none."""
    query = "SELECT Delimiter, Quote, Escape, SkipRows, Columns FROM sniff_csv(?, header = true"
    params = [str(file)]
    if delimiter:
        query, params = query + ", delim = ?", [*params, delimiter]
    try:
        found = con.con.execute(query + ")", params).fetchone()
    except Exception:  # noqa: BLE001 - a file DuckDB cannot sniff tells nothing more
        return None
    if found is None:
        return None
    return {"delimiter": found[0], "quote": found[1], "escape": found[2], "skip_rows": found[3],
            "columns": [c["name"] for c in found[4]]}


def _unclosed(reject: dict[str, Any], dialect: dict[str, Any], columns: int) -> bool:
    """A record that an unclosed quote ran over several lines: DuckDB found the quote unclosed,
    or the record's second line is a record of its own (the header's number of fields), as
    when a second unclosed quote closed the first. Not a quoted value holding a line break:
    that is one record, rejected whole for what else is wrong with it."""
    lines = reject["text"].replace("\r\n", "\n").split("\n")
    if len(lines) < 2:
        return False
    if UNQUOTED in reject["reason"]:
        return True
    quote = dialect.get("quote")
    second = next(csv.reader([lines[1]], delimiter=dialect.get("delimiter") or ",",
                             quotechar=quote if quote not in _NO_QUOTE else None,
                             quoting=csv.QUOTE_MINIMAL if quote not in _NO_QUOTE else csv.QUOTE_NONE), [])
    return len(second) == columns


def _first_of(text: str) -> str:
    return text.split("\n", 1)[0].removesuffix("\r")


def _leave_out_unclosed(con: Any, scan: _Scan, file: Path, work: Path, name: str, fmt: str) -> _Scan:
    """Read again with the first line of each rejected record that an unclosed quote ran over
    replaced by a marker line sure to be rejected alone (too many fields), until no record runs
    over; the markers' rejects become those lines, at their rows (the copy has the file's lines)."""
    token = secrets.token_hex(8)
    texts: list[bytes] = []
    current = file
    for n in range(MAX_PASSES):
        spanning = [r for r in scan.rejects if _unclosed(r, scan.dialect, len(scan.columns))]
        if not spanning:
            break
        copy = work / f"pass{n}.csv"
        # one field more than the header: rejected alone, whatever the quoting
        fields = (scan.dialect["delimiter"] + "x") * len(scan.columns)
        found = copy_replacing(current, copy, [r["offset"] for r in spanning],
                               lambda i, at=len(texts): f"parcours-unclosed-{token}-{at + i}{fields}".encode())
        expected = [_first_of(r["text"]) for r in sorted(spanning, key=lambda r: r["offset"])]
        if len(found) != len(expected) or not all(
                t.decode("utf-8", "replace").startswith(e) for t, e in zip(found, expected, strict=True)):
            # DuckDB's byte position of a line did not point at it: never drop what was not meant
            raise InputError(f"{name}: the lines where quotes do not close could not be told apart "
                             f"(first: row {spanning[0]['row']})", hint="close or remove the stray quotes")
        texts += found
        options = _explicit(scan.dialect, scan.columns)
        _drop(con, scan)
        scan = _scan(con, copy, options, name, fmt)
        if current != file:
            current.unlink()
        current = copy
    else:
        raise InputError(f"{name}: quotes that never close on lines that cannot be read, still after "
                         f"{MAX_PASSES} reads", hint="close or remove the stray quotes, or export the file "
                                                      "again with its values quoted")
    marker = re.compile(f"^parcours-unclosed-{token}-(\\d+)")
    for r in scan.rejects:
        if m := marker.match(r["text"]):
            r.update(reason=UNCLOSED, text=texts[int(m.group(1))].decode("utf-8", "replace"))
    return scan


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
