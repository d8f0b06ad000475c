"""``parcours report``: the journey map as a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.output import info, progress, user_errors


def report_command(
    map_path: Annotated[Path, typer.Option("--map", "-m", help="Journey map YAML (its stages are the report's columns).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write, e.g. report.html.")],
    events: Annotated[str | None, typer.Argument(help="Event file or folder to analyse (default: the map's source.path), "
                                                      "unless --results is given.")] = None,
    results: Annotated[Path | None, typer.Option(help="A folder written by parcours analyze: report its analysis.json "
                                                      "instead of analysing again.")] = None,
    compare: Annotated[Path | None, typer.Option(help="A compare.json (or its folder) from parcours compare: "
                                                      "shown as the before/after table.")] = None,
    feedback: Annotated[Path | None, typer.Option(help="Survey answers to measure too (as for parcours analyze).")] = None,
    by: Annotated[str | None, typer.Option(help="Groups for the segment selector: segment, channel, a behaviour or a column.")] = None,
    journey_gap: Annotated[str | None, typer.Option(help="Split a customer's events into journeys after this inactivity.")] = None,
    lang: Annotated[str | None, typer.Option(help="fr or en. Default: the map's analysis.lang, else its language.")] = None,
) -> None:
    """Write the journey map with its measured figures as one HTML file that opens offline."""
    from parcours.cli.results import measured
    from parcours.report import save_report

    with user_errors():
        with progress() as say:
            m, data, _, before_after = measured(map_path, events=events, results=results, feedback=feedback, by=by,
                                                journey_gap=journey_gap, lang=lang, compare=compare, say=say)
        written = save_report(data, m, out, lang=lang, compare=before_after)
    info(f"Wrote [bold]{written}[/] ({written.stat().st_size / 1e6:.1f} MB, works offline): open it in a browser")
