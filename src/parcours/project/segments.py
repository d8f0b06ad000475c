"""``segments``: each customer's segment period after period, and the movement matrix.

Reads the events (with the map's ``source`` defaults), prepares them for the map, and places
every customer-period in a segment (:mod:`parcours.analysis.movements`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import ibis

from parcours.analysis import filters
from parcours.analysis.behaviour import DIMENSIONS
from parcours.analysis.movements import EVERY, movements
from parcours.engine import columns as C
from parcours.engine.prepare import prepare
from parcours.errors import OptionError
from parcours.ingest import EventLog, read_events
from parcours.model import JourneyMap, load_map
from parcours.model.durations import parse_duration
from parcours.model.specs import SegmentsSpec, settle
from parcours.project.map_source import source_path
from parcours.result import AnalysisResult


@dataclass
class SegmentsResult(AnalysisResult):
    """``data`` (the content of ``segments.json``) and the tables ``segment_counts``,
    ``segment_movements`` and ``segment_membership``."""

    JSON_NAME: ClassVar[str] = "segments.json"

    @property
    def summary(self) -> dict[str, Any]:
        return self.data["segments"]

    def matrix(self, from_period: str | None = None) -> Any:
        """The movement matrix as a pandas DataFrame (rows: from, columns: to), for one pair of
        periods (``from_period``) or all consecutive pairs summed."""
        import pandas as pd

        moves = self.data["segments"]["movements"]
        if from_period is not None:
            moves = [r for r in moves if r["from_period"] == from_period]
        else:
            moves = self.data["segments"]["movements_total"]
        df = pd.DataFrame(moves)
        return df.pivot_table(index="from", columns="to", values="customers", aggfunc="sum", fill_value=0, sort=False)


def segments(events: str | Path | EventLog | None, journey_map: str | Path | JourneyMap | None = None,
             spec: SegmentsSpec | None = None, *, on_progress: Callable[[str], None] | None = None,
             **settings: Any) -> SegmentsResult:
    """Segments per period (``every``: week, month, quarter, year) and how customers moved
    between them. ``by``: buyer, channel_mix, value_tier, segment (the map's) or a column.

    ``spec``: the settings (a :class:`~parcours.model.specs.SegmentsSpec`); each keyword
    argument is one of its fields and wins over the spec's; the map's ``source`` block fills
    how to read the events when neither says.

    >>> r = parcours.segments("events.csv", "map.yaml", by="buyer", every="month")  # doctest: +SKIP
    >>> r.matrix()                                                                     # doctest: +SKIP
    """
    say = on_progress or (lambda _m: None)
    asked = settle(SegmentsSpec, spec, settings)
    if asked.every not in EVERY:  # before reading anything
        raise OptionError(f"--every {asked.every!r}", hint=f"use one of: {', '.join(EVERY)}")
    m = load_map(journey_map) if isinstance(journey_map, (str, Path)) else (journey_map or JourneyMap())
    spec = asked.resolve(m)
    by, every = spec.by, spec.every
    if events is None:
        events = source_path(m, journey_map)
    log = events if isinstance(events, EventLog) else read_events(events, engine=spec.engine, on_progress=say,
                                                                   **spec.read_args())
    say("preparing")
    keep = [by] if by not in ("segment", "channel", *DIMENSIONS) else []
    p = prepare(log.con, log.table, m, role_sources=log.roles, keep=keep,
                journey_gap_seconds=parse_duration(spec.journey_gap) if spec.journey_gap else None)
    ev = p.table
    start, end = filters.parse_period(spec.period)
    if start is not None:
        ev = ev.filter(ev[C.TS] >= ibis.literal(start))
    if end is not None:
        ev = ev.filter(ev[C.TS] < ibis.literal(end))
    say(f"segments by {by}, every {every}")
    data, tables = movements(p.con, ev, m, by, every, p.resolver(ev))
    report = log.report
    map_name = m.id or (str(journey_map) if isinstance(journey_map, (str, Path)) else None)
    out = {"segments": data, "input": report.to_dict(), "options": spec.options(map_name=map_name)}
    return SegmentsResult(data=out, tables=tables, quarantine=report.quarantine_table())
