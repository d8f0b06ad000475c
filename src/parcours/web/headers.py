"""Security headers on every response: a Content-Security-Policy whose scripts come from the app
only (files under /static, and the pages' own inline scripts, which carry this response's nonce),
no framing, no MIME sniffing, and the referrer kept on this site. The API's documentation
(/docs, Swagger UI) is one of these pages: its files are served by the app (web/api_docs.py).

A page's templates write ``<script nonce="{{ csp_nonce() }}">``; :func:`csp_nonce` returns the
nonce the middleware drew for the request being answered (a context variable), and the same
nonce is in the response's policy. A header a route set itself (e.g. the survey pages'
``Referrer-Policy: no-referrer``) is kept.

>>> "script-src 'self' 'nonce-abc'" in policy("abc")
True
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_nonce: ContextVar[str] = ContextVar("csp_nonce", default="")

FIXED = {
    "X-Frame-Options": "DENY",  # older browsers; frame-ancestors says the same to the others
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def policy(nonce: str) -> str:
    """The Content-Security-Policy of the app's pages for a response whose nonce is ``nonce``.
    Inline styles stay allowed: the templates and plotly.js set ``style`` attributes."""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def csp_nonce() -> str:
    """The nonce of the response being made (a Jinja global of the app's templates)."""
    return _nonce.get()


_SCRIPT_TAG = re.compile(r"<script(?=[\s>])(?![^>]*\snonce=)")  # a tag without a nonce yet


def with_nonce(html: str) -> str:
    """``html`` made by one of the app's own templates (user text autoescaped, JSON with ``<``
    escaped), its ``<script`` tags given this response's nonce: for pages rendered outside
    ``web/templates`` (the report that the live map shows)."""
    nonce = _nonce.get()
    return _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', html) if nonce else html


class SecurityHeaders:
    """ASGI middleware: draws a nonce per HTTP request and adds the headers to its response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        token = _nonce.set(nonce)
        csp = policy(nonce)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in {"Content-Security-Policy": csp, **FIXED}.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _nonce.reset(token)
