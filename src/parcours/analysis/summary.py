"""Headline counts of the analysed events."""

from __future__ import annotations

import ibis.expr.types as ir

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
