"""The physical lines of a CSV file, in plain Python: what DuckDB's reader cannot see for itself.

A line ending that differs from the others (one LF line in a CRLF file) makes DuckDB's strict
parser fail on the whole file; :func:`mixed_endings` finds the first such line and :func:`copy_lf`
writes a copy whose line endings are all LF. A quote that opens a value and never closes makes
the sniffer drop the file's quoting: :func:`quoted_sample` writes the file's first lines without
those whose quotes do not pair up, for the dialect to be sniffed on, and :func:`copy_replacing`
writes a copy with given lines replaced. Gzip files are read decompressed; copies are written plain.

>>> mixed_endings_of([b"a,b\\r\\n", b"1,2\\n", b"3,4\\r\\n"])
(2, 'LF', 'CRLF')
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

SAMPLE_BYTES = 1 << 20  # the first megabyte: where the dialect is sniffed from
_QUOTE = b'"'


def open_text(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip."""
    with open(path, "rb") as probe:
        gz = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else open(path, "rb")


def lines(path: Path) -> Iterator[bytes]:
    """The file's physical lines, each with its ending (``\\n`` or ``\\r\\n``)."""
    with open_text(path) as f:
        yield from f


def _ending(line: bytes) -> str | None:
    return "CRLF" if line.endswith(b"\r\n") else "LF" if line.endswith(b"\n") else None


def mixed_endings_of(file_lines: Iterable[bytes]) -> tuple[int, str, str] | None:
    """(line number, its ending, the first line's ending) of the first line (1-based) whose
    ending differs from the first line's, or None when they all agree (the last line may have none)."""
    first = None
    for number, line in enumerate(file_lines, start=1):
        ending = _ending(line)
        if ending is None:
            continue
        if first is None:
            first = ending
        elif ending != first:
            return number, ending, first
    return None


def mixed_endings(path: Path) -> tuple[int, str, str] | None:
    """:func:`mixed_endings_of` the file's lines."""
    return mixed_endings_of(lines(path))


def copy_lf(src: Path, dest: Path) -> None:
    """Copy ``src`` with every line ending made LF: each line a record again for DuckDB. (A CRLF
    inside a quoted value spanning lines becomes LF too.)"""
    with open(dest, "wb") as out:
        for line in lines(src):
            out.write(line[:-2] + b"\n" if line.endswith(b"\r\n") else line)


def copy_replacing(src: Path, dest: Path, offsets: Iterable[int], replacement: Callable[[int], bytes]) -> list[bytes]:
    """Copy ``src`` with the lines holding the bytes at ``offsets`` (of the decompressed file:
    DuckDB's position of a line is its first byte in a CRLF file, its second in an LF one) replaced
    by ``replacement(i)`` for the i-th of them (their endings kept); the lines replaced, in file
    order, without their endings. The copy has the same lines, so rows keep their numbers."""
    wanted = sorted(set(offsets))
    replaced: list[bytes] = []
    at, i = 0, 0
    with open(dest, "wb") as out:
        for line in lines(src):
            end = at + len(line)
            if i < len(wanted) and wanted[i] < end:
                text = line.rstrip(b"\r\n")
                out.write(replacement(len(replaced)) + line[len(text):])
                replaced.append(text)
                while i < len(wanted) and wanted[i] < end:
                    i += 1
            else:
                out.write(line)
            at = end
    return replaced


def _head(path: Path, size: int = SAMPLE_BYTES) -> list[bytes]:
    """The file's first complete lines within ``size`` bytes (all of them for a smaller file)."""
    with open_text(path) as f:
        data = f.read(size + 1)
    if len(data) > size:
        data = data[:data.rfind(b"\n") + 1] or data
    return data.splitlines(keepends=True)


def _quoted_field(delimiters: str) -> re.Pattern[bytes]:
    d = b"[" + re.escape(delimiters.encode("utf-8")) + b"]"
    # a whole value in quotes, doubled quotes inside, between delimiters or the line's ends
    return re.compile(rb'(?:^|' + d + rb')"(?:[^"\r\n]|"")*"(?=' + d + rb'|\r?\n?$)')


def quoted_sample(path: Path, dest: Path, delimiters: str = ",;\t|") -> bool:
    """Write to ``dest`` the file's first lines whose quotes pair up, when one of those lines has
    a value quoted whole (``"a, b"`` between two of ``delimiters``, or a line's end): True then,
    else False (the file quotes nothing that a sample could show).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "f.csv").write_bytes(b'a,b\\n1,"x, y"\\n2,"open\\n')
    >>> quoted_sample(folder / "f.csv", folder / "s.csv"), (folder / "s.csv").read_bytes()
    (True, b'a,b\\n1,"x, y"\\n')
    """
    head = _head(path)
    paired = [line for line in head if line.count(_QUOTE) % 2 == 0]
    pattern = _quoted_field(delimiters)
    if len(paired) < 2 or not any(pattern.search(line) for line in paired):
        return False
    dest.write_bytes(b"".join(paired))
    return True
