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
    ``_journey``, ``visit`` (1, 2, ...), ``_stage``, ``_stage_rank``, ``_step`` and ``_t_us`` of
    the visit's first event, ``next_t_us`` (start of the next visit, else the time of the
    visit's own last event) and ``next_stage`` (null for the last visit).

    Stage-level analyses (funnel, transitions, durations, conformance) all read this table,
    which the runner materialises once. Two sorts: the staged events, to flag the first and
    last event of each visit; then only those boundary events, to number the visits and
    carry each visit's end onto its first event.
    """
    s = ev.filter(ev[C.STAGE].notnull()).select(C.JOURNEY, C.STEP, C.T_US, C.STAGE, C.STAGE_RANK)
    w = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
    prev, nxt = s[C.STAGE].lag().over(w), s[C.STAGE].lead().over(w)
    s = s.mutate(__start=prev.isnull() | (prev != s[C.STAGE]), __end=nxt.isnull() | (nxt != s[C.STAGE]),
                 __next_stage=nxt, __next_t=s[C.T_US].lead().over(w))
    b = s.filter(s.__start | s.__end)
    wb = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
    running = ibis.window(group_by=C.JOURNEY, order_by=C.STEP, preceding=None, following=0)
    # A visit's first event is its own last one (__end), or the next boundary event is its last.
    end_next_stage = ibis.cases((b.__end, b.__next_stage), else_=b.__next_stage.lead().over(wb))
    end_next_t = ibis.cases((b.__end, b.__next_t.coalesce(b[C.T_US])),
                            else_=b.__next_t.lead().over(wb).coalesce(b[C.T_US].lead().over(wb)))
    b = b.mutate(visit=b.__start.cast("int64").sum().over(running), next_stage=end_next_stage, next_t_us=end_next_t)
    v = b.filter(b.__start)
    return v.select(C.JOURNEY, "visit", C.STAGE, C.STAGE_RANK, C.STEP, C.T_US, "next_stage", "next_t_us")


def stage_transitions(visits: ir.Table) -> ir.Table:
    """Transitions between consecutive stage visits; seconds from entering one to entering the next."""
    v = visits.filter(visits.next_stage.notnull())
    v = v.mutate(__dt=seconds(v.next_t_us - v[C.T_US]))
    out = v.group_by(**{"from": v[C.STAGE], "to": v.next_stage}).agg(
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
