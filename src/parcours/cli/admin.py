"""``parcours admin``: what an app administrator grants a workspace, from the server's shell:
folders its projects may read files from, and named database connections (the URL is read
from standard input or a prompt, so it stays out of the shell history and is never shown)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from parcours.cli.output import info, user_errors

app = typer.Typer(help="App administration of the web app (parcours serve): granted folders, named connections.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None)
folder_app = typer.Typer(help="Server folders a workspace may read files from.", no_args_is_help=True,
                         add_completion=False, rich_markup_mode=None)
connection_app = typer.Typer(help="Database connections a workspace may read tables from, by name.",
                             no_args_is_help=True, add_completion=False, rich_markup_mode=None)
app.add_typer(folder_app, name="folder")
app.add_typer(connection_app, name="connection")

Db = Annotated[str | None, typer.Option(help="App database URL (default: SQLite app.db in the app's folder: "
                                             "$PARCOURS_HOME, else the user's data folder).")]
Slug = Annotated[str, typer.Argument(help="The workspace's slug (as in its URL), e.g. demo.")]


def _workspace(db: str | None, slug: str):  # noqa: ANN202 - (store, workspace id)
    from sqlalchemy import select

    from parcours.store.db import connect
    from parcours.store.errors import NotFound
    from parcours.store.models import Workspace

    store = connect(db)
    store.migrate(on_message=info)
    with store.transaction() as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
        slugs = ", ".join(session.scalars(select(Workspace.slug).order_by(Workspace.slug)))
    if ws is None:
        raise NotFound(f"no workspace {slug!r}", hint=f"workspaces: {slugs or 'none yet'}")
    return store, ws.id


@folder_app.command("grant")
def grant_command(workspace: Slug, path: Annotated[str, typer.Argument(help="An existing server folder.")],
                  db: Db = None) -> None:
    """Let the workspace's projects read files and DuckDB files under PATH."""
    from parcours.store.grants import grant_folder

    with user_errors():
        store, ws = _workspace(db, workspace)
        folder = grant_folder(store, ws, path)
    info(f"Workspace {workspace!r} may now read files under {folder}")


@folder_app.command("revoke")
def revoke_command(workspace: Slug, path: Annotated[str, typer.Argument(help="A granted folder.")], db: Db = None) -> None:
    """Withdraw a granted folder: sources read from it stop working at their next read."""
    from parcours.store.grants import revoke_folder

    with user_errors():
        store, ws = _workspace(db, workspace)
        revoke_folder(store, ws, path)
    info(f"Workspace {workspace!r} may no longer read files under {path}")


@folder_app.command("list")
def folders_command(workspace: Slug, db: Db = None) -> None:
    """The folders granted to the workspace, one a line."""
    from parcours.store.grants import granted_folders

    with user_errors():
        store, ws = _workspace(db, workspace)
        found = granted_folders(store, ws)
    for p in found:
        typer.echo(str(p))


@connection_app.command("add")
def add_command(workspace: Slug, name: Annotated[str, typer.Argument(help="What members call it, e.g. crm.")],
                url_stdin: Annotated[bool, typer.Option("--url-stdin", help="Read the URL from standard input "
                                                                            "(for scripts) instead of asking.")] = False,
                db: Db = None) -> None:
    """Register a database (postgresql://user:password@host:5432/db) for the workspace under NAME."""
    from parcours.store.grants import add_connection

    with user_errors():
        url = sys.stdin.readline().strip() if url_stdin else typer.prompt("Connection URL", hide_input=True)
        store, ws = _workspace(db, workspace)
        add_connection(store, ws, name, url)
    info(f"Workspace {workspace!r} may now read tables of connection {name!r}")


@connection_app.command("remove")
def remove_command(workspace: Slug, name: Annotated[str, typer.Argument(help="The connection's name.")],
                   db: Db = None) -> None:
    """Remove a named connection: table sources using it stop working at their next read."""
    from parcours.store.grants import remove_connection

    with user_errors():
        store, ws = _workspace(db, workspace)
        remove_connection(store, ws, name)
    info(f"Connection {name!r} removed from workspace {workspace!r}")


@connection_app.command("list")
def connections_command(workspace: Slug, db: Db = None) -> None:
    """The names of the workspace's connections (never their URLs), one a line."""
    from parcours.store.grants import connection_names

    with user_errors():
        store, ws = _workspace(db, workspace)
        names = connection_names(store, ws)
    for n in names:
        typer.echo(n)
