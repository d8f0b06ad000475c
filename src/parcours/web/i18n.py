"""The web app in the user's language (French or English): the catalogues of the pages' texts,
the language of a request, and ``t("key")``, how a template says a text.

The language of a request is the one its user chose on the account page (kept in
``parcours.store.preferences``), else the first of French and English the browser asks for in
``Accept-Language``, else English. Pages without an account (log-in) follow the browser. The
live map's report follows the language asked for, and the map's own rule when none is.

The texts live in ``web/templates/i18n/{en,fr}.json``, one key per text, the same keys in both
(``tests/web/test_i18n.py`` checks it). A value is a string formatted with ``str.format``
(a brace of the text itself is doubled: ``{{``), or,
for a text that depends on a count, ``{"one": ..., "other": ...}`` chosen by ``n`` as the
language counts (French says "0 ligne", English "0 rows"). A key ending in ``_html`` holds
markup of the app's own; the values put in a page's text are escaped unless they are markup.

In a template::

    <h1>{{ t("account.title") }}</h1>
    <p>{{ t("data.preview", n=rows|length) }}</p>

>>> text("en", "rows", n=1), text("fr", "rows", n=0), text("en", "rows", n=3)
('1 row', '0 ligne', '3 rows')
>>> best_of("de-CH, fr-CH;q=0.9, en;q=0.8"), best_of("en-GB,en;q=0.9"), best_of("de")
('fr', 'en', None)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

LANGS = ("fr", "en")
NAMES = {"fr": "Français", "en": "English"}  # each language named in itself, as a chooser shows it
DEFAULT = "en"
CATALOGUES = Path(__file__).parent / "templates" / "i18n"

# The request being answered (its ASGI scope), set by the :class:`Language` middleware or by
# :func:`bind`; :func:`current` reads its language once, when a page first needs it.
_asked: ContextVar[dict[str, Any] | None] = ContextVar("parcours_i18n_request", default=None)


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """The texts of ``lang`` (``fr`` or ``en``), by key."""
    return json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8"))


def _plural(lang: str, n: Any) -> str:
    # French counts 0 and 1 as one ("0 ligne", "1,5 jour"), English only 1.
    try:
        value = abs(float(n))
    except (TypeError, ValueError):
        return "other"
    return "one" if (value < 2 if lang == "fr" else value == 1) else "other"


def _entry(lang: str, key: str, n: Any) -> str:
    # A key the catalogue lacks is an error (KeyError), not an English word on a French page.
    entry = catalogue(lang if lang in LANGS else DEFAULT)[key]
    return entry[_plural(lang, n)] if isinstance(entry, Mapping) else entry


def text(lang: str, key: str, **values: Any) -> str:
    """The text ``key`` in ``lang`` with ``values`` put in (``n`` also chooses the plural form),
    as plain text: for a message the API answers."""
    return _entry(lang, key, values.get("n")).format(**values)


def html(lang: str, key: str, **values: Any) -> Markup:
    """The text ``key`` in ``lang`` for a page: escaped, and so are ``values`` unless they are
    markup already; a key ending in ``_html`` is the app's own markup, kept."""
    entry = _entry(lang, key, values.get("n"))
    return (Markup(entry) if key.endswith("_html") else Markup.escape(entry)).format(**values)


def entries(lang: str, keys: Iterable[str]) -> dict[str, Any]:
    """The catalogue entries ``keys`` of ``lang`` as they are (plural ones as ``{one, other}``):
    the texts a page's script fills in itself (``parcoursText`` in base.html)."""
    texts = catalogue(lang if lang in LANGS else DEFAULT)
    return {key: texts[key] for key in keys}


def best_of(accept_language: str | None) -> str | None:
    """The language of ours the browser prefers, from an ``Accept-Language`` header (None: neither)."""
    asked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > 0:
            asked.append((-q, i, primary))
    return min(asked)[2] if asked else None


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
    (a date: 1er janv. 2026 / 1 Jan 2026), and ``LANGUAGES``, in
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

    env.globals.update(t=t_, js_texts=js_texts, LANGUAGES=NAMES)
    env.filters.update(num=num, day=day)
