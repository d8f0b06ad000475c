"""The web app: ``create_app(store)`` builds the FastAPI application that ``parcours serve`` runs.

>>> from parcours.store.db import connect                                  # doctest: +SKIP
>>> app = create_app(connect("sqlite:///team.db"), secret="...", data_dir=Path("data"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from parcours.project.body_limits import BodyLimits
from parcours.project.live import LiveMaps
from parcours.store import throttle
from parcours.store.db import Store
from parcours.store.sign_ins import SESSION_DAYS  # one number for the cookie and the sign-in
from parcours.store.errors import StoreError
from parcours.web import admin, analyses, api_docs, collect, data, editor, surveys, tables, team
from parcours.web.api import router
from parcours.web.headers import SecurityHeaders
from parcours.web.i18n import Language
from parcours.web.inputs import unicode_problem
from parcours.web.limits import BodyLimit
from parcours.project.ratelimit import RateLimiter
from parcours.web.pages import LogIn, page
from parcours.web.pages import router as pages
from parcours.web.wording import error_page


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

    # docs_url=None: FastAPI's /docs loads Swagger UI from a CDN; web/api_docs.py serves it from here.
    app = FastAPI(title="Parcours", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json", lifespan=lifespan,
                  description="The journey map of a team, measured: projects, map versions, analyses.")
    app.state.store = store
    app.state.live = live
    app.add_middleware(Language)  # inside the session (added before it): a page's language may be its user's
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="parcours_session",
                       max_age=SESSION_DAYS * 86400, same_site="lax", https_only=https_only)
    # Added last, run first: the caps before anything reads a body, the headers on every answer.
    app.add_middleware(BodyLimit, limits=BodyLimits.from_env())  # a bad PARCOURS_MAX_* fails now, at start
    app.add_middleware(SecurityHeaders)
    app.include_router(router)
    app.include_router(api_docs.router)
    for module in (analyses, editor, data, tables, surveys, collect, team, admin):  # each owns its API routes and pages
        app.include_router(module.router)
    app.include_router(pages)
    app.state.survey_limiter = RateLimiter.from_env()  # a bad PARCOURS_SURVEY_RATE fails now, at start
    throttle.Limits.from_env()  # a bad PARCOURS_LOGIN_* fails now, at start (read again at each log-in)
    app.add_exception_handler(LogIn, _log_in)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(StoreError, _store_down)
    app.add_exception_handler(OverflowError, _huge_id)
    app.add_exception_handler(DataError, _huge_id)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(UnicodeEncodeError, _not_unicode)
    return app


def _printable(value: Any) -> Any:
    """``value`` with every string that is not valid Unicode shown with escapes (``\\ud800``)."""
    if isinstance(value, str):
        return value if unicode_problem(value) is None else value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value


async def _invalid(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 for a body or parameter that does not validate, its echo of the input made
    printable: a lone surrogate in the input would otherwise break the answer itself (a 500)."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _printable(jsonable_encoder(exc.errors()))}, status_code=422)


async def _not_unicode(request: Request, exc: Exception) -> Response:
    """Text of the request that is not Unicode (a lone surrogate from a JSON escape) reached the
    database on a route whose body does not check it: 422 rather than a crash."""
    assert isinstance(exc, UnicodeEncodeError)
    if exc.reason != "surrogates not allowed":
        raise exc
    return await _http_error(request, HTTPException(422, {
        "message": "the request holds text that is not valid Unicode: a lone surrogate such as \\ud800 "
                   "(a JSON escape of half a character)",
        "hint": "send UTF-8 text; escape characters outside the Basic Multilingual Plane as a pair (\\ud83d\\ude00)"}))


async def _store_down(request: Request, exc: Exception) -> Response:
    """The app database cannot be reached: 503, saying which (password hidden) and what to check."""
    assert isinstance(exc, StoreError)
    return await _http_error(request, HTTPException(503, f"{exc.message} ({exc.hint})" if exc.hint else exc.message))


def _too_large(value: object, limit: int) -> bool:
    if isinstance(value, str):
        text = value.strip().lstrip("+-")
        return text.isdigit() and len(text) >= len(str(limit)) and abs(int(text)) >= limit
    return isinstance(value, int) and abs(value) >= limit


async def _huge_id(request: Request, exc: Exception) -> Response:
    """An integer beyond what the database holds (SQLite: 64-bit; PostgreSQL's integer columns:
    32-bit): in the path it names nothing (404), in the query string it is a wrong parameter (422
    naming it), in the body a wrong value (422); never a crash."""
    if isinstance(exc, DataError) and "out of range" not in str(exc.orig):
        raise exc
    limit = 2**31 if isinstance(exc, DataError) else 2**63
    if any(_too_large(v, limit) for v in request.path_params.values()):
        return await _http_error(request, HTTPException(404, f"no such id (ids are below {limit:,})"))
    huge = [k for k, v in request.query_params.multi_items() if _too_large(v, limit)]
    if huge:
        return await _http_error(request, HTTPException(422, {
            "message": f"query parameter {huge[0]!r} is too large: whole numbers here are below {limit:,}",
            "hint": f"give {huge[0]} a value from the answers of the API (an id or a count)"}))
    # Neither in the path nor the query string: a number of the request's body (a version, an id).
    return await _http_error(request, HTTPException(422, {
        "message": f"a whole number of the request is too large: numbers here are below {limit:,}",
        "hint": "give version numbers and ids as the API answered them"}))


async def _log_in(request: Request, exc: Exception) -> Response:
    from urllib.parse import quote

    assert isinstance(exc, LogIn)
    return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    """The API answers errors in JSON; pages answer them as a page a person can read, in their
    language (:func:`parcours.web.wording.error_page`). A redirect (3xx with a ``Location``, such
    as the one-time password's form) is answered as a plain redirect, never as an error."""
    assert isinstance(exc, HTTPException)
    if 300 <= exc.status_code < 400 and "location" in {k.lower() for k in (exc.headers or {})}:
        return Response(status_code=exc.status_code, headers=exc.headers)
    if request.url.path.startswith(("/api/", "/docs")) or "text/html" not in request.headers.get("accept", ""):
        return await http_exception_handler(request, exc)
    r = page("message.html", status_code=exc.status_code, **error_page(exc))
    r.headers.update(exc.headers or {})
    return r
