"""``parcours export``: the journey map as PDF, PNG, SVG, Mermaid and its tables as CSV/Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.output import info, out, progress, user_errors


def export_command(
    map_path: Annotated[Path, typer.Option("--map", "-m", help="Journey map YAML (its stages are the map's columns).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the exports (report.html, map.pdf, charts/, tables/...).")],
    events: Annotated[str | None, typer.Argument(help="Event file or folder to analyse (default: the map's source.path), "
                                                      "unless --results is given.")] = None,
    results: Annotated[Path | None, typer.Option(help="A folder written by parcours analyze: export its analysis.json and "
                                                      "CSV tables instead of analysing again.")] = None,
    only: Annotated[str, typer.Option(help="Comma-separated: html, pdf, png, svg, csv, parquet, mermaid.")] =
        "html,pdf,png,svg,csv,parquet,mermaid",
    paper: Annotated[str, typer.Option(help="PDF paper, landscape: a3 or a4 (the map is scaled to the paper's width).")] = "a3",
    compare: Annotated[Path | None, typer.Option(help="A compare.json (or its folder) from parcours compare: the report's "
                                                      "before/after table, exported as tables/compare.csv too.")] = None,
    feedback: Annotated[Path | None, typer.Option(help="Survey answers to measure too (as for parcours analyze).")] = None,
    by: Annotated[str | None, typer.Option(help="Groups for the report's segment selector (as for parcours report).")] = None,
    journey_gap: Annotated[str | None, typer.Option(help="Split a customer's events into journeys after this inactivity.")] = None,
    lang: Annotated[str | None, typer.Option(help="fr or en. Default: the map's analysis.lang, else its language.")] = None,
) -> None:
    """Export the measured journey map: print-ready PDF, PNG/SVG of the map grid and each chart,
    every table as CSV and Parquet, a Mermaid journey diagram, and report.html linking to them."""
    from parcours.cli.results import measured
    from parcours.report.export import export_all

    with user_errors():
        with progress() as say:
            m, data, tables, before_after = measured(map_path, events=events, results=results, feedback=feedback, by=by,
                                                     journey_gap=journey_gap, lang=lang, compare=compare, tables=True,
                                                     say=say)
            written = export_all(data, m, out_dir, tables=tables, lang=lang, paper=paper, compare=before_after,
                                 formats=[f.strip() for f in only.split(",") if f.strip()], on_progress=say)
    folders: dict[str, list[Path]] = {}
    for name, path in written.items():
        folder = name.split("/", 1)[0] + "/" if "/" in name else name
        folders.setdefault(folder, []).append(path)
    for name, paths in folders.items():  # one line per file, or per folder of charts or tables
        kinds = sorted({p.suffix[1:].upper() for p in paths})
        what = f"{len(paths)} files ({', '.join(kinds)})" if name.endswith("/") else ""
        out.print(f"  {name:<16} {what:<28} {sum(p.stat().st_size for p in paths) / 1e3:>9,.0f} kB", highlight=False)
    info(f"Wrote {len(written)} files to [bold]{out_dir}[/]" +
         (" (open report.html: it links to the others)" if "report.html" in written else ""))

