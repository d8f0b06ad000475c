"""Journey shapes: how each journey moves through the stages and across channels.

Every journey gets two labels:

- ``order``: ``in_order`` (two stages or more, each entered after the one before it in the
  designed order, none skipped), ``skipping`` (jumps over a stage, never back),
  ``backtracking`` (enters at least once a stage earlier than the one before),
  ``single_stage`` (its staged events are all in one stage) or ``no_stage``;
- ``channels``: ``one_channel``, ``multichannel`` (two or more) or ``no_channel``, counting
  each event's channel as :mod:`parcours.analysis.channels` says: the data's channel column
  where it has a value, else the ``channel:`` of the event's touchpoint on the map.

Its ``shape`` combines them; the two the journey-mapping trade talks about are ``linear``
(``in_order`` on ``one_channel``) and ``multichannel`` (any order, two or more channels).
The order labels use the same stage visits as the conformance figures, so they reconcile:
``backtracking`` journeys = ``conformance.backward``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.analysis.channels import event_channel
from parcours.analysis.registry import Inputs, Output, get
from parcours.engine import columns as C
from parcours.model.journey_map import JourneyMap


# The stage visit columns (``transitions.stage_visits``) the journey shapes read
# (declared in :mod:`parcours.analysis.builtin`).
VISITS_READ = get("shapes").visits


def journey_shapes(ev: ir.Table, visits: ir.Table | None, m: JourneyMap | None = None) -> ir.Table:
    """One row per journey: ``_journey``, ``order``, ``channels``, ``shape``. With a map, an
    event without a channel in the data is on its touchpoint's channel (``channel:``)."""
    # none, one or several channels: the first and last channel name tell, without counting
    # distinct values per journey (cheaper on a large log)
    channel = event_channel(ev, m) if m is not None else ev[C.CHANNEL]
    ch = ev.group_by(C.JOURNEY).agg(__lo=channel.min(), __hi=channel.max())
    ch = ch.select(C.JOURNEY, n_channels=ibis.cases((ch.__hi.isnull(), 0), (ch.__lo == ch.__hi, 1), else_=2))
    if visits is None:
        j = ch.mutate(order=ibis.literal("no_stage"))
    else:
        v = visits
        r, p = v[C.STAGE_RANK], v.prev_stage_rank  # from the visits' own window: no second sort
        per = v.group_by(C.JOURNEY).agg(
            back=(p.notnull() & r.notnull() & (r < p)).any(),
            skip=(p.notnull() & r.notnull() & (r > p + 1)).any(),
            stages=v[C.STAGE].nunique())
        j = ch.left_join(per, C.JOURNEY).drop(f"{C.JOURNEY}_right")
        j = j.mutate(order=ibis.cases(
            (j.stages.isnull(), "no_stage"),
            (j.back, "backtracking"),
            (j.skip, "skipping"),
            (j.stages == 1, "single_stage"),
            else_="in_order"))
    j = j.mutate(channels=ibis.cases((j.n_channels == 0, "no_channel"), (j.n_channels == 1, "one_channel"),
                                     else_="multichannel"))
    shape = ibis.cases(((j.order == "in_order") & (j.channels == "one_channel"), "linear"),
                       (j.channels == "multichannel", "multichannel"),
                       else_=j.order)
    return j.select(C.JOURNEY, "order", "channels", shape=shape)


def shape_counts(shapes: ir.Table) -> ir.Table:
    """``shape``, ``order``, ``channels``, ``journeys``."""
    return shapes.group_by("shape", "order", "channels").agg(journeys=shapes.count())


def plan(inp: Inputs) -> Generator[Any, Any, Output]:
    """The ``shapes`` analysis: journeys per (shape, order, channels), most first."""
    import pyarrow as pa

    counts = (yield {"counts": shape_counts(journey_shapes(inp.events, inp.visits, inp.map))})["counts"].to_pylist()
    total = sum(int(r["journeys"]) for r in counts)
    rows = sorted(({**r, "journeys": int(r["journeys"]), "share": int(r["journeys"]) / total if total else None}
                   for r in counts), key=lambda r: (-r["journeys"], r["shape"], r["order"], r["channels"]))
    return Output(data={"shapes": rows}, tables={"shapes": pa.Table.from_pylist(rows)})
