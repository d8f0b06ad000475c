"""``parcours compare``: before/after — two periods, two segments, or two versions of the map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.output import info, out, user_errors


def compare_command(
    events: Annotated[str, typer.Argument(help="Event file or folder (as for parcours analyze).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for compare.json and compare.csv.")],
    map_path: Annotated[Path | None, typer.Option("--map", "-m", help="Journey map YAML (the 'after' map with --map-before).")] = None,
    before: Annotated[str | None, typer.Option(help="First period: journeys starting in START..END, e.g. 2026-01-01..2026-03-31.")] = None,
    after: Annotated[str | None, typer.Option(help="Second period, e.g. 2026-04-01..2026-06-30.")] = None,
    segments: Annotated[str | None, typer.Option(help="Two segments of the map to compare, e.g. new_customers,gold_members.")] = None,
    map_before: Annotated[Path | None, typer.Option(help="An earlier version of the map: compare it with --map on the same events.")] = None,
    feedback: Annotated[Path | None, typer.Option(help="Survey answers: compare NPS/CSAT/CES too.")] = None,
    metric: Annotated[str | None, typer.Option(help="Metric of the feedback scores: nps, csat or ces.")] = None,
    columns: Annotated[str | None, typer.Option(help="Column roles of the events (detected when absent).")] = None,
) -> None:
    """Compare each stage's and touchpoint's indicators between two periods, segments or map versions."""
    from rich.table import Table

    from parcours.errors import OptionError
    from parcours.model.specs import parse_roles as parse_columns
    from parcours.project.compare import compare

    with user_errors():
        pair = None
        if segments is not None:
            pair = tuple(s.strip() for s in segments.split(","))
            if len(pair) != 2 or not all(pair):
                raise OptionError(f"--segments {segments!r}: give two segment ids separated by a comma")
        result = compare(events, map_path, before=before, after=after, segments=pair, map_before=map_before,
                         feedback=feedback, metric=metric, columns=parse_columns(columns))
        written = result.save(out_dir)
    d = result.data
    info(f"Compared {d['compare']['kind']}: {d['compare']['before']} ({d['journeys']['before']:,} journeys) vs "
         f"{d['compare']['after']} ({d['journeys']['after']:,} journeys); significant when p < {d['alpha']}")
    t = Table(title="Significant changes")
    for col in ("Where", "Indicator", "Before", "After", "Change", "p", "Test"):
        t.add_column(col)

    def f(v: object) -> str:
        return "–" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))

    for r in d["rows"]:
        if r["significant"]:
            t.add_row(f"{r['level']} {r['name'] or r['item']}", r["indicator"], f(r["before"]), f(r["after"]),
                      f(r["change"]), f"{r['p_value']:.3g}", r["test"])
    out.print(t)
    info(f"\nWrote {', '.join(sorted(written))} to [bold]{out_dir}[/] ({len(d['rows'])} rows, "
         f"{sum(r['significant'] for r in d['rows'])} significant)")
