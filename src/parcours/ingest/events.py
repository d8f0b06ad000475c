"""``read_events``: any supported input -> an :class:`EventLog` on the engine.

The log is a typed view over the input on the connection (DuckDB by default): Parquet
files are read where they lie, CSV/JSON Lines/XES were copied once by their reader, and
a table of another connection is materialised so that its input order is fixed. The
report says how many rows were read, accepted and quarantined, and why.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from parcours.engine import columns as C
from parcours.engine.connection import connect, fit_memory_limit
from parcours.engine.fetch import rows, scalar
from parcours.engine.handoff import hand_over
from parcours.errors import InputError, OptionError, TooManyBadRows
from parcours.ingest.normalize import normalize
from parcours.ingest.readers import RawInput, read_raw
from parcours.ingest.rejects import true_row
from parcours.ingest.roles import RoleDetection, resolve_roles
from parcours.ingest.said import said

DEFAULT_MAX_BAD_ROWS = "1%"
# Engines the analyses run on; a table on any other engine is copied to DuckDB first.
ANALYSIS_ENGINES = ("duckdb", "pyspark")
QUARANTINE_SCHEMA = pa.schema([("file", pa.string()), ("row", pa.int64()), ("reason", pa.string()),
                               ("customer", pa.string()), ("time", pa.string()), ("event", pa.string()),
                               ("line_text", pa.string())])
_counter = itertools.count(1)


def parse_max_bad_rows(text: str | int | float | None) -> tuple[str, float]:
    """``"100"`` -> at most 100 rows; ``"2%"`` or ``"0.02"`` -> at most 2% of rows read.

    >>> parse_max_bad_rows("2%")
    ('share', 0.02)
    >>> parse_max_bad_rows(100)
    ('count', 100.0)
    """
    text = DEFAULT_MAX_BAD_ROWS if text is None else text
    s = str(text).strip()
    try:
        if s.endswith("%"):
            share = float(s[:-1]) / 100
            if not 0 <= share <= 1:
                raise ValueError
            return "share", share
        number = float(s)
    except ValueError:
        raise OptionError(f"--max-bad-rows {text!r} is neither a count nor a share",
                          hint="write a count (e.g. 100), a percentage (e.g. 2%) or a share below 1 (e.g. 0.02)") from None
    if number < 0:
        raise OptionError(f"--max-bad-rows must not be negative, got {text!r}")
    if 0 < number < 1:
        return "share", number
    if number != int(number):
        raise OptionError(f"--max-bad-rows {text!r}: a count must be a whole number")
    return "count", number


@dataclass
class IngestReport:
    """How the input was read: ``read == accepted + quarantined`` always holds."""

    source: str
    format: str
    read: int
    accepted: int
    quarantined: int
    duplicates_dropped: int
    detection: RoleDetection
    notes: list[str] = field(default_factory=list)
    quarantine_rows: list[dict[str, Any]] = field(default_factory=list)  # in file and row order
    sources: list[dict[str, Any]] = field(default_factory=list)  # several sources: each one's counts

    @property
    def quarantine(self) -> Any:
        """The quarantined rows as a pandas DataFrame (``file``, ``row``, ``reason``, ...)."""
        return self.quarantine_table().to_pandas()

    def quarantine_table(self) -> pa.Table:
        """The quarantined rows as an Arrow table, with the same columns whether empty or not."""
        return pa.Table.from_pylist(self.quarantine_rows, schema=QUARANTINE_SCHEMA)

    @property
    def kept(self) -> int:
        """Rows kept for analysis: accepted minus the exact duplicates dropped on request."""
        return self.accepted - self.duplicates_dropped

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "read": self.read, "accepted": self.accepted,
                "quarantined": self.quarantined, "duplicates_dropped": self.duplicates_dropped,
                "columns": self.detection.ordered(), "detected_schema": self.detection.schema,
                "how": dict(self.detection.how), "detection": self.detection.describe(),
                "notes": list(self.notes), **({"sources": list(self.sources)} if self.sources else {})}


@dataclass
class EventLog:
    """Parsed events on an engine connection, with the report of how they were read.

    ``table`` is the canonical event table (role columns ``_customer``, ``_ts``, ``_seq``,
    ``_event``, ``_channel``... and the input's other columns as attributes).
    """

    con: Any
    table: ir.Table
    report: IngestReport
    attributes: list[str]

    @property
    def roles(self) -> dict[str, str]:
        return dict(self.report.detection.roles)

    def to_pandas(self) -> Any:
        """The events with readable column names (``customer``, ``time``, ``event``...), in journey order."""
        names = {c: r for r, c in C.ROLE_COLUMNS.items()}
        t = self.table.order_by([C.CUSTOMER, C.TS, C.SEQ])
        return t.execute().rename(columns=names).rename(columns={C.SEQ: "input_order"})

    def __len__(self) -> int:
        return self.report.kept


def _milestones(con: Any, raw: RawInput, columns: dict[str, str] | None,
                milestones: str | dict[str, str] | None) -> tuple[RawInput, dict[str, str] | None, bool]:
    """A CRM export made long when its milestones are named or its CRM's names say so (and no
    event column is given or found); else ``raw`` as it is (and False)."""
    from parcours.ingest import milestones as M
    from parcours.ingest.roles import EVENT_ROLES, RoleSpec
    from parcours.model.milestones import parse_milestones

    named = parse_milestones(milestones)
    system = None
    if named is None:
        if columns and "event" in columns:
            return raw, columns, False
        relaxed = RoleSpec(required=(), optional=EVENT_ROLES.all, names=EVENT_ROLES.names, schemas=EVENT_ROLES.schemas)
        name = Path(raw.source).name if raw.format != "table" else "table"
        if "event" in resolve_roles(raw.data_columns, columns, source=name, spec=relaxed).roles:
            return raw, columns, False
        named, system = M.detect(raw.data_columns)
        if len(named) < 2:
            return raw, columns, False
    elif columns and ("event" in columns or "time" in columns):
        raise OptionError("--milestones makes the event and the time of each row: --columns cannot give them too",
                          hint="leave event= and time= out of --columns")
    long, roles, _found = M.lengthen(con, raw, named, dict(columns or {}), system)
    return long, roles, True


def _stitch(con: Any, raw: RawInput, columns: dict[str, str] | None,
            stitch: str | tuple[str, str] | dict[str, str] | None) -> tuple[RawInput, dict[str, str] | None]:
    """One customer across ids (:mod:`parcours.ingest.identity`): when ``stitch`` names the
    columns, or Segment's or GA4's are both there and no customer column is given."""
    from parcours.ingest.identity import pair_for
    from parcours.ingest.identity import stitch as stitched
    from parcours.model.identity import parse_stitch

    given = parse_stitch(stitch)
    if given is None and columns and "customer" in columns:
        return raw, columns
    pair = pair_for(raw.data_columns, given)
    if pair is None:
        return raw, columns
    if columns and "customer" in columns:
        raise OptionError("--stitch makes the customer of each row: --columns cannot give it too",
                          hint="leave customer= out of --columns")
    raw, column, _found = stitched(con, raw, *pair)  # (anonymous, known, system, id table)
    return raw, {**(columns or {}), "customer": column}


def read_events(source: str | Path | ir.Table, *, columns: dict[str, str] | None = None, fmt: str | None = None,
                delimiter: str | None = None, timezone: str | None = None, time_unit: str | None = None,
                date_format: str | None = None, milestones: str | dict[str, str] | None = None,
                sheet: str | int | None = None, stitch: str | tuple[str, str] | dict[str, str] | None = None,
                join: dict[str, Any] | None = None,
                max_bad_rows: str | int | float | None = None, drop_duplicates: bool = False,
                con: Any = None, engine: str | None = None,
                on_progress: Callable[[str], None] | None = None) -> EventLog:
    """Read an event log (CSV/TSV, Parquet file or folder, JSON Lines, XES, or an Ibis table).

    ``columns`` maps roles to column names (``{"customer": "user_id", ...}``); missing roles
    are detected. A CRM export with a date column per milestone (``milestones``, or HubSpot's
    and Salesforce's own names) gives an event per milestone date (:mod:`parcours.ingest.milestones`).
    Rows that cannot be used are quarantined (see ``EventLog.report``); the
    call fails with :class:`~parcours.errors.TooManyBadRows` when they exceed
    ``max_bad_rows`` (a count, or a share such as ``"1%"``, the default).

    Examples
    --------
    >>> import parcours
    >>> log = parcours.read_events("../shared/data/helpdesk_tickets/helpdesk_events.csv.gz")  # doctest: +SKIP
    >>> log.report.read, log.report.accepted, log.report.quarantined  # doctest: +SKIP
    (21348, 21348, 0)
    """
    kind, limit = parse_max_bad_rows(max_bad_rows)
    if isinstance(source, list):  # several sources, one journey (ingest/several.py)
        from parcours.ingest.several import read_several

        defaults = {"columns": columns, "timezone": timezone, "time_unit": time_unit, "date_format": date_format,
                    "delimiter": delimiter}
        return read_several(source, defaults, read_events, max_bad_rows=max_bad_rows, drop_duplicates=drop_duplicates, con=con,
                            engine=engine, on_progress=on_progress)
    if con is None and isinstance(source, ir.Table):
        con = _backend_of(source)  # a table of a real connection is read where it lives
    con = con if con is not None else connect(engine)
    say = on_progress or (lambda _msg: None)
    say("reading")
    if not isinstance(source, ir.Table) and con.name != "duckdb":
        # A file is read and checked by DuckDB, then handed to the engine (engine/handoff.py).
        log = read_events(source, columns=columns, fmt=fmt, delimiter=delimiter, timezone=timezone,
                          time_unit=time_unit, date_format=date_format, milestones=milestones, sheet=sheet, stitch=stitch, join=join,
                          max_bad_rows=max_bad_rows, drop_duplicates=drop_duplicates,
                          con=connect(None), on_progress=on_progress)
        say(f"handing the events over to {con.name}")
        log.report.notes.append(said("note.checked_by_duckdb", engine=con.name))
        return EventLog(con=con, table=hand_over(log.con, log.table, con), report=log.report,
                        attributes=log.attributes)
    copied_from = None
    if isinstance(source, ir.Table) and con.name not in ANALYSIS_ENGINES:
        # Parcours analyses on DuckDB and Spark; other engines' rows come over to DuckDB, streamed.
        copied_from = con.name
        source, con = _copy_to_duckdb(con, source, say)
    raw: RawInput = read_raw(con, source, fmt=fmt, delimiter=delimiter, sheet=sheet,
                             on_progress=lambda n: say(f"reading ({n:,} rows so far)"))
    if join:
        from parcours.ingest.joins import join as join_file

        raw = join_file(con, raw, join)
    if raw.format in ("parquet", "table") and "event_params" in raw.table.columns:
        from parcours.ingest.ga4 import flatten

        raw = flatten(con, raw)  # GA4's nested parameters as columns params.KEY
    raw, columns, made = _milestones(con, raw, columns, milestones)
    raw, columns = _stitch(con, raw, columns, stitch)
    detection = resolve_roles(raw.data_columns, columns, source=Path(raw.source).name if raw.format != "table" else "table")
    if made:  # the event and time of a CRM export's rows are made from its milestone columns
        detection = dataclasses.replace(detection, how={**detection.how, "event": "milestones", "time": "milestones"})
    norm = normalize(con, raw, detection, timezone=timezone, time_unit=time_unit, date_format=date_format)
    say("parsing")
    if con.name == "duckdb" and raw.format != "table":
        # A file is read where it lies (Parquet) or was copied once (CSV, JSON Lines and XES):
        # re-reading it is cheaper than a second copy, and the order key ``_seq`` is fixed.
        table = norm.accepted
    else:  # a table's row numbers are not stable from one query to the next: pin them
        table = con.create_table(f"_parcours_events_{next(_counter)}", norm.accepted, temp=True) \
            if con.name == "duckdb" else norm.accepted.cache()
    accepted = int(scalar(con, table.count()))
    fit_memory_limit(con, accepted)  # a small log needs little of the default memory
    # The quarantine query re-evaluates every check over the input: run it only when some
    # parsed row was not accepted (counting the raw rows is cheap).
    parsed = int(scalar(con, raw.table.count()))
    bad = rows(con, norm.quarantine.order_by("__seq")) if parsed > accepted else []
    quarantine = quarantine_records(raw, bad)
    read = accepted + len(quarantine)
    duplicates = 0
    if drop_duplicates:
        keys = [c for c in table.columns if c != C.SEQ]
        first = table.mutate(__n=ibis.row_number().over(group_by=keys, order_by=C.SEQ))
        deduped = first.filter(first.__n == 0).drop("__n")
        table = con.create_table(f"_parcours_events_{next(_counter)}", deduped, temp=True) \
            if con.name == "duckdb" else deduped.cache()
        duplicates = accepted - int(scalar(con, table.count()))
    notes = [*raw.notes, *norm.notes]
    if copied_from:
        notes.insert(0, said("note.copied_to_duckdb", engine=copied_from))
    report = IngestReport(source=raw.source, format=raw.format, read=read, accepted=accepted,
                          quarantined=len(quarantine), duplicates_dropped=duplicates, detection=detection,
                          notes=notes, quarantine_rows=quarantine)
    allowed = limit if kind == "count" else limit * read
    if report.quarantined > allowed:
        first = quarantine[0]
        raise TooManyBadRows(
            f"{Path(raw.source).name}: {report.quarantined} of {read} rows cannot be used "
            f"(more than --max-bad-rows {max_bad_rows or DEFAULT_MAX_BAD_ROWS}); "
            f"first: row {first['row']}: {first['reason']}",
            hint="fix the input or the column roles (--columns), or raise --max-bad-rows; "
                 "the quarantined rows and their reasons are written to the quarantine file")\
            .with_report(report)
    if accepted == 0:
        raise TooManyBadRows(f"{Path(raw.source).name}: no usable event ({read} rows read)",
                             hint="check the column roles (--columns) and the file's content").with_report(report)
    return EventLog(con=con, table=table, report=report, attributes=norm.attributes)


def _copy_to_duckdb(con: Any, table: ir.Table, say: Callable[[str], None]) -> tuple[ir.Table, Any]:
    """Stream a table of another engine into a new in-memory DuckDB, in the order it comes."""
    duck = connect(None)
    try:
        batches = con.to_pyarrow_batches(table, chunk_size=100_000)
    except Exception as e:  # noqa: BLE001 - each backend fails in its own way
        raise InputError(f"cannot read the table from the {con.name} engine: {str(e).strip().splitlines()[0]}",
                         hint="check the table name and that the connection can read it") from None
    name = f"_parcours_copied_{next(_counter)}"
    created = False
    n = 0
    for batch in batches:
        part = pa.Table.from_batches([batch])
        if not created:
            duck.create_table(name, part, temp=True)
            created = True
        else:
            duck.insert(name, part, database="temp")
        n += batch.num_rows
        say(f"copying from {con.name} ({n:,} rows so far)")
    if not created:
        duck.create_table(name, schema=batches.schema, temp=True)
    return duck.table(name, database="temp"), duck


def _backend_of(table: ir.Table) -> Any:
    try:
        return ibis.get_backend(table)
    except Exception:  # noqa: BLE001 - an in-memory table has no backend of its own
        return None


def quarantine_records(raw: RawInput, bad: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per unusable input row: file, row (and line for CSV), reason, key values."""
    out: list[dict[str, Any]] = []
    shift = raw.reject_rows
    multi = len(raw.files) > 1
    for r in bad:
        row = int(r["__row"])
        if raw.format in ("csv", "tsv", "xlsx"):
            row = true_row(row, shift)
        # a table built from a file names it (RawInput.all_rows); a folder of files names each
        named = r["__file"] and (multi or raw.format == "table")
        rec = {"file": Path(r["__file"]).name if named else Path(raw.source).name, "row": row, "reason": r["reason"]}
        rec.update({k: (None if r[k] is None else str(r[k])) for k in ("customer", "time", "event") if k in r})
        if r.get("__text") is not None:
            rec["line_text"] = r["__text"]
        out.append(rec)
    for rej in raw.rejects:
        out.append({"file": Path(raw.source).name, "row": rej["row"], "reason": rej["reason"],
                     "line_text": rej["text"]})
    out.sort(key=lambda r: (r["file"], r["row"]))  # stable: a row's reasons keep their order
    return [{k: r.get(k) for k in QUARANTINE_SCHEMA.names} for r in out]
