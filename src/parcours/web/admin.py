"""What only app administrators do: grant a workspace server folders, register its database
connections (``parcours.store.grants``). A connection's URL goes in and never comes back out.

API: ``/api/v1/admin/workspaces/{workspace_id}/folders`` and ``…/connections`` (GET, POST,
DELETE). The same from the command line: ``parcours admin``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from parcours.errors import ParcoursError
from parcours.store import grants
from parcours.store.errors import NotFound
from parcours.store.models import User
from parcours.store.users import AlreadyExists
from parcours.web.security import current_user, store_of
from parcours.web.wording import Worded

router = APIRouter()


def app_admin(user: User = Depends(current_user)) -> User:
    """The user, if an app administrator; 403 otherwise."""
    if not user.is_admin:
        raise Worded(403, "only an app administrator can do this", "error.app_admin")
    return user


class FolderIn(BaseModel):
    path: str = Field(description="An existing server folder (absolute path)", min_length=1, max_length=1000)


class ConnectionIn(BaseModel):
    name: str = Field(description="What workspace members call it, e.g. crm", min_length=1, max_length=100)
    url: str = Field(description="postgresql://user:password@host:5432/database (kept on the server, never shown)",
                     min_length=1, max_length=2000)


def _calling(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except NotFound as e:
        raise HTTPException(404, {"message": e.message, "hint": e.hint}) from None
    except AlreadyExists as e:
        raise HTTPException(409, {"message": e.message, "hint": e.hint}) from None
    except ParcoursError as e:
        raise HTTPException(422, {"message": e.message, "hint": e.hint}) from None


@router.get("/api/v1/admin/workspaces/{workspace_id}/folders")
def list_folders(workspace_id: int, request: Request, user: User = Depends(app_admin)) -> list[dict[str, str]]:
    return [{"path": str(p)} for p in grants.granted_folders(store_of(request), workspace_id)]


@router.post("/api/v1/admin/workspaces/{workspace_id}/folders", status_code=201)
def add_folder(workspace_id: int, body: FolderIn, request: Request, user: User = Depends(app_admin)) -> dict[str, str]:
    """Let the workspace's projects read files (and DuckDB files) under this server folder."""
    return {"path": str(_calling(grants.grant_folder, store_of(request), workspace_id, body.path, by=user.id))}


@router.delete("/api/v1/admin/workspaces/{workspace_id}/folders", status_code=204)
def remove_folder(workspace_id: int, path: str, request: Request, user: User = Depends(app_admin)) -> Response:
    _calling(grants.revoke_folder, store_of(request), workspace_id, path, by=user.id)
    return Response(status_code=204)


@router.get("/api/v1/admin/workspaces/{workspace_id}/connections")
def list_connections(workspace_id: int, request: Request, user: User = Depends(app_admin)) -> list[dict[str, str]]:
    return [{"name": n} for n in grants.connection_names(store_of(request), workspace_id)]


@router.post("/api/v1/admin/workspaces/{workspace_id}/connections", status_code=201)
def add_connection(workspace_id: int, body: ConnectionIn, request: Request,
                   user: User = Depends(app_admin)) -> dict[str, str]:
    """Register a database for the workspace under a name; its members give that name as a table
    source's ``connection``."""
    return {"name": _calling(grants.add_connection, store_of(request), workspace_id, body.name, body.url, by=user.id)}


@router.delete("/api/v1/admin/workspaces/{workspace_id}/connections/{name}", status_code=204)
def remove_connection(workspace_id: int, name: str, request: Request, user: User = Depends(app_admin)) -> Response:
    _calling(grants.remove_connection, store_of(request), workspace_id, name, by=user.id)
    return Response(status_code=204)
