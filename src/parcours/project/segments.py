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
from parcours.project.map_source import source_defaults, source_path
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


def segments(events: str | Path | EventLog | None, journey_map: str | Path | JourneyMap | None = None, *,
             by: str = "buyer", every: str = "month", columns: dict[str, str] | None = None,
             journey_gap: str | None = None, period: str | None = None, engine: str | None = None,
             max_bad_rows: str | int | float | None = None,
             on_progress: Callable[[str], None] | None = None) -> SegmentsResult:
    """Segments per period (``every``: week, month, quarter, year) and how customers moved
    between them. ``by``: buyer, channel_mix, value_tier, segment (the map's) or a column.

    >>> r = parcours.segments("events.csv", "map.yaml", by="buyer", every="month")  # doctest: +SKIP
    >>> r.matrix()                                                                     # doctest: +SKIP
    """
    say = on_progress or (lambda _m: None)
    if every not in EVERY:  # before reading anything
        raise OptionError(f"--every {every!r}", hint=f"use one of: {', '.join(EVERY)}")
    m = load_map(journey_map) if isinstance(journey_map, (str, Path)) else (journey_map or JourneyMap())
    if events is None:
        events = source_path(m, journey_map)
    d = source_defaults(m)
    default_gap = d.pop("journey_gap")  # not a read_events argument
    gap_text = journey_gap or default_gap
    d["columns"] = {**d["columns"], **(columns or {})}
    log = events if isinstance(events, EventLog) else read_events(events, engine=engine, max_bad_rows=max_bad_rows,
                                                                   on_progress=say, **d)
    say("preparing")
    keep = [by] if by not in ("segment", "channel", *DIMENSIONS) else []
    p = prepare(log.con, log.table, m, role_sources=log.roles, keep=keep,
                journey_gap_seconds=parse_duration(gap_text) if gap_text else None)
    ev = p.table
    start, end = filters.parse_period(period)
    if start is not None:
        ev = ev.filter(ev[C.TS] >= ibis.literal(start))
    if end is not None:
        ev = ev.filter(ev[C.TS] < ibis.literal(end))
    say(f"segments by {by}, every {every}")
    data, tables = movements(p.con, ev, m, by, every, p.resolver(ev))
    report = log.report
    out = {"segments": data, "input": report.to_dict(),
           "options": {"by": by, "every": every, "period": period, "journey_gap": gap_text,
                       "map": m.id or (str(journey_map) if isinstance(journey_map, (str, Path)) else None)}}
    return SegmentsResult(data=out, tables=tables, quarantine=report.quarantine_table())
