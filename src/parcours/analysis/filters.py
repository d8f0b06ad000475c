"""Segment and period filters, and breakdowns, all at the journey level.

- A journey belongs to a segment of the map when at least one of its events meets all the
  segment's ``where`` conditions and its behaviour labels (:mod:`parcours.analysis.behaviour`)
  are among the segment's. Segments may overlap. ``--segment buyer=repeat`` selects by a
  behaviour label without declaring a segment.
- A period keeps the journeys that *start* in it (cohort by first event), whole.
- A breakdown by ``channel`` groups journeys by the channel of their first event; by a
  behaviour (``buyer``, ``channel_mix``, ``value_tier``, ``shape``), by the journey's label; by
  any other column, by that column's value on the first event; by ``segment``, one group per
  segment of the map.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.analysis import behaviour
from parcours.analysis.behaviour import BUYER_LABELS, DIMENSIONS, VALUE_LABELS, parse_filter
from parcours.engine import columns as C
from parcours.engine.prepare import temp_table
from parcours.engine.rules import ColumnResolver, where_predicate
from parcours.errors import OptionError
from parcours.model.journey_map import JourneyMap

CLOSED_LABELS = {"buyer": BUYER_LABELS, "value_tier": VALUE_LABELS}


def segment_journeys(ev: ir.Table, m: JourneyMap, segment_id: str, resolve: ColumnResolver, *,
                     full: ir.Table | None = None) -> ir.Table:
    """The journeys (``_journey``) of ``ev`` in a segment of the map, or matching a behaviour
    filter such as ``buyer=repeat``. Behaviour labels are computed on ``full`` (the whole
    prepared log) when given, so that a filter does not change a journey's label."""
    behaviour = parse_filter(segment_id)
    if behaviour is not None:
        dim, wanted = behaviour
        return _with_labels(ev, m, {dim: wanted}, full, resolve.role_sources)
    seg = m.segment(segment_id)
    if seg is None:
        known = ", ".join(s.id for s in m.segments) or "none in the map"
        raise OptionError(f"unknown segment {segment_id!r}",
                          hint=f"segments are: {known}; or select by behaviour, e.g. buyer=repeat "
                               f"({', '.join(DIMENSIONS)})")
    i = m.segments.index(seg)
    journeys = ev.select(C.JOURNEY).distinct()
    if seg.where:
        pred = where_predicate(seg.where, resolve, f"segments[{i}]")
        journeys = ev.filter(pred).select(C.JOURNEY).distinct()
    if seg.behaviour:
        journeys = journeys.semi_join(_with_labels(ev, m, seg.behaviour_labels(), full, resolve.role_sources),
                                      C.JOURNEY)
    return journeys


def behaviour_labels(ev: ir.Table, m: JourneyMap, dimension: str, full: ir.Table | None = None,
                     roles: dict[str, str] | None = None) -> ir.Table:
    """``_journey``, ``group``: the behaviour label of each journey of ``ev`` (``roles``: the
    input's role -> column, to know whether a value column was named)."""
    lab = behaviour.labels(ev if full is None else full, dimension, has_goals=bool(m.goals),
                           has_stages=bool(m.stages), has_value=None if roles is None else "value" in roles, m=m)
    return lab if full is None else lab.semi_join(ev.select(C.JOURNEY).distinct(), C.JOURNEY)


def _with_labels(ev: ir.Table, m: JourneyMap, wanted: dict[str, list[str]], full: ir.Table | None,
                 roles: dict[str, str]) -> ir.Table:
    out = ev.select(C.JOURNEY).distinct()
    for dim, values in wanted.items():
        if dim in CLOSED_LABELS and (bad := [v for v in values if v not in CLOSED_LABELS[dim]]):
            raise OptionError(f"{dim}: unknown label {bad[0]!r}", hint=f"labels are: {', '.join(CLOSED_LABELS[dim])}")
        lab = behaviour_labels(ev, m, dim, full, roles)
        out = out.semi_join(lab.filter(lab.group.isin(values)), C.JOURNEY)
    return out


def period_journeys(ev: ir.Table, start: dt.datetime | None, end: dt.datetime | None) -> ir.Table:
    first = ev.filter(ev[C.STEP] == 1)
    if start is not None:
        first = first.filter(first[C.TS] >= ibis.literal(start))
    if end is not None:
        first = first.filter(first[C.TS] < ibis.literal(end))
    return first.select(C.JOURNEY)


def keep_journeys(ev: ir.Table, journeys: ir.Table) -> ir.Table:
    return ev.semi_join(journeys, C.JOURNEY)


def parse_period(text: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``2026-01-01..2026-03-31`` (end day included), ``2026-01-01..`` or ``..2026-03-31``.

    >>> parse_period("2026-01-01..2026-01-31")[1].isoformat()
    '2026-02-01T00:00:00+00:00'
    """
    if not text:
        return None, None
    if ".." not in text:
        raise OptionError(f"--period {text!r}: write START..END", hint="e.g. 2026-01-01..2026-03-31, or 2026-01-01..")
    a, b = (s.strip() for s in text.split("..", 1))

    def parse(s: str, end: bool) -> dt.datetime | None:
        if not s:
            return None
        try:
            value = dt.datetime.fromisoformat(s)
        except ValueError:
            raise OptionError(f"--period: {s!r} is not a date", hint="write dates as YYYY-MM-DD") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        if end and len(s) == 10:  # a whole day: include it
            value += dt.timedelta(days=1)
        return value.astimezone(dt.UTC)

    return parse(a, False), parse(b, True)


def segment_groups(ev: ir.Table, m: JourneyMap, resolve: ColumnResolver, full: ir.Table | None = None
                   ) -> dict[str, ir.Table]:
    """Segment id -> its journeys, for a breakdown by segment."""
    if not m.segments:
        raise OptionError("--by segment: the map declares no segment",
                          hint=f"add segments to the map, or use --by channel or a behaviour ({', '.join(DIMENSIONS)})")
    return {s.id: segment_journeys(ev, m, s.id, resolve, full=full) for s in m.segments}


def journey_groups(con: Any, ev: ir.Table, m: JourneyMap, by: str, resolve: ColumnResolver,
                   full: ir.Table | None = None) -> dict[str, ir.Table]:
    """Group name -> its journeys, for a breakdown ``by`` a segment, the first channel, a
    behaviour or a column. Groups are in a stable order: the map's, or by name."""
    if by == "segment":
        return segment_groups(ev, m, resolve, full)
    keyed = (behaviour_labels(ev, m, by, full, resolve.role_sources) if by in DIMENSIONS
             else first_event_key(ev, by, resolve))
    keyed = temp_table(con, keyed, "groups")
    values = con.to_pyarrow(keyed.select("group").distinct()).column(0).to_pylist()
    order = {v: i for i, v in enumerate(CLOSED_LABELS.get(by, ()))}
    values.sort(key=lambda v: (order.get(v, len(order)), v))
    return {v: keyed.filter(keyed.group == v).select(C.JOURNEY) for v in values}


def first_event_key(ev: ir.Table, by: str, resolve: ColumnResolver) -> ir.Table:
    """``_journey``, ``group``: the channel (``by="channel"``) or column ``by`` of each
    journey's first event, ``(none)`` when empty."""
    first = ev.filter(ev[C.STEP] == 1)
    col = first[C.CHANNEL] if by == "channel" else ColumnResolver(first, resolve.role_sources)(by, "--by")
    return first.select(C.JOURNEY, group=col.cast("string").fill_null("(none)"))
