"""``parcours analyze``: measure an event log against a journey map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from parcours.cli import reading as R
from parcours.cli.labels import words
from parcours.cli.output import info, keep_numbers_whole, out, progress, quarantine_kept, user_errors

if TYPE_CHECKING:  # the model is imported when a command runs: `parcours --help` stays fast
    from parcours.model import JourneyMap


def analyze_command(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for analysis.json, the CSV tables and quarantine.csv.")],
    events: Annotated[str | None, typer.Argument(help="Event file or folder (CSV/TSV, Parquet, JSONL, XES; gzip allowed), "
                                                      "or table:NAME for a table of the --engine. Default: the map's source.path.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", "-m", help="Journey map YAML.")] = None,
    columns: R.Columns = None,
    engine: Annotated[str | None, typer.Option(help="Ibis backend URL (default: in-memory DuckDB), e.g. duckdb://events.ddb (relative) or duckdb:///abs/path.ddb; spark (local), spark://HOST:7077 or sc://HOST:15002 with parcours[spark].")] = None,
    fmt: R.Format = None,
    delimiter: R.Delimiter = None,
    timezone: R.Timezone = None,
    time_unit: R.TimeUnit = None,
    date_format: R.DateFormat = None,
    milestones: R.Milestones = None,
    sheet: R.Sheet = None,
    stitch: R.Stitch = None,
    max_bad_rows: Annotated[str | None, typer.Option(help="Fail when more rows than this are quarantined: a count (100) or a share (1%). Default: the map's analysis.max_bad_rows, else 1%.")] = None,
    drop_duplicates: R.DropDuplicates = False,
    journey_gap: R.JourneyGap = None,
    segment: Annotated[str | None, typer.Option(help="Keep only the journeys of this segment of the map.")] = None,
    period: Annotated[str | None, typer.Option(help="Keep journeys starting in START..END (dates, end included), e.g. 2026-01-01..2026-03-31.")] = None,
    by: Annotated[str | None, typer.Option(help="Breakdown: segment, channel, or a column (first event's value).")] = None,
    top: Annotated[int | None, typer.Option(help="Number of variants shown (the rest is 'other'). Default: the map's analysis.top, else 20.")] = None,
    collapse_loops: Annotated[bool | None, typer.Option("--collapse-loops/--no-collapse-loops", help="Collapse repeats in variants: A A B -> A B. Default: the map's analysis.collapse_loops, else off.")] = None,
    conversion_window: Annotated[str | None, typer.Option(help="Ordered funnel: stages must be reached within this time of the first, e.g. 30d. Default: the map's analysis.conversion_window, else no limit.")] = None,
    feedback: Annotated[Path | None, typer.Option(help="Survey answers or verbatims to measure on the map too (see parcours feedback); written under 'feedback' in analysis.json.")] = None,
    feedback_columns: R.FeedbackColumns = None,
    metric: Annotated[str | None, typer.Option(help="Metric of the feedback scores when the file has no metric column: nps, csat or ces.")] = None,
    scale: Annotated[str | None, typer.Option(help="Another answer scale for --metric csat or ces, e.g. 0-5.")] = None,
    feedback_date_format: R.FeedbackDateFormat = None,
    feedback_questions: R.FeedbackQuestions = None,
    feedback_window: Annotated[str | None, typer.Option(help="Attach a response to the journey's last event at most this long before it (default 7d).")] = None,
    min_responses: Annotated[int | None, typer.Option(help="Groups with fewer survey answers are flagged 'small' and never drive a ranking (feedback figures; satisfaction, feedback and themes of frictions and opportunities). Default: the map's analysis.min_responses, else 30.")] = None,
    analyses: Annotated[str | None, typer.Option(help="Compute only these analyses, comma-separated: transitions, touchpoints, variants, funnel, durations, stage_transitions, conformance, shapes, frictions, kpis (the map's KPIs measured: value, target, status); summary for the summary alone (default: all; the summary always). funnel, durations, stage_transitions and conformance need a map with stages.")] = None,
    report: Annotated[bool, typer.Option(help="Also write report.html, the journey map with its figures (with a map that has stages).")] = True,
    lang: Annotated[str | None, typer.Option(help="Language of the report and explanations: fr or en. Default: the map's analysis.lang, else its language.")] = None,
    cache: Annotated[bool, typer.Option(help="Reuse the result of an earlier run with the same files, map and options (kept in PARCOURS_CACHE_DIR, default ~/.cache/parcours/results).")] = True,
    threads: Annotated[int | None, typer.Option(help="Threads of the engine (DuckDB; cores of a local Spark). Default: all. Results do not depend on it.")] = None,
    memory_limit: Annotated[str | None, typer.Option(help="Memory the engine may use before spilling to disk, e.g. 4GB (default: sized to the log, 48 bytes an event, 512MB to 3GB).")] = None,
) -> None:
    """Analyse EVENTS (optionally against a journey map) and write the results to --out."""
    from parcours.model.specs import AnalysisSpec, report_lang
    from parcours.project import Project

    with user_errors():
        spec = AnalysisSpec.of(
            columns=columns, engine=engine, fmt=fmt, delimiter=delimiter, timezone=timezone,
            time_unit=time_unit, date_format=date_format, milestones=milestones, sheet=sheet, stitch=stitch, max_bad_rows=max_bad_rows, drop_duplicates=drop_duplicates, journey_gap=journey_gap,
            segment=segment, period=period, by=by, top=top, collapse_loops=collapse_loops,
            conversion_window=conversion_window, feedback=feedback,
            feedback_columns=feedback_columns, feedback_metric=metric,
            feedback_scale=scale, feedback_date_format=feedback_date_format, feedback_questions=feedback_questions, feedback_window=feedback_window, min_responses=min_responses, analyses=analyses,
            lang=lang, threads=threads, memory_limit=memory_limit)
        project = Project.local(map_path, events, cache=cache)
        with quarantine_kept(out_dir):
            with progress() as say:
                result = project.run(spec, on_progress=say)
        stale = result.stale_tables(out_dir)
        written = result.save(out_dir)
        if report and map_path is not None:
            written.update(write_report(result, project.map, out_dir / "report.html", lang))
    shown = report_lang(lang, project.map)  # the report's rule: --lang, else the map's analysis.lang, else its language
    W = words(shown)
    if result.cached_from is not None:
        info(W["cached"].format(path=result.cached_from))
    print_results(result, project.map, shown)
    info(W["wrote"].format(n=len(written), out=out_dir, names=", ".join(written_names(written))))
    if stale:
        info(W["removed"].format(names=", ".join(stale)))


def written_names(written: dict | set) -> list[str]:
    """analysis.json, then the other documents (report.html), then the tables, as the user reads them.

    >>> written_names({"transitions.csv": 1, "report.html": 1, "analysis.json": 1, "ends.csv": 1})
    ['analysis.json', 'report.html', 'ends.csv', 'transitions.csv']
    """
    names = [str(n) for n in written]
    docs = sorted(n for n in names if not n.endswith(".csv") and n != "analysis.json")
    return [n for n in ["analysis.json"] if n in names] + docs + sorted(n for n in names if n.endswith(".csv"))


def print_results(result, m: JourneyMap | None, lang: str) -> None:  # noqa: ANN001 - an AnalysisResult
    """What ``parcours analyze`` and ``parcours demo`` print: the summary, the stage funnel, the
    frictions and opportunities, and the groups side by side, all in ``lang`` with names from ``m``."""
    print_summary(result.data, m, lang)
    print_frictions(result.data, m, lang)
    print_breakdown(result, m, lang)


def _shown(m: JourneyMap | None, lang: str | None) -> tuple[JourneyMap, str]:
    """The map names come from (an empty one: the names the results carry) and the language:
    the one given, else the map's (:func:`~parcours.model.specs.report_lang`), else English."""
    from parcours.model import JourneyMap
    from parcours.model.specs import report_lang

    return (m or JourneyMap()), (lang or (report_lang(None, m) if m is not None else "en"))


