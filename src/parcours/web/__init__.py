"""The web front door: a FastAPI app over the app store (``parcours.store``) and the analyses."""

from __future__ import annotations

from parcours.web.app import create_app

__all__ = ["create_app"]
