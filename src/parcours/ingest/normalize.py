"""Raw input -> canonical events, and the quarantine of rows that cannot be used.

Every row read ends up either accepted or quarantined with a reason: nothing is dropped
silently. Timestamps become UTC instants: ISO 8601 with an offset as written, ISO without
offset in ``timezone`` (UTC when not given), and numbers as epoch seconds, milliseconds,
microseconds or nanoseconds (unit detected from their size unless given).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from parcours.engine import columns as C
from parcours.engine.fetch import rows, scalar
from parcours.engine.functions import engine_of, epoch_us_to_timestamp, local_to_utc
from parcours.errors import InputError, OptionError
from parcours.ingest import dates as D
from parcours.ingest.readers import RawInput
from parcours.ingest.roles import RoleDetection
from parcours.ingest.said import said, said_expr
from parcours.model.date_formats import check as check_date_format

UTC = dt.Timestamp(timezone="UTC")
# A UTC offset ends a time of day (``10:00Z``, ``10:00:00.5 +01:00``, ``T100000+0100``): a
# date alone (``2026-01-03``, ``2026-01``) ends with digits after a dash too, but has none.
_AWARE = r"(\d:\d\d(:\d\d)?|[Tt ]\d{2,6})([.,]\d*)?\s*(Z|z|[+-]\d\d(:?\d\d)?)$"
_NUMBER = r"^\s*-?\d+(\.\d+)?\s*$"
_UNIT_US = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 0.001}


@dataclass
class Normalized:
    accepted: ir.Table
    quarantine: ir.Table  # __file, __row, __seq, reason, the role columns as text (and __text, if carried)
    notes: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)


def _blank(col: ir.Value) -> ir.BooleanValue:
    """Missing, or only whitespace. A text can only be whitespace if its first character
    is (code 32 or below): testing that first lets the engine trim only those few values,
    not every customer id and event name of the log (10M events: 0.23 s instead of 0.65 s
    of DuckDB time for the two columns, paid by the count and again by the preparation)."""
    if col.type().is_string():
        return col.isnull() | ((col.ascii_str() <= 32) & (col.strip() == ""))
    return col.isnull()


def check_timezone(tz: str | None) -> str | None:
    if tz is None:
        return None
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise OptionError(f"unknown time zone {tz!r}", hint="use an IANA name such as Europe/Paris or UTC") from None
    return tz


def _epoch_unit(con: Any, col: ir.NumericValue, given: str | None) -> str:
    if given:
        return given
    top = scalar(con, col.abs().max())
    if top is None:
        return "s"
    top = float(top)
    return "s" if top < 1e11 else "ms" if top < 1e14 else "us" if top < 1e17 else "ns"


def _from_epoch(num: ir.NumericValue, unit: str) -> ir.TimestampValue:
    factor = _UNIT_US[unit]
    us = (num * factor).round().cast("int64") if unit != "us" or num.type().is_floating() else num.cast("int64")
    return epoch_us_to_timestamp(us)


def parse_time(con: Any, table: ir.Table, column: str, *, timezone: str | None, time_unit: str | None,
               source: str, date_format: str | None = None) -> tuple[ir.TimestampValue, list[str]]:
    """Expression giving the UTC instant of each row's time (null where unparseable); values
    that are not ISO 8601 are read as ``date_format`` says (:mod:`parcours.ingest.dates`)."""
    col = table[column]
    notes: list[str] = []
    typ = col.type()
    if typ.is_timestamp():
        if typ.timezone:
            return col.cast(UTC), notes
        if timezone:
            notes.append(said("note.tz_as", column=repr(column), timezone=timezone))
            return local_to_utc(col, timezone), notes
        if engine_of(col) != "pyspark":  # Spark's timestamps are instants in its session's zone, UTC
            notes.append(said("note.tz_utc", column=repr(column)))
        return col.cast(UTC), notes
    if typ.is_date():
        return col.cast("timestamp").cast(UTC), notes
    if typ.is_numeric():
        return _from_number(con, col, column, time_unit, timezone, notes), notes
    if not typ.is_string():
        raise InputError(f"{source}: column {column!r} has type {typ}, which is not a time",
                         hint="give a column of ISO 8601 text, epoch numbers or timestamps as time")
    text = col.strip()
    # a date written day and month first is never ISO (DuckDB's cast reads 31/12/26 as the year 31)
    day_month = text.re_search(D.DAY_MONTH)
    is_naive = ~text.re_search(_AWARE) & ~day_month & text.try_cast("timestamp").notnull()
    other = text.notnull() & (text != "") & ~text.re_search(_NUMBER) & (day_month | text.try_cast(UTC).isnull())
    counts = rows(con, table.aggregate(
        present=text.notnull().sum(),
        numeric=text.re_search(_NUMBER).sum(),
        aware=(text.re_search(_AWARE) & ~text.re_search(_NUMBER) & ~day_month).sum(),
        naive=is_naive.sum(),
        other=other.sum(),
    ))[0]
    present, numeric, aware, naive, not_iso = (int(counts[k] or 0) for k in ("present", "numeric", "aware", "naive",
                                                                             "other"))
    if present and numeric == present:
        return _from_number(con, text.cast("float64"), column, time_unit, timezone, notes), notes
    if aware and naive and not timezone:
        sample = rows(con, table.filter(is_naive).order_by("__seq").select("__row", column).limit(1))[0]
        raise InputError(
            f"{source}: column {column!r} mixes times with a UTC offset and times without one "
            f"(e.g. row {int(sample['__row'])}: {sample[column]!r}); they cannot be ordered safely",
            hint="give --timezone ZONE (e.g. Europe/Paris) to say how to read the times without offset, "
                 "or fix the export so that every time carries its offset")
    aware_ts = ibis.cases((day_month, ibis.null().cast(UTC)), else_=text.try_cast(UTC))
    if naive:
        if timezone:
            notes.append(said("note.naive_as", column=repr(column), timezone=timezone))
            naive_ts = local_to_utc(text.try_cast("timestamp"), timezone)
        else:
            notes.append(said("note.naive_utc", column=repr(column)))
            naive_ts = text.try_cast(UTC)
        iso = ibis.cases((text.re_search(_AWARE), aware_ts), else_=naive_ts)
    else:
        iso = aware_ts
    if date_format == "iso" or not not_iso:
        return iso, notes
    written = _as_written(con, table, text, other, column, timezone=timezone, source=source, date_format=date_format,
                          notes=notes)
    return (iso, notes) if written is None else (ibis.coalesce(iso, written), notes)


def _as_written(con: Any, table: ir.Table, text: ir.StringValue, other: ir.BooleanValue, column: str, *,
                timezone: str | None, source: str, date_format: str | None,
                notes: list[str]) -> ir.TimestampValue | None:
    """The UTC instant of the values that are not ISO 8601 (``other``), read as ``date_format``
    says or as their own writing shows (:mod:`parcours.ingest.dates`); None when none is a date
    Parcours can read (they are then quarantined, as before)."""
    if engine_of(text) != "duckdb":
        return None  # tables of another engine: ISO 8601 and epoch numbers only
    # the values that are not ISO (``other``), each part computed once; counted, and a row of a
    # kind shown, from the same projection
    parts = table.filter(other).select("__seq", "__row", v=text, f=text.re_extract(D.DAY_MONTH, 1).try_cast("int64"),
                                       s=text.re_extract(D.DAY_MONTH, 2).try_cast("int64"),
                                       dm=text.re_search(D.DAY_MONTH), nm=text.lower().re_search(D.NAMES))
    dm, f, s2 = parts.dm, parts.f, parts.s
    # a value whose two numbers are both above 12 is no date: quarantined, not a vote
    kinds = {"day_month": dm, "first_over": dm & (f > 12) & (s2 <= 12), "second_over": dm & (s2 > 12) & (f <= 12),
             "differ": dm & (f != s2), "names": parts.nm}
    counts = {k: int(v or 0) for k, v in rows(con, parts.aggregate(**{k: e.sum() for k, e in kinds.items()}))[0].items()}
    if date_format is None and not counts["day_month"] and not counts["names"]:
        return None

    def example(kind: str) -> dict[str, Any]:
        r = rows(con, parts.filter(kinds[kind]).order_by("__seq").select("__row", "v").limit(1))[0]
        return {"row": int(r["__row"]), "value": r["v"]}

    style = date_format or D.detect(counts, column, source, example)
    names = bool(counts["names"]) or D.names_in(style)
    patterns = D.formats(style)
    sample = [r["v"] for r in rows(con, parts.select("v").limit(200))]
    patterns = D.by_use(patterns, sample, names=names)
    if date_format:
        notes.append(said("note.date_format", column=repr(column), style=style))
    elif counts["first_over"] or counts["second_over"]:
        e = example("first_over" if style == "eu" else "second_over")
        notes.append(said(f"note.dates_{style}", column=repr(column), row=e["row"], value=repr(e["value"])))
    if D.has_offset(style):  # the pattern reads each value's own offset: instants already
        return D.parse(text, patterns, names=names, instants=True)
    wall = D.parse(text, patterns, names=names)
    if timezone:
        return local_to_utc(wall, timezone)
    utc_note = said("note.naive_utc", column=repr(column))
    if utc_note not in notes:  # ISO times without offset may have said it already
        notes.append(utc_note)
    return wall.cast(UTC)


_EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 as an Excel serial date (days since 1899-12-30)
EXCEL_DAYS = (_EXCEL_EPOCH_DAYS, 80_000)  # Excel serial dates of 1970 to 2119: as epoch seconds, a day of 1970


def _from_number(con: Any, num: ir.NumericValue, column: str, time_unit: str | None, timezone: str | None,
                 notes: list[str]) -> ir.TimestampValue:
    """Epoch numbers, unit from their size unless given; numbers that are all Excel serial
    dates (days since 1899-12-30, a fraction for the time of day, between ``EXCEL_DAYS``) are
    read as such when no unit is given (as epoch seconds they would all be on 1–2 January 1970)."""
    if not time_unit:
        low, high = scalar(con, num.min()), scalar(con, num.max())
        if low is not None and EXCEL_DAYS[0] <= float(low) and float(high) < EXCEL_DAYS[1]:
            notes.append(said("note.excel", column=repr(column)))
            utc = _from_epoch((num.cast("float64") - _EXCEL_EPOCH_DAYS) * 86_400, "s")
            return local_to_utc(utc.cast("timestamp"), timezone) if timezone else utc
    unit = _epoch_unit(con, num, time_unit)
    notes.append(said("note.epoch", column=repr(column), unit=unit))
    return _from_epoch(num, unit)


def _infer_types(con: Any, table: ir.Table, names: list[str]) -> dict[str, str]:
    """For text attributes: int64 or float64 when every present value is such a number."""
    texts = [n for n in names if table[n].type().is_string()]
    if not texts:
        return {}
    aggs: dict[str, ir.Scalar] = {}
    for i, n in enumerate(texts):
        v = table[n].strip()
        present = v.notnull() & (v != "")
        aggs[f"p{i}"] = present.sum()
        aggs[f"i{i}"] = (present & v.re_search(r"^-?\d{1,18}$")).sum()
        aggs[f"f{i}"] = (present & v.re_search(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")).sum()
    row = rows(con, table.aggregate(**aggs))[0]
    out = {}
    for i, n in enumerate(texts):
        p = int(row[f"p{i}"] or 0)
        if p and int(row[f"i{i}"] or 0) == p:
            out[n] = "int64"
        elif p and int(row[f"f{i}"] or 0) == p:
            out[n] = "float64"
    return out


def normalize(con: Any, raw: RawInput, detection: RoleDetection, *, timezone: str | None = None,
              time_unit: str | None = None, date_format: str | None = None) -> Normalized:
    """Apply roles and types to ``raw``; split accepted rows from quarantined ones."""
    t = raw.table
    roles = detection.roles
    name = Path(raw.source).name
    ts, notes = parse_time(con, t, roles["time"], timezone=check_timezone(timezone), time_unit=time_unit, source=name,
                           date_format=check_date_format(date_format))

    def txt(role: str) -> ir.StringValue:
        return t[roles[role]].cast("string")

    # A column of the input says where a row's time comes from when it is made of several
    # (a CRM export's milestone columns, ingest/milestones.py): reasons name it.
    where = {"time": t["__milestone_column"]} if "__milestone_column" in t.columns else {}
    checks: list[tuple[ir.BooleanValue, ir.StringValue]] = [
        (t["__error"].notnull(), t["__error"]),
        *((_blank(t[roles[r]]), said_expr("reason.missing", role=r, column=where.get(r, repr(roles[r]))))
          for r in ("customer", "event", "time")),
        (ts.isnull(), said_expr("reason.unparseable_time", column=where.get("time", repr(roles["time"])),
                                value=txt("time"))),
    ]
    value = None
    if "value" in roles:
        vcol = t[roles["value"]]
        value = vcol.strip().try_cast("float64") if vcol.type().is_string() else vcol.cast("float64")
        checks.append((~_blank(vcol) & value.isnull(),
                       said_expr("reason.value_not_number", column=repr(roles["value"]), value=txt("value"))))
    reason = ibis.cases(*checks, else_=ibis.null("string"))
    t = t.mutate(__reason=reason, __ts=ts)

    used = set(roles.values())
    attributes = [c for c in raw.data_columns if c not in used]
    clash = [c for c in attributes if c.startswith("_")]
    if clash:
        raise InputError(f"{name}: column names starting with '_' are reserved ({', '.join(clash)})",
                         hint="rename those columns in the input")
    types = _infer_types(con, t, attributes) if raw.format in ("csv", "tsv", "xlsx", "jsonl", "xes") else {}

    good = t.filter(t.__reason.isnull())
    canon: dict[str, ir.Value] = {
        C.CUSTOMER: good[roles["customer"]].cast("string"),
        C.TS: good.__ts,
        C.SEQ: good.__seq,
        C.EVENT: good[roles["event"]].cast("string"),
    }
    for role in C.OPTIONAL_ROLES:
        if role == "value":
            canon[C.VALUE] = (good[roles["value"]].strip().try_cast("float64") if good[roles["value"]].type().is_string()
                              else good[roles["value"]].cast("float64")) if "value" in roles else ibis.null("float64")
        else:
            canon[C.ROLE_COLUMNS[role]] = good[roles[role]].cast("string") if role in roles else ibis.null("string")
    for a in attributes:
        col = good[a]
        canon[a] = col.strip().try_cast(types[a]) if a in types else col
    accepted = good.select(**canon)

    bad = t.filter(t.__reason.notnull())
    shown = {r: bad[c].cast("string") for r, c in roles.items() if r in ("customer", "time", "event")}
    if "__text" in bad.columns:  # a line the CSV parser rejected, carried by a table (RawInput.all_rows)
        shown["__text"] = bad["__text"]
    quarantine = bad.select(__file=bad.__file, __row=bad.__row, __seq=bad.__seq, reason=bad.__reason, **shown)
    return Normalized(accepted=accepted, quarantine=quarantine, notes=notes, attributes=attributes)
