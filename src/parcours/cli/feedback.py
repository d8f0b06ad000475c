"""``parcours feedback``: survey answers and verbatims measured on the map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.output import info, out, progress, quarantine_kept, user_errors


def feedback_command(
    source: Annotated[str, typer.Argument(help="Feedback file: survey export or verbatims (CSV/TSV, Parquet, JSONL; gzip allowed).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for feedback.json and the CSV tables.")],
    map_path: Annotated[Path | None, typer.Option("--map", "-m", help="Journey map YAML (stage and touchpoint names, segments).")] = None,
    events: Annotated[str | None, typer.Option(help="Event file: attach each response to where its customer's journey was at response time.")] = None,
    columns: Annotated[str | None, typer.Option(help="Column roles, e.g. customer=client,time=date,score=note,comment=avis (detected when absent). Roles: customer, time, score, metric, comment, stage, touchpoint, language.")] = None,
    metric: Annotated[str | None, typer.Option(help="Metric of the scores when the file has no metric column: nps (0-10), csat (1-5) or ces (1-7).")] = None,
    scale: Annotated[str | None, typer.Option(help="Another answer scale for --metric csat or ces, e.g. 0-5 or 1-10.")] = None,
    window: Annotated[str | None, typer.Option(help="With --events: attach a response to the journey's last event at most this long before it (default 7d).")] = None,
    by_segment: Annotated[bool, typer.Option(help="Also give each figure per segment of the map.")] = False,
    by_period: Annotated[str | None, typer.Option(help="Also give each figure per period: day, week, month, quarter or year.")] = None,
    min_responses: Annotated[int, typer.Option(help="Groups with fewer responses are flagged 'small' (shown, not hidden).")] = 30,
    timezone: Annotated[str | None, typer.Option(help="Time zone of times written without offset, e.g. Europe/Paris. Default: the map's source.timezone, else UTC.")] = None,
    max_bad_rows: Annotated[str, typer.Option(help="Fail when more rows than this are quarantined: a count (100) or a share (1%).")] = "1%",
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter (default: detected).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv, tsv, parquet or jsonl (default: from the file name).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of names and explanations: fr or en. Default: the map's analysis.lang, else its language.")] = None,
    engine: Annotated[str | None, typer.Option(help="Ibis backend URL (default: in-memory DuckDB), e.g. duckdb://events.ddb.")] = None,
) -> None:
    """Measure NPS, CSAT and CES overall, per stage and per touchpoint; write them to --out."""
    from parcours.model.specs import FeedbackSpec
    from parcours.project import Project

    with user_errors():
        spec = FeedbackSpec.of(columns=columns, metric=metric, scale=scale, window=window,
                               by_segment=by_segment, by_period=by_period, min_responses=min_responses,
                               timezone=timezone, max_bad_rows=max_bad_rows, delimiter=delimiter, fmt=fmt, lang=lang,
                               engine=engine)
        with quarantine_kept(out_dir):
            with progress() as say:
                say("reading feedback")
                result = Project.local(map_path, events).feedback(source, spec)
        written = result.save(out_dir)
    print_feedback(result.data)
    info(f"\nWrote {len(written)} files to [bold]{out_dir}[/] ({', '.join(sorted(written))})")


def fmt_figure(r: dict | None) -> str:
    if not r or r["value"] is None:
        return "–"
    unit = {"nps": "", "csat": "%", "ces": ""}[r["metric"]]
    ci = f" [{r['ci_low']:.1f}; {r['ci_high']:.1f}]" if r["ci_low"] is not None else ""
    small = " (small)" if r["small"] else ""
    return f"{r['value']:.1f}{unit}{ci}, n={r['responses']:,}{small}"


def print_feedback(data: dict) -> None:
    from rich.table import Table

    inp = data["input"]
    info(inp["detection"])
    for note in inp["notes"]:
        info(f"Note: {note}")
    info(f"Rows read {inp['read']:,} = accepted {inp['accepted']:,} + quarantined {inp['quarantined']:,}")
    a = data["attachment"]
    info(f"Responses placed on the map: {a['given']:,} by their own stage/touchpoint, {a['journey']:,} by the "
         f"customer's journey, {a['unattached']:,} not placed")
    t = Table(title="Feedback (95% interval)")
    for col in ("Metric", "Where", "Value"):
        t.add_column(col)
    for r in data["overall_by_metric"]:
        t.add_row(r["metric"].upper(), "overall", fmt_figure(r))
    for r in data["by_stage"]:
        t.add_row(r["metric"].upper(), f"stage {r['name']}", fmt_figure(r))
    out.print(t)
    print_verbatims(data)


def print_verbatims(data: dict) -> None:
    from rich.table import Table

    v = data.get("verbatims") or {}
    if not v.get("comments"):
        return
    langs = ", ".join(f"{k} {n:,}" for k, n in v["languages"].items())
    s = v["sentiment"]
    info(f"Comments: {v['comments']:,} ({langs}); sentiment: {s['positive']:,} positive, {s['neutral']:,} neutral, "
         f"{s['negative']:,} negative; {v['contradictions']:,} flagged 'text contradicts score'")
    if v["not_scored"]:
        info(f"{v['not_scored']:,} comments in a language without a sentiment model (French and English have one): "
             "their sentiment comes from the score beside them, if any")
    themes = data.get("themes") or []
    if not themes:
        return
    t = Table(title="Themes (irritants and delights)")
    for col in ("Kind", "Theme", "Key terms", "Comments", "Of detractors' comments", "Where"):
        t.add_column(col)
    for th in themes:
        share = th["share_of_detractor_comments"]
        where = ", ".join(x["touchpoint"] for x in th["touchpoints"][:3]) or ", ".join(x["stage"] for x in th["stages"][:3])
        t.add_row(th["kind"], th["theme"], ", ".join(th["key_terms"][1:]), f"{th['size']:,}",
                  "–" if share is None else f"{share:.0%}", where or "–")
    out.print(t)
