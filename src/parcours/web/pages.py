"""The app's pages (server-rendered): log in, the projects, and a project's live map."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcours.web.security import project_for, session_user

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent


@cache
def _env() -> Any:
    import jinja2

    from parcours.web.headers import csp_nonce

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    env.globals["csp_nonce"] = csp_nonce  # each <script> of a template carries the response's nonce
    return env


def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template of ``web/templates`` (autoescaped). With ``project`` and ``role`` in the
    context, the project's tabs are drawn; with ``csrf``, htmx and ``parcoursFetch`` send it."""
    context.setdefault("user", None)
    context.setdefault("project", None)
    return HTMLResponse(_env().get_template(name).render(**context), status_code=status_code)


_page = page


class LogIn(Exception):
    """Raised by :func:`project_page` without a session: the app answers with a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def project_page(request: Request, project_id: int, need: str = "viewer") -> dict[str, Any]:
    """The context of a project's page: ``user``, ``project``, ``role``, ``csrf``. Without a session:
    a redirect to /login (:class:`LogIn`); not a member: 404; role below ``need``: 403 (as pages)."""
    user = session_user(request)
    if user is None:
        raise LogIn(str(request.url.path))
    project, role = project_for(request, user, project_id, need=need)
    return {"user": user, "project": project, "role": role, "csrf": request.session.get("csrf")}


def can(role: str, need: str) -> bool:
    """Whether ``role`` (viewer, editor, admin) is at least ``need``."""
    from parcours.web.security import RANK

    return RANK[role] >= RANK[need]


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return _page("login.html")


@router.get("/")
def home(request: Request) -> Response:
    user = session_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    from parcours.web.api import projects

    return _page("projects.html", user=user, projects=projects(request, user), csrf=request.session.get("csrf"))


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
