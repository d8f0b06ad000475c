"""``parcours demo``: a realistic French retailer, its map, and the analysis, in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.analyze import print_breakdown, print_frictions, print_summary, write_report
from parcours.cli.output import info, progress, user_errors


def demo_command(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo data and results.")] = Path("parcours-demo"),
    customers: Annotated[int, typer.Option(help="Number of customers to generate.", min=1)] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 7,
) -> None:
    """Generate the demo (Maison Lumière, a French multi-channel retailer), analyse it, show where the outputs are."""
    from parcours.demo import write_demo
    from parcours.project import analyze

    with user_errors():
        with progress() as say:
            say("generating the demo data")
            files = write_demo(out_dir, customers=customers, seed=seed)
            result = analyze(files.events_path, files.map_path, by="segment", feedback=files.feedback_path,
                             on_progress=say)
        written = result.save(out_dir / "results")
        written.update(write_report(result, files.map_path, out_dir / "results" / "report.html", None))
    print_summary(result.data)
    print_frictions(result.data)
    print_breakdown(result)
    info(f"\nDemo map:     {files.map_path}\nDemo events:  {files.events_path} ({files.events:,} events, "
         f"{files.customers:,} customers)\nDemo surveys: {files.feedback_path} ({files.answers:,} answers)\nResults:      {out_dir / 'results'} ({len(written)} files; open report.html)")
    info(f"Next: edit the map and run [bold]parcours analyze {files.events_path} --map {files.map_path} "
         f"--feedback {files.feedback_path} --out {out_dir / 'results'}[/]\n"
         f"      or export it: [bold]parcours export --map {files.map_path} --results {out_dir / 'results'} "
         f"--out {out_dir / 'exports'}[/] (PDF, images, Parquet, Mermaid)")
