"""The web app: ``create_app(store)`` builds the FastAPI application that ``parcours serve`` runs.

>>> from parcours.store.db import connect                                  # doctest: +SKIP
>>> app = create_app(connect("sqlite:///team.db"), secret="...", data_dir=Path("data"))  # doctest: +SKIP
"""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from parcours.store.db import Store
from parcours.web.api import router
from parcours.web.live import LiveMaps
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


def create_app(store: Store, *, secret: str, data_dir: Path, https_only: bool = True) -> FastAPI:
    """The app on ``store`` (already migrated), with the projects' data under ``data_dir``.
    ``https_only``: session cookies only over HTTPS (``parcours serve`` turns it off on a
    loopback address, for local use)."""
    from parcours import __version__

    app = FastAPI(title="Parcours", version=__version__, docs_url="/docs", openapi_url="/api/v1/openapi.json",
                  description="The journey map of a team, measured: projects, map versions, analyses.")
    app.state.store = store
    app.state.live = LiveMaps(data_dir)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="parcours_session",
                       max_age=SESSION_DAYS * 86400, same_site="lax", https_only=https_only)
    app.include_router(router)
    app.include_router(pages)
    return app
