"""The team around the map: comments with mentions, the activity feed, workspaces and their
members, new projects, and the user's account (password, API tokens, the language of the pages). REST API under
``/api/v1`` and the pages that use it (``/projects/{id}/discussion``, ``/workspaces/{id}/members``,
``/account``).

Who may do what: any member comments (viewers too: commenting is how a viewer takes part) and
deletes their own comments; workspace admins delete any comment, change members' roles and
invite people (``web.invitations``: the invitee accepts); editors and admins create projects;
site admins create workspaces and accounts (``web.accounts``). A workspace or project the user is
not a member of answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from parcours.errors import ParcoursError
from parcours.project.discussion import discussion, feed_page
from parcours.store import comments, members, preferences, sign_ins, tokens
from parcours.store import invitations as invited  # web.invitations is the router
from parcours.store.errors import NotFound
from parcours.store.models import TARGET_KINDS, ROLES, User, Workspace
from parcours.store.users import (MIN_PASSWORD_LENGTH, AlreadyExists, WrongPassword, change_password,
                                  check_new_password, check_password)
from parcours.store.workspaces import create_project, create_workspace, workspaces_of
from parcours.web import accounts, i18n, invitations
from parcours.web.pages import LogIn, page, project_page
from parcours.web.security import (address_of, current_user, fail, login_refused, project_for, session_user,
                                   store_of, workspace_for)
from parcours.web.wording import Worded, say

router = APIRouter()
# Invitations and the app administrators' routes belong with the team's; they live in their own modules.
router.include_router(accounts.router)
router.include_router(invitations.router)
api = "/api/v1"
FEED_PAGE = 20


class CommentIn(BaseModel):
    target_kind: str = Field("project", description="project, stage, touchpoint or pain_point.")
    target_id: str | None = Field(None, description="The stage's, touchpoint's or pain point's id in the latest "
                                                    "map; none for a comment on the project.")
    body: str = Field(description="1 to 5000 characters. Mention members with @email, @Name or @\"First Last\".")


class NameIn(BaseModel):
    name: str = Field(description="1 to 200 characters.")


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # "create" and "name" are gone: people join by invitation

    email: str = Field(max_length=320, description="The email of a member of the workspace.")
    role: str = Field(description="admin, editor or viewer.")


class PasswordIn(BaseModel):
    current: str
    new: str


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str | None = Field(description="The language of my pages: fr or en; null: my browser's.")


def _calling(fn: Any, *args: Any, **kw: Any) -> Any:
    """Store errors as HTTP answers: not found 404, not allowed 403, last admin 409, bad input 422."""
    try:
        return fn(*args, **kw)
    except NotFound as e:
        raise fail(404, e) from None
    except comments.NotAllowed as e:
        raise fail(403, e) from None
    except WrongPassword as e:
        raise fail(403, e) from None
    except members.LastAdmin as e:
        raise fail(409, e) from None
    except comments.UnknownTarget as e:
        raise HTTPException(422, {"message": e.message, "hint": e.hint, "known": e.known}) from None
    except AlreadyExists as e:
        raise fail(409, e) from None
    except ParcoursError as e:
        raise fail(422, e) from None


def _workspace(w: Workspace, role: str) -> dict[str, Any]:
    return {"id": w.id, "name": w.name, "slug": w.slug, "role": role}


def _member(u: User, role: str) -> dict[str, Any]:
    return {"id": u.id, "name": u.name, "email": u.email, "role": role}


def _token(t: Any) -> dict[str, Any]:
    at = lambda d: d.isoformat() if d else None  # noqa: E731
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": at(t.created_at),
            "last_used_at": at(t.last_used_at), "revoked_at": at(t.revoked_at)}


# --- comments, mentions, activity ---------------------------------------------------------

@router.get(api + "/projects/{project_id}/comments")
def list_comments(project_id: int, request: Request, target_kind: str | None = None, target_id: str | None = None,
                  user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """The project's comments, oldest first; ``target_kind`` and ``target_id`` narrow them down."""
    project_for(request, user, project_id)
    if target_kind is not None and target_kind not in TARGET_KINDS:
        raise HTTPException(422, f"target_kind: unknown kind {target_kind!r} (use one of: {', '.join(TARGET_KINDS)})")
    return [c.as_dict() for c in comments.list_comments(store_of(request), project_id, target_kind, target_id)]


