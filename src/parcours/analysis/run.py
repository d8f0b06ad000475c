"""What a run asks for: the analyses selected (``--analyses``) and the options they share.

The analyses themselves are declared in :mod:`parcours.analysis.registry`; they run at the
project's execution edge (:func:`parcours.project.execute.run_all`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from parcours.analysis import conformance, durations, funnel, registry, shapes, summary, touchpoints, transitions, variants
from parcours.analysis.stats import STATS
from parcours.engine.prepare import Prepared, temp_table
from parcours.model.journey_map import text_in


def stage_analyses() -> tuple[str, ...]:
    """The analyses that need the map's stages (a map without stages has nothing for them)."""
    return tuple(a.name for a in registry.analyses() if a.stages)


def needs() -> dict[str, tuple[str, ...]]:
    """What an analysis needs computed with it (the friction ranking reads the touchpoint
    table and the transitions)."""
    return {a.name: a.needs for a in registry.analyses() if a.needs}


def __getattr__(name: str) -> Any:
    # ANALYSES (what ``--analyses`` can name, in the order they run), STAGE_ANALYSES and NEEDS
    # are read from the registry when asked for, so they include an extension's analyses.
    if name == "ANALYSES":
        return registry.names()
    if name == "STAGE_ANALYSES":
        return stage_analyses()
    if name == "NEEDS":
        return needs()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_analyses(text: str | list[str] | tuple[str, ...] | frozenset[str] | None) -> frozenset[str] | None:
    """The analyses named by ``--analyses`` (comma-separated, or a list), with what they need;
    None (every analysis) for None or ``all``; ``summary`` alone asks for nothing more than the
    summary, which every run computes.

    >>> sorted(parse_analyses("funnel, variants"))
    ['funnel', 'variants']
    >>> sorted(parse_analyses(["frictions"]))
    ['frictions', 'touchpoints', 'transitions']
    >>> parse_analyses("all") is None, parse_analyses("summary")
    (True, frozenset())
    """
    from parcours.errors import OptionError

    if text is None:
        return None
    known = registry.names()
    names = [x.strip().lower() for x in (text.split(",") if isinstance(text, str) else text)]
    names = [x for x in names if x]
    choices = f"choose among summary, {', '.join(known)} (comma-separated), or all; the summary is always computed"
    if not names:
        raise OptionError("--analyses: no analysis named", hint=choices)
    if "all" in names:
        return None
    unknown = [x for x in names if x not in known and x != "summary"]
    if unknown:
        import difflib

        close = [c for x in unknown for c in difflib.get_close_matches(x, ("summary", *known), n=1)]
        guess = f"did you mean {', '.join(close)}? " if close else ""
        raise OptionError(f"--analyses: unknown analysis {', '.join(repr(x) for x in unknown)}", hint=guess + choices)
    chosen: set[str] = set()
    todo = [x for x in names if x != "summary"]
    while todo:  # with what each needs, and what that needs
        name = todo.pop()
        if name not in chosen:
            chosen.add(name)
            todo.extend(registry.get(name).needs)
    return frozenset(chosen)


@dataclass(frozen=True)
class Options:
    """Options shared by every analysis (the CLI flags of ``parcours analyze``).

    ``analyses``: the analyses to compute (see :data:`ANALYSES` and :func:`parse_analyses`);
    None computes every one. The others are left out of the results, not computed empty."""

    top: int = 20
    collapse_loops: bool = False
    conversion_window_seconds: float | None = None
    lang: str = "en"
    analyses: frozenset[str] | None = None

    def wants(self, name: str) -> bool:
        return self.analyses is None or name in self.analyses


# ---- TRANSITIONAL: the former run_all, kept until project/analyze.py imports project.execute ----
ANALYSES = ("transitions", "touchpoints", "variants", "funnel", "durations", "stage_transitions",
            "conformance", "shapes", "frictions")
STAGE_ANALYSES = ("funnel", "durations", "stage_transitions", "conformance")
_VISIT_READERS = {"durations": (1, durations.VISITS_READ),
                  "stage_transitions": (1, transitions.STAGE_TRANSITIONS_READ),
                  "conformance": (2, conformance.VISITS_READ),
                  "shapes": (1, shapes.VISITS_READ)}


def _arrow(con: Any, expr: ir.Table) -> pa.Table:
    return con.to_pyarrow(expr)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def records(table: pa.Table) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in table.to_pylist()]


