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

    def said(self) -> tuple[str, str]:
        """The refusal as the error's page says it, in the page's language."""
        from parcours.web import i18n

        return refusal(self.cap, i18n.current())


def refusal(cap: Cap, lang: str) -> tuple[str, str]:
    """A cap's refusal for a page, in ``lang`` (message, hint): what was too large, the most the
    server takes, and the setting of the administrator (the API answers :meth:`Cap.refusal`)."""
    from parcours.project.body_limits import KB, MAP_ENV, MB
    from parcours.web.i18n import text

    n = cap.bytes
    size = (text(lang, "limits.mb", n=n // MB) if n % MB == 0 else text(lang, "limits.kb", n=n // KB)
            if n % KB == 0 else text(lang, "limits.bytes", n=n))
    what = "map" if cap.env == MAP_ENV else "body"
    return text(lang, f"limits.{what}", size=size), text(lang, f"limits.{what}_hint", env=cap.env)


def _refused(scope: Scope, cap: Cap) -> Response:
    """413 as the app answers errors: JSON for the API and scripts, a page for a browser."""
    headers = Headers(scope=scope)
    path = scope.get("path", "")
    if path.startswith(("/api/", "/docs")) or "text/html" not in headers.get("accept", ""):
        return JSONResponse({"detail": cap.refusal()}, status_code=413, headers={"Connection": "close"})
    from parcours.web.pages import page

    # Before the session is read: the page is in the browser's language.
    from parcours.web.i18n import DEFAULT, language_of, text

    lang = language_of({**scope, "session": None}) or DEFAULT
    message, hint = refusal(cap, lang)
    r = page("message.html", status_code=413, title=text(lang, "error.413"), message=message, hint=hint, lang=lang)
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
