"""Words the app says once, on the next page a person opens (a flash): after a script's action
(choosing the source of the live map...) the page reloads and says what happened.

A flash is kept in the session as data, words of the catalogues (a key and its values, see
:func:`parcours.web.wording.say`), and put in words when it is shown, in the language of that
page (:func:`pop`).

>>> said(["data.flash.chosen", {"name": "april.csv", "kind": {"t": "data.kind_of.events"}}], "fr")
'april.csv est maintenant utilisé par la carte en direct pour ses événements.'
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from parcours.web import i18n
from parcours.web.wording import say, words  # noqa: F401 - words: how a route gives a value's words

_KEY = "flash"
_MOST = 5  # flashes kept until shown (a session cookie stays small)


def said(flash: list[Any] | tuple[Any, ...], lang: str) -> str:
    """A flash (``[key, values]``) in ``lang``."""
    key, values = flash
    return say({"t": key, **values}, lang)


def push(request: Request, key: str, **values: Any) -> None:
    """Say ``key`` (with ``values``, JSON) on the next page of this session; nothing for a request
    without a signed-in session (a script's API token)."""
    if request.session.get("uid") is None:
        return
    kept = list(request.session.get(_KEY) or [])[-(_MOST - 1):]
    request.session[_KEY] = [*kept, [key, values]]


def pop(request: Request) -> list[str]:
    """The flashes waiting for this session, in the page's language; they are then forgotten."""
    waiting = request.session.pop(_KEY, None) or []
    lang = i18n.current()
    out = []
    for flash in waiting:
        try:
            out.append(said(flash, lang))
        except (KeyError, ValueError, TypeError, IndexError):  # a flash of another version of the app
            continue
    return out
