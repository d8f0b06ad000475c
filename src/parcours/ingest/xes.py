"""Streaming reader for XES event logs (IEEE 1849): one ``.xes``/``.xes.gz`` file → one Parquet.

XES logs are often several GB of XML, so the file is never loaded as a tree: it is read with
``lxml.etree.iterparse`` and every ``<event>`` and ``<trace>`` is cleared (and its earlier
siblings deleted) as soon as it has been read, so memory stays flat whatever the file size.

The Parquet file has one row per ``<event>``, in file order:

* ``__row``: int64, 1-based index of the event in the file;
* ``case:<key>`` for every trace attribute (the trace id ``concept:name`` becomes
  ``case:concept:name``), in first-seen order, including keys seen only on empty traces;
* ``<key>`` for every event attribute (``concept:name``, ``time:timestamp``, ...), in
  first-seen order.

Every value is a string, exactly the ``value`` text of the file (dates keep their ISO text;
typing is the job of the code that reads the Parquet file). A missing attribute is null.

What is deliberately left out, because it has no single value per event:

* log-level attributes, ``<extension>``, ``<classifier>`` and ``<global>`` (globals declare
  attributes every event has; their values are placeholders, not defaults to fill in);
* ``<list>`` and ``<container>`` attributes, and meta-attributes nested inside an attribute.

If a key repeats within one trace or event, the last value wins.

The set of columns is only known at the end of the file, so the file is read twice: a first
pass collects the keys and validates the whole file (a truncated download fails before
anything is written), a second pass writes batches with a fixed schema.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq
from lxml import etree

from parcours.errors import InputError, OptionError

__all__ = ["XesInfo", "xes_to_parquet"]

ROW_COLUMN = "__row"
CASE_PREFIX = "case:"
# Typed attribute elements that carry one value in their ``value`` attribute.
VALUE_TAGS = frozenset({"string", "date", "int", "float", "boolean", "id"})
GZIP_MAGIC = b"\x1f\x8b"
TRUNCATED_HINT = "re-export the log, or check that the download is complete"


@dataclass(frozen=True)
class XesInfo:
    """What :func:`xes_to_parquet` wrote.

    ``columns`` are the Parquet columns in order, ``__row`` first. ``empty_traces`` counts
    traces without any event: they have no row in the Parquet file.
    """

    traces: int
    events: int
    columns: list[str]
    empty_traces: int


def xes_to_parquet(
    path: str | Path,
    out_path: str | Path,
    *,
    batch_rows: int = 200_000,
    on_progress: Callable[[int], None] | None = None,
) -> XesInfo:
    """Convert the XES log at ``path`` to one Parquet file at ``out_path``, streaming.

    ``on_progress(events_so_far)`` is called after each batch of ``batch_rows`` events is
    written (second pass only). Raises :class:`~parcours.errors.InputError` naming the file
    and the line when the file is empty, not XML, not an XES log, truncated or malformed;
    in that case no Parquet file is left behind (an existing ``out_path`` is not touched).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "log.xes").write_text(
    ...     '<log><trace><string key="concept:name" value="c1"/>'
    ...     '<event><string key="concept:name" value="open"/></event></trace></log>'
    ... )
    >>> xes_to_parquet(folder / "log.xes", folder / "log.parquet")
    XesInfo(traces=1, events=1, columns=['__row', 'case:concept:name', 'concept:name'], empty_traces=0)
    """
    path, out_path = Path(path), Path(out_path)
    if batch_rows < 1:
        raise OptionError(f"batch_rows must be at least 1, got {batch_rows}")
    value_tags = _check_root(path)

    scan = _Stats()
    for _ in _events(path, value_tags, scan):  # first pass: keys, counts, full syntax check
        pass
    columns = _columns(path, scan)

    # Write next to the target and rename at the end, so an error never leaves half a file.
    tmp = out_path.with_name(out_path.name + ".part")
    stats = _Stats()
    try:
        # Second pass; events of traces with attributes after an event are held to the trace end.
        events = _events(path, value_tags, stats, hold=scan.late)
        _write(events, tmp, columns, batch_rows, on_progress)
        if (stats.events, stats.trace_keys, stats.event_keys) != (
            scan.events, scan.trace_keys, scan.event_keys
        ):  # fmt: skip
            raise InputError(
                f"{path.name}: the file changed while it was being read; nothing was loaded",
                hint="load it again once it is no longer being written",
            )
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return XesInfo(stats.traces, stats.events, columns, stats.empty_traces)


def _write(
    events: Iterator[tuple[dict, dict]],
    out: Path,
    columns: list[str],
    batch_rows: int,
    on_progress: Callable[[int], None] | None,
) -> None:
    """Write ``(trace_attrs, event_attrs)`` items as Parquet, in batches of ``batch_rows`` rows."""
    schema = pa.schema([(ROW_COLUMN, pa.int64())] + [(c, pa.string()) for c in columns[1:]])
    batch: list[dict] = []
    n = 0

    def flush() -> None:
        writer.write_table(pa.Table.from_pylist(batch, schema=schema))  # absent key -> null
        batch.clear()
        if on_progress:
            on_progress(n)

    with pq.ParquetWriter(out, schema) as writer:
        for n, (trace_attrs, event_attrs) in enumerate(events, 1):
            batch.append({ROW_COLUMN: n, **trace_attrs, **event_attrs})
            if len(batch) >= batch_rows:
                flush()
        if batch:
            flush()


@dataclass
class _Stats:
    """Counts and keys gathered while walking the file (also used for error messages)."""

    traces: int = 0
    events: int = 0
    empty_traces: int = 0
    line: int = 0  # line of the last <trace>/<event> tag seen
    trace_keys: dict[str, None] = field(default_factory=dict)  # ordered set, already prefixed
    event_keys: dict[str, None] = field(default_factory=dict)
    late: set[int] = field(default_factory=set)  # traces (1-based) with attributes after an event


def _events(
    path: Path,
    value_tags: frozenset[str],
    stats: _Stats,
    hold: set[int] | frozenset[int] = frozenset(),
) -> Iterator[tuple[dict, dict]]:
    """Yield ``(trace_attrs, event_attrs)`` for every event, in file order, updating ``stats``.

    ``value_tags`` are the tags of single-valued attributes as they appear in this file
    (see :func:`_check_root`).

    ``trace_attrs`` keys are already prefixed with ``case:``; the dict is shared by the events
    of a trace and must be used before the next item is taken. XES puts trace attributes
    before events, but a trace whose attributes also come after an event (found by a first
    pass, see ``stats.late``) can be passed in ``hold``: its events are then yielded at the
    end of the trace, so that they all get every trace attribute.
    """
    trace = None  # the <trace> element being read
    trace_attrs: dict[str, str | None] = {}
    in_event = False
    n_trace_events = 0  # events read so far in the current trace
    held: list[dict] = []
    try:
        with _open(path) as f:
            parser = etree.iterparse(
                f,
                events=("start", "end"),
                tag=("{*}trace", "{*}event"),  # with or without the XES namespace
                resolve_entities=False,  # never fetch or expand custom entities
                huge_tree=True,  # multi-GB logs are legitimate input
            )
            for action, elem in parser:
                stats.line = elem.sourceline or stats.line
                is_event = _local(elem.tag) == "event"
                if action == "start":
                    if is_event and (trace is None or in_event):
                        where = "outside a <trace>" if trace is None else "inside another <event>"
                        raise _structure_error(path, stats, f"an <event> {where}")
                    if not is_event and trace is not None:
                        raise _structure_error(path, stats, "a <trace> inside another <trace>")
                    if is_event:
                        in_event = True
                    else:
                        trace, trace_attrs, held = elem, {}, []
                        stats.traces += 1
                        n_trace_events = 0
                    continue

                if is_event:
                    in_event = False
                    # Trace attributes read since the previous event are its preceding siblings.
                    before = elem.itersiblings(preceding=True)
                    found = _read_attributes(before, value_tags, trace_attrs, CASE_PREFIX, reverse=True)
                    if found and n_trace_events:
                        stats.late.add(stats.traces)
                    event_attrs: dict[str, str | None] = {}
                    _read_attributes(elem, value_tags, event_attrs)
                    stats.event_keys.update(dict.fromkeys(event_attrs))
                    stats.events += 1
                    n_trace_events += 1
                    _free(elem)
                    if stats.traces in hold:
                        held.append(event_attrs)
                    else:
                        yield trace_attrs, event_attrs
                else:  # end of the trace: attributes after its last event, then held events
                    found = _read_attributes(elem, value_tags, trace_attrs, CASE_PREFIX)
                    if found and n_trace_events:
                        stats.late.add(stats.traces)
                    stats.trace_keys.update(dict.fromkeys(trace_attrs))
                    stats.empty_traces += n_trace_events == 0
                    for event_attrs in held:
                        yield trace_attrs, event_attrs
                    _free(elem)
                    trace = None
    except etree.XMLSyntaxError as err:
        raise _syntax_error(path, stats, err) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:  # raised by gzip inside lxml's reads
        raise InputError(
            f"{path.name}: the compressed file is truncated or corrupt after line {stats.line} "
            f"({err}). {_read_so_far(stats)}",
            hint=TRUNCATED_HINT,
        ) from None


def _read_attributes(
    elements, value_tags: frozenset[str], into: dict, prefix: str = "", reverse: bool = False
) -> bool:
    """Copy ``key -> value`` of the single-valued attribute elements among ``elements``.

    Returns whether any was found. ``reverse`` is for ``itersiblings(preceding=True)``, which
    walks backwards: reversing keeps file order, so the last value of a repeated key wins.
    """
    found = [
        (prefix + key, child.get("value"))
        for child in elements
        if child.tag in value_tags and (key := child.get("key")) is not None
    ]
    into.update(reversed(found) if reverse else found)
    return bool(found)


def _free(elem) -> None:
    """Drop what has been read: the element's children and its earlier siblings."""
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _columns(path: Path, stats: _Stats) -> list[str]:
    """Column order of the Parquet file; refuses names that two attributes would share."""
    clash = [k for k in stats.event_keys if k in stats.trace_keys or k == ROW_COLUMN]
    if clash:
        raise InputError(
            f"{path.name}: event attribute {clash[0]!r} has the same name as a column made "
            f"from a trace attribute (trace attributes become 'case:<key>'), or as {ROW_COLUMN!r}",
            hint="rename that event attribute in the log before loading it",
        )
    return [ROW_COLUMN, *stats.trace_keys, *stats.event_keys]


