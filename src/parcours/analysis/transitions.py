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


def _enters_stage(ev: ir.Table) -> ir.BooleanValue:
    """A staged event whose journey's previous event is of another stage, or unstaged, or none."""
    return ev[C.STAGE].notnull() & (ev[C.PREV_STAGE].isnull() | (ev[C.PREV_STAGE] != ev[C.STAGE]))


def stage_visits(ev: ir.Table) -> ir.Table:
    """One row per visit to a stage (consecutive events of one stage, unstaged events skipped):
    ``_journey``, ``visit`` (1, 2, ...), ``_stage``, ``_stage_rank``, ``_step`` and ``_t_us`` of
    the visit's first event, ``next_t_us`` (start of the next visit, else the time of the
    visit's own last event), ``next_stage`` (null for the last visit) and ``prev_stage_rank``
    (the previous visit's stage rank, null for the first: what the conformance and the journey
    shapes compare, from the same window, so that neither sorts the visits again).

    Stage-level analyses (funnel, transitions, durations, conformance) all read this table,
    which the runner materialises once. It is built from the events where the stage
    changes, not from every staged event: the prepared table carries each event's previous
    and next events' stages (``_prev_stage``, ``_next_stage``, from its one sort). A visit
    starts at a staged event whose previous *staged* event is of another stage; its previous
    event may be unstaged, so the candidates are the staged events whose previous event is
    of another stage or unstaged, and among them, ordered, a candidate starts a visit when
    the candidate before it is of another stage (the first event of each visit is a
    candidate, so the candidate before a visit's first event lies in the previous visit,
    and the one before any other candidate in the same visit). The journey's last staged
    event is one whose next event is unstaged or absent (``_next_stage`` null): those join
    the candidates so that its time is known. At 10M events this reads ~2.9M rows instead
    of sorting ~9.8M (bench/, docs/performance.md).
    """
    start = _enters_stage(ev)
    end = ev[C.STAGE].notnull() & ev[C.NEXT_STAGE].isnull()
    c = ev.filter(start | end).select(C.JOURNEY, C.STEP, C.T_US, C.STAGE, C.STAGE_RANK, __cand=start, __end=end)
    w = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
    prev = c[C.STAGE].lag().over(w)
    c = c.mutate(__prev=prev, __last=c[C.T_US].max(where=c.__end).over(w))  # w: whole journey
    v = c.filter(c.__cand & (c.__prev.isnull() | (c.__prev != c[C.STAGE])))
    v = v.mutate(visit=(ibis.row_number().over(w) + 1).cast("int64"), next_stage=v[C.STAGE].lead().over(w),
                 next_t_us=v[C.T_US].lead().over(w).coalesce(v.__last),
                 prev_stage_rank=v[C.STAGE_RANK].lag().over(w))
    return v.select(C.JOURNEY, "visit", C.STAGE, C.STAGE_RANK, C.STEP, C.T_US, "next_stage", "next_t_us",
                    "prev_stage_rank")


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
