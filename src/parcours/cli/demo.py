"""``parcours demo``: a realistic French retailer, its map, and the analysis, in one command.

It prints in one language, the one ``--lang`` asks for, else the demo map's (French; the map
is written in both): the analysis summary as ``parcours analyze`` prints it, then where the
files are and the commands to run next, written to run as printed in this shell
(:mod:`parcours.cli.invocation`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from parcours.cli.analyze import print_results, write_report
from parcours.cli.invocation import command_line
from parcours.cli.output import info, progress, user_errors

# The demo's closing lines; the summary above them uses parcours.cli.labels.
WORDS = {
    "en": {
        "files": "\nDemo map:     {map}\nDemo events:  {events} ({n_events}, {n_customers})\n"
                 "Demo surveys: {feedback} ({n_answers})\nResults:      {results} ({n_files}; open report.html)",
        "event": ("event", "events"), "customer": ("customer", "customers"), "answer": ("answer", "answers"),
        "file": ("file", "files"),
        "next": "Next: edit the map and measure it again:\n  [bold]{analyse}[/]\n"
                "  or export the map as PDF, images, tables and a Mermaid diagram:\n  [bold]{export}[/]",
    },
    "fr": {
        "files": "\nCarte de démo\u202f:         {map}\nÉvénements de démo\u202f:    {events} ({n_events}, {n_customers})\n"
                 "Enquêtes de démo\u202f:      {feedback} ({n_answers})\n"
                 "Résultats\u202f:             {results} ({n_files}\u202f; ouvrir report.html)",
        "event": ("événement", "événements"), "customer": ("client", "clients"), "answer": ("réponse", "réponses"),
        "file": ("fichier", "fichiers"),
        "next": "Ensuite\u202f: modifier la carte et la mesurer à nouveau\u202f:\n  [bold]{analyse}[/]\n"
                "  ou exporter la carte en PDF, images, tableaux et diagramme Mermaid\u202f:\n  [bold]{export}[/]",
    },
}


def demo_command(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo data and results.")] = Path("parcours-demo"),
    customers: Annotated[int, typer.Option(help="Number of customers to generate.", min=1)] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 7,
    lang: Annotated[str | None, typer.Option(help="Language of the summary, the report and explanations: fr or en. Default: the demo map's (fr).")] = None,
) -> None:
    """Generate the demo (Maison Lumière, a French multi-channel retailer), analyse it, show where the outputs are."""
    from parcours.demo import write_demo
    from parcours.model import load_map
    from parcours.model.specs import report_lang
    from parcours.project import analyze
    from parcours.report import formats as F

    with user_errors():
        with progress() as say:
            say("generating the demo data")
            files = write_demo(out_dir, customers=customers, seed=seed)
            m = load_map(files.map_path)
            asked = {"lang": lang} if lang else {}  # none asked: the map's, as parcours analyze would
            result = analyze(files.events_path, files.map_path, by="segment", feedback=files.feedback_path, on_progress=say,
                             **asked)
        written = result.save(out_dir / "results")
        written.update(write_report(result, m, out_dir / "results" / "report.html", lang))
    shown = report_lang(lang, m)
    W = WORDS.get(shown, WORDS["en"])
    print_results(result, m, shown)
    results = out_dir / "results"

    def n(k: int, noun: str) -> str:
        return F.count(k, shown, *W[noun])

    info(W["files"].format(map=escape(str(files.map_path)), events=escape(str(files.events_path)),
                           n_events=n(files.events, "event"), n_customers=n(files.customers, "customer"),
                           feedback=escape(str(files.feedback_path)), n_answers=n(files.answers, "answer"),
                           results=escape(str(results)), n_files=n(len(written), "file")))
    # Printed to be copied: they run as printed (the parcours of this shell, paths quoted), one per
    # line, and say the same as this run did (--by segment; --lang when one was asked).
    again = ("--lang", lang) if lang else ()
    analyse = command_line("analyze", files.events_path, "--map", files.map_path, "--feedback", files.feedback_path,
                           "--by", "segment", "--out", results, *again)
    export = command_line("export", "--map", files.map_path, "--results", results, "--out", out_dir / "exports", *again)
    info(W["next"].format(analyse=escape(analyse), export=escape(export)))
