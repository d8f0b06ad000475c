"""The ``parcours`` command. Heavy libraries are imported inside commands, so ``--help`` is fast."""

from __future__ import annotations

import typer

from parcours import __version__
from parcours.cli.analyze import analyze_command
from parcours.cli.compare import compare_command
from parcours.cli.demo import demo_command
from parcours.cli.export import export_command
from parcours.cli.feedback import feedback_command
from parcours.cli.maps import schema_command, validate_command
from parcours.cli.report import report_command
from parcours.cli.segments import segments_command
from parcours.cli.serve import serve_command
from parcours.cli.admin import app as admin_app
from parcours.cli.user import app as user_app

app = typer.Typer(
    name="parcours",
    help="Customer journey mapping driven by real data: measure a journey map on event logs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("analyze")(analyze_command)
app.command("feedback")(feedback_command)
app.command("compare")(compare_command)
app.command("segments")(segments_command)
app.command("report")(report_command)
app.command("export")(export_command)
app.command("demo")(demo_command)
app.command("serve")(serve_command)
app.add_typer(user_app, name="user")
app.add_typer(admin_app, name="admin")
app.command("validate")(validate_command)
app.command("schema")(schema_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"parcours {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """Customer journey mapping driven by real data."""


def main() -> None:
    app()
