"""Directly-follows transitions between touchpoints and between stages; starts and ends.

Every event but the last of its journey has exactly one outgoing transition, so for each
touchpoint: outgoing transitions + journeys ending there = its events.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from parcours.analysis.registry import Inputs, get
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


def visit_starts(ev: ir.Table) -> ir.Table:
    """The events where a stage visit starts (``_journey``, ``_step``, ``_t_us``, ``_stage``,
    ``_stage_rank``): the rows of ``stage_visits`` without its window, found by the prepared
    table's ``_visit_mark`` (1 or 3). What the funnel reads when nothing else needs the visits."""
    mark = ev[C.VISIT_MARK]
    s = ev.filter((mark == 1) | (mark == 3))
    return s.select(C.JOURNEY, C.STEP, C.T_US, C.STAGE, C.STAGE_RANK)


# What ``stage_visits`` derives for each visit, beyond its first event's own columns.
VISIT_COLUMNS = ("visit", "next_stage", "next_t_us", "prev_stage_rank")
# The visit columns ``stage_transitions`` reads (declared in :mod:`parcours.analysis.builtin`).
STAGE_TRANSITIONS_READ = get("stage_transitions").visits


def stage_visits(ev: ir.Table, columns: Sequence[str] = VISIT_COLUMNS) -> ir.Table:
    """One row per visit to a stage (consecutive events of one stage, unstaged events skipped):
    ``_journey``, ``_stage``, ``_stage_rank``, ``_step`` and ``_t_us`` of the visit's first
    event, then those of ``columns`` (all by default): ``visit`` (1, 2, ...), ``next_stage``
    (null for the last visit), ``next_t_us`` (start of the next visit, else the time of the
    visit's own last event) and ``prev_stage_rank`` (the previous visit's stage rank, null for
    the first: what the conformance and the journey shapes compare, from the same window, so
    that neither sorts the visits again). Each is a window function the engine computes
    whether or not a query reads it, so a caller that reads a few names them (each analysis
    lists what it reads).

    Stage-level analyses (transitions, durations, conformance, journey shapes; the funnel reads
    only the starts, ``visit_starts``) read this table, which the runner materialises once when
    more than one query reads it. The prepared table's one sort already marks each
    visit's first event (a staged event whose previous *staged* event is of another stage,
    or none) and each journey's last staged event (``_visit_mark``, from
    ``engine.prepare.journey_positions``), so those are found without a window. One window over
    those events, and over each journey's last staged event (after every visit's start: it
    gives the last visit its end), numbers the visits and reads the next visit's start. At
    10M events it reads ~2.7M rows (bench/, docs/performance.md).
    """
    unknown = sorted(set(columns) - set(VISIT_COLUMNS))
    if unknown:
        raise ValueError(f"stage_visits: no visit column {unknown}; choose among {', '.join(VISIT_COLUMNS)}")
    mark = ev[C.VISIT_MARK]  # engine.prepare.journey_positions: 1 a visit starts, 2 the last staged event, 3 both
    c = ev.filter(mark > 0).select(C.JOURNEY, C.STEP, C.T_US, C.STAGE, C.STAGE_RANK, __start=mark != 2)
    w = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
    derive = {
        "visit": lambda: (ibis.row_number().over(w) + 1).cast("int64"),
        # no typed ELSE: an ENUM stays one
        "next_stage": lambda: ibis.cases((c.__start.lead().over(w), c[C.STAGE].lead().over(w))),
        "next_t_us": lambda: c[C.T_US].lead().over(w).coalesce(c[C.T_US]),
        "prev_stage_rank": lambda: c[C.STAGE_RANK].lag().over(w),
    }
    wanted = [k for k in VISIT_COLUMNS if k in columns]
    c = c.mutate(**{k: derive[k]() for k in wanted})
    v = c.filter(c.__start)
    return v.select(C.JOURNEY, C.STAGE, C.STAGE_RANK, C.STEP, C.T_US, *wanted)


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


def plan(inp: Inputs) -> dict[str, ir.Table]:
    """The ``transitions`` analysis: its three tables (and their rows in analysis.json)."""
    ev = inp.events
    return {"transitions": touchpoint_transitions(ev), "starts": starts(ev), "ends": ends(ev)}


def stage_plan(inp: Inputs) -> dict[str, ir.Table]:
    """The ``stage_transitions`` analysis, from the stage visits."""
    return {"stage_transitions": stage_transitions(inp.visits)}
