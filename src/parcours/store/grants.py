"""What an app administrator grants a workspace beyond its projects' own data folders: server
folders it may read files from, and named database connections (the URL, with its password,
stays here and is never shown back).

A workspace member never types a server path outside their project's folder nor a database
URL: they name a granted folder's file or a registered connection, and the web app checks the
grant each time it reads (``parcours.project.paths``).

>>> grant_folder(store, workspace_id, "/srv/warehouse")                       # doctest: +SKIP
>>> add_connection(store, workspace_id, "crm", "postgresql://reader:s3cret@db/crm")  # doctest: +SKIP
>>> connection_names(store, workspace_id)                                     # doctest: +SKIP
['crm']
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from parcours.errors import OptionError
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import AppActivity, GrantedFolder, NamedConnection, Workspace
from parcours.store.users import AlreadyExists

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SCHEMES = ("postgresql", "postgres", "duckdb")


def _workspace(session, workspace_id: int) -> Workspace:  # noqa: ANN001 - a Session
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        raise NotFound(f"no workspace {workspace_id}", hint="list them with GET /api/v1/workspaces")
    return ws


def _note(session, by: int | None, kind: str, summary: str) -> None:  # noqa: ANN001 - a Session
    session.add(AppActivity(user_id=by, kind=kind, summary=summary))


# --- Folders -------------------------------------------------------------------------------------

def grant_folder(store: Store, workspace_id: int, path: str | Path, by: int | None = None) -> Path:
    """Let the workspace read files under ``path`` (an existing server folder, kept resolved:
    symbolic links followed). Raises :class:`OptionError` when it is not a folder."""
    folder = Path(path).expanduser()
    if not folder.is_absolute():
        raise OptionError(f"{path}: give the folder's absolute path", hint="e.g. /srv/warehouse")
    folder = folder.resolve()
    if not folder.is_dir():
        raise OptionError(f"{folder}: no such folder on the server", hint="create it first, then grant it")
    if folder == Path(folder.anchor):
        raise OptionError(f"{folder}: granting the whole file system would let the workspace read any file",
                          hint="grant the folder that holds the data, e.g. /srv/warehouse")
    try:
        with store.transaction() as session:
            ws = _workspace(session, workspace_id)
            session.add(GrantedFolder(workspace_id=workspace_id, path=str(folder), granted_by=by))
            _note(session, by, "folder_granted", f"folder {folder} granted to workspace {ws.slug}")
    except IntegrityError:
        raise AlreadyExists(f"{folder} is already granted to workspace {workspace_id}", hint="nothing to do") from None
    return folder


def revoke_folder(store: Store, workspace_id: int, path: str | Path, by: int | None = None) -> None:
    """Withdraw a granted folder (sources read from it stop working at their next read)."""
    text = str(Path(path).expanduser().resolve()) if Path(path).is_absolute() else str(path)
    with store.transaction() as session:
        ws = _workspace(session, workspace_id)
        gone = session.execute(delete(GrantedFolder).where(GrantedFolder.workspace_id == workspace_id,
                                                           GrantedFolder.path.in_([text, str(path)]))).rowcount
        if not gone:
            raise NotFound(f"{path} is not granted to workspace {ws.slug}", hint="list the granted folders first")
        _note(session, by, "folder_revoked", f"folder {text} no longer granted to workspace {ws.slug}")


def granted_folders(store: Store, workspace_id: int) -> list[Path]:
    """The folders granted to the workspace, in the order they were granted."""
    with store.transaction() as session:
        rows = session.scalars(select(GrantedFolder.path).where(GrantedFolder.workspace_id == workspace_id)
                               .order_by(GrantedFolder.id))
        return [Path(p) for p in rows]


# --- Connections ---------------------------------------------------------------------------------

def _check_url(url: str) -> str:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise OptionError("the connection URL must start with postgresql:// (or duckdb:///absolute/file.duckdb)",
                          hint="e.g. postgresql://reader:password@db.internal:5432/crm")
    return url


def add_connection(store: Store, workspace_id: int, name: str, url: str, by: int | None = None) -> str:
    """Register a database connection for the workspace under ``name`` (letters, digits, ``_.-``)."""
    if not NAME.match(name):
        raise OptionError(f"connection name {name!r}: use 1 to 100 letters, digits, '_', '.' or '-'",
                          hint="e.g. crm or warehouse-eu")
    _check_url(url)
    try:
        with store.transaction() as session:
            ws = _workspace(session, workspace_id)
            session.add(NamedConnection(workspace_id=workspace_id, name=name, url=url, created_by=by))
            _note(session, by, "connection_added", f"connection {name} registered for workspace {ws.slug}")
    except IntegrityError:
        raise AlreadyExists(f"workspace {workspace_id} has a connection named {name} already",
                            hint="remove it first, or choose another name") from None
    return name


def remove_connection(store: Store, workspace_id: int, name: str, by: int | None = None) -> None:
    with store.transaction() as session:
        ws = _workspace(session, workspace_id)
        gone = session.execute(delete(NamedConnection).where(NamedConnection.workspace_id == workspace_id,
                                                             NamedConnection.name == name)).rowcount
        if not gone:
            raise NotFound(f"workspace {ws.slug} has no connection named {name}", hint="list its connections first")
        _note(session, by, "connection_removed", f"connection {name} removed from workspace {ws.slug}")


def connection_names(store: Store, workspace_id: int) -> list[str]:
    """The names of the workspace's connections (never their URLs)."""
    with store.transaction() as session:
        return list(session.scalars(select(NamedConnection.name).where(NamedConnection.workspace_id == workspace_id)
                                    .order_by(NamedConnection.name)))


def connection_url(store: Store, workspace_id: int, name: str) -> str:
    """The URL of the workspace's connection ``name``, for the server's own use only."""
    with store.transaction() as session:
        url = session.scalar(select(NamedConnection.url).where(NamedConnection.workspace_id == workspace_id,
                                                              NamedConnection.name == name))
    if url is None:
        names = ", ".join(connection_names(store, workspace_id)) or "none yet"
        raise NotFound(f"this workspace has no connection named {name!r}",
                       hint=f"its connections: {names}; an app administrator registers them")
    return url
