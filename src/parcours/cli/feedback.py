"""``parcours feedback``: survey answers and verbatims measured on the map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from parcours.cli import reading as R
from parcours.cli.labels import words
from parcours.cli.output import info, keep_numbers_whole, out, progress, quarantine_kept, user_errors

if TYPE_CHECKING:  # the model is imported when a command runs: `parcours --help` stays fast
    from parcours.model import JourneyMap


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
    min_responses: Annotated[int | None, typer.Option(help="Groups with fewer responses are flagged 'small' (shown, not hidden). Default: the map's analysis.min_responses, else 30.")] = None,
    timezone: Annotated[str | None, typer.Option(help="Time zone of times written without offset, e.g. Europe/Paris. Default: the map's source.timezone, else UTC.")] = None,
    date_format: R.DateFormat = None,
    questions: R.Questions = None,
    sheet: R.Sheet = None,
    max_bad_rows: Annotated[str | None, typer.Option(help="Fail when more rows than this are quarantined: a count (100) or a share (1%). Default: the map's analysis.max_bad_rows, else 1%.")] = None,
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter (default: detected).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv, tsv, parquet, jsonl or xlsx (default: from the file name).")] = None,
    text_model: Annotated[str | None, typer.Option(help="Text sentiment model: adapt (default: learn from the comments that have a score, where that reads them better than the shipped model), shipped, or the text_models folder an earlier run wrote (R/text_models), to score these comments with it.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of names and explanations: fr or en. Default: the map's analysis.lang, else its language.")] = None,
    engine: Annotated[str | None, typer.Option(help="Ibis backend URL (default: in-memory DuckDB), e.g. duckdb://events.ddb.")] = None,
) -> None:
    """Measure NPS, CSAT and CES overall, per stage and per touchpoint; write them to --out."""
    from parcours.model.specs import FeedbackSpec, report_lang
    from parcours.project import Project

    with user_errors():
        spec = FeedbackSpec.of(columns=columns, metric=metric, scale=scale, window=window,
                               by_segment=by_segment, by_period=by_period, min_responses=min_responses,
                               timezone=timezone, date_format=date_format, questions=questions, sheet=sheet, max_bad_rows=max_bad_rows, delimiter=delimiter, fmt=fmt, lang=lang,
                               engine=engine, text_model=text_model)
        with quarantine_kept(out_dir):
            with progress() as say:
                say("reading feedback")
                project = Project.local(map_path, events)
                result = project.feedback(source, spec)
        written = result.save(out_dir)
    shown = report_lang(lang, project.map)  # the report's rule: --lang, else the map's analysis.lang, else its language
    print_feedback(result.data, project.map, shown)
    info(words(shown)["wrote"].format(n=len(written), out=out_dir, names=", ".join(sorted(written))))


def fmt_figure(r: dict | None, lang: str = "en") -> str:
    """``62,0 % [55,1 ; 68,2], n = 1 234`` / ``62.0% [55.1; 68.2], n=1,234``, ``(small)`` when few answered."""
    from parcours.report import formats as F

    if not r or r["value"] is None:
        return "–"
    unit = F.percent(lang) if r["metric"] == "csat" else ""
    sep = f"{F.NBSP};" if lang == "fr" else ";"  # French decimals have a comma: the bounds are apart by ' ;'
    ci = f" [{F.number(r['ci_low'], lang, 1)}{sep} {F.number(r['ci_high'], lang, 1)}]" if r["ci_low"] is not None else ""
    small = f" ({words(lang)['small']})" if r["small"] else ""
    return f"{F.number(r['value'], lang, 1)}{unit}{ci}, n={F.number(r['responses'], lang)}{small}"


def print_feedback(data: dict, m: JourneyMap | None = None, lang: str = "en") -> None:
    """How the answers were read and placed (stderr), then each metric overall and per stage."""
    from rich.table import Table

    from parcours.report import formats as F

    W = words(lang)
    inp = data["input"]
    from parcours.project import texts  # imported when a command runs: `parcours --help` stays fast

    info(texts.detection(inp, lang) or "")
    for note in inp["notes"]:
        info(W["note"].format(note=texts.read_note(note, lang)))
    info(W["rows_read"].format(read=F.number(inp["read"], lang), accepted=F.number(inp["accepted"], lang),
                               quarantined=F.number(inp["quarantined"], lang), dropped=""))
    a = data["attachment"]
    info(W["placed"].format(given=F.number(a["given"], lang), journey=F.number(a["journey"], lang),
                            unattached=F.number(a["unattached"], lang)))
    t = Table(title=W["feedback"])
    for key in ("metric", "where", "value"):
        t.add_column(W[key])
    for r in data["overall_by_metric"]:
        t.add_row(r["metric"].upper(), W["overall"], fmt_figure(r, lang))
    for r in data["by_stage"]:
        t.add_row(r["metric"].upper(), W["at_stage"].format(name=_stage_name(m, r, lang)), fmt_figure(r, lang))
    out.print(keep_numbers_whole(t))
    print_verbatims(data, m, lang)


def _stage_name(m: JourneyMap | None, r: dict, lang: str) -> str:
    """A stage of the results by its name in ``lang`` on the map, else the name they carry."""
    from parcours.model.journey_map import text_in

    s = next((s for s in m.stages if s.id == r.get("stage")), None) if m is not None else None
    return (text_in(s.name, lang) if s is not None else None) or r.get("name") or str(r.get("stage"))


def print_verbatims(data: dict, m: JourneyMap | None = None, lang: str = "en") -> None:
    """The comments' languages and sentiment (stderr), then the themes with where they are said."""
    from rich.table import Table

    from parcours.report import formats as F
    from parcours.report.explain import touchpoint_name

    W = words(lang)
    v = data.get("verbatims") or {}
    if not v.get("comments"):
        return
    langs = ", ".join(f"{k} {F.number(n, lang)}" for k, n in v["languages"].items())
    s = v["sentiment"]
    info(W["comments_line"].format(comments=F.number(v["comments"], lang), langs=langs,
                                   positive=F.number(s["positive"], lang), neutral=F.number(s["neutral"], lang),
                                   negative=F.number(s["negative"], lang),
                                   contradictions=F.number(v["contradictions"], lang)))
    print_text_model(data.get("text_model"), lang)
    u = v.get("unlabelled") or {}
    langs = u.get("no_text_model") or {}
    reasons = [W["unlabelled_no_comment"].format(n=F.number(u["no_comment"], lang))] if u.get("no_comment") else []
    if u.get("no_language"):
        reasons.append(W["unlabelled_no_language"].format(n=F.number(u["no_language"], lang)))
    if langs:
        reasons.append(W["unlabelled_no_text_model"].format(
            n=F.number(sum(langs.values()), lang), langs=", ".join(f"{k} {F.number(n, lang)}" for k, n in langs.items())))
    if reasons:
        info(W["unlabelled"].format(reasons="; ".join(reasons) if lang == "en" else " ; ".join(reasons),
                                    labelled=F.number(v.get("labelled"), lang)))
    if v["not_scored"]:
        info(W["not_scored"].format(n=F.number(v["not_scored"], lang)))
    print_aspects(data.get("aspects") or [], lang)
    themes = data.get("themes") or []
    if not themes:
        return
    m = m if m is not None else _empty_map()
    t = Table(title=W["themes"])
    for key in ("kind", "theme", "key_terms", "comments", "of_detractors", "where"):
        t.add_column(W[key], justify="right" if key in ("comments", "of_detractors") else "left")
    for th in themes:
        share = th["share_of_detractor_comments"]
        where = (", ".join(touchpoint_name(m, x["touchpoint"], lang) for x in th["touchpoints"][:3])
                 or ", ".join(_stage_name(m, x, lang) for x in th["stages"][:3]))
        t.add_row(W.get(th["kind"], th["kind"]), th["theme"], ", ".join(th["key_terms"][1:]), F.number(th["size"], lang),
                  F.pct(share, lang), where or "–")
    out.print(keep_numbers_whole(t))


