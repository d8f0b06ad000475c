"""Is an uploaded file what its name says? Pure checks on the bytes of a file, before any
engine reads it: the extension and the content agree (gzip, Parquet's 'PAR1' at both ends, an
XES log's root element, a first JSON Lines object, a delimited header), CSV text is UTF-8 (a
Latin-1 file is converted in place, with a note), and a compressed file is never expanded past
a limit.

Errors are :class:`UploadRejected` (the type or content is not accepted), :class:`EmptyUpload`
(nothing to read) and whatever ``too_big`` returns (past the limit); each front door says them
its own way (the web app: 415, 422, 413).

>>> upload_format("Events.CSV.gz")
('csv', True)
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parcours.errors import InputError, ParcoursError
from parcours.ingest.said import said

# Accepted file names (lower-cased endings) and the format each is read as.
EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xes": "xes", ".csv.gz": "csv", ".txt.gz": "csv", ".tsv.gz": "tsv", ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl", ".xes.gz": "xes",
}
_CHUNK = 1 << 20


class UploadRejected(InputError):
    """A file whose type or content is not accepted, or disagrees with its name."""


class EmptyUpload(UploadRejected):
    """A file with nothing to read (0 bytes, only blank lines)."""


class UploadTooLarge(UploadRejected):
    """A file that expands past the limit once decompressed."""


def ending(name: str) -> str | None:
    """The accepted ending of ``name`` (the longest: ``.csv.gz`` before ``.gz``), or None."""
    low = name.lower()
    return max((e for e in EXTENSIONS if low.endswith(e)), key=len, default=None)


def upload_format(filename: str) -> tuple[str, bool]:
    """(format, gzipped) for an upload's file name; :class:`UploadRejected` for another extension."""
    found = ending(filename)
    if found is None:
        raise UploadRejected(f"{filename}: this type of file is not accepted",
                       hint="upload a .csv, .tsv, .txt, .parquet, .jsonl, .ndjson or .xes file "
                            "(.csv.gz, .jsonl.gz, .xes.gz compressed); export spreadsheets as CSV (UTF-8)")
    return EXTENSIONS[found], found.endswith(".gz")



_MAGIC = [(b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx file?)"),
          (b"\x1f\x8b", "gzip-compressed data"), (b"PAR1", "a Parquet file"),
          (b"\xd0\xcf\x11\xe0", "an old Office document (Excel .xls?)"), (b"SQLite format 3", "an SQLite database"),
          (b"\xff\xfe", "UTF-16 text"), (b"\xfe\xff", "UTF-16 text")]


