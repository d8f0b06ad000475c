"""Directly-follows transitions between touchpoints and between stages; starts and ends.

Every event but the last of its journey has exactly one outgoing transition, so for each
touchpoint: outgoing transitions + journeys ending there = its events.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.analysis.stats import seconds
from parcours.engine import columns as C


def touchpoint_transitions(ev: ir.Table) -> ir.Table:
    """``from``, ``to``, ``count``, ``journeys``, ``mean_seconds``, ``median_seconds``."""
    t = ev.filter(ev[C.NEXT_TOUCHPOINT].notnull())
    t = t.mutate(__dt=seconds(t[C.NEXT_T_US] - t[C.T_US]))
    out = t.group_by(**{"from": t[C.TOUCHPOINT], "to": t[C.NEXT_TOUCHPOINT]}).agg(
        count=t.count(), journeys=t[C.JOURNEY].nunique(), mean_seconds=t.__dt.mean(),
        median_seconds=t.__dt.quantile(0.5))
    return out.order_by([ibis.desc("count"), "from", "to"])


def stage_visits(ev: ir.Table) -> ir.Table:
    """One row per visit to a stage (consecutive events of one stage, unstaged events skipped):
    ``_journey``, ``_stage``, ``_stage_rank``, ``_t_us`` (visit start), ``_step``, ``visit``."""
    s = ev.filter(ev[C.STAGE].notnull())
    w = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
    s = s.mutate(__prev=s[C.STAGE].lag().over(w))
    v = s.filter(s.__prev.isnull() | (s.__prev != s[C.STAGE]))
    v = v.select(C.JOURNEY, C.STAGE, C.STAGE_RANK, C.T_US, C.STEP)
    return v.mutate(visit=(ibis.row_number().over(w) + 1).cast("int64"))


def stage_transitions(ev: ir.Table) -> ir.Table:
    """Transitions between consecutive stage visits; seconds from entering one to entering the next."""
    v = stage_visits(ev)
    w = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
    v = v.mutate(__to=v[C.STAGE].lead().over(w), __to_t=v[C.T_US].lead().over(w))
    v = v.filter(v.__to.notnull()).mutate(__dt=seconds(v.__to_t - v[C.T_US]))
    out = v.group_by(**{"from": v[C.STAGE], "to": v.__to}).agg(
        count=v.count(), journeys=v[C.JOURNEY].nunique(), mean_seconds=v.__dt.mean(),
        median_seconds=v.__dt.quantile(0.5))
    return out.order_by([ibis.desc("count"), "from", "to"])


def starts(ev: ir.Table) -> ir.Table:
    """Journeys starting at each touchpoint."""
    f = ev.filter(ev[C.STEP] == 1)
    return f.group_by(touchpoint=f[C.TOUCHPOINT]).agg(journeys=f.count()).order_by(
        [ibis.desc("journeys"), "touchpoint"])


def ends(ev: ir.Table) -> ir.Table:
    """Journeys ending at each touchpoint."""
    last = ev.filter(ev[C.NEXT_T_US].isnull())
    return last.group_by(touchpoint=last[C.TOUCHPOINT]).agg(journeys=last.count()).order_by(
        [ibis.desc("journeys"), "touchpoint"])
