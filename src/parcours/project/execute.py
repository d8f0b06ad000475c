"""The execution edge: the registry's analyses, described as Ibis expressions, executed here.

:func:`run_all` runs every analysis a run asks for on one set of prepared events, in the
registry's order (:mod:`parcours.analysis.registry`), each table once, to Arrow;
:func:`derive` then adds the analyses derived from the others' results and the feedback (the
frictions). Nothing else in ``analysis/`` touches the connection.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from parcours.analysis import registry, transitions
from parcours.analysis.registry import Analysis, Inputs, Output, Store
from parcours.analysis.run import Options
from parcours.analysis.stats import records
from parcours.engine.prepare import Prepared, temp_table


def run_all(p: Prepared, ev: ir.Table, options: Options,
            on_progress: Callable[[str], None] | None = None) -> tuple[dict[str, Any], dict[str, pa.Table]]:
    """All analyses on ``ev`` (prepared events, possibly filtered). Returns (json data, tables).

    The derived analyses (``feedback=True``: the frictions) are left to :func:`derive`.
    ``on_progress`` hears the name of each analysis as it starts (a long log takes minutes)."""
    say = on_progress or (lambda _m: None)
    chosen = [a for a in registry.analyses() if not a.feedback and _runs(a, p, options)]
    shared = _SharedVisits(p, ev, chosen, say)
    data: dict[str, Any] = {}
    tables: dict[str, pa.Table] = {}
    for a in chosen:
        visits, starts = shared.get(a)
        if a.progress:
            say(a.progress)
        inp = Inputs(events=ev, map=p.map, options=options, has_goals=p.has_goals, split_journeys=p.split_journeys,
                     visits=visits, starts=starts, data=data)
        out = execute(p.con, a, inp)
        data.update(out.data)
        tables.update(out.tables)
    return data, tables


def derive(data: dict[str, Any], tables: dict[str, pa.Table], m: Any, options: Options) -> None:
    """Add to ``data`` and ``tables`` the derived analyses the run asks for (the frictions and
    opportunities, on a map with touchpoints), from what is there (the feedback included)."""
    for a in registry.analyses():
        if a.feedback and options.wants(a.name) and (m.touchpoints or not a.touchpoints):
            out = execute(None, a, Inputs(events=None, map=m, options=options, data=data))  # type: ignore[arg-type]
            data.update(out.data)
            tables.update(out.tables)


def execute(con: Any, analysis: Analysis, inp: Inputs) -> Output:
    """Build one analysis' expressions and execute them: each table of a plain builder to Arrow
    (its rows under its key in analysis.json), or each request of a generator builder."""
    built = analysis.builder()(inp)
    if isinstance(built, Output):
        return built
    if not inspect.isgenerator(built):
        tables = {name: con.to_pyarrow(expr) for name, expr in built.items()}
        keys = {t.name: t.json_key for t in analysis.tables}
        return Output(data={keys.get(name, name): records(t) for name, t in tables.items()}, tables=tables)
    reply: Any = None
    while True:
        try:
            request = built.send(reply)
        except StopIteration as done:
            return done.value
        if isinstance(request, Store):
            reply = temp_table(con, request.expr, request.prefix)
        else:
            reply = {name: con.to_pyarrow(expr) for name, expr in request.items()}


def _runs(a: Analysis, p: Prepared, options: Options) -> bool:
    if a.always:
        return True
    if not options.wants(a.name):
        return False
    return not (a.stages and not p.map.stages) and not (a.touchpoints and not p.map.touchpoints)


class _SharedVisits:
    """The stage visits and visit starts the chosen analyses read, derived when the first of
    them runs. The funnel reads only where visits start (a filter on the prepared events). The
    others read the visits (one window over those events, computing only the columns the
    chosen analyses read); when more than one query reads them, they are derived once into a
    table, which then serves the funnel too; a single reader (the durations asked for alone,
    say) reads them inline."""

    def __init__(self, p: Prepared, ev: ir.Table, chosen: list[Analysis], say: Callable[[str], None]) -> None:
        self.p, self.ev, self.say = p, ev, say
        self.readers = [a for a in chosen if a.visits or a.visit_starts or a.stages] if p.map.stages else []
        self.done = False
        self.visits = self.starts = None

    def get(self, a: Analysis) -> tuple[ir.Table | None, ir.Table | None]:
        if a in self.readers and not self.done:
            self._derive()
        return self.visits, self.starts

    def _derive(self) -> None:
        self.done = True
        p, ev, con = self.p, self.ev, self.p.con
        self.say("analysing: stage funnel and durations" if any(a.stages for a in self.readers)
                 else "analysing: stage visits")
        queries = sum(a.visit_queries for a in self.readers if a.visits)
        columns = {c for a in self.readers for c in a.visits}
        visits = transitions.stage_visits(ev, [c for c in transitions.VISIT_COLUMNS if c in columns]) \
            if queries else None
        if queries > 1:
            visits = temp_table(con, visits, "visits")
        starts = visits if queries > 1 else transitions.visit_starts(ev)
        if queries <= 1 and any(a.visit_starts for a in self.readers) and not ev.equals(p.table):
            # The funnel reads its starts once per stage: from filtered events (a segment, a
            # period) that would filter them again each time, so they are derived once. From
            # the prepared table itself a filtered scan is cheaper than a copy (10M events:
            # 0.9 s against 1.1 s; filtered, 1.5 s against 0.8 s).
            starts = temp_table(con, starts, "starts")
        self.visits, self.starts = visits, starts
