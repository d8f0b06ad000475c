"""Who is asking, and may they: the session cookie, CSRF tokens, and workspace roles.

A user logs in with email and password (argon2 hashes, ``parcours.store.users``); the session
is a signed, HttpOnly, SameSite=Lax cookie. A request that changes something and rides on that
cookie must carry the session's CSRF token in ``X-CSRF-Token`` (given by ``GET /api/v1/me``).
Scripts use a personal API token instead (``Authorization: Bearer pc_...``, see
``parcours.store.tokens``): it acts as its user, and needs no CSRF token (no cookie rides on it).
A project is visible to the members of its workspace only: to anyone else it does not exist
(404, never 403), so one workspace cannot learn another's projects.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import HTTPException, Request

from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import User
from parcours.store.workspaces import get_project, role_of

RANK = {"viewer": 0, "editor": 1, "admin": 2}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def store_of(request: Request) -> Store:
    return request.app.state.store


def session_user(request: Request) -> User | None:
    """The user of the request's session cookie, if any (pages redirect to /login without one)."""
    uid = request.session.get("uid")
    if uid is None:
        return None
    with store_of(request).transaction() as session:
        return session.get(User, uid)


def token_user(request: Request) -> User | None:
    """The user of the request's ``Authorization: Bearer`` token; 401 when the token is not valid."""
    from parcours.store.tokens import user_for_token

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    user = user_for_token(store_of(request), token.strip())
    if user is None:
        raise HTTPException(401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"})
    return user


def current_user(request: Request) -> User:
    """The user of the API token or of the session cookie (401 otherwise); with the cookie,
    checks the CSRF token on requests that change data."""
    user = token_user(request)
    if user is not None:
        return user
    user = session_user(request)
    if user is None:
        raise HTTPException(401, "log in first: POST /api/v1/session with your email and password, "
                                 "or send an API token (Authorization: Bearer pc_...)")
    if request.method in UNSAFE and not secrets.compare_digest(request.headers.get("x-csrf-token", ""),
                                                               request.session.get("csrf", "")):
        raise HTTPException(403, "missing or wrong X-CSRF-Token header: take the token from GET /api/v1/me")
    return user


def start_session(request: Request, user: User) -> str:
    request.session.clear()
    request.session["uid"] = user.id
    request.session["csrf"] = token = secrets.token_urlsafe(24)
    return token


def project_for(request: Request, user: User, project_id: int, need: str = "viewer") -> tuple[Any, str]:
    """The project and the user's role in its workspace; 404 when they are not a member (or
    there is no such project), 403 when their role is below ``need``."""
    store = store_of(request)
    try:
        project = get_project(store, project_id)
    except NotFound:
        raise HTTPException(404, f"no project {project_id}") from None
    role = role_of(store, project.workspace_id, user.id)
    if role is None:
        raise HTTPException(404, f"no project {project_id}")
    if RANK[role] < RANK[need]:
        raise HTTPException(403, f"your role in this workspace is {role}: {need} or admin is needed to do this")
    return project, role