def _stats_record(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (int(row[k]) if k == "count" else _clean(row[k])) for k in STATS}


def run_all(p: Prepared, ev: ir.Table, options: Options,
            on_progress: Callable[[str], None] | None = None) -> tuple[dict[str, Any], dict[str, pa.Table]]:
    """All analyses on ``ev`` (prepared events, possibly filtered). Returns (json data, tables).

    ``on_progress`` hears the name of each analysis as it starts (a long log takes minutes)."""
    con, m = p.con, p.map
    say = on_progress or (lambda _m: None)
    say("analysing: summary and journey durations")
    data: dict[str, Any] = {}
    tables: dict[str, pa.Table] = {}

    counts = records(_arrow(con, summary.summary_counts(ev, split_journeys=p.split_journeys)))[0]
    jd = _arrow(con, durations.journey_duration_stats(ev)).to_pylist()[0]
    data["summary"] = {
        "events": int(counts["events"]), "journeys": int(counts["journeys"]), "customers": int(counts["customers"]),
        "converted": int(counts["converted"] or 0) if p.has_goals else None,
        "conversion_rate": (int(counts["converted"] or 0) / int(counts["journeys"])
                            if p.has_goals and counts["journeys"] else None),
        "period": {"start": counts["start"], "end": counts["end"]},
        "journey_duration_seconds": _stats_record(jd),
    }

    want = options.wants
    if want("transitions"):
        say("analysing: transitions")
        tables["transitions"] = _arrow(con, transitions.touchpoint_transitions(ev))
        tables["starts"] = _arrow(con, transitions.starts(ev))
        tables["ends"] = _arrow(con, transitions.ends(ev))
    if want("touchpoints"):
        say("analysing: touchpoints")
        tables["touchpoints"] = _arrow(con, touchpoints.touchpoint_table(ev, has_goals=p.has_goals))
        tables["unmapped"] = _arrow(con, touchpoints.unmapped(ev))
    for name in ("transitions", "starts", "ends", "touchpoints", "unmapped"):
        if name in tables:
            data[name] = records(tables[name])

    if want("variants"):
        say("analysing: variants")
        data["variants"], tables["variants"] = _variants(p, ev, options)

    visits = starts = None
    stage_wanted = any(want(a) for a in STAGE_ANALYSES)
    if m.stages and (stage_wanted or want("shapes")):
        say("analysing: stage funnel and durations" if stage_wanted else "analysing: stage visits")
        # The funnel reads only where visits start (a filter on the prepared events). The
        # others read the visits (one window over those events, computing only the columns
        # the chosen analyses read); when more than one query reads them, they are derived
        # once into a table, which then serves the funnel too; a single reader (the
        # durations asked for alone, say) reads them inline.
        readers = [r for a, r in _VISIT_READERS.items() if want(a)]
        queries = sum(n for n, _cols in readers)
        columns = {c for _n, cols in readers for c in cols}
        visits = transitions.stage_visits(ev, [c for c in transitions.VISIT_COLUMNS if c in columns]) \
            if queries else None
        if queries > 1:
            visits = temp_table(con, visits, "visits")
        starts = visits if queries > 1 else transitions.visit_starts(ev)
        if queries <= 1 and want("funnel") and not ev.equals(p.table):
            # The funnel reads its starts once per stage: from filtered events (a segment, a
            # period) that would filter them again each time, so they are derived once. From
            # the prepared table itself a filtered scan is cheaper than a copy (10M events:
            # 0.9 s against 1.1 s; filtered, 1.5 s against 0.8 s).
            starts = temp_table(con, starts, "starts")
    if starts is not None and want("funnel"):
        exprs = funnel.funnel_expressions(starts, m, window_seconds=options.conversion_window_seconds)
        ordered = [int(r["n"]) for r in sorted(_arrow(con, exprs["ordered"]).to_pylist(), key=lambda r: r["k"])] \
            if exprs["ordered"] is not None else []
        any_order = {r["_stage"]: int(r["journeys"]) for r in _arrow(con, exprs["any_order"]).to_pylist()}
        stage_rows = funnel.funnel_records(m, ordered, any_order, data["summary"]["journeys"], options.lang)
        tables["stages"] = pa.Table.from_pylist(stage_rows)
        data["stages"] = stage_rows
    if visits is not None and want("stage_transitions"):
        tables["stage_transitions"] = _arrow(con, transitions.stage_transitions(visits))
        data["stage_transitions"] = records(tables["stage_transitions"])
    if visits is not None and want("durations"):
        sd = _arrow(con, durations.stage_duration_stats(visits)).to_pylist()
        order = {s.id: i for i, s in enumerate(m.stages)}
        sd.sort(key=lambda r: (order.get(r["stage"], 99), r["measure"] != "to_next_stage"))
        data["stage_durations"] = [{"stage": r["stage"], "measure": r["measure"], **_stats_record(r)} for r in sd]
        tables["stage_durations"] = pa.Table.from_pylist(data["stage_durations"])
    if visits is not None and want("conformance"):
        data["conformance"], tables["backward_moves"] = _conformance(p, visits, options.lang)
    if want("shapes"):
        say("analysing: journey shapes")
        counts = _arrow(con, shapes.shape_counts(shapes.journey_shapes(ev, visits))).to_pylist()
        total = sum(int(r["journeys"]) for r in counts)
        data["shapes"] = sorted(({**r, "journeys": int(r["journeys"]), "share": int(r["journeys"]) / total if total else None}
                                 for r in counts), key=lambda r: (-r["journeys"], r["shape"], r["order"], r["channels"]))
        tables["shapes"] = pa.Table.from_pylist(data["shapes"])
    return data, tables


