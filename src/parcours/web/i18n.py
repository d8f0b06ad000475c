"""The web app in its user's language (French or English): the language of a request, and
``t("key")``, how a template says a text of the catalogues (``parcours.project.texts``).

The language of a request is the one its user chose on the account page (kept in
``parcours.store.preferences``), else the first of French and English the browser asks for in
``Accept-Language``, else English. Pages without an account (log-in) follow the browser. The
live map's report follows the language asked for, and the map's own rule when none is.

In a template::

    <h1>{{ t("account.title") }}</h1>
    <p>{{ t("data.preview", n=rows|length) }}</p>
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from markupsafe import Markup

from parcours.project.texts import (DEFAULT, LANGS, NAMES, best_of, catalogue, entries, html,  # noqa: F401 - the web's names
                                    text)

# The request being answered (its ASGI scope), set by the :class:`Language` middleware or by
# :func:`bind`; :func:`current` reads its language once, when a page first needs it.
_asked: ContextVar[dict[str, Any] | None] = ContextVar("parcours_i18n_request", default=None)


def language_of(scope: Mapping[str, Any]) -> str | None:
    """The language a request asks for: its user's choice, else its browser's (None: neither).
    ``scope``: the request's ASGI scope (``request.scope``), its session already read."""
    session = scope.get("session") or {}
    app = scope.get("app")
    store = getattr(getattr(app, "state", None), "store", None)
    if session.get("uid") is not None and store is not None:
        from parcours.store.preferences import language

        chosen = language(store, session["uid"])
        if chosen in LANGS:
            return chosen
    headers = dict(scope.get("headers") or [])
    return best_of(headers.get(b"accept-language", b"").decode("latin-1"))


def bind(scope: dict[str, Any]) -> None:
    """Answer the request of ``scope`` in its language (what :class:`Language` does for every
    request; a route may call it with ``request.scope`` when its session was changed)."""
    scope.pop("parcours.lang", None)
    _asked.set(scope)


def asked() -> str | None:
    """The language the request being answered asks for (:func:`language_of`), None when
    neither its user nor its browser says (a script, or outside a request)."""
    scope = _asked.get()
    if scope is None:
        return None
    if "parcours.lang" not in scope:
        scope["parcours.lang"] = language_of(scope)
    return scope["parcours.lang"]


def current() -> str:
    """The language of the request being answered: the one it asks for, else English."""
    return asked() or DEFAULT


def t(key: str, **values: Any) -> str:
    """The text ``key`` in the language of the request being answered (plain text; templates
    have their own ``t``, which escapes)."""
    return text(current(), key, **values)


class Language:
    """ASGI middleware: the pages of each request are in its language (:func:`current`). Added
    before ``SessionMiddleware`` (so that it runs inside it and sees the user's session)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _asked.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            _asked.reset(token)


def install(env: Any) -> None:
    """Give a Jinja environment's templates ``t("key", **values)`` (:func:`html`),
    ``js_texts("key", ...)`` (:func:`entries`, for a script: ``| tojson``), the filters
    ``{{ n | num }}`` (a number as the language writes it: 9,153 / 9 153) and ``{{ d | day }}``
    (a date: 1er janv. 2026 / 1 Jan 2026), ``{{ text | note }}`` (a note or quarantine reason of
    reading a file, :func:`parcours.project.texts.read_note`), ``{{ "1d" | span }}`` (a duration of
    the map: 1 j / 1 d), ``{{ n | size }}`` (a file's size in bytes: 338 octets, 12,4 Ko, 3,2 Mo),
    and ``LANGUAGES``, in
    the language of the page (its context's ``lang``, else the request's)."""
    from jinja2 import pass_context

    def lang_of(context: Any) -> str:
        return context.get("lang") or current()

    @pass_context
    def t_(context: Any, key: str, **values: Any) -> Markup:
        return html(lang_of(context), key, **values)

    @pass_context
    def js_texts(context: Any, *keys: str) -> dict[str, Any]:
        return entries(lang_of(context), keys)

    @pass_context
    def num(context: Any, value: Any, digits: int = 0) -> str:
        from parcours.report.formats import number

        return number(value, lang_of(context), digits)

    @pass_context
    def day(context: Any, value: Any) -> str:
        from parcours.report.formats import date

        return date(value, lang_of(context))

    @pass_context
    def note(context: Any, value: Any) -> str:
        from parcours.project.texts import read_note

        return read_note(value, lang_of(context))

    @pass_context
    def span(context: Any, value: Any) -> str:
        from parcours.model.durations import parse_duration
        from parcours.report.formats import duration

        try:
            return duration(parse_duration(value), lang_of(context))
        except ValueError:  # not a duration the map could hold: as written
            return str(value)

    @pass_context
    def size(context: Any, n: Any) -> str:
        from parcours.report.formats import number

        lang = lang_of(context)
        if n < 1024:
            return text(lang, "limits.bytes", n=number(n, lang))
        unit, scale = ("limits.kb", 1024) if n < 1024 * 1024 else ("limits.mb", 1024 * 1024)
        return text(lang, unit, n=number(n / scale, lang, 1))

    env.globals.update(t=t_, js_texts=js_texts, LANGUAGES=NAMES)
    env.filters.update(num=num, day=day, note=note, span=span, size=size)
