"""``parcours analyze``: measure an event log against a journey map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from parcours.cli import reading as R
from parcours.cli.output import fmt_seconds, info, out, progress, quarantine_kept, user_errors


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
    max_bad_rows: R.MaxBadRows = "1%",
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
    feedback_window: Annotated[str | None, typer.Option(help="Attach a response to the journey's last event at most this long before it (default 7d).")] = None,
    analyses: Annotated[str | None, typer.Option(help="Compute only these analyses, comma-separated: transitions, touchpoints, variants, funnel, durations, stage_transitions, conformance, shapes, frictions; summary for the summary alone (default: all; the summary always). funnel, durations, stage_transitions and conformance need a map with stages.")] = None,
    report: Annotated[bool, typer.Option(help="Also write report.html, the journey map with its figures (with a map that has stages).")] = True,
    lang: Annotated[str | None, typer.Option(help="Language of the report and explanations: fr or en. Default: the map's analysis.lang, else its language.")] = None,
    cache: Annotated[bool, typer.Option(help="Reuse the result of an earlier run with the same files, map and options (kept in PARCOURS_CACHE_DIR, default ~/.cache/parcours/results).")] = True,
    threads: Annotated[int | None, typer.Option(help="Threads of the engine (DuckDB; cores of a local Spark). Default: all. Results do not depend on it.")] = None,
    memory_limit: Annotated[str | None, typer.Option(help="Memory the engine may use before spilling to disk, e.g. 4GB (default: sized to the log, 48 bytes an event, 512MB to 3GB).")] = None,
) -> None:
    """Analyse EVENTS (optionally against a journey map) and write the results to --out."""
    from parcours.model.specs import AnalysisSpec
    from parcours.project import Project

    with user_errors():
        spec = AnalysisSpec.of(
            columns=columns, engine=engine, fmt=fmt, delimiter=delimiter, timezone=timezone,
            time_unit=time_unit, max_bad_rows=max_bad_rows, drop_duplicates=drop_duplicates, journey_gap=journey_gap,
            segment=segment, period=period, by=by, top=top, collapse_loops=collapse_loops,
            conversion_window=conversion_window, feedback=feedback,
            feedback_columns=feedback_columns, feedback_metric=metric,
            feedback_scale=scale, feedback_window=feedback_window, analyses=analyses, lang=lang, threads=threads,
            memory_limit=memory_limit)
        with quarantine_kept(out_dir):
            with progress() as say:
                result = Project.local(map_path, events, cache=cache).run(spec, on_progress=say)
        stale = result.stale_tables(out_dir)
        written = result.save(out_dir)
        if report and map_path is not None:
            written.update(write_report(result, map_path, out_dir / "report.html", lang))
    if result.cached_from is not None:
        info(f"Same files, map and options as an earlier run: results from the cache ({result.cached_from}); "
             "--no-cache computes them again")
    print_summary(result.data)
    print_frictions(result.data)
    print_breakdown(result)
    info(f"\nWrote {len(written)} files to [bold]{out_dir}[/] ({', '.join(written_names(written))})")
    if stale:
        info(f"Removed {', '.join(stale)}: tables of an earlier analysis in this folder that this one did not compute")


def written_names(written: dict | set) -> list[str]:
    """analysis.json, then the other documents (report.html), then the tables, as the user reads them.

    >>> written_names({"transitions.csv": 1, "report.html": 1, "analysis.json": 1, "ends.csv": 1})
    ['analysis.json', 'report.html', 'ends.csv', 'transitions.csv']
    """
    names = [str(n) for n in written]
    docs = sorted(n for n in names if not n.endswith(".csv") and n != "analysis.json")
    return [n for n in ["analysis.json"] if n in names] + docs + sorted(n for n in names if n.endswith(".csv"))


def print_frictions(data: dict, n: int = 5) -> None:
    if not data.get("frictions"):
        return
    t = Table(title=f"Frictions: the {min(n, len(data['frictions']))} touchpoints to look at first")
    for col in ("#", "Touchpoint", "Score", "Why"):
        t.add_column(col, justify="right" if col in ("#", "Score") else "left")
    for f in data["frictions"][:n]:
        t.add_row(str(f["rank"]), f["name"] + (" (small)" if f["small"] else ""), f"{f['score']:.2f}", f["explanation"])
    out.print(t)
    opportunities = data.get("opportunities") or []
    if opportunities:
        t = Table(title=f"Opportunities: the {min(n, len(opportunities))} largest gaps, in journeys")
        for col in ("#", "Gap", "Owners"):
            t.add_column(col, justify="right" if col == "#" else "left")
        for o in opportunities[:n]:
            t.add_row(str(o["rank"]), o["explanation"], ", ".join(o["owners"]) or "–")
        out.print(t)


def print_summary(data: dict) -> None:
    s, inp = data["summary"], data["input"]
    info(inp["detection"])
    for note in inp["notes"]:
        info(f"Note: {note}")
    dropped = f", {inp['duplicates_dropped']:,} duplicates dropped" if inp["duplicates_dropped"] else ""
    info(f"Rows read {inp['read']:,} = accepted {inp['accepted']:,} + quarantined {inp['quarantined']:,}{dropped}")
    t = Table(title="Summary", show_header=False)
    t.add_row("Events", f"{s['events']:,}")
    t.add_row("Journeys", f"{s['journeys']:,}")
    t.add_row("Customers", f"{s['customers']:,}")
    t.add_row("Period", f"{s['period']['start']} → {s['period']['end']}")
    jd = s["journey_duration_seconds"]
    t.add_row("Journey duration", f"median {fmt_seconds(jd['median'])}, p90 {fmt_seconds(jd['p90'])}")
    if data.get("variants"):
        t.add_row("Variants", f"{data['variants']['count']:,}")
    if data.get("unmapped"):
        t.add_row("Unmapped events", f"{sum(r['events'] for r in data['unmapped']):,} "
                                      f"({len(data['unmapped'])} event names on no touchpoint)")
    out.print(t)
    if data.get("stages"):
        f = Table(title="Stage funnel (in order)")
        for col in ("Stage", "Reached", "Any order", "Converted", "Conversion"):
            f.add_column(col, justify="right" if col != "Stage" else "left")
        for r in data["stages"]:
            rate = f"{r['conversion_rate']:.0%}" if r["conversion_rate"] is not None else "–"
            f.add_row(r["name"] or r["stage"], f"{r['reached']:,}", f"{r['journeys']:,}",
                      f"{r['converted']:,}" if r["converted"] is not None else "–", rate)
        out.print(f)


_SIDE = [("journeys", "Journeys", "{:,}"), ("conversion_rate", "Conversion", "{:.0%}"),
         ("journey_duration_median_seconds", "Median duration", None), ("linear_share", "Linear journeys", "{:.0%}"),
         ("multichannel_share", "Multichannel journeys", "{:.0%}"), ("nps", "NPS", "{:+.0f}"), ("csat", "CSAT", "{:.0f} %"),
         ("ces", "CES", "{:.2f}"), ("negative_share", "Negative comments", "{:.0%}"), ("top_irritant", "Top irritant", "{}"),
         ("top_friction", "Top friction", "{}")]


def print_breakdown(result) -> None:  # noqa: ANN001 - an AnalysisResult
    """The groups of ``--by`` side by side: one column per group (one row each when many)."""
    if "breakdown_summary" not in result.tables:
        return
    rows = result.tables["breakdown_summary"].to_pylist()
    by = result.data["breakdown"]["by"]
    shown = [(k, label, f) for k, label, f in _SIDE if any(r.get(k) is not None for r in rows)]

    def cell(r: dict, k: str, f: str | None) -> str:
        v = r.get(k)
        if v is None:
            return "–"
        text = fmt_seconds(v) if f is None else f.format(v)
        return text + (" (small)" if r.get(f"{k}_small") else "")

    t = Table(title=f"Side by side, by {by} (breakdown_summary.csv)")
    if len(rows) <= 5:
        t.add_column("")
        for r in rows:
            t.add_column(str(r["group"]), justify="right")
        for k, label, f in shown:
            t.add_row(label, *[cell(r, k, f) for r in rows])
    else:
        t.add_column(by)
        for _, label, _f in shown:
            t.add_column(label, justify="right")
        for r in rows:
            t.add_row(str(r["group"]), *[cell(r, k, f) for k, _label, f in shown])
    out.print(t)


def write_report(result, journey_map, path: Path, lang: str | None) -> dict[str, Path]:  # noqa: ANN001
    """Write the HTML report when the map has stages; {} otherwise."""
    from parcours.model import JourneyMap, load_map
    from parcours.report import save_report

    m = journey_map if isinstance(journey_map, JourneyMap) else load_map(journey_map)
    if not m.stages:
        return {}
    return {"report.html": save_report(result.data, m, path, lang=lang)}