def _stage_name(m: JourneyMap, stage: str, lang: str, fallback: str | None) -> str:
    from parcours.model.journey_map import text_in

    s = next((s for s in m.stages if s.id == stage), None)
    return (text_in(s.name, lang) if s is not None else None) or fallback or stage


def with_n(n: int | None, lang: str, small: bool = False, unit: str | None = None) -> str:
    """The n a figure rests on, flagged when the group is small: ``942``, ``17 answers (small)``,
    ``17 réponses (petit effectif)``; ``unit``: ``journeys`` or ``answers`` (singular for one).

    >>> with_n(1234, "en", unit="journeys"), with_n(1, "en", small=True, unit="answers")
    ('1,234 journeys', '1 answer (small)')
    """
    from parcours.report import formats as F

    W = words(lang)
    text = F.number(n, lang)
    if unit is not None and n is not None:
        text = W[f"n_{unit[:-1]}" if n == 1 else f"n_{unit}"].format(n=text)
    return text + (f" ({W['small']})" if small else "")


def print_frictions(data: dict, m: JourneyMap | None = None, lang: str | None = None, n: int = 5) -> None:
    """The first ``n`` frictions (touchpoint named from the map, its score beside the journeys it
    rests on, why in ``lang``) and opportunities (the gap, the n of the value, its owners); a
    small group (few journeys, few answers) flagged beside its n."""
    from parcours.report import formats as F
    from parcours.report.explain import explain_friction, explain_opportunity, touchpoint_name

    if not data.get("frictions"):
        return
    m, lang = _shown(m, lang)
    W = words(lang)
    t = Table(title=W["frictions"].format(n=min(n, len(data["frictions"]))))
    for key in ("rank", "touchpoint", "score", "n_of_journeys", "why"):
        t.add_column(W[key], justify="right" if key in ("rank", "score", "n_of_journeys") else "left")
    for f in data["frictions"][:n]:
        t.add_row("–" if f.get("rank") is None else str(f["rank"]), touchpoint_name(m, f["touchpoint"], lang, f.get("name")),
                  F.number(f["score"], lang, 2), with_n(f["journeys"], lang, f["small"]), explain_friction(f, m, lang))
    out.print(keep_numbers_whole(t))
    opportunities = data.get("opportunities") or []
    if opportunities:
        t = Table(title=W["opportunities"].format(n=min(n, len(opportunities))))
        for key in ("rank", "gap", "n", "owners"):
            t.add_column(W[key], justify="right" if key in ("rank", "n") else "left")
        for o in opportunities[:n]:
            unit = "answers" if o.get("indicator") == "satisfaction" else "journeys"
            t.add_row("–" if o.get("rank") is None else str(o["rank"]), explain_opportunity(o, m, lang),
                      with_n(o.get("n", o.get("journeys")), lang, bool(o.get("small")), unit),
                      ", ".join(o["owners"]) or "–")
        out.print(keep_numbers_whole(t))


