"""The live map's settings: the conversion window, the number of variants and the language a
view of the live map asks for (``window``, ``top``, ``lang`` of the page and of the analysis
API). They are ``analyze`` keywords, so they override the map's ``analysis:`` block for that
view as the CLI's flags do, and they are part of the live cache key.

>>> view_settings(" 7d ", "5", "")
{'conversion_window': '7d', 'top': 5}
>>> try:
...     view_settings(None, "0", None)
... except FilterError as e:
...     print(e.which, "-", e.message)
top - 0 is not a whole number of at least 1
"""

from __future__ import annotations

from typing import Any, get_args

from parcours.model.durations import parse_duration
from parcours.model.specs import AnalysisSpec, Lang
from parcours.project.live import FilterError

LANGS: tuple[str, ...] = get_args(Lang)


def view_settings(window: str | None, top: str | int | None, lang: str | None) -> dict[str, Any]:
    """The settings given (blank ones dropped) as ``analyze`` keywords; :class:`FilterError`
    naming the setting (``which``: window, top or lang) for a bad value."""
    out: dict[str, Any] = {}
    window, text, lang = (window or "").strip(), str(top if top is not None else "").strip(), (lang or "").strip()
    if window:
        try:
            parse_duration(window)
        except ValueError as e:
            raise FilterError("window", str(e)) from None
        out["conversion_window"] = window
    if text:
        if not text.isdigit() or int(text) < 1:
            raise FilterError("top", f"{text} is not a whole number of at least 1",
                              hint="the number of variants shown, e.g. 10")
        out["top"] = int(text)
    if lang:
        if lang not in LANGS:
            raise FilterError("lang", f"{lang!r} is not a language of the report", hint=" or ".join(LANGS))
        out["lang"] = lang
    AnalysisSpec.of(**out)  # the same checks as analyze's, so nothing bad reaches the job
    return out


__all__ = ["LANGS", "view_settings"]
