"""Stage funnel: journeys reaching each stage, in the designed order and in any order.

Ordered: a journey reaches stage k when it entered stages 1..k one after the other (each
entry after the previous one, in journey order), and, with a conversion window, within
that time of entering stage 1. Its counts never increase along the stages.
Any order: journeys with at least one event in the stage.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.analysis.registry import Inputs, Output
from parcours.engine import columns as C
from parcours.model.journey_map import JourneyMap


def ordered_reach(starts: ir.Table, ranks: list[int], *, window_seconds: float | None = None) -> list[ir.Scalar]:
    """For each stage rank in ``ranks`` (designed order), journeys reaching it in order.

    Reads where stage visits start (``transitions.visit_starts``, or the stage visits, which
    hold the same rows): the first event of a stage after a given step is always the first
    event of one of its visits, so the visits' starts are enough.
    """
    staged = starts.filter(starts[C.STAGE_RANK].notnull()).select(C.JOURNEY, C.STEP, C.T_US, C.STAGE_RANK)
    first = staged.filter(staged[C.STAGE_RANK] == ranks[0])
    cur = first.group_by(C.JOURNEY).agg(s=first[C.STEP].min(), t0=first[C.T_US].min())
    out = [cur.count()]
    limit = int(window_seconds * 1_000_000) if window_seconds else None
    for rank in ranks[1:]:
        nxt = staged.filter(staged[C.STAGE_RANK] == rank)
        j = nxt.join(cur, C.JOURNEY)
        cond = j[C.STEP] > j.s
        if limit is not None:
            cond = cond & ((j[C.T_US] - j.t0) <= limit)
        j = j.filter(cond)
        cur = j.group_by(C.JOURNEY).agg(s=j[C.STEP].min(), t0=j.t0.min())
        out.append(cur.count())
    return out


def reach_any_order(starts: ir.Table) -> ir.Table:
    """``_stage``, ``journeys`` with at least one event in the stage (from the visits' starts)."""
    return starts.group_by(C.STAGE).agg(journeys=starts[C.JOURNEY].nunique())


def funnel_expressions(starts: ir.Table, m: JourneyMap, *, window_seconds: float | None = None) -> dict:
    """Expressions the project layer executes and assembles with :func:`funnel_records`."""
    ranks = list(m.stage_rank().values())
    ordered = None
    if ranks:  # one query: the k-th count, for k = 0, 1, ...
        counts = ordered_reach(starts, ranks, window_seconds=window_seconds)
        ordered = ibis.union(*[c.name("n").as_table().mutate(k=ibis.literal(k, "int64"))
                               for k, c in enumerate(counts)])
    return {"ordered": ordered, "any_order": reach_any_order(starts)}


def funnel_records(m: JourneyMap, ordered: list[int], any_order: dict[str, int], journeys: int,
                   lang: str = "en") -> list[dict]:
    """One record per stage: reached in order and in any order, converted, dropped, rates."""
    from parcours.model.journey_map import text_in

    rows = []
    for i, stage in enumerate(m.stages):
        reached = int(ordered[i])
        nxt = int(ordered[i + 1]) if i + 1 < len(ordered) else None
        rows.append({
            "stage": stage.id, "name": text_in(stage.name, lang), "rank": i + 1,
            "journeys": int(any_order.get(stage.id, 0)),
            "share_of_journeys": (any_order.get(stage.id, 0) / journeys) if journeys else None,
            "reached": reached,
            "converted": nxt,
            "dropped": (reached - nxt) if nxt is not None else None,
            "conversion_rate": (nxt / reached) if (nxt is not None and reached) else None,
            "conversion_from_first": (reached / int(ordered[0])) if int(ordered[0]) else None,
        })
    return rows


def plan(inp: Inputs) -> Generator[Any, Any, Output]:
    """The ``funnel`` analysis (table ``stages``), from where stage visits start."""
    import pyarrow as pa

    m = inp.map
    exprs = funnel_expressions(inp.starts, m, window_seconds=inp.options.conversion_window_seconds)
    ordered: list[int] = []
    if exprs["ordered"] is not None:
        got = (yield {"ordered": exprs["ordered"]})["ordered"].to_pylist()
        ordered = [int(r["n"]) for r in sorted(got, key=lambda r: r["k"])]
    any_order = {r["_stage"]: int(r["journeys"])
                 for r in (yield {"any_order": exprs["any_order"]})["any_order"].to_pylist()}
    rows = funnel_records(m, ordered, any_order, inp.data["summary"]["journeys"], inp.options.lang)
    return Output(data={"stages": rows}, tables={"stages": pa.Table.from_pylist(rows)})