def print_summary(data: dict, m: JourneyMap | None = None, lang: str | None = None) -> None:
    """How the input was read (stderr), then the summary and the stage funnel, in ``lang``."""
    from parcours.report import formats as F

    m, lang = _shown(m, lang)
    W = words(lang)
    s, inp = data["summary"], data["input"]
    from parcours.project import texts  # imported when a command runs: `parcours --help` stays fast

    info(texts.detection(inp, lang) or "")
    for note in inp["notes"]:
        info(W["note"].format(note=texts.read_note(note, lang)))
    dropped = W["duplicates_dropped"].format(n=F.number(inp["duplicates_dropped"], lang)) if inp["duplicates_dropped"] else ""
    info(W["rows_read"].format(read=F.number(inp["read"], lang), accepted=F.number(inp["accepted"], lang),
                               quarantined=F.number(inp["quarantined"], lang), dropped=dropped))
    t = Table(title=W["summary"], show_header=False)
    t.add_row(W["events"], F.number(s["events"], lang))
    t.add_row(W["journeys"], F.number(s["journeys"], lang))
    t.add_row(W["customers"], F.number(s["customers"], lang))
    t.add_row(W["period"], f"{F.date(s['period']['start'], lang)} → {F.date(s['period']['end'], lang)}")
    jd = s["journey_duration_seconds"]
    t.add_row(W["journey_duration"], W["median_p90"].format(median=F.duration(jd["median"], lang),
                                                            p90=F.duration(jd["p90"], lang)))
    if data.get("variants"):
        t.add_row(W["variants"], F.number(data["variants"]["count"], lang))
    if data.get("unmapped"):
        t.add_row(W["unmapped"], W["unmapped_detail"].format(events=F.number(sum(r["events"] for r in data["unmapped"]), lang),
                                                             names=F.number(len(data["unmapped"]), lang)))
    out.print(keep_numbers_whole(t))
    if data.get("stages"):
        f = Table(title=W["funnel"])
        for key in ("stage", "reached", "any_order", "converted", "conversion"):
            f.add_column(W[key], justify="right" if key != "stage" else "left")
        for r in data["stages"]:
            f.add_row(_stage_name(m, r["stage"], lang, r["name"]), F.number(r["reached"], lang),
                      F.number(r["journeys"], lang), F.number(r["converted"], lang), F.pct(r["conversion_rate"], lang))
        out.print(keep_numbers_whole(f))


