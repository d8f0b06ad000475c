"""``parcours serve``: the team's web app (API and OpenAPI docs at /docs) on the app database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.output import info, user_errors

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: Annotated[str | None, typer.Option(help="App database URL (default: SQLite in ./.parcours/app.db; "
                                                "postgresql://user:password@host/db in production).")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo project (Maison Lumière) into a 'Démo' workspace.")] = False,
    engine: Annotated[str | None, typer.Option(help="Ibis backend URL where the analyses run (default: in-memory DuckDB), "
                                                    "e.g. duckdb:///var/parcours/work.ddb.")] = None,
) -> None:
    """Start the web app: migrations applied, a first admin created on an empty database."""
    import uvicorn

    from parcours.store.db import connect
    from parcours.store.users import ensure_first_admin
    from parcours.web import create_app
    from parcours.web.app import secret_key

    with user_errors():
        store = connect(db)
        store.migrate(on_message=info)
        first = ensure_first_admin(store)
        if first:
            info(f"First admin created: [bold]{first[0]}[/] with the one-time password [bold]{first[1]}[/] "
                 "(shown once: log in and change it)")
        data_dir = Path.cwd() / ".parcours" / "data"
        if demo:
            info(seed_demo(store, data_dir))
        if engine:
            from parcours.engine.connection import connect as connect_engine

            connect_engine(engine)  # a bad URL fails now, with its message, not on the first page
        app = create_app(store, secret=secret_key(Path.cwd()), data_dir=data_dir, https_only=host not in LOOPBACK,
                         engine=engine)
    info(f"Parcours at http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def seed_demo(store, data_dir: Path, customers: int = 3000) -> str:  # noqa: ANN001 - a Store
    """The demo workspace and project with the demo map as version 1 and the demo's events and
    survey answers as the project's data; every admin is a member."""
    from sqlalchemy import select

    from parcours.demo import _MAP_YAML
    from parcours.store.maps import list_versions, save_map
    from parcours.store.models import User, Workspace
    from parcours.store.workspaces import add_member, create_project, create_workspace

    with store.transaction() as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == "demo"))
        admins = list(session.scalars(select(User).where(User.is_admin)))
    if not admins:
        from parcours.errors import OptionError

        raise OptionError("--demo: the app database has users but no admin to own the demo project",
                          hint="start once without --demo and make a user admin, or use another --db")
    if ws is None:
        ws = create_workspace(store, "Démo", slug="demo")
        project = create_project(store, ws.id, "Maison Lumière")
    else:
        from parcours.store.models import Project

        with store.transaction() as session:
            project = session.scalar(select(Project).where(Project.workspace_id == ws.id))
    for admin in admins:
        add_member(store, ws.id, admin.id, "admin")
    if not list_versions(store, project.id):
        save_map(store, project.id, _MAP_YAML, admins[0].id, base=None, message="demo map")
    folder = data_dir / str(project.id)
    if not (folder / "events.csv").exists():
        from parcours.demo import write_demo

        files = write_demo(folder, customers=customers)
        files.map_path.unlink()  # the map lives in the app database
    return f"Demo project: workspace 'Démo', project '{project.name}' (id {project.id}), data in {folder}"
