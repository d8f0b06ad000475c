"""Stage durations and journey durations.

- ``to_next_stage``: from the journey's first entry into the stage to its first entry
  into the next stage it reached (the next first-entry in time); journeys that reached no
  other stage afterwards are not counted.
- ``time_in_stage``: total time spent in the stage's visits: each staged event counts the
  time until the next staged event of the journey (0 for the last one).
- journey duration: first to last event.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.analysis.stats import seconds, stat_aggs
from parcours.engine import columns as C


def journey_durations(ev: ir.Table) -> ir.Table:
    """Per journey: ``seconds`` from first to last event."""
    g = ev.group_by(C.JOURNEY).agg(__a=ev[C.T_US].min(), __b=ev[C.T_US].max())
    return g.select(C.JOURNEY, seconds=seconds(g.__b - g.__a))


def journey_duration_stats(ev: ir.Table) -> ir.Table:
    d = journey_durations(ev)
    return d.aggregate(**stat_aggs(d.seconds))


def stage_duration_stats(ev: ir.Table) -> ir.Table:
    """Rows: ``stage``, ``measure`` (to_next_stage | time_in_stage), then the statistics."""
    s = ev.filter(ev[C.STAGE].notnull())
    fe = s.group_by(C.JOURNEY, C.STAGE).agg(t=s[C.T_US].min(), st=s[C.STEP].min())
    w = ibis.window(group_by=C.JOURNEY, order_by=["t", "st"])
    fe = fe.mutate(nt=fe.t.lead().over(w))
    nxt = fe.filter(fe.nt.notnull()).mutate(sec=seconds(fe.nt - fe.t))
    a = nxt.group_by(stage=nxt[C.STAGE]).agg(**stat_aggs(nxt.sec)).mutate(measure=ibis.literal("to_next_stage"))

    w2 = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
    s2 = s.mutate(__n=s[C.T_US].lead().over(w2))
    s2 = s2.mutate(__dt=(s2.__n - s2[C.T_US]).fill_null(0))
    per = s2.group_by(C.JOURNEY, C.STAGE).agg(sec=seconds(s2.__dt.sum()))
    b = per.group_by(stage=per[C.STAGE]).agg(**stat_aggs(per.sec)).mutate(measure=ibis.literal("time_in_stage"))
    cols = ["stage", "measure", "count", "mean", "min", "p25", "median", "p75", "p90", "max"]
    return a.select(*cols).union(b.select(*cols))
