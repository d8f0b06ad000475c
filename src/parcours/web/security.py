"""Who is asking, and may they: the session cookie, CSRF tokens, and workspace roles.

A user logs in with email and password (argon2 hashes, ``parcours.store.users``); repeated
failures are slowed down (``parcours.store.throttle``). The session is a signed, HttpOnly,
SameSite=Lax cookie holding the user's id, a CSRF token and the token of a sign-in kept in the
app database (``parcours.store.sign_ins``): every request checks that sign-in, so log-out, a
password change or "sign out everywhere" end a session at once, whatever the cookie says. A request that changes something and rides on that
cookie must carry the session's CSRF token in ``X-CSRF-Token`` (given by ``GET /api/v1/me``).
Scripts use a personal API token instead (``Authorization: Bearer pc_...``, see
``parcours.store.tokens``): it acts as its user, and needs no CSRF token (no cookie rides on it).
A project is visible to the members of its workspace only: to anyone else it does not exist
(404, never 403), so one workspace cannot learn another's projects.
A user given a one-time password (the first admin, an account an app admin created) changes it
first: until then every page redirects to the account page's password form, and the API
answers 403 to everything but the password change, log-out and ``GET /api/v1/me``.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from parcours.errors import ParcoursError
from parcours.store import access, sign_ins, throttle, tokens
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import User
from parcours.store.users import must_change_password
from parcours.web.wording import Worded

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PASSWORD_FORM = "/account#password"  # the account page's form to change the password
# What a user with a one-time password may still do: change it, log out, and learn who they are
# (GET /api/v1/me gives the CSRF token the change needs).
WHILE_PASSWORD_DUE = {("POST", "/api/v1/me/password"), ("DELETE", "/api/v1/session"), ("GET", "/api/v1/me")}


def store_of(request: Request) -> Store:
    return request.app.state.store


def fail(status: int, e: ParcoursError) -> HTTPException:
    """A library error as an HTTP answer: its message, with its hint as "(how to fix: ...)"."""
    return HTTPException(status, e.message + (f" (how to fix: {e.hint})" if e.hint else ""))


def address_of(request: Request) -> str:
    """The client's address, as the server sees it (behind a trusted proxy: the forwarded one)."""
    return request.client.host if request.client else "unknown"


def session_user(request: Request) -> User | None:
    """The user of the request's session cookie, if its sign-in is still on (pages redirect to
    /login without one). A cookie whose sign-in ended or expired is emptied. A page asked by a
    user who must change their one-time password first redirects to the password form (303)."""
    user = _signed_in(request)
    page = request.url.path
    if user is not None and page != PASSWORD_FORM.split("#")[0] and must_change_password(store_of(request), user.id):
        raise HTTPException(303, "change your one-time password first, on your account page",
                            headers={"Location": PASSWORD_FORM})
    return user


def _signed_in(request: Request) -> User | None:
    """The user of the session cookie whose sign-in is still on, else None (the cookie emptied)."""
    uid = request.session.get("uid")
    if uid is None:
        return None
    user = sign_ins.user_for(store_of(request), request.session.get("sid"))
    if user is None or user.id != uid:
        request.session.clear()
        return None
    return user


def token_user(request: Request) -> User | None:
    """The user of the request's ``Authorization: Bearer`` token; 401 when the token is not valid."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    user = tokens.user_for_token(store_of(request), token.strip())
    if user is None:
        raise HTTPException(401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"})
    return user


def current_user(request: Request) -> User:
    """The user of the API token or of the session cookie (401 otherwise); with the cookie,
    checks the CSRF token on requests that change data; 403 for anything but the password change
    and log-out while the user's one-time password is not changed."""
    user = token_user(request)
    if user is not None:
        return _password_changed(request, user)
    had_cookie = request.session.get("uid") is not None
    user = _signed_in(request)
    if user is None:
        if had_cookie:
            raise HTTPException(401, "your session has ended (logged out, password changed, signed out everywhere "
                                     "or 14 days old): log in again with POST /api/v1/session")
        raise HTTPException(401, "log in first: POST /api/v1/session with your email and password, "
                                 "or send an API token (Authorization: Bearer pc_...)")
    if request.method in UNSAFE and not secrets.compare_digest(request.headers.get("x-csrf-token", ""),
                                                               request.session.get("csrf", "")):
        raise HTTPException(403, "missing or wrong X-CSRF-Token header: take the token from GET /api/v1/me")
    return _password_changed(request, user)