# The rows of the side-by-side table: key of breakdown_summary, word, how its value is written.
_SIDE = [("journeys", "journeys", "number"), ("conversion_rate", "goal_conversion", "pct"),
         ("journey_duration_median_seconds", "median_duration", "duration"), ("linear_share", "linear", "pct"),
         ("multichannel_share", "multichannel", "pct"), ("nps", "nps", "nps"), ("csat", "csat", "csat"),
         ("ces", "ces", "ces"), ("negative_share", "negative", "pct"), ("top_irritant", "top_irritant", "text"),
         ("top_friction", "top_friction", "touchpoint")]


def print_breakdown(result, m: JourneyMap | None = None, lang: str | None = None) -> None:  # noqa: ANN001 - an AnalysisResult
    """The groups of ``--by`` side by side: one column per group (one row each when many);
    the map's segments and touchpoints by their names in ``lang``."""
    from parcours.model.journey_map import text_in
    from parcours.report import formats as F
    from parcours.report.explain import touchpoint_name

    if "breakdown_summary" not in result.tables:
        return
    m, lang = _shown(m, lang)
    W = words(lang)
    rows = result.tables["breakdown_summary"].to_pylist()
    by = result.data["breakdown"]["by"]
    shown = [(k, W[word], how) for k, word, how in _SIDE if any(r.get(k) is not None for r in rows)]

    def group(r: dict) -> str:
        seg = m.segment(str(r["group"])) if by == "segment" else None
        return (text_in(seg.name, lang) if seg is not None and seg.name else None) or str(r["group"])

    def cell(r: dict, k: str, how: str) -> str:
        v = r.get(k)
        if v is None:
            return "–"
        text = (F.number(v, lang) if how == "number" else F.pct(v, lang) if how == "pct" else
                F.duration(v, lang) if how == "duration" else F.metric(how, v, lang) if how in ("nps", "csat", "ces") else
                touchpoint_name(m, str(v), lang) if how == "touchpoint" else str(v))
        if r.get(f"{k}_responses") is not None:  # a score: the answers it rests on, flagged when few
            return f"{text}, n={with_n(r[f'{k}_responses'], lang, bool(r.get(f'{k}_small')))}"
        return text + (f" ({W['small']})" if r.get(f"{k}_small") else "")

    t = Table(title=W["side_by_side"].format(by=W.get(f"by_{by}", by)))
    if len(rows) <= 5:
        t.add_column("")
        for r in rows:
            t.add_column(group(r), justify="right")
        for k, label, how in shown:
            t.add_row(label, *[cell(r, k, how) for r in rows])
    else:
        t.add_column(W.get(f"by_{by}", by))
        for _, label, _how in shown:
            t.add_column(label, justify="right")
        for r in rows:
            t.add_row(group(r), *[cell(r, k, how) for k, _label, how in shown])
    out.print(keep_numbers_whole(t))


def write_report(result, journey_map, path: Path, lang: str | None) -> dict[str, Path]:  # noqa: ANN001
    """Write the HTML report when the map has stages; {} otherwise."""
    from parcours.model import JourneyMap, load_map
    from parcours.report import save_report

    m = journey_map if isinstance(journey_map, JourneyMap) else load_map(journey_map)
    if not m.stages:
        return {}
    return {"report.html": save_report(result.data, m, path, lang=lang)}
