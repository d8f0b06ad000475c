"""Invitations to a workspace, over HTTP: a workspace admin invites an email with a role and
hands over the one-time link ``/invitations/<token>``; the invitee, signed in with that email,
accepts it on that page (or with the API) and only then becomes a member.

The answer to an invitation is the same whether or not the email has an account: a workspace
admin never learns who uses the app. Accounts are made by app administrators (``/admin``,
``parcours user create``); an invitee without one may create it from the link only when the
app allows it (``PARCOURS_OPEN_SIGNUP=1``).
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from parcours.errors import OptionError
from parcours.store import invitations
from parcours.store.errors import NotFound
from parcours.store.models import Invitation, User, Workspace
from parcours.store.users import AlreadyExists
from parcours.store.workspaces import role_of
from parcours.web import i18n
from parcours.web.pages import page
from parcours.web.security import (address_of, current_user, fail, session_user, start_session, store_of,
                                   workspace_for)

router = APIRouter()
api = "/api/v1"


def open_signup() -> bool:
    """Whether an invitee without an account may create one from the link (``PARCOURS_OPEN_SIGNUP``)."""
    return os.environ.get("PARCOURS_OPEN_SIGNUP", "").strip().lower() in {"1", "true", "yes", "on"}


class InvitationIn(BaseModel):
    email: str = Field(max_length=320,
                       description="Where the invitation is for: the invitee signs in with this email to accept.")
    role: str = Field(description="admin, editor or viewer.")


class AccountIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="Your name, as the team sees it.")
    password: str = Field(description="8 to 1024 characters.")


def _invitation(row: Invitation) -> dict[str, Any]:
    return {"id": row.id, "email": row.email, "role": row.role, "created_at": row.created_at.isoformat(),
            "expires_at": invitations.expires_at(row).isoformat()}


def _workspace(w: Workspace, role: str) -> dict[str, Any]:
    return {"id": w.id, "name": w.name, "slug": w.slug, "role": role}


@router.post(api + "/workspaces/{workspace_id}/invitations", status_code=201)
def invite(workspace_id: int, body: InvitationIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Invite an email with a role (workspace admins): the answer carries the one-time link
    (``link``, and its ``token``), shown this once; give it to the invitee. The same answer
    whether or not someone has an account with this email; a member's email is 409."""
    workspace_for(request, user, workspace_id, need="admin")
    try:
        row, token = invitations.invite(store_of(request), workspace_id, body.email, body.role, invited_by=user.id,
                                        address=address_of(request))
    except invitations.AlreadyMember as e:
        raise fail(409, e) from None
    except OptionError as e:
        raise fail(422, e) from None
    return {**_invitation(row), "token": token, "link": f"/invitations/{token}"}


@router.get(api + "/workspaces/{workspace_id}/invitations")
def pending(workspace_id: int, request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """The workspace's pending invitations (workspace admins): never their links."""
    workspace_for(request, user, workspace_id, need="admin")
    return [_invitation(row) for row in invitations.pending(store_of(request), workspace_id)]


@router.delete(api + "/workspaces/{workspace_id}/invitations/{invitation_id}", status_code=204)
def revoke(workspace_id: int, invitation_id: int, request: Request, user: User = Depends(current_user)) -> Response:
    """Revoke a pending invitation (workspace admins): its link stops working."""
    workspace_for(request, user, workspace_id, need="admin")
    try:
        invitations.revoke(store_of(request), workspace_id, invitation_id)
    except NotFound as e:
        raise fail(404, e) from None
    return Response(status_code=204)


@router.post(api + "/invitations/{token}/accept")
def accept(token: str, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Accept an invitation sent to my email: I become a member with its role. 404 for a link
    used, revoked or expired; 403 for an invitation sent to another email."""
    try:
        workspace = invitations.accept(store_of(request), token, user, address_of(request))
    except NotFound as e:
        raise fail(404, e) from None
    except invitations.NotForYou as e:
        raise fail(403, e) from None
    return _workspace(workspace, role_of(store_of(request), workspace.id, user.id) or "")


@router.post(api + "/invitations/{token}/account", status_code=201)
def sign_up(token: str, body: AccountIn, request: Request) -> dict[str, Any]:
    """Create my account from an invitation and accept it (only when the app allows it:
    ``PARCOURS_OPEN_SIGNUP=1``; 403 otherwise). Signs me in: the answer has the CSRF token."""
    try:
        user, workspace, role = invitations.sign_up(store_of(request), token, body.name, body.password, open_signup(),
                                                    address_of(request))
    except NotFound as e:
        raise fail(404, e) from None
    except invitations.SignUpClosed as e:
        raise fail(403, e) from None
    except AlreadyExists as e:
        raise fail(409, e) from None
    except OptionError as e:
        raise fail(422, e) from None
    return {"user": {"id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin},
            "csrf": start_session(request, user), "workspace": _workspace(workspace, role)}


@router.get("/invitations/{token}", include_in_schema=False)
def invitation_page(token: str, request: Request) -> Response:
    """The invitation's page: accept it (signed in with its email), log in first, or create an
    account when the app allows it."""
    store = store_of(request)
    try:
        row, workspace = invitations.find(store, token)
    except NotFound:  # the one way a link is not found: used, revoked or expired
        response: Response = page("message.html", status_code=404, title=i18n.t("invitation.not_valid_title"),
                                  message=i18n.t("invitation.not_valid"), hint=i18n.t("invitation.not_valid_hint"),
                                  user=session_user(request))
    else:
        user = session_user(request)
        response = page("invitation.html", user=user, csrf=request.session.get("csrf"), invitation=row,
                        workspace=workspace, token=token, open_signup=open_signup(),
                        mine=user is not None and user.email == row.email)
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is a secret: no other site gets it
    return response