def _password_changed(request: Request, user: User) -> User:
    """The user, unless they must change their one-time password first and ask for anything else (403)."""
    asked = (request.method, request.url.path)
    if asked not in WHILE_PASSWORD_DUE and must_change_password(store_of(request), user.id):
        raise HTTPException(403, "change your one-time password first: POST /api/v1/me/password with "
                                 '{"current": "the one-time password", "new": "your own password"} (or on your '
                                 "account page, /account); until then only that and log-out (DELETE /api/v1/session) "
                                 "are allowed")
    return user


def start_session(request: Request, user: User) -> str:
    """Sign the user in: a new sign-in in the store, its token in the (new) cookie; the CSRF token."""
    end_session(request)
    request.session["uid"] = user.id
    request.session["sid"] = sign_ins.start(store_of(request), user.id, address_of(request))
    request.session["csrf"] = token = secrets.token_urlsafe(24)
    return token


def end_session(request: Request) -> None:
    """Log out: the cookie's sign-in ends in the store (a copy of the cookie no longer works)."""
    sign_ins.end(store_of(request), request.session.get("sid"))
    request.session.clear()


def login_refused(request: Request, email: str, check: Any) -> tuple[User | None, HTTPException | None]:
    """Check a password through the log-in throttle (``parcours.store.throttle.guard``): ``check()``
    gives the user (None: wrong password). Returns ``(user, None)``, or ``(None, error)``: 429 with
    ``Retry-After`` while the email or the address must wait, 401 for a wrong password, 503 when the
    server's log-in settings are wrong."""
    try:
        return throttle.guard(store_of(request), email, address_of(request), check), None
    except throttle.Unavailable as e:
        return None, HTTPException(503, f"log-in is not available: {e.message} (how to fix: {e.hint})")
    except throttle.Throttled as e:
        return None, HTTPException(429, e.message, headers={"Retry-After": str(e.seconds)})
    except throttle.WrongCredentials as e:
        return None, HTTPException(401, e.message)


def safe_next(value: str | None) -> str:
    r"""Where to go after logging in: ``value`` if it is a path of this site, else ``/``.

    Browsers drop tabs and newlines from a URL and read backslashes as slashes, so
    ``/<tab>/evil.example`` or ``/\evil.example`` would leave the site: the check is made on
    the URL as a browser will read it, and that is what is returned.

    >>> safe_next("/projects/3/edit?x=1"), safe_next("/\t/evil.example"), safe_next("/\\evil.example")
    ('/projects/3/edit?x=1', '/', '/')
    """
    if not value:
        return "/"
    cleaned = "".join(ch for ch in value if ch >= " " and ch != "\x7f").replace("\\", "/")
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return "/"
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return "/"
    return cleaned


def _allowed(request: Request, user: User, need: str, **which: int) -> tuple[Any, str]:
    """``store.access.access`` as HTTP: not a member (or no such thing) 404, role below ``need`` 403."""
    try:
        return access.access(store_of(request), user.id, need=need, **which)
    except NotFound as e:
        raise HTTPException(404, e.message) from None
    except access.RoleTooLow as e:
        raise Worded(403, e.message, "error.role_too_low", role=(f"role.{e.role}",), need=(f"role.{e.need}",)) from None


def project_for(request: Request, user: User, project_id: int, need: str = "viewer") -> tuple[Any, str]:
    """The project and the user's role in its workspace; 404 when they are not a member (or
    there is no such project), 403 when their role is below ``need``."""
    return _allowed(request, user, need, project_id=project_id)


def workspace_for(request: Request, user: User, workspace_id: int, need: str = "viewer") -> tuple[Any, str]:
    """The workspace and the user's role in it: 404 for a non-member, 403 for a role below ``need``."""
    return _allowed(request, user, need, workspace_id=workspace_id)


def app_admin(request: Request, user: User) -> User:
    """The user, if an admin of the app (403 otherwise)."""
    if not user.is_admin:
        raise Worded(403, "only an admin of the app may do this: ask one "
                          "(an admin is made with `parcours user create EMAIL --admin`)", "error.app_admin")
    return user
