"""What :meth:`parcours.project.Project.run` (and so ``parcours.analyze``) runs.

Reads the events, prepares them for the map once, applies segment/period filters, runs
every analysis (and each breakdown group), and returns an :class:`AnalysisResult`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from parcours.analysis import filters
from parcours.analysis.behaviour import DIMENSIONS
from parcours.analysis.run import STAGE_ANALYSES, Options, parse_analyses
from parcours.project.execute import derive, run_all
from parcours.project.explained import add_explanations
from parcours.engine.prepare import prepare
from parcours.errors import OptionError
from parcours.ingest import EventLog, read_events
from parcours.model import JourneyMap
from parcours.model.durations import parse_duration
from parcours.model.specs import AnalysisSpec
from parcours.project import cache as result_cache
from parcours.project.resources import engine_settings, engine_table
from parcours.project.map_source import source_path
from parcours.result import AnalysisResult

SCHEMA_VERSION = 1


def run(events: str | Path | ir.Table | EventLog | None, m: JourneyMap, journey_map: Any, spec: AnalysisSpec, *,
        cache: bool | str | Path = False, on_progress: Callable[[str], None] | None = None) -> AnalysisResult:
    """The analysis of ``events`` against the map ``m`` (``journey_map``: the map as given, a path,
    a map or None) with the settings in force ``spec`` (already resolved against the map: see
    :meth:`parcours.project.Project.run`, which runs this). ``cache``: see
    :func:`parcours.project.analyze`."""
    say = on_progress or (lambda _m: None)
    if events is None:
        events = source_path(m, journey_map)
    chosen = parse_analyses(spec.analyses)
    # only what was named reads stages: an analysis needed by another one (kpis needs the
    # funnel) runs as in a full run, where a map without stages gives it nothing to measure
    named = None if chosen is None else frozenset(
        x.strip().lower() for x in (spec.analyses.split(",") if isinstance(spec.analyses, str) else spec.analyses))
    _check_stages(named, m, journey_map)
    chosen_names = "all" if chosen is None else sorted(chosen) or ["summary"]  # options.analyses, cache key
    key = folder = None
    if cache:
        folder = result_cache.default_dir() if cache is True else Path(cache)
        key = result_cache.fingerprint(events, m, spec.cache_options(chosen_names), feedback=spec.feedback)
        hit = result_cache.load(folder, key) if key else None
        if hit is not None:
            say(f"same data, map and options as an earlier run: results from the cache ({folder / key})")
            return hit
    map_name = m.id or (str(journey_map) if isinstance(journey_map, (str, Path)) else None)
    with engine_settings(spec.threads, spec.memory_limit):
        result = _compute(engine_table(events, spec.engine), m, spec, chosen, chosen_names, map_name, say)
    if key and folder is not None:
        result_cache.store(folder, key, result)
    return result


def _check_stages(chosen: frozenset[str] | None, m: JourneyMap, journey_map: Any) -> None:
    """Analyses that read stages, asked of a map without any: say so before reading anything."""
    stage_only = [a for a in STAGE_ANALYSES if chosen and a in chosen]
    if not stage_only or m.stages:
        return
    reads = "this analysis reads" if len(stage_only) == 1 else "these analyses read"
    others = "or ask for other analyses (transitions, touchpoints, variants, shapes)"
    if journey_map is None:
        raise OptionError(f"--analyses {','.join(stage_only)}: no journey map was given, and {reads} its stages",
                          hint=f"give --map with a map that declares stages, {others}")
    raise OptionError(f"--analyses {','.join(stage_only)}: the journey map declares no stages, and {reads} them",
                      hint=f"add stages to the map (and a stage to its touchpoints), {others}")


def _compute(events: Any, m: JourneyMap, spec: AnalysisSpec, chosen: frozenset[str] | None, chosen_names: Any,
             map_name: str | None, say: Callable[[str], None]) -> AnalysisResult:
    """Read, prepare, filter, run every analysis (and each breakdown group), assemble."""
    gap = _duration("--journey-gap", spec.journey_gap)
    window = _duration("--conversion-window", spec.conversion_window)
    start, end = filters.parse_period(spec.period)
    log = events if isinstance(events, EventLog) else read_events(
        events, **spec.read_args(), engine=spec.engine, on_progress=say)
    say("preparing")
    by = spec.by
    keep = [by] if by and by not in ("segment", "channel", *DIMENSIONS) else []
    p = prepare(log.con, log.table, m, journey_gap_seconds=gap, role_sources=log.roles, keep=keep)
    ev = p.table
    resolve = p.resolver()
    applied: dict[str, Any] = {}
    if spec.segment:
        ev = filters.keep_journeys(ev, filters.segment_journeys(ev, m, spec.segment, resolve, full=p.table))
        applied["segment"] = spec.segment
    if start or end:
        ev = filters.keep_journeys(ev, filters.period_journeys(ev, start, end))
        applied["period"] = {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
    options = Options(top=spec.top, collapse_loops=spec.collapse_loops, conversion_window_seconds=window,
                      lang=spec.lang, analyses=chosen)
    data, tables = run_all(p, ev, options, on_progress=say)
    report = log.report
    data["summary"]["quarantined_rows"] = report.quarantined
    data = {"schema_version": SCHEMA_VERSION, "summary": data.pop("summary"), **data}
    data["input"] = report.to_dict()
    groups, text_models = None, {}
    if by:
        say(f"breakdown by {by}")
        groups = filters.journey_groups(p.con, ev, m, by, resolve, full=p.table)
    if spec.feedback is not None:
        say("feedback")
        fb = _feedback(spec, m, log, p, ev, groups)
        data["feedback"] = fb.data
        text_models = fb.text_models
        tables.update(fb.tables)
        if fb.quarantine is not None:
            tables["feedback_quarantine"] = fb.quarantine
    data["options"] = spec.options(filters=applied, analyses=chosen_names, map_name=map_name)
    if groups is not None:
        out, extra = _breakdown(p, ev, groups, options, data.get("feedback"))
        data["breakdown"] = {"by": by, "groups": out}
        tables.update(extra)
    derive(data, tables, m, options)
    add_explanations(data, tables, m, spec.lang)
    return AnalysisResult(data=data, tables=tables, quarantine=report.quarantine_table(), text_models=text_models)


def _feedback(spec: AnalysisSpec, m: JourneyMap, log: EventLog, p: Any, ev: ir.Table,
              groups: dict[str, ir.Table] | None) -> Any:
    """The feedback measured on the journeys (``--feedback``), by breakdown group too; its groups
    with fewer than ``min_responses`` answers flagged small (the threshold the frictions and
    opportunities read from it)."""
    from parcours.ingest.feedback import read_feedback
    from parcours.project.feedback import measure

    fb_log = read_feedback(spec.feedback, m, columns=spec.feedback_columns, metric=spec.feedback_metric,
                           scale=spec.feedback_scale, timezone=spec.timezone, date_format=spec.feedback_date_format, questions=spec.feedback_questions,
                           max_bad_rows=spec.max_bad_rows,
                           con=log.con)
    return measure(fb_log, m, ev=ev, window=spec.feedback_window, lang=spec.lang, resolver_sources=log.roles,
                   groups=groups, full=p.table, by_period="month", min_responses=spec.min_responses)


def _duration(option: str, text: str | None) -> float | None:
    if not text:
        return None
    try:
        return parse_duration(text)
    except ValueError as e:
        raise OptionError(f"{option}: {e}") from None


def _breakdown(p: Any, ev: ir.Table, groups: dict[str, ir.Table], options: Options,
               feedback: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, pa.Table]]:
    """Each group's analyses (the core ones, its feedback and frictions when there are) and the
    side-by-side table ``breakdown_summary``: one row per group, one column per indicator."""
    m = p.map
    fb_by = {g["group"]: g for g in (feedback or {}).get("by_group", [])}
    scales = (feedback or {}).get("scales", {})
    out: list[dict[str, Any]] = []
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, journeys in groups.items():
        sub = filters.keep_journeys(ev, journeys)
        data, tables = run_all(p, sub, options)
        keep = {k: data[k] for k in ("summary", "stages", "stage_durations", "conformance", "touchpoints", "shapes")
                if k in data}
        if "variants" in data:
            keep["variants"] = {"count": data["variants"]["count"], "top": data["variants"]["top"][:5]}
        if name in fb_by:
            keep["feedback"] = {k: v for k, v in fb_by[name].items() if k != "group"}
            data["feedback"] = {**keep["feedback"], "scales": scales}
        derive(data, {}, m, options)  # frictions, opportunities against targets or the group's best quarter
        add_explanations(data, {}, m, options.lang)
        if "frictions" in data:
            keep["frictions"], keep["opportunities"] = data["frictions"], data["opportunities"]
        out.append({"group": name, **keep})
        for tname in ("touchpoints", "stages", "stage_durations", "shapes"):
            if tname in tables:
                rows.setdefault(tname, []).extend({"group": name, **r} for r in tables[tname].to_pylist())
        if keep.get("frictions"):
            rows.setdefault("frictions", []).extend(
                {"group": name, **{k: f[k] for k in ("rank", "touchpoint", "name", "score", "journeys", "small",
                                                      "explanation")}} for f in keep["frictions"])
        rows.setdefault("summary", []).append(_side_by_side(name, keep))
    return out, {f"breakdown_{k}": pa.Table.from_pylist(v) for k, v in rows.items()}


def _side_by_side(name: str, g: dict[str, Any]) -> dict[str, Any]:
    """One group's headline indicators, for ``breakdown_summary``."""
    s = g["summary"]
    row: dict[str, Any] = {"group": name, "journeys": s["journeys"], "customers": s["customers"],
                           "events": s["events"],
                           "journey_duration_median_seconds": s["journey_duration_seconds"]["median"]}
    row["converted"], row["conversion_rate"] = s.get("converted"), s.get("conversion_rate")
    stages = g.get("stages") or []
    if stages:
        row["reached_last_stage"] = stages[-1]["reached"]
    shares: dict[str, float] = {}
    for r in g.get("shapes") or []:  # one record per (shape, order, channels): add up per shape
        shares[r["shape"]] = shares.get(r["shape"], 0.0) + (r["share"] or 0.0)
    row["linear_share"] = shares.get("linear", 0.0) if shares else None
    row["multichannel_share"] = shares.get("multichannel", 0.0) if shares else None
    fb = g.get("feedback")
    if fb:
        for r in fb.get("overall_by_metric") or []:
            row[r["metric"]] = r["value"]
            row[f"{r['metric']}_responses"] = r["responses"]
            row[f"{r['metric']}_small"] = r["small"]
        v = fb.get("verbatims") or {}
        row["comments"] = v.get("comments")
        sentiment = v.get("sentiment") or {}
        labelled = sum(sentiment.values())
        row["negative_share"] = sentiment.get("negative", 0) / labelled if labelled else None
        irritants = [t for t in fb.get("themes") or [] if t["kind"] == "irritant"]
        row["top_irritant"] = irritants[0]["theme"] if irritants else None
    fr = g.get("frictions") or []
    row["top_friction"] = fr[0]["touchpoint"] if fr else None
    row["top_friction_score"] = fr[0]["score"] if fr else None
    op = g.get("opportunities") or []
    row["top_opportunity"] = op[0]["explanation"] if op else None
    return row


__all__ = ["SCHEMA_VERSION", "run"]
