"""``analyze``: the one entry point the CLI, notebooks and (later) the web app share.

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
from parcours.analysis.run import STAGE_ANALYSES, Options, parse_analyses, run_all
from parcours.engine.prepare import prepare
from parcours.errors import OptionError
from parcours.ingest import EventLog, read_events
from parcours.model import JourneyMap, load_map
from parcours.model.durations import parse_duration
from parcours.project import cache as result_cache
from parcours.result import AnalysisResult

SCHEMA_VERSION = 1


def analyze(events: str | Path | ir.Table | EventLog | None, journey_map: str | Path | JourneyMap | None = None, *,
            columns: dict[str, str] | None = None, engine: str | None = None, fmt: str | None = None,
            delimiter: str | None = None, timezone: str | None = None, time_unit: str | None = None,
            max_bad_rows: str | int | float | None = None, drop_duplicates: bool = False,
            journey_gap: str | None = None, segment: str | None = None, period: str | None = None,
            by: str | None = None, top: int = 20, collapse_loops: bool = False,
            conversion_window: str | None = None, lang: str | None = None,
            feedback: str | Path | None = None, feedback_columns: dict[str, str] | None = None,
            feedback_metric: str | None = None, feedback_scale: str | None = None,
            feedback_window: str | None = None, analyses: str | list[str] | None = None,
            cache: bool | str | Path = False,
            on_progress: Callable[[str], None] | None = None) -> AnalysisResult:
    """Analyse an event log against a journey map (optional).

    ``analyses``: only these analyses (``"funnel,durations"`` or a list; see
    :data:`parcours.analysis.run.ANALYSES`), the others left out of the result; the summary
    is always there. Default: every analysis.

    ``cache``: ``True`` (the default folder, see :mod:`parcours.project.cache`) or a folder
    keeps the result under a fingerprint of the files, the map and the options; the same
    call again returns it at once. Off by default in Python, on by default in the CLI.

    Examples
    --------
    >>> import parcours
    >>> result = parcours.analyze("events.csv", "map.yaml")          # doctest: +SKIP
    >>> result["transitions"].to_pandas().head()                       # doctest: +SKIP
    """
    say = on_progress or (lambda _m: None)
    m = load_map(journey_map) if isinstance(journey_map, (str, Path)) else (journey_map or JourneyMap())
    src = m.source
    if events is None:
        events = _source_path(m, journey_map)
    if src is not None:  # the map's source block gives defaults; explicit arguments win
        d = source_defaults(m)
        columns = {**d["columns"], **(columns or {})}
        timezone = timezone or d["timezone"]
        time_unit = time_unit or d["time_unit"]
        delimiter = delimiter or d["delimiter"]
        fmt = fmt or d["fmt"]
        journey_gap = journey_gap or d["journey_gap"]
    if top < 1:
        raise OptionError(f"--top must be at least 1, got {top}")
    chosen = parse_analyses(analyses)
    stage_only = [a for a in STAGE_ANALYSES if chosen and a in chosen]
    if stage_only and not m.stages:
        reads = "this analysis reads" if len(stage_only) == 1 else "these analyses read"
        others = "or ask for other analyses (transitions, touchpoints, variants, shapes)"
        if journey_map is None:
            raise OptionError(f"--analyses {','.join(stage_only)}: no journey map was given, and {reads} its stages",
                              hint=f"give --map with a map that declares stages, {others}")
        raise OptionError(f"--analyses {','.join(stage_only)}: the journey map declares no stages, and {reads} them",
                          hint=f"add stages to the map (and a stage to its touchpoints), {others}")
    chosen_names = "all" if chosen is None else sorted(chosen) or ["summary"]  # options.analyses, cache key
    key = folder = None
    if cache:
        folder = result_cache.default_dir() if cache is True else Path(cache)
        key = result_cache.fingerprint(events, m, dict(
            columns=columns, engine=engine, fmt=fmt, delimiter=delimiter, timezone=timezone, time_unit=time_unit,
            max_bad_rows=max_bad_rows, drop_duplicates=drop_duplicates, journey_gap=journey_gap, segment=segment,
            period=period, by=by, top=top, collapse_loops=collapse_loops, conversion_window=conversion_window,
            lang=lang, feedback=feedback, feedback_columns=feedback_columns, feedback_metric=feedback_metric,
            feedback_scale=feedback_scale, feedback_window=feedback_window,
            analyses=chosen_names))
        hit = result_cache.load(folder, key) if key else None
        if hit is not None:
            say(f"same data, map and options as an earlier run: results from the cache ({folder / key})")
            return hit
    gap = _duration("--journey-gap", journey_gap)
    window = _duration("--conversion-window", conversion_window)
    start, end = filters.parse_period(period)

    log = events if isinstance(events, EventLog) else read_events(
        events, columns=columns, fmt=fmt, delimiter=delimiter, timezone=timezone, time_unit=time_unit,
        max_bad_rows=max_bad_rows, drop_duplicates=drop_duplicates, engine=engine, on_progress=say)
    say("preparing")
    keep = [by] if by and by not in ("segment", "channel", *DIMENSIONS) else []
    p = prepare(log.con, log.table, m, journey_gap_seconds=gap, role_sources=log.roles, keep=keep)
    ev = p.table
    resolve = p.resolver()
    applied: dict[str, Any] = {}
    if segment:
        ev = filters.keep_journeys(ev, filters.segment_journeys(ev, m, segment, resolve, full=p.table))
        applied["segment"] = segment
    if start or end:
        ev = filters.keep_journeys(ev, filters.period_journeys(ev, start, end))
        applied["period"] = {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
    options = Options(top=top, collapse_loops=collapse_loops, conversion_window_seconds=window,
                      lang=lang or m.language, analyses=chosen)
    data, tables = run_all(p, ev, options, on_progress=say)
    report = log.report
    data["summary"]["quarantined_rows"] = report.quarantined
    data = {"schema_version": SCHEMA_VERSION, "summary": data.pop("summary"), **data}
    data["input"] = report.to_dict()
    groups = None
    if by:
        say(f"breakdown by {by}")
        groups = filters.journey_groups(p.con, ev, m, by, resolve, full=p.table)
    if feedback is not None:
        from parcours.ingest.feedback import read_feedback
        from parcours.project.feedback import measure

        say("feedback")
        fb_log = read_feedback(feedback, m, columns=feedback_columns, metric=feedback_metric, scale=feedback_scale,
                               timezone=timezone, max_bad_rows=max_bad_rows, con=log.con)
        fb = measure(fb_log, m, ev=ev, window=feedback_window, lang=options.lang, resolver_sources=log.roles,
                     groups=groups, full=p.table, by_period="month")
        data["feedback"] = fb.data
        tables.update(fb.tables)
        if fb.quarantine is not None:
            tables["feedback_quarantine"] = fb.quarantine
    data["options"] = {"journey_gap": journey_gap, "top": top, "collapse_loops": collapse_loops,
                       "conversion_window": conversion_window, "filters": applied, "by": by,
                       "analyses": chosen_names,
                       "map": m.id or (str(journey_map) if isinstance(journey_map, (str, Path)) else None)}
    if groups is not None:
        out, extra = _breakdown(p, ev, groups, options, data.get("feedback"))
        data["breakdown"] = {"by": by, "groups": out}
        tables.update(extra)
    if m.touchpoints and options.wants("frictions"):
        from parcours.analysis.frictions import WEIGHTS, rank_frictions

        data["frictions"] = rank_frictions(data, m, lang=options.lang)
        tables["frictions"] = pa.Table.from_pylist([
            {"rank": f["rank"], "touchpoint": f["touchpoint"], "name": f["name"], "stage": f["stage"],
             "journeys": f["journeys"], "score": f["score"], "small": f["small"], "drivers": " ".join(f["drivers"]),
             **{f"signal_{k}": f["signals"].get(k) for k in WEIGHTS},
             "top_irritant": f["top_irritant"], "explanation": f["explanation"]} for f in data["frictions"]])
        from parcours.analysis.opportunities import suggest

        data["opportunities"] = suggest(data, m, lang=options.lang)
        tables["opportunities"] = pa.Table.from_pylist([
            {k: o[k] for k in ("rank", "touchpoint", "name", "stage", "indicator", "value", "reference",
                               "reference_kind", "gap", "journeys", "impact", "friction_rank", "small")}
            | {"owners": " | ".join(o["owners"]), "explanation": o["explanation"]} for o in data["opportunities"]])
    result = AnalysisResult(data=data, tables=tables, quarantine=report.quarantine_table())
    if key and folder is not None:
        result_cache.store(folder, key, result)
    return result


def source_defaults(m: JourneyMap) -> dict[str, Any]:
    """How to read the events, from the map's ``source`` block (``read_events`` arguments and
    ``journey_gap``); empty values when the map has none."""
    src = m.source
    return {"columns": dict(src.columns) if src else {}, "timezone": src.timezone if src else None,
            "time_unit": src.time_unit if src else None, "delimiter": src.delimiter if src else None,
            "fmt": src.format if src else None, "journey_gap": src.journey_gap if src else None}


def _source_path(m: JourneyMap, journey_map: Any) -> Path:
    """The map's ``source.path``, relative to the map file's folder."""
    if m.source is None or not m.source.path:
        raise OptionError("no events to analyse: give an event file, or a map whose source block has a path",
                          hint="e.g. parcours analyze events.csv --map map.yaml, or 'source: {path: events.csv}' in the map")
    path = Path(m.source.path).expanduser()
    if not path.is_absolute() and isinstance(journey_map, (str, Path)):
        path = Path(journey_map).resolve().parent / path
    return path


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
        if m.touchpoints and options.wants("frictions"):
            from parcours.analysis.frictions import rank_frictions

            from parcours.analysis.opportunities import suggest

            keep["frictions"] = data["frictions"] = rank_frictions(data, m, lang=options.lang)
            keep["opportunities"] = suggest(data, m, lang=options.lang)  # against targets or the group's best quarter
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
