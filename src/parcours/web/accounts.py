"""The accounts, for the app's administrators: create accounts, sign a user out everywhere,
read the app's activity (log-ins slowed down, sessions ended, invitations...). API under
``/api/v1/admin`` and the page ``/admin/accounts``; anyone else gets 403."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from parcours.errors import OptionError
from parcours.store import app_activity, sign_ins
from parcours.store.errors import NotFound
from parcours.store.models import User
from parcours.store.users import AlreadyExists, accounts, create_account
from parcours.web import i18n
from parcours.web.pages import LogIn, page
from parcours.web.security import address_of, app_admin, current_user, fail, session_user, store_of

router = APIRouter()
api = "/api/v1/admin"


class AccountIn(BaseModel):
    email: str = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    admin: bool = Field(False, description="Make them an admin of the app too.")


def _user(u: User, signed_in: int) -> dict[str, Any]:
    return {"id": u.id, "email": u.email, "name": u.name, "is_admin": u.is_admin,
            "created_at": u.created_at.isoformat(), "sign_ins": signed_in}


@router.get(api + "/users")
def users(request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """Every account, with how many browsers are signed in to it (``sign_ins``)."""
    app_admin(request, user)
    return [_user(u, n) for u, n in accounts(store_of(request))]


@router.post(api + "/users", status_code=201)
def new_user(body: AccountIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Create an account: the answer carries its one-time ``password``, shown once (they change
    it on their account page). An email already used is 409."""
    app_admin(request, user)
    try:
        created, password = create_account(store_of(request), body.email, body.name, admin=body.admin, by=user,
                                           address=address_of(request))
    except AlreadyExists as e:
        raise fail(409, e) from None
    except OptionError as e:
        raise fail(422, e) from None
    return {**_user(created, 0), "password": password}


@router.post(api + "/users/{user_id}/sign-out")
def sign_out_everywhere(user_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, int]:
    """End every sign-in of the user (every browser; their API tokens are separate): ``ended``."""
    app_admin(request, user)
    try:
        return {"ended": sign_ins.sign_out_everywhere(store_of(request), user_id, by=user, address=address_of(request))}
    except NotFound as e:
        raise HTTPException(404, e.message) from None


@router.get(api + "/activity")
def activity(request: Request, limit: int = Query(50, ge=1, le=200),
             before: int | None = Query(None, description="An id from the previous page: the lines before it."),
             user: User = Depends(current_user)) -> dict[str, Any]:
    """The app's activity, newest first: ``items`` and ``next_before`` (null on the last page)."""
    app_admin(request, user)
    store = store_of(request)
    lines = app_activity.feed(store, limit=limit + 1, before=before)
    more = len(lines) > limit
    lines = lines[:limit]
    return {"items": app_activity.as_dict(store, lines), "next_before": lines[-1].id if more else None}


@router.get("/admin/accounts", include_in_schema=False)
def admin_page(request: Request) -> Response:
    """The accounts (create one, sign one out everywhere) and the app's activity."""
    i18n.bind(request.scope)  # the page in its user's language
    user = session_user(request)
    if user is None:
        raise LogIn(str(request.url.path))
    app_admin(request, user)
    store = store_of(request)
    return page("accounts.html", user=user, csrf=request.session.get("csrf"),
                users=[_user(u, n) for u, n in accounts(store)],
                activity=app_activity.as_dict(store, app_activity.feed(store, limit=100)))
