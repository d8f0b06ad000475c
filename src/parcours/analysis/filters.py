"""Segment and period filters, and breakdowns, all at the journey level.

- A journey belongs to a segment when at least one of its events meets all the segment's
  conditions. Segments may overlap.
- A period keeps the journeys that *start* in it (cohort by first event), whole.
- A breakdown by ``channel`` groups journeys by the channel of their first event; by any
  other column, by that column's value on the first event; by ``segment``, one group per
  segment of the map.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from parcours.engine import columns as C
from parcours.engine.rules import ColumnResolver, where_predicate
from parcours.errors import OptionError
from parcours.model.journey_map import JourneyMap


def segment_journeys(ev: ir.Table, m: JourneyMap, segment_id: str, resolve: ColumnResolver) -> ir.Table:
    seg = m.segment(segment_id)
    if seg is None:
        known = ", ".join(s.id for s in m.segments) or "none in the map"
        raise OptionError(f"unknown segment {segment_id!r}", hint=f"segments are: {known}")
    i = m.segments.index(seg)
    pred = where_predicate(seg.where, resolve, f"segments[{i}]")
    return ev.filter(pred).select(C.JOURNEY).distinct()


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


def segment_groups(ev: ir.Table, m: JourneyMap, resolve: ColumnResolver) -> dict[str, ir.Table]:
    """Segment id -> its journeys, for a breakdown by segment."""
    if not m.segments:
        raise OptionError("--by segment: the map declares no segment", hint="add segments to the map, or use --by channel")
    return {s.id: segment_journeys(ev, m, s.id, resolve) for s in m.segments}


def first_event_key(ev: ir.Table, by: str, resolve: ColumnResolver) -> ir.Table:
    """``_journey``, ``group``: the channel (``by="channel"``) or column ``by`` of each
    journey's first event, ``(none)`` when empty."""
    first = ev.filter(ev[C.STEP] == 1)
    col = first[C.CHANNEL] if by == "channel" else ColumnResolver(first, resolve.role_sources)(by, "--by")
    return first.select(C.JOURNEY, group=col.cast("string").fill_null("(none)"))
