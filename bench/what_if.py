"""What if: parcours' parts timed with candidate fixes patched in (an experiment, not product code).

    python bench/what_if.py LOG --map MAP --fix epoch,lookup,visits1,funnel [--data-json OUT.json]

Runs ``bench/parcours_parts.py`` in this process after monkeypatching parcours with the
fixes named in ``--fix`` (comma-separated; ``none`` for the baseline), so that the gain of
each proposed change in ``src/`` can be measured before anyone writes it:

- ``epoch``: ``_t_us`` computed with DuckDB's ``epoch_us(ts)`` instead of
  ``ts.delta(1970-01-01 UTC, 'microsecond')``, which DuckDB runs through ICU's
  time-zone-aware ``date_diff`` (~0.3 µs per row on a TIMESTAMPTZ);
- ``lookup``: in ``prepare``, the stage and stage rank come from a left join of the
  touchpoint with a small lookup table (touchpoint -> stage, rank) instead of CASE
  expressions built on the touchpoint CASE: Ibis inlines the 40-branch touchpoint CASE
  inside each of the 38 stage branches and again inside each of the 5 rank branches
  (686 KB of SQL for this map);
- ``visits1``: the stage visits (src, e5c211b: two window sorts of every staged event and
  a hash aggregate) derived with one sort (see ``patch_visits1``);
- ``funnel``: the ordered funnel and any-order reach read the stage visits instead of the
  staged events (with ``visits1``, which materialises them before the funnel runs).

Compare the figures with ``--data-json`` (run_all's output) between a baseline
(``--fix none``) and the patched run: they must be identical.

The ``lookup`` variant below mirrors ``parcours.engine.prepare.prepare`` as of the
benchmark's writing (commits c8bd067, e5c211b) with only those changes; if ``prepare`` has moved
on since, this experiment may no longer apply.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ibis  # noqa: E402
import ibis.expr.datatypes as dt  # noqa: E402

_n = itertools.count(1)


@ibis.udf.scalar.builtin(name="epoch_us")
def _epoch_us(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    """DuckDB's epoch_us: microseconds since the epoch, plain integer arithmetic."""


def patch_epoch() -> None:
    import parcours.engine.functions as F
    import parcours.engine.prepare as P

    F.timestamp_to_epoch_us = P.timestamp_to_epoch_us = lambda ts: _epoch_us(ts)


def patch_lookup() -> None:
    import parcours.engine.prepare as P
    from parcours.engine import columns as C
    from parcours.engine.rules import ColumnResolver, goal_predicate, touchpoint_case
    from parcours.model.journey_map import JourneyMap

    original = P.prepare

    def prepare(con, events, journey_map=None, *, journey_gap_seconds=None, role_sources=None, materialize=True):
        m = journey_map or JourneyMap()
        if journey_gap_seconds or not m.touchpoints or not m.stages:
            return original(con, events, m, journey_gap_seconds=journey_gap_seconds, role_sources=role_sources,
                            materialize=materialize)
        resolve = ColumnResolver(events, role_sources)
        t = events.mutate(**{C.T_US: P.timestamp_to_epoch_us(events[C.TS])})
        case = touchpoint_case(m, resolve)
        data_tp = t[C.TOUCHPOINT]
        mapped = data_tp.isin([x.id for x in m.touchpoints]).fill_null(False) | (data_tp.isnull() & case.notnull())
        tp = data_tp.coalesce(case).coalesce(t[C.EVENT])
        goal = goal_predicate(m, resolve)
        t = t.mutate(**{C.TOUCHPOINT: tp, C.MAPPED: mapped & t[C.EVENT].notnull(),
                        P.GOAL: goal if goal is not None else ibis.literal(False)})
        ranks = m.stage_rank()
        stage_of = {x.id: x.stage for x in m.touchpoints if x.stage}
        lk = ibis.memtable({"__tp": list(stage_of), "__st": [stage_of[k] for k in stage_of],
                            "__rk": [ranks[stage_of[k]] for k in stage_of]},
                           schema={"__tp": "string", "__st": "string", "__rk": "int64"})
        j = t.left_join(lk, t[C.TOUCHPOINT] == lk.__tp)
        stage = j[C.STAGE].coalesce(j.__st)
        rk = ibis.cases(*[(j[C.STAGE] == k, v) for k, v in ranks.items()], else_=ibis.null("int64"))
        rank = ibis.cases((j[C.STAGE].isnull(), j.__rk), else_=rk)  # the data's own stage, when given, wins
        t = j.mutate(**{C.STAGE: stage, C.STAGE_RANK: rank.cast("int64")}).drop("__tp", "__st", "__rk")
        t = t.mutate(**{C.JOURNEY: t[C.CUSTOMER]})
        w = ibis.window(group_by=C.JOURNEY, order_by=[C.TS, C.SEQ])
        t = t.mutate(**{C.STEP: (ibis.row_number().over(w) + 1).cast("int64"),
                        C.NEXT_TOUCHPOINT: t[C.TOUCHPOINT].lead().over(w), C.NEXT_T_US: t[C.T_US].lead().over(w)})
        front = [C.JOURNEY, C.CUSTOMER, C.STEP, C.TS, C.T_US, C.SEQ, C.EVENT, C.CHANNEL, C.TOUCHPOINT, C.MAPPED,
                 C.STAGE, C.STAGE_RANK, P.GOAL, C.NEXT_TOUCHPOINT, C.NEXT_T_US]
        t = t.select(*front, *[c for c in t.columns if c not in front])
        if materialize and con.name == "duckdb":
            t = con.create_table(f"_parcours_prepared_whatif_{next(_n)}", t, temp=True)
        return P.Prepared(con=con, table=t, map=m, has_goals=bool(m.goals), resolver_sources=dict(role_sources or {}))

    P.prepare = prepare


