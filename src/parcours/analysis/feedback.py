"""Feedback on the map: where each response belongs, and NPS/CSAT/CES per group.

- **Attachment.** A response that names its stage or touchpoint keeps it (a touchpoint
  given without a stage takes the touchpoint's stage in the map). Otherwise, when it has a
  customer and a time and events were analysed, it is attached to where that customer's
  journey was at response time: the last event at or before the response, if no more than
  the attachment window before it (7 days by default). Among events at the same instant,
  the last in journey order. Responses that fit neither stay unattached: they count in the
  overall figure, not in a stage or touchpoint.
- **Figures** per group come from counts (see :mod:`parcours.analysis.scores`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.engine import columns as C
from parcours.engine.functions import timestamp_to_epoch_us
from parcours.ingest.feedback import CUSTOMER, METRIC, SCORE, SEQ, STAGE, TOUCHPOINT, TS
from parcours.model.journey_map import JourneyMap

DEFAULT_WINDOW_SECONDS = 7 * 86400
# The feedback table's own column names (see parcours.ingest.feedback).
F_SEQ, F_TS, F_CUSTOMER, F_SCORE, F_METRIC, F_STAGE, F_TOUCHPOINT = SEQ, TS, CUSTOMER, SCORE, METRIC, STAGE, TOUCHPOINT


def attach(fb: ir.Table, m: JourneyMap, ev: ir.Table | None = None, *, window_seconds: float = DEFAULT_WINDOW_SECONDS,
           backend: str = "duckdb") -> ir.Table:
    """``fb`` with ``_stage`` and ``_touchpoint`` completed, ``_journey`` and ``attached``
    (``given``, ``journey`` or null)."""
    stage_of = {t.id: t.stage for t in m.touchpoints if t.stage}
    given_stage = fb[F_STAGE]
    if stage_of:
        given_stage = given_stage.coalesce(fb[F_TOUCHPOINT].substitute(stage_of, else_=ibis.null("string")))
    fb = fb.mutate(**{F_STAGE: given_stage},
                   attached=ibis.cases((fb[F_STAGE].notnull() | fb[F_TOUCHPOINT].notnull(), "given"),
                                       else_=ibis.null("string")))
    if ev is None:
        return fb.mutate(**{C.JOURNEY: ibis.null("string")})
    # The last event of each instant (the next one, if any, is later): one candidate per time.
    last = ev.filter(ev[C.NEXT_T_US].isnull() | (ev[C.NEXT_T_US] > ev[C.T_US]))
    last = last.select(__c=last[C.CUSTOMER], __t=last[C.T_US], __j=last[C.JOURNEY],
                       __tp=last[C.TOUCHPOINT].cast("string"), __st=last[C.STAGE].cast("string"))
    f = fb.mutate(__ft=timestamp_to_epoch_us(fb[F_TS], backend))
    if backend == "duckdb":
        j = f.asof_join(last, on=f.__ft >= last.__t, predicates=[f[F_CUSTOMER] == last.__c])
    else:  # Spark has no as-of join: the customer's earlier instants, the latest kept (same result)
        j = f.left_join(last, [f[F_CUSTOMER] == last.__c, f.__ft >= last.__t])
        j = j.mutate(__r=ibis.row_number().over(group_by=F_SEQ, order_by=ibis.desc("__t")))
        j = j.filter(j.__r == 0).drop("__r")
    near = j.__t.notnull() & ((j.__ft - j.__t) <= int(window_seconds * 1_000_000))
    use = j.attached.isnull() & near
    out = j.select(
        *[c for c in fb.columns if c not in (F_STAGE, F_TOUCHPOINT, "attached")],
        **{F_STAGE: ibis.cases((use, j.__st), else_=j[F_STAGE]),
           F_TOUCHPOINT: ibis.cases((use, j.__tp), else_=j[F_TOUCHPOINT]),
           "attached": ibis.cases((use, "journey"), else_=j.attached),
           C.JOURNEY: ibis.cases((near, j.__j), else_=ibis.null("string"))},
    )
    return out


def metric_counts(fb: ir.Table, metric: str, scale: tuple[float, float], by: list[str] | None = None) -> ir.Table:
    """Per group of ``by`` (or overall): ``responses`` and what the metric's figure needs."""
    f = fb.filter((fb[F_METRIC] == metric) & fb[F_SCORE].notnull())
    s = f[F_SCORE]
    low, high = scale
    aggs = {
        "responses": f.count(),
        "promoters": (s >= 9).cast("int64").sum(),
        "detractors": (s <= 6).cast("int64").sum(),
        "top": (s >= high - 1).cast("int64").sum(),
        "total": s.sum(),
        "total_sq": (s * s).sum(),
    }
    return f.group_by(by).agg(**aggs) if by else f.aggregate(**aggs)
