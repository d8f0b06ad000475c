"""The web app: ``create_app(store)`` builds the FastAPI application that ``parcours serve`` runs.

>>> from parcours.store.db import connect                                  # doctest: +SKIP
>>> app = create_app(connect("sqlite:///team.db"), secret="...", data_dir=Path("data"))  # doctest: +SKIP
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from parcours.store.db import Store
from parcours.store.errors import StoreError
from parcours.web import admin, analyses, collect, data, editor, surveys, tables, team
from parcours.web.api import router
from parcours.web.live import LiveMaps
from parcours.web.ratelimit import RateLimiter
from parcours.web.pages import LogIn, page
from parcours.web.pages import router as pages

SESSION_DAYS = 14


def secret_key(folder: Path) -> str:
    """``$PARCOURS_SECRET_KEY``, else a random key kept in ``<folder>/.parcours/secret`` (so that
    sessions survive a restart); it signs the session cookies."""
    import os

    if os.environ.get("PARCOURS_SECRET_KEY"):
        return os.environ["PARCOURS_SECRET_KEY"]
    path = folder / ".parcours" / "secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(store: Store, *, secret: str, data_dir: Path, https_only: bool = True, engine: str | None = None) -> FastAPI:
    """The app on ``store`` (already migrated), with the projects' data under ``data_dir``.
    ``https_only``: session cookies only over HTTPS (``parcours serve`` turns it off on a
    loopback address, for local use); ``engine``: the Ibis backend URL where analyses run
    (default: an in-memory DuckDB per analysis)."""
    from parcours import __version__

    live = LiveMaps(data_dir, engine=engine)
    live.store = store

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        live.jobs.shutdown()  # background analyses stop with the app

    app = FastAPI(title="Parcours", version=__version__, docs_url="/docs", openapi_url="/api/v1/openapi.json",
                  lifespan=lifespan,
                  description="The journey map of a team, measured: projects, map versions, analyses.")
    app.state.store = store
    app.state.live = live
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="parcours_session",
                       max_age=SESSION_DAYS * 86400, same_site="lax", https_only=https_only)
    app.include_router(router)
    for module in (analyses, editor, data, tables, surveys, collect, team, admin):  # each owns its API routes and pages
        app.include_router(module.router)
    app.include_router(pages)
    app.state.survey_limiter = RateLimiter.from_env()  # a bad PARCOURS_SURVEY_RATE fails now, at start
    app.add_exception_handler(LogIn, _log_in)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(StoreError, _store_down)
    app.add_exception_handler(OverflowError, _huge_id)
    return app


async def _store_down(request: Request, exc: Exception) -> Response:
    """The app database cannot be reached: 503, saying which (password hidden) and what to check."""
    assert isinstance(exc, StoreError)
    return await _http_error(request, HTTPException(503, f"{exc.message} ({exc.hint})" if exc.hint else exc.message))


async def _huge_id(request: Request, exc: Exception) -> Response:
    """An id in the path beyond what the database holds (64-bit) names nothing: 404, not a crash."""
    limit = 2**63
    if any(v.lstrip("-").isdigit() and abs(int(v)) >= limit for v in request.path_params.values()
           if isinstance(v, str)) or any(isinstance(v, int) and abs(v) >= limit for v in request.path_params.values()):
        return await _http_error(request, HTTPException(404, "no such id (ids are below 2**63)"))
    raise exc

async def _log_in(request: Request, exc: Exception) -> Response:
    from urllib.parse import quote

    assert isinstance(exc, LogIn)
    return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    """The API answers errors in JSON; pages answer them as a page a person can read."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(("/api/", "/docs")) or "text/html" not in request.headers.get("accept", ""):
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    title = {403: "Not allowed", 404: "Not found"}.get(exc.status_code, f"Error {exc.status_code}")
    return page("message.html", status_code=exc.status_code, title=title, message=detail, hint=None)
