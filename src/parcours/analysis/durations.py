"""Stage durations and journey durations.

- ``to_next_stage``: from the journey's first entry into the stage to its first entry
  into the next stage it reached (the next first-entry in time); journeys that reached no
  other stage afterwards are not counted.
- ``time_in_stage``: total time spent in the stage's visits: each staged event counts the
  time until the next staged event of the journey (0 for the last one).
- journey duration: first to last event.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.analysis.registry import Inputs, Output, get
from parcours.analysis.stats import STATS, seconds, stats_record, stats_table
from parcours.engine import columns as C


# The stage visit columns (``transitions.stage_visits``) the stage durations read
# (declared in :mod:`parcours.analysis.builtin`).
VISITS_READ = get("durations").visits


def journey_durations(ev: ir.Table) -> ir.Table:
    """Per journey: ``seconds`` from first to last event (of the prepared events: only each
    journey's first and last events are read, found by ``_step`` and ``_next_t_us``)."""
    ev = ev.filter((ev[C.STEP] == 1) | ev[C.NEXT_T_US].isnull())
    g = ev.group_by(C.JOURNEY).agg(__a=ev[C.T_US].min(), __b=ev[C.T_US].max())
    return g.select(C.JOURNEY, seconds=seconds(g.__b - g.__a))


def journey_duration_stats(ev: ir.Table) -> ir.Table:
    return stats_table(journey_durations(ev), "seconds")


def _first_entries(visits: ir.Table) -> ir.Table:
    """Per journey and stage: first entry time ``t``, its step ``st``, and seconds ``spent`` in it."""
    v = visits
    return v.group_by(C.JOURNEY, C.STAGE).agg(t=v[C.T_US].min(), st=v[C.STEP].min(),
                                              spent=seconds((v.next_t_us - v[C.T_US]).sum()))


def _to_next(fe: ir.Table) -> ir.Table:
    w = ibis.window(group_by=C.JOURNEY, order_by=["t", "st"])
    fe = fe.mutate(nt=fe.t.lead().over(w))
    return fe.filter(fe.nt.notnull()).mutate(sec=seconds(fe.nt - fe.t))


def to_next_stage_values(visits: ir.Table) -> ir.Table:
    """Every journey's ``to_next_stage`` duration: ``stage``, ``sec`` (for tests between groups)."""
    nxt = _to_next(_first_entries(visits))
    return nxt.select(stage=nxt[C.STAGE].cast("string"), sec=nxt.sec)


def stage_duration_stats(visits: ir.Table) -> ir.Table:
    """Rows: ``stage``, ``measure`` (to_next_stage | time_in_stage), then the statistics.

    Reads the stage visits (see ``transitions.stage_visits``): the first entry into a stage
    is its first visit; a visit lasts until the next visit starts (the last one until its
    own last event), which equals summing, over staged events, the time to the next one.
    """
    fe = _first_entries(visits)
    nxt = _to_next(fe)
    a = stats_table(nxt, "sec", stage=nxt[C.STAGE]).mutate(measure=ibis.literal("to_next_stage"))
    b = stats_table(fe, "spent", stage=fe[C.STAGE]).mutate(measure=ibis.literal("time_in_stage"))
    cols = ["stage", "measure", *STATS]
    return a.select(*cols).union(b.select(*cols))


def plan(inp: Inputs) -> Generator[Any, Any, Output]:
    """The ``durations`` analysis (``stage_durations``), in the map's stage order."""
    import pyarrow as pa

    sd = (yield {"stages": stage_duration_stats(inp.visits)})["stages"].to_pylist()
    order = {s.id: i for i, s in enumerate(inp.map.stages)}
    sd.sort(key=lambda r: (order.get(r["stage"], 99), r["measure"] != "to_next_stage"))
    rows = [{"stage": r["stage"], "measure": r["measure"], **stats_record(r)} for r in sd]
    return Output(data={"stage_durations": rows}, tables={"stage_durations": pa.Table.from_pylist(rows)})