@router.post(api + "/projects/{project_id}/comments", status_code=201)
def add_comment(project_id: int, body: CommentIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Comment on the project or on a stage, touchpoint or pain point of its latest map (any member,
    viewers too). The answer lists the members mentioned and the mentions that matched nobody
    in the workspace (``unresolved``: left as plain text)."""
    project_for(request, user, project_id)
    posted = _calling(comments.add_comment, store_of(request), project_id, user.id, body.target_kind, body.target_id,
                      body.body)
    return {**posted.as_dict(), "unresolved": posted.unresolved}


@router.delete(api + "/projects/{project_id}/comments/{comment_id}", status_code=204)
def delete_comment(project_id: int, comment_id: int, request: Request, user: User = Depends(current_user)) -> Response:
    """Delete a comment: its author, or an admin of the workspace."""
    project_for(request, user, project_id)
    _calling(comments.delete_comment, store_of(request), project_id, comment_id, user.id)
    return Response(status_code=204)


@router.get(api + "/me/mentions")
def my_mentions(request: Request, limit: int = Query(50, ge=1, le=500),
                user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """The comments mentioning me, newest first (in the workspaces I am a member of)."""
    return [c.as_dict() for c in comments.mentions_of(store_of(request), user.id, limit)]


@router.get(api + "/projects/{project_id}/activity")
def project_activity(project_id: int, request: Request, limit: int = Query(50, ge=1, le=200),
                     before: int | None = Query(None, description="An id from the previous page: the lines before it."),
                     user: User = Depends(current_user)) -> dict[str, Any]:
    """The project's activity, newest first: ``items``, and ``next_before`` (the ``before`` of the
    next page, null on the last one)."""
    i18n.bind(request.scope)
    project_for(request, user, project_id)
    items, next_before = feed_page(store_of(request), project_id, limit, before)
    return {"items": said_lines(items), "next_before": next_before}


def said_lines(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lines of the activity feed, each with ``said``: what it tells in the asker's language, from
    its ``words`` when it has them (:func:`parcours.web.wording.say`), else its ``summary`` (in
    English, as it was written)."""
    lang = i18n.current()
    out = []
    for item in items:
        said = item["summary"]
        if item.get("words"):
            try:
                said = say(item["words"], lang)
            except (KeyError, ValueError, IndexError):  # words of another version of the app: its summary
                pass
        out.append({**item, "said": said})
    return out


# --- workspaces, projects, members --------------------------------------------------------

