"""The REST API, ``/api/v1``: sessions, projects, and the map's versions (save with conflict
detection, list, get, diff, restore). JSON in and out; errors are ``{"detail": ...}`` with the
HTTP status saying what kind (401 log in, 403 role or CSRF, 404 not found or not yours, 409
someone saved meanwhile, 422 invalid map)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from parcours.errors import MapError
from parcours.store import maps
from parcours.store.errors import MapConflict, NotFound
from parcours.store.models import MapVersion, User
from parcours.store.users import authenticate
from parcours.store.workspaces import projects_of
from parcours.web.security import current_user, end_session, login_refused, project_for, start_session, store_of

router = APIRouter(prefix="/api/v1")


class Login(BaseModel):
    email: str
    password: str


class MapSave(BaseModel):
    yaml: str = Field(description="The whole map, as YAML (see `parcours schema`).")
    base: int | None = Field(description="The version the edit started from (null for a project without a map); "
                                         "if another version was saved since, the save is refused with 409.")
    message: str = ""


class Restore(BaseModel):
    base: int | None = Field(description="The latest version the user has seen (conflict detection as for a save).")


def _version(v: MapVersion, *, with_yaml: bool = False) -> dict[str, Any]:
    out = {"number": v.number, "author": v.author_name, "created_at": v.created_at.isoformat(), "message": v.message}
    if with_yaml:
        out["yaml"] = v.yaml
    return out


def _user(u: User) -> dict[str, Any]:
    return {"id": u.id, "email": u.email, "name": u.name, "is_admin": u.is_admin}


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    from parcours import __version__

    return {"status": "ok", "version": __version__, "database": store_of(request).backend}


@router.post("/session", responses={429: {"description": "Too many failed log-ins: wait `Retry-After` seconds."}})
def login(body: Login, request: Request) -> dict[str, Any]:
    """Log in: sets the session cookie; returns the user and the CSRF token for later changes.
    After repeated failures for an email or from an address, attempts wait (429, ``Retry-After``)."""
    store = store_of(request)
    user, error = login_refused(request, body.email, lambda: authenticate(store, body.email, body.password))
    if error is not None:
        raise error
    return {"user": _user(user), "csrf": start_session(request, user)}


@router.delete("/session", status_code=204)
def logout(request: Request, user: User = Depends(current_user)) -> Response:
    """Log out: this browser's sign-in ends on the server (a copy of its cookie no longer works)."""
    end_session(request)
    return Response(status_code=204)


@router.get("/me")
def me(request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    return {"user": _user(user), "csrf": request.session.get("csrf")}


@router.get("/projects")
def projects(request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """The projects of the workspaces the user is a member of, with their role."""
    return projects_of(store_of(request), user.id)


@router.get("/projects/{project_id}/map")
def latest_map(project_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    project_for(request, user, project_id)
    return _version(_found(maps.get_version, store_of(request), project_id), with_yaml=True)


@router.get("/projects/{project_id}/map/versions")
def versions(project_id: int, request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    project_for(request, user, project_id)
    return [_version(v) for v in maps.list_versions(store_of(request), project_id)]


@router.get("/projects/{project_id}/map/versions/{number}")
def version(project_id: int, number: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    project_for(request, user, project_id)
    return _version(_found(maps.get_version, store_of(request), project_id, number), with_yaml=True)


@router.post("/projects/{project_id}/map/versions", status_code=201)
def save(project_id: int, body: MapSave, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Save the map as a new version (editors and admins)."""
    project_for(request, user, project_id, need="editor")
    return _version(_saving(maps.save_map, store_of(request), project_id, body.yaml, user.id, base=body.base,
                            message=body.message))


@router.post("/projects/{project_id}/map/versions/{number}/restore", status_code=201)
def restore(project_id: int, number: int, body: Restore, request: Request,
            user: User = Depends(current_user)) -> dict[str, Any]:
    """Save version ``number``'s content again as the newest version (editors and admins)."""
    project_for(request, user, project_id, need="editor")
    return _version(_saving(maps.restore, store_of(request), project_id, number, user.id, body.base))


@router.get("/projects/{project_id}/map/diff")
def diff(project_id: int, a: int, b: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """What changed between versions ``a`` and ``b``: elements added, removed, changed (by id, with
    the fields' old and new values), stage order, and a unified diff of the YAML."""
    project_for(request, user, project_id)
    return _found(maps.diff, store_of(request), project_id, a, b)


def _found(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except NotFound as e:
        raise HTTPException(404, e.message + (f" ({e.hint})" if e.hint else "")) from None


def _saving(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return _found(fn, *args, **kw)
    except MapConflict as e:
        raise HTTPException(409, {"message": e.message, "hint": e.hint, "latest": e.latest, "author": e.author,
                                  "saved_at": e.saved_at.isoformat()}) from None
    except MapError as e:
        raise HTTPException(422, {"message": e.message, "problems": [str(p) for p in e.problems]}) from None
