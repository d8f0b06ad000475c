"""Conformance of real journeys to the designed stage order.

On each journey's sequence of stage visits (unstaged events ignored):
- a *backward move* enters a stage earlier in the designed order than the one before;
- a *skip* jumps forward over one or more stages (e.g. Découverte -> Achat);
- a journey *conforms* when it has neither (it may start at any stage).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.analysis.registry import Inputs, Output, get
from parcours.analysis.stats import records
from parcours.engine import columns as C
from parcours.model.journey_map import text_in


# The stage visit columns (``transitions.stage_visits``) the conformance figures read
# (declared in :mod:`parcours.analysis.builtin`).
VISITS_READ = get("conformance").visits


def journey_conformance(visits: ir.Table, n_stages: int) -> ir.Table:
    """Per staged journey: ``backward``, ``skipping``, ``conforming``, ``starts_at_first`` and,
    for each stage rank k, ``skip_k`` (the journey jumped over stage k)."""
    v = visits
    r, p = v[C.STAGE_RANK], v.prev_stage_rank
    aggs = {
        "backward": (p.notnull() & (r < p)).any(),
        "skipping": (p.notnull() & (r > p + 1)).any(),
        "starts_at_first": ((v.visit == 1) & (r == 1)).any(),
    }
    for k in range(2, n_stages):
        aggs[f"skip_{k}"] = (p.notnull() & (p < k) & (r > k)).any()
    j = v.group_by(C.JOURNEY).agg(**aggs)
    return j.mutate(conforming=~j.backward & ~j.skipping)


def conformance_summary(visits: ir.Table, n_stages: int) -> ir.Table:
    """Counts over journeys with at least one staged event (input: ``transitions.stage_visits``)."""
    j = journey_conformance(visits, n_stages)
    aggs = {"journeys": j.count(), "conforming": j.conforming.sum(), "backward": j.backward.sum(),
            "skipping": j.skipping.sum(), "starts_at_first": j.starts_at_first.sum()}
    for k in range(2, n_stages):
        aggs[f"skip_{k}"] = j[f"skip_{k}"].sum()
    return j.aggregate(**aggs)


def backward_moves(visits: ir.Table, ranks: dict[str, int]) -> ir.Table:
    """Which backward moves happen: ``from``, ``to``, ``count``, ``journeys``."""
    v = visits.filter(visits.next_stage.notnull())
    next_rank = ibis.cases(*[(v.next_stage == k, r) for k, r in ranks.items()], else_=ibis.null("int64"))
    b = v.filter(next_rank < v[C.STAGE_RANK])
    return b.group_by(**{"from": b[C.STAGE], "to": b.next_stage}).agg(
        count=b.count(), journeys=b[C.JOURNEY].nunique()).order_by([ibis.desc("count"), "from", "to"])


def plan(inp: Inputs) -> Generator[Any, Any, Output]:
    """The ``conformance`` analysis (its ``backward_moves`` table with it)."""
    m, visits, lang = inp.map, inp.visits, inp.options.lang
    n = len(m.stages)
    row = (yield {"summary": conformance_summary(visits, n)})["summary"].to_pylist()[0]
    total = int(row["journeys"] or 0)

    def share(x: Any) -> float | None:
        return (int(x or 0) / total) if total else None

    skipped = [{"stage": m.stages[k - 1].id, "name": text_in(m.stages[k - 1].name, lang),
                "journeys": int(row[f"skip_{k}"] or 0), "share": share(row[f"skip_{k}"])} for k in range(2, n)]
    moves = (yield {"moves": backward_moves(visits, m.stage_rank())})["moves"]
    data = {
        "journeys": total,
        "conforming": int(row["conforming"] or 0), "conforming_share": share(row["conforming"]),
        "backward": int(row["backward"] or 0), "backward_share": share(row["backward"]),
        "skipping": int(row["skipping"] or 0), "skipping_share": share(row["skipping"]),
        "starts_at_first_stage": int(row["starts_at_first"] or 0),
        "starts_at_first_stage_share": share(row["starts_at_first"]),
        "skipped_stages": skipped,
        "backward_moves": records(moves),
    }
    return Output(data={"conformance": data}, tables={"backward_moves": moves})
