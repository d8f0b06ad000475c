"""The app's pages (server-rendered): log in, the projects, and a project's live map."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcours.store.access import at_least as can  # noqa: F401 - the routers ask "may this role edit?" through pages
from parcours.store.users import authenticate
from parcours.store.workspaces import projects_of
from parcours.web import i18n
from parcours.web.security import login_refused, project_for, safe_next, session_user, start_session

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent


@cache
def _env() -> Any:
    import jinja2

    from parcours.web.headers import csp_nonce

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    env.globals["csp_nonce"] = csp_nonce  # each <script> of a template carries the response's nonce

    i18n.install(env)  # t("key"), js_texts(...), the num filter: the page's language
    return env


def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template of ``web/templates`` (autoescaped), in the request's language
    (``parcours.web.i18n``; ``lang`` in the context overrides it). With ``project`` and ``role``
    in the context, the project's tabs are drawn; with ``csrf``, htmx and ``parcoursFetch`` send it."""
    context.setdefault("user", None)
    context.setdefault("project", None)
    context.setdefault("lang", i18n.current())  # the request's: its user's choice, else its browser's
    return HTMLResponse(_env().get_template(name).render(**context), status_code=status_code)


_page = page


class LogIn(Exception):
    """Raised by :func:`project_page` without a session: the app answers with a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def project_page(request: Request, project_id: int, need: str = "viewer") -> dict[str, Any]:
    """The context of a project's page: ``user``, ``project``, ``role``, ``csrf``. Without a session:
    a redirect to /login (:class:`LogIn`); not a member: 404; role below ``need``: 403 (as pages)."""
    i18n.bind(request.scope)  # its pages in its user's language
    user = session_user(request)
    if user is None:
        raise LogIn(str(request.url.path))
    project, role = project_for(request, user, project_id, need=need)
    return {"user": user, "project": project, "role": role, "csrf": request.session.get("csrf")}


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    """The log-in form; ``next``: the page to go back to (a path of this site only)."""
    i18n.bind(request.scope)  # in the browser's language
    return _login_form(request, safe_next(next))


def _login_form(request: Request, next_url: str, error: str | None = None, status_code: int = 200,
                headers: dict[str, str] | None = None) -> HTMLResponse:
    # A token tied to this browser's cookie: another site cannot post the form to log a
    # visitor into an account of its choosing (log-in CSRF).
    token = request.session.get("login_csrf") or secrets.token_urlsafe(24)
    request.session["login_csrf"] = token
    response = _page("login.html", status_code=status_code, next_url=next_url, login_csrf=token, error=error)
    response.headers.update(headers or {})
    return response


@router.post("/login")
async def login_post(request: Request) -> Response:
    """The log-in form, posted: a session and a redirect to ``next`` (a path of this site, else
    ``/``); a wrong password shows the form again (401), and so does a throttled one (429)."""
    i18n.bind(request.scope)
    body = await request.body()
    form = dict(parse_qsl(body[:100_000].decode("utf-8", "replace"), keep_blank_values=True))
    next_url = safe_next(form.get("next"))
    expected = request.session.get("login_csrf", "")
    if not expected or not secrets.compare_digest(form.get("csrf", ""), expected):
        return _login_form(request, next_url, i18n.t("login.expired"), status_code=403)
    email, password = form.get("email", ""), form.get("password", "")
    store = request.app.state.store
    user, error = login_refused(request, email, lambda: authenticate(store, email, password))
    if error is not None:
        return _login_form(request, next_url, _refused(error), status_code=error.status_code, headers=error.headers)
    start_session(request, user)
    return RedirectResponse(next_url, status_code=303)


def _refused(error: Any) -> str:
    """Why the log-in failed, for the form, in the page's language (the store's message for a
    server whose log-in settings are wrong: it names the setting)."""
    if error.status_code == 401:
        return i18n.t("login.failed")
    if error.status_code == 429 and i18n.current() != "en":  # the English message says whose attempts
        return i18n.t("login.throttled", n=int(error.headers.get("Retry-After", 1)))
    return error.detail[0].upper() + error.detail[1:] + "."


@router.get("/")
def home(request: Request) -> Response:
    i18n.bind(request.scope)
    user = session_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return _page("projects.html", user=user, projects=projects_of(request.app.state.store, user.id),
                 csrf=request.session.get("csrf"))


@router.get("/favicon.ico")
def favicon() -> Response:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="3" cy="12" r="2.5" fill="#3b5bdb"/>'
           '<circle cx="13" cy="4" r="2.5" fill="#3b5bdb"/><path d="M3 12 C6 2 10 14 13 4" stroke="#3b5bdb" fill="none"/></svg>')
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/static/htmx.min.js")
def htmx_js() -> Response:
    return Response((HERE / "static" / "htmx.min.js").read_bytes(), media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    from parcours.report.html import plotly_js as script

    return Response(script(), media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})
