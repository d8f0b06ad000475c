"""``parcours user``: accounts of the web app, from the command line (the first admin, say)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from parcours.cli.output import info, user_errors

app = typer.Typer(help="Accounts of the web app (parcours serve).", no_args_is_help=True, add_completion=False,
                  rich_markup_mode=None)


@app.command("create")
def create_command(
    email: Annotated[str, typer.Argument(help="The user's email (their login).")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the email).")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Make them an admin of the app.")] = False,
    workspace: Annotated[str | None, typer.Option(help="Add them to this workspace (its slug, created if new).")] = None,
    role: Annotated[str, typer.Option(help="Their role in --workspace: admin, editor or viewer.")] = "editor",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input "
                                                                        "(for scripts) instead of asking for it.")] = False,
    db: Annotated[str | None, typer.Option(help="App database URL (default: SQLite app.db in the app's folder: "
                                                "$PARCOURS_HOME, else the user's data folder).")] = None,
) -> None:
    """Create an account (asks for its password twice, hidden), optionally in a workspace."""
    from sqlalchemy import select

    from parcours.store.db import connect
    from parcours.store.models import Workspace
    from parcours.store.users import create_user
    from parcours.store.workspaces import add_member, create_workspace

    from parcours.errors import OptionError
    from parcours.store.models import ROLES

    with user_errors():
        if role not in ROLES:  # before anything is created
            raise OptionError(f"unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        store = connect(db)
        store.migrate(on_message=info)
        user = create_user(store, email, name or email, password, admin=admin)
        where = ""
        if workspace:
            with store.transaction() as session:
                ws = session.scalar(select(Workspace).where(Workspace.slug == workspace))
            ws = ws or create_workspace(store, workspace, slug=workspace)
            add_member(store, ws.id, user.id, role)
            where = f", {role} of workspace {ws.slug!r}"
    info(f"Created {user.email}{' (admin)' if admin else ''}{where}")