def describe(head: bytes) -> str:
    """What the first bytes of a file look like, for error messages."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if _binary(head):
        return "binary data"
    text = head[:60].decode("utf-8", errors="replace").strip().splitlines()
    return f"text starting {text[0]!r}" if text else "only blank space"


def _binary(head: bytes) -> bool:
    return any(b < 9 or 13 < b < 27 or 27 < b < 32 for b in head[:8192])


def open_bytes(path: Path, gz: bool) -> Any:
    """The file as bytes, decompressed when ``gz``."""
    return gzip.open(path, "rb") if gz else open(path, "rb")


def check_upload(path: Path, filename: str, fmt: str, gz: bool, *, max_bytes: int | None = None,
                 too_big: Callable[[str], ParcoursError] | None = None) -> list[str]:
    """Check that the file's content agrees with its name; returns notes. A Latin-1 CSV is
    converted to UTF-8 in place (with a note). A compressed CSV is never expanded past
    ``max_bytes``: past it, ``too_big(what)`` is raised (default :class:`UploadTooLarge`).
    Raises :class:`UploadRejected`."""
    with open(path, "rb") as f:
        start = f.read(8)
        if fmt == "parquet":
            f.seek(max(0, path.stat().st_size - 4))
            end = f.read(4)
    if not start:
        raise EmptyUpload(f"{filename}: the file is empty", hint="upload the file again: it has 0 bytes")
    if gz and not start.startswith(b"\x1f\x8b"):
        raise UploadRejected(f"{filename}: named .gz but not gzip-compressed: found {describe(start)}",
                       hint="compress it with gzip, or upload it without the .gz ending")
    if fmt == "parquet":
        if not start.startswith(b"PAR1"):
            raise UploadRejected(f"{filename}: not a Parquet file: found {describe(_head(path, False))}",
                           hint="a Parquet file starts and ends with 'PAR1': export it as Parquet, or rename it "
                                "after its real type (.csv, .jsonl...)")
        if end != b"PAR1" or path.stat().st_size < 12:
            raise UploadRejected(f"{filename}: the Parquet file is incomplete (it does not end with its footer 'PAR1')",
                           hint="the export or the upload did not finish: upload the complete file")
        return []
    try:
        head = _head(path, gz)
    except (OSError, EOFError, zlib.error) as e:
        raise UploadRejected(f"{filename}: the gzip data cannot be read ({e})",
                       hint="compress the file again, or upload it uncompressed") from None
    if fmt == "xes":
        return _check_xes(head[:1024], filename)
    if fmt == "jsonl":
        return _check_jsonl(path, gz, filename, head)
    return _check_csv(path, gz, filename, head, fmt, max_bytes, too_big)


def _head(path: Path, gz: bool, n: int = 65536) -> bytes:
    with open_bytes(path, gz) as f:
        return f.read(n)


_XML_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.S)


def _check_xes(head: bytes, filename: str) -> list[str]:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    pos = 0
    while (m := _XML_SKIP.match(text, pos)) and m.end() > pos:
        pos = m.end()
    root = re.match(r"\s*<([A-Za-z_][\w.:-]*)", text[pos:])
    if root is None or root.group(1).split(":")[-1] != "log":
        found = f"XML whose root is <{root.group(1)}>" if root else describe(head)
        raise UploadRejected(f"{filename}: not an XES event log: expected XML whose root element <log> starts within "
                       f"the first kilobyte, found {found}",
                       hint="export the log as XES (IEEE 1849), or rename the file after its real type")
    return []


def _check_jsonl(path: Path, gz: bool, filename: str, head: bytes) -> list[str]:
    with open_bytes(path, gz) as f:
        for number, line in enumerate(iter(lambda: f.readline(16 << 20), b""), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise UploadRejected(f"{filename}, line {number}: not JSON Lines: the first line is not JSON "
                               f"({getattr(e, 'msg', None) or e}); found {describe(line)}",
                               hint="one JSON object per line is expected (UTF-8), e.g. "
                                    '{"customer_id": "c1", "timestamp": "2026-01-05T10:00:00Z", "event": "visit"}') from None
            if not isinstance(obj, dict):
                raise UploadRejected(f"{filename}, line {number}: not JSON Lines: the first line is JSON but not an object "
                               f"({type(obj).__name__})",
                               hint="one JSON object per line is expected; a JSON array file must be converted to "
                                    "one object per line")
            return []
    raise EmptyUpload(f"{filename}: the file holds only blank lines", hint="one JSON object per line is expected")


def _check_csv(path: Path, gz: bool, filename: str, head: bytes, fmt: str, max_bytes: int | None,
               too_big: Callable[[str], ParcoursError] | None) -> list[str]:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadRejected(f"{filename}: the CSV is UTF-16 text", hint="save it as CSV UTF-8 (in Excel: 'CSV UTF-8')")
    if _binary(head):
        raise UploadRejected(f"{filename}: not a {fmt.upper()} text file: found {describe(head)}",
                       hint="upload the events as CSV (UTF-8), Parquet, JSON Lines or XES")
    notes: list[str] = []
    bad_at = _utf8_error(path, gz, max_bytes, too_big)
    if bad_at is not None:
        _latin1_to_utf8(path, gz)
        notes.append(said("note.latin1", file=filename, offset=bad_at))
        head = _head(path, gz)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiters = "\t" if fmt == "tsv" else ",;\t|"
    if not any(d in header for d in delimiters):
        shown = "tab" if fmt == "tsv" else "comma, semicolon, tab or |"
        raise UploadRejected(f"{filename}, line 1: no delimiter ({shown}) in the header line {header[:80]!r}",
                       hint="the first line must name the columns, separated by a delimiter "
                            "(e.g. customer_id,timestamp,event)")
    return notes


def _utf8_error(path: Path, gz: bool, max_bytes: int | None,
                too_big: Callable[[str], ParcoursError] | None) -> int | None:
    """Offset of the first byte that is not UTF-8, or None; reads the whole file, in blocks, but
    never past ``max_bytes`` once decompressed (a compression bomb is refused here)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open_bytes(path, gz) as f:
        while block := f.read(_CHUNK):
            if max_bytes is not None and offset + len(block) > max_bytes:
                what = f"it expands to over {max_bytes >> 20:,} MB"
                raise too_big(what) if too_big is not None else UploadTooLarge(f"{path.name}: {what}",
                                                                               hint="upload a smaller file")
            try:
                decoder.decode(block)
            except UnicodeDecodeError as e:
                return offset + e.start
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _latin1_to_utf8(path: Path, gz: bool) -> None:
    out = path.with_name(path.name + ".utf8")
    try:
        with open_bytes(path, gz) as src, (gzip.open(out, "wb") if gz else open(out, "wb")) as dst:
            while block := src.read(_CHUNK):
                dst.write(block.decode("latin-1").encode("utf-8"))
        os.replace(out, path)
    finally:
        out.unlink(missing_ok=True)
