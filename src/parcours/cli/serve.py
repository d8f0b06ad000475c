"""``parcours serve``: the team's web app (API and OpenAPI docs at /docs) on the app database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parcours.cli.output import info, user_errors

LOOPBACK = ("127.0.0.1", "localhost", "::1")


PROXIES_ENV = "PARCOURS_TRUSTED_PROXIES"
HOME_ENV = "PARCOURS_HOME"  # parcours.store.home.HOME_ENV, not imported: `parcours --help` stays light


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: Annotated[str | None, typer.Option(help="App database URL (default: SQLite app.db in the app's folder: "
                                                f"${HOME_ENV}, else the user's data folder; "
                                                "postgresql://user:password@host/db in production).")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo project (Maison Lumière) into a 'Démo' workspace.")] = False,
    engine: Annotated[str | None, typer.Option(help="Ibis backend URL where the analyses run (default: in-memory DuckDB), "
                                                    "e.g. duckdb:///var/parcours/work.ddb.")] = None,
    proxy: Annotated[list[str] | None, typer.Option(
        metavar="ADDRESS", help="Address (or network, e.g. 10.0.0.0/24) of a reverse proxy in front of the app; repeat for several. "
             "X-Forwarded-For and X-Forwarded-Proto are believed only from these (default: from nobody, "
             f"not even 127.0.0.1). Also ${PROXIES_ENV}, comma-separated.")] = None,
    rotate_secret: Annotated[bool, typer.Option(
        "--rotate-secret", help="Write a new session secret in the app's folder before starting: every session "
                                "cookie signed with the old one stops working (everyone logs in again).")] = False,
) -> None:
    """Start the web app: migrations applied, a first admin created on an empty database."""
    import os

    import uvicorn

    from parcours.project.app import SECRET_ENV, check_engine, secret_key, secret_path, web_app
    from parcours.store.db import connect
    from parcours.store.home import app_home, prepare
    from parcours.store.users import ensure_first_admin

    home = app_home()
    with user_errors():
        proxies = trusted_proxies([*(proxy or []), *os.environ.get(PROXIES_ENV, "").replace(",", " ").split()])
        prepare(home.path)  # 0700, with a .gitignore of '*': wherever it is, never committed
        info(f"App data ({'session secret, uploads' if db else 'database, session secret, uploads'}): "
             f"{home.path} ({home.why})")
        store = connect(db, home=home.path)
        store.migrate(on_message=info)
        first = ensure_first_admin(store)
        if first:
            info(f"First admin created: [bold]{first[0]}[/] with the one-time password [bold]{first[1]}[/] "
                 "(shown once: log in and change it)")
        data_dir = home.data
        if demo:
            info(seed_demo(store, data_dir))
        if engine:
            check_engine(engine)  # a bad URL fails now, with its message, not on the first page
        secret = secret_key(home.path, rotate=rotate_secret)
        for line in tighten(home.path, None if db else home.database):
            info(line)
        if rotate_secret:
            info(f"New session secret written to {secret_path(home.path)}: every session has ended"
                 + _end_sign_ins(store))
        # Cookies only over HTTPS, except for a person on this machine: behind a proxy (which
        # terminates TLS, even on loopback) they stay HTTPS-only.
        app = web_app(store, secret=secret, data_dir=data_dir, https_only=host not in LOOPBACK or bool(proxies),
                         engine=engine)
    info(f"Session secret: from ${SECRET_ENV}" if os.environ.get(SECRET_ENV) else
         f"Session secret: {secret_path(home.path)} (owner only; parcours serve --rotate-secret replaces it)")
    info(f"X-Forwarded-For believed from: {', '.join(proxies)}" if proxies else
         "X-Forwarded-For ignored: no --proxy given (clients are known by the address that connects)")
    info(f"Parcours at http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    # uvicorn believes X-Forwarded-* from 127.0.0.1 unless told otherwise: anyone on this machine
    # (or a proxy that passes the header through) could then pick the address the rate limits see.
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None)


def trusted_proxies(values: list[str]) -> list[str]:
    """The proxies' addresses and networks, checked (``*`` trusts every address: only behind a
    proxy that every request goes through)."""
    import ipaddress

    from parcours.errors import OptionError

    out: list[str] = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            text = "*" if value == "*" else str(ipaddress.ip_network(value, strict=False)
                                               if "/" in value else ipaddress.ip_address(value))
        except ValueError:
            raise OptionError(f"--proxy {value!r} (or ${PROXIES_ENV}): not an IP address or network",
                              hint="give the proxy's address as it connects to the app, e.g. --proxy 10.0.0.5 "
                                   "or --proxy 10.0.0.0/24 (host names are not resolved)") from None
        if text not in out:
            out.append(text)
    return out


def tighten(folder: Path, database: Path | None) -> list[str]:
    """Make the app's folder owner-only (0700) and its secret and default SQLite files 0600, when
    an older Parcours left them readable by others; what was changed, to say at start."""
    import stat

    changed = []
    wanted = [(folder, 0o700), (folder / "secret", 0o600)]
    if database is not None:
        wanted += [(database, 0o600), *((database.with_name(database.name + s), 0o600) for s in ("-wal", "-shm"))]
    for path, mode in wanted:
        try:
            current = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if current & 0o077:
            path.chmod(mode)
            changed.append(f"{path} was readable by others (mode {current:o}): now {mode:o}")
    return changed


def _end_sign_ins(store) -> str:  # noqa: ANN001 - a Store
    """End the server-side records of every sign-in too (a cookie is checked against them)."""
    from parcours.store import sign_ins

    n = sign_ins.end_all(store)
    return f" ({n} sign-in{'s' if n != 1 else ''} ended)"


def seed_demo(store, data_dir: Path, customers: int = 3000) -> str:  # noqa: ANN001 - a Store
    """The demo workspace and project with the demo map as version 1 and the demo's events and
    survey answers as the project's data; every admin is a member."""
    from sqlalchemy import select

    from parcours.demo import _MAP_YAML
    from parcours.store.maps import list_versions, save_map
    from parcours.store.models import User, Workspace
    from parcours.store.workspaces import add_member, create_project, create_workspace
    from parcours.store.version_said import said

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
        save_map(store, project.id, _MAP_YAML, admins[0].id, base=None, message=said("demo"))
    folder = data_dir / str(project.id)
    if not (folder / "events.csv").exists():
        from parcours.demo import write_demo

        files = write_demo(folder, customers=customers)
        files.map_path.unlink()  # the map lives in the app database
    return f"Demo project: workspace 'Démo', project '{project.name}' (id {project.id}), data in {folder}"
