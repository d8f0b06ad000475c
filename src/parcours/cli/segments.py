"""``parcours segments``: customers' segments period after period, and how they moved."""

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


def segments_command(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for segments.json and the CSV tables.")],
    events: Annotated[str | None, typer.Argument(help="Event file or folder (as for parcours analyze). "
                                                      "Default: the map's source.path.")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", "-m", help="Journey map YAML.")] = None,
    by: Annotated[str, typer.Option(help="What a segment is: buyer, channel_mix, value_tier, segment (the map's, "
                                         "first in map order) or a column (its value on the period's first event).")] = "buyer",
    every: Annotated[str, typer.Option(help="Period: week, month, quarter or year.")] = "month",
    period: Annotated[str | None, typer.Option(help="Only events in START..END (dates, end included).")] = None,
    columns: R.Columns = None,
    fmt: R.Format = None,
    delimiter: R.Delimiter = None,
    timezone: R.Timezone = None,
    time_unit: R.TimeUnit = None,
    date_format: R.DateFormat = None,
    milestones: R.Milestones = None,
    sheet: R.Sheet = None,
    stitch: R.Stitch = None,
    drop_duplicates: R.DropDuplicates = False,
    engine: Annotated[str | None, typer.Option(help="Ibis backend URL (default: in-memory DuckDB), e.g. duckdb://events.ddb.")] = None,
    journey_gap: R.JourneyGap = None,
    max_bad_rows: R.MaxBadRows = None,
) -> None:
    """Place each customer in a segment in every period, and show how customers moved between segments."""
    from parcours.model.specs import SegmentsSpec, report_lang
    from parcours.project import Project

    with user_errors():
        spec = SegmentsSpec.of(by=by, every=every, period=period, columns=columns, fmt=fmt, delimiter=delimiter,
                               timezone=timezone, time_unit=time_unit, date_format=date_format, milestones=milestones, sheet=sheet, stitch=stitch, drop_duplicates=drop_duplicates, engine=engine,
                               journey_gap=journey_gap, max_bad_rows=max_bad_rows)
        with quarantine_kept(out_dir):
            with progress() as say:
                project = Project.local(map_path, events)
                result = project.segments(spec, on_progress=say)
        written = result.save(out_dir)
    shown = report_lang(None, project.map)  # the map's analysis.lang, else its language (SegmentsSpec has no lang)
    print_segments(result.data, shown, project.map)
    info(words(shown)["wrote_named"].format(names=", ".join(sorted(written)), out=out_dir))


def print_segments(data: dict, lang: str = "en", m: JourneyMap | None = None) -> None:
    """Active customers per segment and period, then the moves between segments, in ``lang``;
    the map's segments by their names (``by segment``)."""
    from parcours.model.journey_map import text_in
    from parcours.report import formats as F

    W = words(lang)
    n = lambda v: F.number(v, lang)  # noqa: E731

    def name(label: str) -> str:
        if label.startswith("(") and label.endswith(")"):  # (new), (none), (inactive)
            return W.get(f"label_{label[1:-1]}", label)
        seg = m.segment(label) if m is not None and data["segments"]["by"] == "segment" else None
        return (text_in(seg.name, lang) if seg is not None and seg.name else None) or label

    s, inp = data["segments"], data["input"]
    info(W["rows_read"].format(read=n(inp["read"]), accepted=n(inp["accepted"]), quarantined=n(inp["quarantined"]),
                               dropped=""))
    t = Table(title=W["active_per_segment"].format(by=W.get(f"by_{s['by']}", s["by"]), every=W.get(s["every"], s["every"])))
    if len(s["labels"]) <= 6:
        t.add_column(W["period"])
        for k in s["labels"]:
            t.add_column(name(k), justify="right")
        t.add_column(W["active"], justify="right")
        t.add_column(W["new"], justify="right")
        for p in s["periods"]:
            t.add_row(p["period"], *[n(p["counts"][k]) for k in s["labels"]], n(p["customers"]), n(p["new"]))
    else:  # many segments: one row each, periods across
        t.add_column(W["segment"])
        for p in s["periods"]:
            t.add_column(p["period"], justify="right")
        for k in s["labels"]:
            t.add_row(name(k), *[n(p["counts"][k]) for p in s["periods"]])
        t.add_row(W["active"], *[n(p["customers"]) for p in s["periods"]])
        t.add_row(W["new"], *[n(p["new"]) for p in s["periods"]])
    out.print(keep_numbers_whole(t))
    totals = s["movements_total"]
    if not totals:
        return
    labels = s["labels"]
    pairs = n(len(s["periods"]) - 1)
    if len(labels) <= 6:
        froms = list(dict.fromkeys(r["from"] for r in totals))
        tos = list(dict.fromkeys(r["to"] for r in sorted(totals, key=lambda r: _order(labels, r["to"]))))
        cell = {(r["from"], r["to"]): r["customers"] for r in totals}
        moves = Table(title=W["moves"].format(pairs=pairs))
        moves.add_column(W["from_to"])
        for k in tos:
            moves.add_column(name(k), justify="right")
        for f in froms:
            moves.add_row(name(f), *[n(cell.get((f, k), 0)) for k in tos])
    else:  # too many segments for a readable matrix here: the largest moves between segments
        largest = sorted((r for r in totals if r["from"] != r["to"] and "(" not in r["from"] + r["to"]),
                         key=lambda r: -r["customers"])[:15]
        moves = Table(title=W["largest_moves"].format(pairs=pairs))
        for key in ("from", "to", "customers"):
            moves.add_column(W[key], justify="right" if key == "customers" else "left")
        for r in largest:
            moves.add_row(name(r["from"]), name(r["to"]), n(r["customers"]))
    out.print(keep_numbers_whole(moves))
    info(W["stayed"].format(stayed=n(s["stayed"]), moved=n(s["moved"])))


def _order(labels: list[str], label: str) -> int:
    return labels.index(label) if label in labels else len(labels)
