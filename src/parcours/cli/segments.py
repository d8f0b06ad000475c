"""``parcours segments``: customers' segments period after period, and how they moved."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from parcours.cli import reading as R
from parcours.cli.output import info, out, progress, quarantine_kept, user_errors


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
    drop_duplicates: R.DropDuplicates = False,
    engine: Annotated[str | None, typer.Option(help="Ibis backend URL (default: in-memory DuckDB), e.g. duckdb://events.ddb.")] = None,
    journey_gap: R.JourneyGap = None,
    max_bad_rows: R.MaxBadRows = "1%",
) -> None:
    """Place each customer in a segment in every period, and show how customers moved between segments."""
    from parcours.model.specs import SegmentsSpec
    from parcours.project import Project

    with user_errors():
        spec = SegmentsSpec.of(by=by, every=every, period=period, columns=columns, fmt=fmt, delimiter=delimiter,
                               timezone=timezone, time_unit=time_unit, drop_duplicates=drop_duplicates, engine=engine,
                               journey_gap=journey_gap, max_bad_rows=max_bad_rows)
        with quarantine_kept(out_dir):
            with progress() as say:
                result = Project.local(map_path, events).segments(spec, on_progress=say)
        written = result.save(out_dir)
    print_segments(result.data)
    info(f"\nWrote {', '.join(sorted(written))} to [bold]{out_dir}[/]")


def print_segments(data: dict) -> None:
    s, inp = data["segments"], data["input"]
    info(f"Rows read {inp['read']:,} = accepted {inp['accepted']:,} + quarantined {inp['quarantined']:,}")
    t = Table(title=f"Active customers per segment ({s['by']}), every {s['every']}")
    if len(s["labels"]) <= 6:
        t.add_column("Period")
        for k in s["labels"]:
            t.add_column(k, justify="right")
        t.add_column("active", justify="right")
        t.add_column("new", justify="right")
        for p in s["periods"]:
            t.add_row(p["period"], *[f"{p['counts'][k]:,}" for k in s["labels"]], f"{p['customers']:,}", f"{p['new']:,}")
    else:  # many segments: one row each, periods across
        t.add_column("Segment")
        for p in s["periods"]:
            t.add_column(p["period"], justify="right")
        for k in s["labels"]:
            t.add_row(k, *[f"{p['counts'][k]:,}" for p in s["periods"]])
        t.add_row("active", *[f"{p['customers']:,}" for p in s["periods"]])
        t.add_row("new", *[f"{p['new']:,}" for p in s["periods"]])
    out.print(t)
    totals = s["movements_total"]
    if not totals:
        return
    labels = s["labels"]
    if len(labels) <= 6:
        froms = list(dict.fromkeys(r["from"] for r in totals))
        tos = list(dict.fromkeys(r["to"] for r in sorted(totals, key=lambda r: _order(labels, r["to"]))))
        cell = {(r["from"], r["to"]): r["customers"] for r in totals}
        m = Table(title=f"Moves between consecutive periods, all {len(s['periods']) - 1} pairs summed "
                        "(rows: from, columns: to)")
        m.add_column("from \\ to")
        for k in tos:
            m.add_column(k, justify="right")
        for f in froms:
            m.add_row(f, *[f"{cell.get((f, k), 0):,}" for k in tos])
    else:  # too many segments for a readable matrix here: the largest moves between segments
        moves = sorted((r for r in totals if r["from"] != r["to"] and "(" not in r["from"] + r["to"]),
                       key=lambda r: -r["customers"])[:15]
        m = Table(title=f"Largest moves between segments, all {len(s['periods']) - 1} pairs of periods summed "
                        "(the whole matrix: segment_movements.csv)")
        for col in ("From", "To", "Customers"):
            m.add_column(col, justify="right" if col == "Customers" else "left")
        for r in moves:
            m.add_row(r["from"], r["to"], f"{r['customers']:,}")
    out.print(m)
    info(f"Stayed in their segment {s['stayed']:,} times, moved to another {s['moved']:,} times "
         f"(per pair of periods: segment_movements.csv)")


def _order(labels: list[str], label: str) -> int:
    return labels.index(label) if label in labels else len(labels)