def _open(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing gzip when the content is gzip.

    The magic bytes decide, not the name: ``.xes`` files are sometimes gzipped, and the
    other way round.
    """
    try:
        with open(path, "rb") as probe:
            gzipped = probe.read(2) == GZIP_MAGIC
        return gzip.open(path, "rb") if gzipped else open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found", hint="check the path") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read the file ({err.strerror or err})") from None


def _check_root(path: Path) -> frozenset[str]:
    """Fail early, with a plain message, on an empty file, a non-XML file or a non-XES XML file.

    Returns the tags of single-valued attributes as written in this file: bare and in the
    namespace of ``<log>``. Matching full tags is much faster than stripping each namespace.
    """
    try:
        with _open(path) as f:
            head = f.read(4096)
            if not head.strip() and len(head) < 4096:  # nothing, or only blank lines
                raise InputError(f"{path.name}: the file is empty", hint=TRUNCATED_HINT)
            f.seek(0)
            _, root = next(etree.iterparse(f, events=("start",), resolve_entities=False))
            # libxml2 raises on a document without any element, so there is always a root here.
    except etree.XMLSyntaxError as err:
        raise InputError(
            f"{path.name}: not an XES log: the file is not XML "
            f"(line {_where(err)}: {_message(err)})",
            hint="give an XES export (.xes or .xes.gz) of the event log",
        ) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        message = f"{path.name}: the compressed file is corrupt ({err})"
        raise InputError(message, hint=TRUNCATED_HINT) from None
    name = _local(root.tag)
    if name != "log":
        raise InputError(
            f"{path.name}: not an XES log (root element is <{name}>, line {root.sourceline})",
            hint="an XES file starts with a <log> element; give an XES export of the event log",
        )
    namespace = root.tag[: root.tag.find("}") + 1]  # "{uri}" or ""
    return frozenset(VALUE_TAGS | {namespace + tag for tag in VALUE_TAGS})


def _local(tag: str) -> str:
    """Tag name without its namespace: XES files exist with and without ``xmlns``."""
    return tag.rpartition("}")[2]


def _syntax_error(path: Path, stats: _Stats, err: etree.XMLSyntaxError) -> InputError:
    return InputError(
        f"{path.name}: the XES file is truncated or malformed at line {_where(err)} "
        f"({_message(err)}). {_read_so_far(stats)}",
        hint=TRUNCATED_HINT,
    )


def _structure_error(path: Path, stats: _Stats, what: str) -> InputError:
    return InputError(
        f"{path.name}: {what} at line {stats.line}; XES puts every event in exactly one trace. "
        f"{_read_so_far(stats)}",
        hint="fix or re-export the log: each <trace> belongs in <log>, each <event> in a <trace>",
    )


def _read_so_far(stats: _Stats) -> str:
    return f"{stats.events} events were read before the error; nothing was loaded."


def _where(err: etree.XMLSyntaxError) -> str:
    line, column = err.position if err.position else (err.lineno, 0)
    return f"{line}, column {column}" if column else str(line)


def _message(err: etree.XMLSyntaxError) -> str:
    # libxml2 appends ", line L, column C" to its message; the location is reported separately.
    return re.sub(r",? line \d+, column \d+$", "", (err.msg or str(err)).strip())
