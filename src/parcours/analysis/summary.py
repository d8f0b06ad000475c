"""Headline counts of the analysed events."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import ibis.expr.types as ir

from parcours.analysis.durations import journey_duration_stats
from parcours.analysis.registry import Inputs, Output
from parcours.analysis.stats import records, stats_record
from parcours.engine import columns as C
from parcours.engine.functions import epoch_us_to_timestamp


def summary_counts(ev: ir.Table, *, split_journeys: bool = True) -> ir.Table:
    """``events``, ``journeys``, ``customers``, ``converted`` (journeys reaching a goal),
    ``start``, ``end`` (first and last event time).

    Without ``split_journeys`` a journey is a customer. Journeys are counted by their first
    event (``_step`` 1, one per journey of the prepared events), not by a distinct count.
    """
    first = ev[C.STEP] == 1
    journeys = ev.count(where=first).fill_null(0)  # Spark sums a condition: null on no rows
    a = ev.aggregate(events=ev.count(), journeys=journeys,
                     customers=ev[C.CUSTOMER].nunique() if split_journeys else journeys,
                     converted=ev.count(where=first & ev[C.CONVERTED]).fill_null(0),
                     __start=ev[C.T_US].min(), __end=ev[C.T_US].max())
    return a.select("events", "journeys", "customers", "converted", start=epoch_us_to_timestamp(a.__start),
                    end=epoch_us_to_timestamp(a.__end))


def plan(inp: Inputs) -> Generator[Any, Any, Output]:
    """The ``summary`` of analysis.json (registered in :mod:`parcours.analysis.builtin`)."""
    ev = inp.events
    counts = records((yield {"counts": summary_counts(ev, split_journeys=inp.split_journeys)})["counts"])[0]
    jd = (yield {"durations": journey_duration_stats(ev)})["durations"].to_pylist()[0]
    converted = int(counts["converted"] or 0)
    return Output(data={"summary": {
        "events": int(counts["events"]), "journeys": int(counts["journeys"]), "customers": int(counts["customers"]),
        "converted": converted if inp.has_goals else None,
        "conversion_rate": converted / int(counts["journeys"]) if inp.has_goals and counts["journeys"] else None,
        "period": {"start": counts["start"], "end": counts["end"]},
        "journey_duration_seconds": stats_record(jd),
    }})
