"""Table sources on the web: a project's events read from a database table instead of an
uploaded file (``POST …/data/table``, ``GET …/connections``). What may be opened, and how, is
decided by :mod:`parcours.project.tables`; this module parses the body and answers."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from parcours.errors import ParcoursError
from parcours.project.paths import PathRefused
from parcours.project.sources import describe_source
from parcours.project.tables import TableRefused, open_table, reference
from parcours.store import sources
from parcours.store.models import User
from parcours.web.security import current_user, project_for, store_of

router = APIRouter()


class TableSource(BaseModel):
    table: str = Field(description="The table's name (schema.table allowed)", min_length=1, max_length=300)
    connection: str | None = Field(None, description="The name of a connection an app administrator registered "
                                                     "for this workspace (GET …/projects/{id}/connections lists them)")
    file: str | None = Field(None, description="A DuckDB file: relative to the project's data folder, or an "
                                               "absolute path inside a folder granted to the workspace")
    url: str | None = Field(None, description="Deprecated: duckdb:///path/file.duckdb only, with the same rules as "
                                              "`file`; database URLs are refused (use `connection`)")
    kind: str = "events"


def _refused(e: ParcoursError) -> HTTPException:
    return HTTPException(422, {"message": e.message, "hint": e.hint or None})


@router.get("/api/v1/projects/{project_id}/connections")
def connections_api(project_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Where the project's tables may come from: the workspace's named connections (names only)
    and the folders granted to it, beside the project's own data folder."""
    from parcours.store.grants import connection_names, granted_folders
    from parcours.store.workspaces import get_project

    project_for(request, user, project_id)
    store = store_of(request)
    ws = get_project(store, project_id).workspace_id
    return {"connections": connection_names(store, ws), "granted_folders": [str(p) for p in granted_folders(store, ws)]}


@router.post("/api/v1/projects/{project_id}/data/table", status_code=201)
def add_table(project_id: int, body: TableSource, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Point at a table (editors and admins): a named connection's table or a DuckDB file's;
    validate it with ``/mapping`` next."""
    import json

    project_for(request, user, project_id, need="editor")
    if body.kind != "events":
        raise HTTPException(422, {"message": f"kind {body.kind!r}: only events can be read from a table for now",
                                  "hint": "export the survey answers as CSV and upload them with kind=feedback"})
    store = store_of(request)
    try:
        ref = reference(body)
        t = open_table(store, request.app.state.live.folder(project_id), project_id, ref)
    except (TableRefused, PathRefused) as e:
        raise _refused(e) from None
    columns = json.dumps({"roles": None, "options": {}, **ref})
    base = "table-" + (re.sub(r"[^A-Za-z0-9._-]+", "_", body.table).strip("._-") or "table")
    taken = sources.names(store, project_id)
    name = next(n for n in [base] + [f"{base}-{i}" for i in range(2, 10_000)] if n not in taken)
    place = f"connection {ref['connection']}" if ref.get("connection") else ref["file"]
    try:
        row = sources.add(store, project_id, name=name, original_name=f"{body.table} ({place})"[:255],
                          kind="events", format="table", size=0, uploaded_by=user.id, columns=columns)
    except sources.NameTaken as e:
        raise HTTPException(409, {"message": e.message, "hint": e.hint}) from None
    return {**describe_source(row), "columns_found": list(t.columns)}