_visits_cache: dict[int, object] = {}


def patch_visits1() -> None:
    """``transitions.stage_visits`` with one sort of the staged events instead of two: the
    LAG that finds visit starts and the journey's last staged time share one window; visit
    numbers, next stage and next start come from a window over the visit starts only (~1
    row in 5). Same columns, same values as src's version (e5c211b). Materialised once per
    prepared table, so that the funnel (``funnel`` fix) can read it too."""
    import parcours.analysis.transitions as TR
    from parcours.engine import columns as C

    def stage_visits(ev):
        key = id(ev)
        if key not in _visits_cache:
            s = ev.filter(ev[C.STAGE].notnull())
            w = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
            s = s.mutate(__prev=s[C.STAGE].lag().over(w), __last=s[C.T_US].max().over(w))
            v = s.filter(s.__prev.isnull() | (s.__prev != s[C.STAGE]))
            v = v.select(C.JOURNEY, C.STAGE, C.STAGE_RANK, C.STEP, C.T_US, "__last")
            wv = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
            v = v.mutate(visit=(ibis.row_number().over(wv) + 1).cast("int64"), next_stage=v[C.STAGE].lead().over(wv),
                         next_t_us=v[C.T_US].lead().over(wv).coalesce(v.__last))
            v = v.select(C.JOURNEY, "visit", C.STAGE, C.STAGE_RANK, C.STEP, C.T_US, "next_stage", "next_t_us")
            backend = ev._find_backend()
            _visits_cache[key] = backend.create_table(f"_parcours_visits_whatif_{next(_n)}", v, temp=True) \
                if backend.name == "duckdb" else v
        return _visits_cache[key]

    TR.stage_visits = stage_visits


def patch_funnel() -> None:
    """The ordered funnel and the any-order reach read the stage visits (~1 row in 5 of the
    staged events) instead of every staged event. Same result: the first event of stage k
    after any point of a journey always starts a visit."""
    import parcours.analysis.funnel as FU
    import parcours.analysis.transitions as TR

    ordered_reach, reach_any_order = FU.ordered_reach, FU.reach_any_order
    FU.ordered_reach = lambda ev, ranks, *, window_seconds=None: ordered_reach(
        TR.stage_visits(ev), ranks, window_seconds=window_seconds)
    FU.reach_any_order = lambda ev: reach_any_order(TR.stage_visits(ev))


FIXES = {"epoch": patch_epoch, "lookup": patch_lookup, "visits1": patch_visits1, "funnel": patch_funnel}


def main() -> None:
    args = sys.argv[1:]
    fixes: list[str] = []
    if "--fix" in args:
        i = args.index("--fix")
        fixes = [f for f in args[i + 1].split(",") if f and f != "none"]
        del args[i:i + 2]
    for f in fixes:
        if f not in FIXES:
            raise SystemExit(f"unknown fix {f!r}; known: {', '.join(FIXES)}")
    if "funnel" in fixes and "visits1" not in fixes:
        raise SystemExit("--fix funnel needs visits1 (the visits must exist before the funnel runs)")
    import parcours_parts

    for f in fixes:
        FIXES[f]()
    print(f"fixes patched in: {', '.join(fixes) or 'none (baseline)'}")
    sys.argv = [sys.argv[0], *args]
    parcours_parts.main()


if __name__ == "__main__":
    main()