@router.get(api + "/workspaces")
def my_workspaces(request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """The workspaces I am a member of, with my role."""
    return [_workspace(w, role) for w, role in workspaces_of(store_of(request), user.id)]


@router.post(api + "/workspaces", status_code=201)
def new_workspace(body: NameIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Create a workspace (site admins only); its creator becomes its admin."""
    if not user.is_admin:
        raise Worded(403, "only an admin of the app creates workspaces: ask one "
                          "(an admin is made with `parcours user create EMAIL --admin`)", "error.app_admin")
    w = _calling(create_workspace, store_of(request), body.name, admin_id=user.id)
    return _workspace(w, "admin")


@router.post(api + "/workspaces/{workspace_id}/projects", status_code=201)
def new_project(workspace_id: int, body: NameIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Create a project in the workspace (editors and admins)."""
    w, role = workspace_for(request, user, workspace_id, need="editor")
    p = _calling(create_project, store_of(request), workspace_id, body.name, author_id=user.id)
    return {"id": p.id, "name": p.name, "slug": p.slug, "workspace": {"id": w.id, "name": w.name, "slug": w.slug},
            "role": role}


@router.get(api + "/workspaces/{workspace_id}/members")
def list_members(workspace_id: int, request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """The workspace's members and their roles (any member sees them)."""
    workspace_for(request, user, workspace_id)
    return [_member(u, role) for u, role in members.list_members(store_of(request), workspace_id)]


@router.put(api + "/workspaces/{workspace_id}/members")
def set_member(workspace_id: int, body: MemberIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Change a member's role (workspace admins). Someone who is not a member is 404, whether
    or not they have an account: invite them (``POST .../invitations``). Demoting the last
    admin is refused (409)."""
    workspace_for(request, user, workspace_id, need="admin")
    if body.role not in ROLES:
        raise HTTPException(422, f"role: unknown role {body.role!r} (use one of: {', '.join(ROLES)})")
    member = _calling(members.set_role_by_email, store_of(request), workspace_id, body.email, body.role)
    return _member(member, body.role)


@router.delete(api + "/workspaces/{workspace_id}/members/{user_id}", status_code=204)
def remove_member(workspace_id: int, user_id: int, request: Request, user: User = Depends(current_user)) -> Response:
    """Take a member out of the workspace (workspace admins; not the last admin: 409)."""
    workspace_for(request, user, workspace_id, need="admin")
    _calling(members.remove_member, store_of(request), workspace_id, user_id)
    return Response(status_code=204)


# --- account ------------------------------------------------------------------------------

@router.post(api + "/me/password", status_code=204,
             responses={429: {"description": "Too many wrong current passwords: wait `Retry-After` seconds."}})
def new_password(body: PasswordIn, request: Request, user: User = Depends(current_user)) -> Response:
    """Change my password: ``current`` must be right (403 otherwise; repeated failures wait, 429,
    as log-ins do), ``new`` 8 characters or more (422). My other sign-ins end; this one goes on."""
    store = store_of(request)
    _calling(check_new_password, body.new)
    _, error = login_refused(request, user.email, lambda: check_password(store, user.id, body.current))
    if error is not None:
        if error.status_code == 401:
            raise HTTPException(403, "the current password is wrong (how to fix: type the password you log in with)")
        raise error
    _calling(change_password, store, user.id, body.current, body.new, keep_sign_in=request.session.get("sid"))
    return Response(status_code=204)


@router.get(api + "/me/preferences")
def my_preferences(request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """What I chose: ``language`` of my pages (null: my browser's, which is ``browser``)."""
    return {"language": preferences.language(store_of(request), user.id),
            "browser": i18n.best_of(request.headers.get("accept-language")) or i18n.DEFAULT}


@router.put(api + "/me/preferences")
def set_preferences(body: PreferencesIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Choose the language of my pages (fr, en; null: my browser's); 422 for another."""
    _calling(preferences.set_language, store_of(request), user.id, body.language)
    return my_preferences(request, user)


@router.post(api + "/me/sign-out-others")
def sign_out_others(request: Request, user: User = Depends(current_user)) -> dict[str, int]:
    """End my sign-ins in every other browser (this one goes on): ``ended``, how many."""
    return {"ended": sign_ins.sign_out_others(store_of(request), user, request.session.get("sid"), address_of(request))}


@router.get(api + "/me/tokens")
def my_tokens(request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """My API tokens (never the token itself: its first characters, ``prefix``)."""
    return [_token(t) for t in tokens.list_tokens(store_of(request), user.id)]


@router.post(api + "/me/tokens", status_code=201)
def new_token(body: NameIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """A new API token: ``token`` is shown in this answer only; send it as ``Authorization: Bearer``."""
    row, token = _calling(tokens.create_token, store_of(request), user.id, body.name)
    return {**_token(row), "token": token}


@router.delete(api + "/me/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, request: Request, user: User = Depends(current_user)) -> Response:
    """Revoke one of my tokens: from now on it answers 401."""
    _calling(tokens.revoke_token, store_of(request), user.id, token_id)
    return Response(status_code=204)


# --- pages --------------------------------------------------------------------------------

def _logged_in(request: Request) -> User:
    i18n.bind(request.scope)  # the page in its user's language
    user = session_user(request)
    if user is None:
        raise LogIn(str(request.url.path))
    return user


@router.get("/projects/{project_id}/discussion", include_in_schema=False)
def discussion_page(project_id: int, request: Request, target: str | None = None) -> Response:
    """Comments grouped by what they are about, a form to comment, and the activity feed."""
    context = project_page(request, project_id)
    store = store_of(request)
    talk = discussion(store, project_id, context["project"].name)
    feed, next_before = feed_page(store, project_id, FEED_PAGE)
    return page("discussion.html", **context, active="discussion", threads=talk.threads, options=talk.options,
                selected=target or "project", problem=talk.problem, count=talk.count, feed=said_lines(feed),
                next_before=next_before, feed_page=FEED_PAGE)


@router.get("/workspaces/{workspace_id}/members", include_in_schema=False)
def members_page(workspace_id: int, request: Request) -> Response:
    """The workspace's members; its admins change roles, remove members, invite people and
    revoke pending invitations."""
    user = _logged_in(request)
    workspace, role = workspace_for(request, user, workspace_id)
    rows = members.list_members(store_of(request), workspace_id)
    pending = invited.pending(store_of(request), workspace_id) if role == "admin" else []
    return page("members.html", user=user, csrf=request.session.get("csrf"), workspace=workspace, role=role,
                members=rows, roles=ROLES, admins=sum(r == "admin" for _, r in rows), invitations=pending)


@router.get("/account", include_in_schema=False)
def account_page(request: Request) -> Response:
    """My name and email, my password, my API tokens, my workspaces and the comments mentioning me."""
    user = _logged_in(request)
    store = store_of(request)
    return page("account.html", user=user, csrf=request.session.get("csrf"),
                tokens=[_token(t) for t in tokens.list_tokens(store, user.id)],
                workspaces=workspaces_of(store, user.id), mentions=comments.mentions_of(store, user.id, 20),
                min_password=MIN_PASSWORD_LENGTH, chosen=preferences.language(store, user.id),
                browser=i18n.best_of(request.headers.get("accept-language")) or i18n.DEFAULT)
