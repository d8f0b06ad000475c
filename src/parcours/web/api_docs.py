"""The API's documentation page (Swagger UI at ``/docs``), served with its script and style from
the app itself: the page works offline and sends no request elsewhere, under the same
Content-Security-Policy as every page (scripts from the app or carrying the response's nonce).

Swagger UI's files are vendored in ``static/swagger-ui/`` (npm ``swagger-ui-dist``, Apache-2.0,
its licence files beside them; ``static/README.md`` says which version and how to update).
FastAPI's own ``/docs`` would load them from a CDN, so the app is made with ``docs_url=None``
and this router serves the page instead.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from parcours.web.headers import with_nonce

ASSETS = Path(__file__).resolve().parent / "static" / "swagger-ui"
_TYPES = {"swagger-ui-bundle.js": "application/javascript", "swagger-ui.css": "text/css"}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def docs_page(request: Request) -> HTMLResponse:
    """Swagger UI on the app's OpenAPI schema; its inline start-up script carries the nonce."""
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} API",
        swagger_js_url=f"{root}/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{root}/favicon.ico",
        oauth2_redirect_url=None,  # the API signs in with a session cookie, not OAuth2
        swagger_ui_parameters={"validatorUrl": None},  # never ask validator.swagger.io about the schema
    )
    return HTMLResponse(with_nonce(page.body.decode("utf-8")))


@router.get("/static/swagger-ui/{name}")
def swagger_asset(name: str) -> Response:
    """Swagger UI's script and style (only these two names: nothing else of the folder is served)."""
    if name not in _TYPES:
        raise HTTPException(404, f"no such file: /static/swagger-ui/{name}")
    return Response((ASSETS / name).read_bytes(), media_type=_TYPES[name],
                    headers={"Cache-Control": "public, max-age=86400"})
