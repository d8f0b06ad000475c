"""The prepared event table every analysis reads: one ordered, encoded copy per run.

From the canonical events and the map it adds, per event: the journey id (split by
inactivity when asked), the touchpoint (first matching rule of the map, else the event
name, flagged unmapped), its stage and the stage's rank, the goal flag, the position in
the journey (``_step``, ordered by time then input order) and the next touchpoint and its
time. Materialised once, so that several analyses do not re-sort the log.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.engine import columns as C
from parcours.engine.functions import timestamp_to_epoch_us
from parcours.engine.rules import ColumnResolver, goal_predicate, touchpoint_case
from parcours.model.journey_map import JourneyMap

_counter = itertools.count(1)
GOAL = "_goal"


@dataclass
class Prepared:
    """The prepared table and what the analyses need to know about it."""

    con: Any
    table: ir.Table
    map: JourneyMap
    has_goals: bool
    resolver_sources: dict[str, str]

    @property
    def has_stages(self) -> bool:
        return bool(self.map.stages)

    def resolver(self, table: ir.Table | None = None) -> ColumnResolver:
        return ColumnResolver(self.table if table is None else table, self.resolver_sources)


def prepare(con: Any, events: ir.Table, journey_map: JourneyMap | None = None, *, journey_gap_seconds: float | None = None,
            role_sources: dict[str, str] | None = None, materialize: bool = True) -> Prepared:
    """Build (and by default materialise) the prepared table for ``journey_map``."""
    m = journey_map or JourneyMap()
    resolve = ColumnResolver(events, role_sources)
    t = events.mutate(**{C.T_US: timestamp_to_epoch_us(events[C.TS], con.name)})

    # Touchpoint: the data's own touchpoint column wins, then the map's rules, then the event.
    case = touchpoint_case(m, resolve)
    data_tp = t[C.TOUCHPOINT]
    if case is None:
        tp = data_tp.coalesce(t[C.EVENT])
        mapped = ibis.literal(True) if not m.touchpoints else data_tp.isin([x.id for x in m.touchpoints])
    else:
        # A touchpoint given in the data counts as mapped only when the map declares it.
        mapped = data_tp.isin([x.id for x in m.touchpoints]).fill_null(False) | (data_tp.isnull() & case.notnull())
        tp = data_tp.coalesce(case).coalesce(t[C.EVENT])
    stage_of = {x.id: x.stage for x in m.touchpoints if x.stage}
    map_stage = (ibis.cases(*[(tp == k, v) for k, v in stage_of.items()], else_=ibis.null("string"))
                 if stage_of else ibis.null("string"))
    stage = t[C.STAGE].coalesce(map_stage)
    ranks = m.stage_rank()
    rank = ibis.cases(*[(stage == k, v) for k, v in ranks.items()], else_=ibis.null("int64")) if ranks \
        else ibis.null("int64")
    goal = goal_predicate(m, resolve)
    t = t.mutate(**{C.TOUCHPOINT: tp, C.MAPPED: mapped & t[C.EVENT].notnull(), C.STAGE: stage,
                    C.STAGE_RANK: rank.cast("int64"), GOAL: goal if goal is not None else ibis.literal(False)})

    if journey_gap_seconds:
        gap_us = int(journey_gap_seconds * 1_000_000)
        w = ibis.window(group_by=C.CUSTOMER, order_by=[C.TS, C.SEQ])
        t = t.mutate(__prev=t[C.T_US].lag().over(w))
        t = t.mutate(__new=(t.__prev.isnull() | ((t[C.T_US] - t.__prev) > gap_us)).cast("int64"))
        t = t.mutate(__n=t.__new.sum().over(ibis.window(group_by=C.CUSTOMER, order_by=[C.TS, C.SEQ],
                                                         preceding=None, following=0)))
        t = t.mutate(**{C.JOURNEY: t[C.CUSTOMER] + "#" + t.__n.cast("string")}).drop("__prev", "__new", "__n")
    else:
        t = t.mutate(**{C.JOURNEY: t[C.CUSTOMER]})

    w = ibis.window(group_by=C.JOURNEY, order_by=[C.TS, C.SEQ])
    t = t.mutate(**{
        C.STEP: (ibis.row_number().over(w) + 1).cast("int64"),
        C.NEXT_TOUCHPOINT: t[C.TOUCHPOINT].lead().over(w),
        C.NEXT_T_US: t[C.T_US].lead().over(w),
    })
    front = [C.JOURNEY, C.CUSTOMER, C.STEP, C.TS, C.T_US, C.SEQ, C.EVENT, C.CHANNEL, C.TOUCHPOINT, C.MAPPED,
             C.STAGE, C.STAGE_RANK, GOAL, C.NEXT_TOUCHPOINT, C.NEXT_T_US]
    t = t.select(*front, *[c for c in t.columns if c not in front])
    if materialize and con.name == "duckdb":
        t = con.create_table(f"_parcours_prepared_{next(_counter)}", t, temp=True)
    return Prepared(con=con, table=t, map=m, has_goals=bool(m.goals), resolver_sources=dict(role_sources or {}))
