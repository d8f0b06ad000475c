"""``parcours demo``: a realistic French retailer, its map, and the analysis, in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from parcours.cli.analyze import print_breakdown, print_frictions, print_summary, write_report
from parcours.cli.invocation import command_line
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
    results = out_dir / "results"
    info(f"\nDemo map:     {escape(str(files.map_path))}\nDemo events:  {escape(str(files.events_path))} ({files.events:,} "
         f"events, {files.customers:,} customers)\nDemo surveys: {escape(str(files.feedback_path))} ({files.answers:,} "
         f"answers)\nResults:      {escape(str(results))} ({len(written)} files; open report.html)")
    # Printed to be copied: they run as printed (the parcours of this shell, paths quoted), one per line.
    analyse = command_line("analyze", files.events_path, "--map", files.map_path, "--feedback", files.feedback_path,
                           "--by", "segment", "--out", results)
    export = command_line("export", "--map", files.map_path, "--results", results, "--out", out_dir / "exports")
    info(f"Next: edit the map and measure it again:\n  [bold]{escape(analyse)}[/]\n"
         f"  or export the map as PDF, images, tables and a Mermaid diagram:\n  [bold]{escape(export)}[/]")