def _variants(p: Prepared, ev: ir.Table, options: Options) -> tuple[dict[str, Any], pa.Table]:
    con = p.con
    seq = variants.sequence(ev, collapse_loops=options.collapse_loops)
    vt = variants.variant_table(seq)
    vt = temp_table(con, vt, "variants")  # read several times below: compute it once
    totals = _arrow(con, vt.aggregate(n=vt.count(), journeys=vt.journeys.sum())).to_pylist()[0]
    n_variants, journeys = int(totals["n"]), int(totals["journeys"] or 0)
    top_rows: list[dict[str, Any]] = []
    if n_variants:
        kth = _arrow(con, vt.order_by(ibis.desc("journeys")).limit(options.top).select("journeys"))
        cut = min(kth.column("journeys").to_pylist())
        cand = _arrow(con, vt.filter(vt.journeys >= cut).select("journeys", "example")).to_pylist()
        paths: dict[str, list[str]] = {}
        examples = [c["example"] for c in cand]
        for chunk in range(0, len(examples), 50_000):
            part = _arrow(con, variants.paths_of(seq, examples[chunk:chunk + 50_000]))
            for j, tp in zip(part.column(0).to_pylist(), part.column(2).to_pylist(), strict=True):
                paths.setdefault(j, []).append(tp)
        cand.sort(key=lambda c: (-c["journeys"], paths[c["example"]]))
        for c in cand[: options.top]:
            top_rows.append({"path": paths[c["example"]], "journeys": int(c["journeys"]),
                             "share": c["journeys"] / journeys, "length": len(paths[c["example"]])})
    shown = sum(r["journeys"] for r in top_rows)
    data = {
        "count": n_variants,
        "journeys": journeys,
        "collapse_loops": options.collapse_loops,
        "top": top_rows,
        "other": {"variants": n_variants - len(top_rows), "journeys": journeys - shown,
                  "share": ((journeys - shown) / journeys) if journeys else 0.0},
    }
    table = pa.Table.from_pylist([{"rank": i + 1, "path": " > ".join(r["path"]), "length": r["length"],
                                   "journeys": r["journeys"], "share": r["share"]} for i, r in enumerate(top_rows)]
                                 + [{"rank": None, "path": "(other)", "length": None,
                                     "journeys": data["other"]["journeys"], "share": data["other"]["share"]}])
    return data, table


def _conformance(p: Prepared, visits: ir.Table, lang: str) -> tuple[dict[str, Any], pa.Table]:
    con, m = p.con, p.map
    n = len(m.stages)
    row = _arrow(con, conformance.conformance_summary(visits, n)).to_pylist()[0]
    total = int(row["journeys"] or 0)

    def share(x: Any) -> float | None:
        return (int(x or 0) / total) if total else None

    skipped = [{"stage": m.stages[k - 1].id, "name": text_in(m.stages[k - 1].name, lang), "journeys": int(row[f"skip_{k}"] or 0),
                "share": share(row[f"skip_{k}"])} for k in range(2, n)]
    moves = _arrow(con, conformance.backward_moves(visits, m.stage_rank()))
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
    return data, moves
