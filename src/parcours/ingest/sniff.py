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
    ".ndjson.gz": "jsonl", ".xes.gz": "xes", ".xlsx": "xlsx", ".xlsm": "xlsx",
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
        raise UploadRejected(said("upload.not_accepted", file=filename), hint=said("upload.not_accepted_hint"))
    return EXTENSIONS[found], found.endswith(".gz")



_MAGIC = [(b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"%PDF", "pdf"), (b"PK\x03\x04", "zip"),
          (b"\x1f\x8b", "gzip"), (b"PAR1", "parquet"), (b"\xd0\xcf\x11\xe0", "xls"), (b"SQLite format 3", "sqlite"),
          (b"\xff\xfe", "utf16"), (b"\xfe\xff", "utf16")]  # what the first bytes say: ingest.said's found.*


def describe(head: bytes) -> str:
    """What the first bytes of a file look like, for error messages."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return said(f"found.{what}")
    if _binary(head):
        return said("found.binary")
    text = head[:60].decode("utf-8", errors="replace").strip().splitlines()
    return said("found.text", text=repr(text[0])) if text else said("found.blank")


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
        raise EmptyUpload(said("upload.empty", file=filename), hint=said("upload.empty_hint"))
    if gz and not start.startswith(b"\x1f\x8b"):
        raise UploadRejected(said("upload.not_gzip", file=filename, found=describe(start)), hint=said("upload.not_gzip_hint"))
    if fmt == "parquet":
        if not start.startswith(b"PAR1"):
            raise UploadRejected(said("upload.not_parquet", file=filename, found=describe(_head(path, False))),
                                 hint=said("upload.not_parquet_hint"))
        if end != b"PAR1" or path.stat().st_size < 12:
            raise UploadRejected(said("upload.parquet_incomplete", file=filename), hint=said("upload.parquet_incomplete_hint"))
        return []
    if fmt == "xlsx":  # a ZIP holding a workbook; its parts' sizes are checked before anything expands
        from parcours.ingest.spreadsheet import check_archive

        if not start.startswith(b"PK\x03\x04"):
            raise UploadRejected(said("upload.not_xlsx", file=filename, found=describe(start)),
                                 hint=said("upload.not_xlsx_hint"))
        try:
            check_archive(path)
        except InputError as e:
            raise UploadRejected(e.message, hint=e.hint) from None
        return []
    try:
        head = _head(path, gz)
    except (OSError, EOFError, zlib.error) as e:
        raise UploadRejected(said("upload.gzip_unreadable", file=filename, error=e),
                             hint=said("upload.gzip_unreadable_hint")) from None
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
        found = said("found.xml_root", root=root.group(1)) if root else describe(head)
        raise UploadRejected(said("upload.not_xes", file=filename, found=found), hint=said("upload.not_xes_hint"))
    return []


def _check_jsonl(path: Path, gz: bool, filename: str, head: bytes) -> list[str]:
    with open_bytes(path, gz) as f:
        for number, line in enumerate(iter(lambda: f.readline(16 << 20), b""), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise UploadRejected(said("upload.not_jsonl", file=filename, line=number, error=getattr(e, "msg", None) or e,
                                          found=describe(line)),
                                     hint=said("upload.not_jsonl_hint", example='{"customer_id": "c1", "timestamp": '
                                               '"2026-01-05T10:00:00Z", "event": "visit"}')) from None
            if not isinstance(obj, dict):
                raise UploadRejected(said("upload.jsonl_not_object", file=filename, line=number, type=type(obj).__name__),
                                     hint=said("upload.jsonl_not_object_hint"))
            return []
    raise EmptyUpload(said("upload.blank_only", file=filename), hint=said("upload.blank_only_hint"))


def _check_csv(path: Path, gz: bool, filename: str, head: bytes, fmt: str, max_bytes: int | None,
               too_big: Callable[[str], ParcoursError] | None) -> list[str]:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadRejected(said("upload.utf16", file=filename), hint=said("upload.utf16_hint"))
    if _binary(head):
        raise UploadRejected(said("upload.not_text", file=filename, fmt=fmt.upper(), found=describe(head)),
                             hint=said("upload.not_text_hint"))
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
        raise UploadRejected(said("upload.no_tab" if fmt == "tsv" else "upload.no_delimiter", file=filename,
                                  header=repr(header[:80])), hint=said("upload.no_delimiter_hint"))
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