def print_aspects(aspects: list[dict], lang: str = "en") -> None:
    """What the comments speak of: each aspect's comments and how many of them are negative,
    each share with its 95% interval."""
    from rich.table import Table

    from parcours.report import formats as F

    if not aspects:
        return
    W = words(lang)
    sep = ";" if lang == "en" else " ;"

    def share(v: float | None, low: float | None, high: float | None) -> str:
        return "–" if v is None else f"{F.pct(v, lang)} [{F.pct(low, lang)}{sep} {F.pct(high, lang)}]"

    t = Table(title=W["aspects"])
    for key in ("aspect", "comments", "of_comments", "negative_share"):
        t.add_column(W[key], justify="left" if key == "aspect" else "right")
    for a in aspects:
        t.add_row(a["name"], F.number(a["comments"], lang),
                  share(a["share_of_comments"], a["share_ci_low"], a["share_ci_high"]),
                  f"{share(a['negative_share'], a['negative_ci_low'], a['negative_ci_high'])} "
                  f"({F.number(a['labelled'], lang)})")
    out.print(keep_numbers_whole(t))


def print_text_model(tm: dict | None, lang: str = "en") -> None:
    """One line per language: the text model used and how well it reads the run's scored comments."""
    from parcours.report import formats as F

    W = words(lang)

    def acc(figures: dict | None) -> str | None:
        b = (figures or {}).get("balanced_accuracy") or {}
        if b.get("value") is None:
            return None
        return (f"{F.number(b['value'], lang, 2)} [{F.number(b['ci_low'], lang, 2)}{';' if lang == 'en' else ' ;'} "
                f"{F.number(b['ci_high'], lang, 2)}]")

    for rec in (tm or {}).get("languages", []):
        used = W[f"text_used_{rec['used']}"]
        mine = rec["adapted"] if rec["used"] == "adapted" else rec["baseline"]
        value = acc(mine)
        if value is None:
            key = "text_model_unmeasured_one" if rec.get("scored") == 1 else "text_model_unmeasured"
            info(W[key].format(language=rec["language"], used=used, n=F.number(rec.get("scored") or 0, lang)))
            continue
        extra = ""
        if rec["reason"] == "too_few":
            extra = W["text_too_few"].format(n=F.number(rec["scored"], lang), min=F.number(tm["min_scored"], lang),
                                             side=F.number(tm["min_per_side"], lang))
        elif rec["used"] == "adapted" and acc(rec["baseline"]):
            extra = W["text_baseline"].format(value=acc(rec["baseline"]))
        info(W["text_model_line"].format(language=rec["language"], used=used, value=value,
                                         n=F.number(mine["balanced_accuracy"]["n"], lang), baseline=extra))


def _empty_map() -> JourneyMap:
    from parcours.model import JourneyMap

    return JourneyMap()
