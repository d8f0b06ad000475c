"""``parcours compare``: before/after — two periods, two segments, or two versions of the map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from parcours.cli import reading as R
from parcours.cli.output import info, out, user_errors

if TYPE_CHECKING:  # the model is imported when the command runs: `parcours --help` stays fast
    from parcours.model import JourneyMap


def compare_command(
    events: Annotated[str, typer.Argument(help="Event file or folder (as for parcours analyze).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for compare.json and compare.csv.")],
    map_path: Annotated[Path | None, typer.Option("--map", "-m", help="Journey map YAML (the 'after' map with --map-before).")] = None,
    before: Annotated[str | None, typer.Option(help="First period: journeys starting in START..END, e.g. 2026-01-01..2026-03-31.")] = None,
    after: Annotated[str | None, typer.Option(help="Second period, e.g. 2026-04-01..2026-06-30.")] = None,
    segments: Annotated[str | None, typer.Option(help="Two segments of the map to compare, e.g. new_customers,gold_members.")] = None,
    map_before: Annotated[Path | None, typer.Option(help="An earlier version of the map: compare it with --map on the same events.")] = None,
    feedback: Annotated[Path | None, typer.Option(help="Survey answers: compare NPS/CSAT/CES too.")] = None,
    feedback_columns: R.FeedbackColumns = None,
    metric: Annotated[str | None, typer.Option(help="Metric of the feedback scores when the file has no metric column: nps, csat or ces.")] = None,
    scale: Annotated[str | None, typer.Option(help="Another answer scale for --metric csat or ces, e.g. 0-5.")] = None,
    feedback_date_format: R.FeedbackDateFormat = None,
    feedback_questions: R.FeedbackQuestions = None,
    columns: R.Columns = None,
    fmt: R.Format = None,
    delimiter: R.Delimiter = None,
    timezone: R.Timezone = None,
    time_unit: R.TimeUnit = None,
    date_format: R.DateFormat = None,
    milestones: R.Milestones = None,
    sheet: R.Sheet = None,
    stitch: R.Stitch = None,
    max_bad_rows: R.MaxBadRows = None,
    drop_duplicates: R.DropDuplicates = False,
    journey_gap: R.JourneyGap = None,
    lang: Annotated[str | None, typer.Option(help="Language of names and explanations: fr or en. Default: the map's analysis.lang, else its language.")] = None,
    engine: Annotated[str | None, typer.Option(help="Ibis backend URL (default: in-memory DuckDB), e.g. duckdb://events.ddb.")] = None,
) -> None:
    """Compare each stage's and touchpoint's indicators between two periods, segments or map versions."""
    from parcours.model.specs import CompareSpec
    from parcours.project import Project

    with user_errors():
        spec = CompareSpec.of(before=before, after=after, segments=segments, map_before=map_before, feedback=feedback,
                              feedback_columns=feedback_columns, feedback_metric=metric, feedback_scale=scale, feedback_date_format=feedback_date_format, feedback_questions=feedback_questions,
                              columns=columns, fmt=fmt, delimiter=delimiter, timezone=timezone, time_unit=time_unit, date_format=date_format, milestones=milestones, sheet=sheet, stitch=stitch,
                              max_bad_rows=max_bad_rows, drop_duplicates=drop_duplicates, journey_gap=journey_gap,
                              lang=lang, engine=engine)
        project = Project.local(map_path, events)
        result = project.compare(spec)
        written = result.save(out_dir)
    _print(result.data, out_dir, written, project.map)


def _print(d: dict, out_dir: Path, written: dict, m: JourneyMap | None = None) -> None:
    """What was compared, how many tests and how judged, then the significant changes in the
    comparison's language: shares in %, durations in days/hours, each with the journeys or
    answers it counts (n); stages, touchpoints and segments by their names on the map ``m``."""
    from rich.markup import escape
    from rich.table import Table

    from parcours.report import before_after as BA
    from parcours.report import formats as F
    from parcours.report.labels import labels

    lang = d.get("lang") or "en"
    L, W = labels(lang), BA.words(lang)
    names = BA.item_names(m, lang)
    info(escape(BA.compared_sentence(d, lang, L, m)))
    info(BA.tests_sentence(d, lang))
    rows = [r for r in BA.ordered(d["rows"]) if r["significant"]]
    if rows:
        # two segments are not "before" and "after": their columns carry their names
        a, b = BA.sides(d, lang, m) if d.get("compare", {}).get("kind") == "segments" else (L["before"], L["after"])
        t = Table(title=W["table"])
        t.add_column(L["where"])
        t.add_column(L["indicator"])
        for col in (a, b, L["change"], "n", "p", W["p_adjusted"]):
            t.add_column(escape(col), justify="right", no_wrap=True)  # "1 234", "3,5 j": one line each
        t.add_column(W["test"])
        for r in rows:
            ind = r["indicator"]
            t.add_row(escape(BA.where(r, names, L)), L.get(f"ind_{ind}", ind), BA.value(ind, r["before"], lang),
                      BA.value(ind, r["after"], lang), BA.value(ind, r["change"], lang, change=True),
                      f"{F.number(r.get('n_before'), lang)} / {F.number(r.get('n_after'), lang)}",
                      BA.p_text(r["p_value"], lang), BA.p_text(r.get("p_adjusted"), lang), BA.test_name(r["test"], lang))
        out.print(t)
    else:
        out.print(W["none"])
    info("\n" + W["wrote"].format(files=", ".join(sorted(written)), out=f"[bold]{escape(str(out_dir))}[/]",
                                  r=BA.counted(len(d["rows"]), "row", lang),
                                  s=BA.counted(sum(r["significant"] for r in d["rows"]), "significant", lang)))
