"""Request body caps (:mod:`parcours.project.body_limits`), enforced before the body is read.

A request whose ``Content-Length`` is over its route's cap is answered ``413`` at once: the app
never runs and not one byte of the body is read. A body without ``Content-Length`` (chunked) is
counted while the route reads it, and refused as soon as it passes the cap: the rest is never
read, let alone kept in memory.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcours.project.body_limits import BodyLimits, Cap


class BodyTooLarge(HTTPException):
    """Raised while a body is read, once it has passed its route's cap (413)."""

    def __init__(self, cap: Cap) -> None:
        # Connection: close: the server stops there instead of reading the rest of the body to
        # keep the connection open for another request.
        super().__init__(413, cap.refusal(), headers={"Connection": "close"})
        self.cap = cap


def _refused(scope: Scope, cap: Cap) -> Response:
    """413 as the app answers errors: JSON for the API and scripts, a page for a browser."""
    headers = Headers(scope=scope)
    path = scope.get("path", "")
    if path.startswith(("/api/", "/docs")) or "text/html" not in headers.get("accept", ""):
        return JSONResponse({"detail": cap.refusal()}, status_code=413, headers={"Connection": "close"})
    from parcours.web.pages import page

    detail = cap.refusal()
    r = page("message.html", status_code=413, title="Too large", message=detail["message"], hint=detail["hint"])
    r.headers["Connection"] = "close"
    return r


class BodyLimit:
    """ASGI middleware applying :class:`BodyLimits` to every HTTP request."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.limits.cap_for(scope["method"], scope["path"])
        if cap is None:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.strip().isdigit() and int(declared) > cap.bytes:
            # Answered before anything is read; the server then closes the connection rather
            # than read the rest of the body.
            await _refused(scope, cap)(scope, receive, send)
            return
        size = 0

        async def counted() -> Message:
            nonlocal size
            if size > cap.bytes:  # a route that read on after the refusal: still nothing more
                raise BodyTooLarge(cap)
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > cap.bytes:
                    raise BodyTooLarge(cap)
            return message

        await self.app(scope, counted, send)
