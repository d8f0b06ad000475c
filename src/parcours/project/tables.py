"""Table sources: a project's events read from a database table instead of an uploaded file.

A workspace member names the table and where it is, never a URL:
- ``{"connection": "crm", "table": "analytics.events"}``: a connection an app administrator
  registered for the workspace (``parcours.store.grants``); its URL and password stay on the
  server;
- ``{"file": "warehouse.duckdb", "table": "journeys"}``: a DuckDB file of the project's data
  folder (relative) or of a folder granted to the workspace (absolute), opened read-only.

Both are checked again each time the table is read (a grant withdrawn closes the source). A
database URL typed in a form or an API body is refused: the server would otherwise connect
wherever a member says, its own database included.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parcours.errors import ParcoursError
from parcours.project.paths import allowed_folders, confine
from parcours.store.db import Store
from parcours.store.errors import NotFound

class TableRefused(ParcoursError):
    """A table source that cannot be opened (not allowed, not found): 422."""


def mask(url: str) -> str:
    """The URL with its password hidden."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def secret_free(text: str, url: str | None) -> str:
    """``text`` with the URL's password (and any ``user:password@``) hidden."""
    password = urlsplit(url).password if url else None
    text = mask(text)
    return text.replace(password, "***") if password else text


def _duckdb_path(url: str) -> str:
    raw = urlsplit(url)
    if raw.netloc or not raw.path:
        raise TableRefused(f"{mask(url)}: give the DuckDB file's path", hint="e.g. {\"file\": \"warehouse.duckdb\"}")
    return raw.path


def reference(body: Any) -> dict[str, Any]:
    """The stored reference of a table source (``connection`` or ``file``, and ``table``) from what
    a member gave: ``body`` has ``table`` and one of ``connection``, ``file``, ``url``."""
    given = [k for k in ("connection", "file", "url") if getattr(body, k)]
    if len(given) != 1:
        raise TableRefused("name the table's place once: a `connection` (registered by an app administrator) "
                           "or a DuckDB `file` of the project's data", hint='e.g. {"connection": "crm", "table": '
                                                                          '"analytics.events"}')
    if body.connection:
        return {"connection": body.connection, "table": body.table}
    if body.file:
        return {"file": body.file, "table": body.table}
    return _legacy(body.url or "", body.table)


def _legacy(url: str, table: str) -> dict[str, Any]:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "duckdb":
        return {"file": _duckdb_path(url), "table": table}
    raise TableRefused(f"{mask(url)}: the server opens databases only through a named connection",
                       hint="ask an app administrator to register the database as a named connection for the "
                            "workspace, then give its name as `connection`; DuckDB files: give `file`")


def open_table(store: Store | None, folder: Path, project_id: int, ref: dict[str, Any]) -> Any:
    """The Ibis table a stored reference names, after checking it is still allowed. ``folder``
    is the project's data folder. Raises :class:`TableRefused` (or :class:`PathRefused`)."""
    from parcours.engine.connection import connect

    if ref.get("url") and not (ref.get("file") or ref.get("connection")):
        ref = {**ref, **_legacy(ref["url"], ref.get("table", ""))}  # a source saved before the named connections
    table = ref.get("table") or ""
    if ref.get("connection"):
        from parcours.store.grants import connection_url
        from parcours.store.workspaces import get_project

        if store is None:
            raise TableRefused("named connections need the app database", hint="run this from the web app")
        try:
            url = connection_url(store, get_project(store, project_id).workspace_id, ref["connection"])
        except NotFound as e:
            raise TableRefused(e.message, hint=e.hint) from None
        where = f"connection {ref['connection']}"
    else:
        path = confine(ref.get("file") or "", folder, allowed_folders(store, folder.parent, project_id),
                       "the DuckDB file")
        if not path.is_file():
            raise TableRefused(f"{ref.get('file')}: no such DuckDB file in the project's data",
                               hint="upload it to the project's folder or a granted folder, and check the name")
        url, where = f"duckdb://{path}?read_only=true", str(ref.get("file"))
    try:
        con = connect(url)
    except ParcoursError as e:
        raise TableRefused(secret_free(e.message, url), hint=secret_free(e.hint or "", url)) from None
    schema, _, name = table.rpartition(".")
    try:
        return con.table(name, database=schema) if schema else con.table(name)
    except Exception:  # noqa: BLE001 - each backend has its own "not found" error
        try:
            tables = ", ".join(con.list_tables()[:20]) or "none"
        except Exception:  # noqa: BLE001
            tables = "unknown"
        raise TableRefused(f"table {table!r} not found in {where}", hint=f"tables there: {tables}") from None


def describe(ref: dict[str, Any]) -> dict[str, Any]:
    """What the API shows of a table source: its place by name, never a URL."""
    if ref.get("connection"):
        return {"connection": ref["connection"], "table": ref.get("table")}
    if ref.get("file"):
        return {"file": ref["file"], "table": ref.get("table")}
    return {"url": mask(ref.get("url", "")), "table": ref.get("table")}
