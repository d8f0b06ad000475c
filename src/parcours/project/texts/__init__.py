"""The texts of the web app's pages in French and English, by key: the catalogues
``texts/{en,fr}.json`` (the same keys in both; ``tests/web/test_i18n.py`` checks it) and how a
text is put in a language. The web chooses the language of each request (``parcours.web.i18n``).

A value is a string formatted with ``str.format`` (a brace of the text itself is doubled:
``{{``), or, for a text that depends on a count, ``{"one": ..., "other": ...}`` chosen by ``n``
as the language counts (French says "0 ligne", English "0 rows"). A key ending in ``_html``
holds markup of the app's own; the values put in a page's text are escaped unless they are markup.

>>> text("en", "rows", n=1), text("fr", "rows", n=0), text("en", "rows", n=3)
('1 row', '0 ligne', '3 rows')
>>> best_of("de-CH, fr-CH;q=0.9, en;q=0.8"), best_of("en-GB,en;q=0.9"), best_of("de")
('fr', 'en', None)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

LANGS = ("fr", "en")
NAMES = {"fr": "Français", "en": "English"}  # each language named in itself, as a chooser shows it
DEFAULT = "en"
HERE = Path(__file__).parent


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """The texts of ``lang`` (``fr`` or ``en``), by key."""
    return json.loads((HERE / f"{lang}.json").read_text(encoding="utf-8"))


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


def say(said: Mapping[str, Any], lang: str) -> str:
    """Words — ``{"t": key, **values}``, a value being words too, or ``{"num": n}`` a number
    written as ``lang`` writes it — in ``lang``. A key the catalogues lack is a :class:`KeyError`.

    >>> say({"t": "ingest.reason.missing", "role": {"t": "source.role.time"}, "column": "'ts'"}, "fr")
    "horodatage manquant (colonne 'ts')"
    """
    from parcours.report.formats import number as written

    def value(v: Any) -> Any:
        if isinstance(v, Mapping) and "t" in v:
            return say(v, lang)
        if isinstance(v, Mapping) and "num" in v:
            return written(v["num"], lang)
        return v

    return text(lang, said["t"], **{k: value(v) for k, v in said.items() if k != "t"})


def read_note(note: str | None, lang: str) -> str:
    """A sentence a layer kept in English to be said later — a note or a quarantine reason of
    reading a file (:mod:`parcours.ingest.said`), the message of a map version the app saved
    (:mod:`parcours.store.version_said`), a line of the app's activity
    (:mod:`parcours.store.app_activity`), a problem of a map (:mod:`parcours.model.said`) — in ``lang``: read back into its words and said; a
    text no template made (an engine's message, what a person typed) is given as it is.

    >>> read_note("missing customer (column 'id'); no score and no comment", "fr")
    "client manquant (colonne 'id')\u202f; ni note ni commentaire"
    >>> read_note("edited touchpoint 'fiche'", "fr"), read_note("my own words", "fr")
    ("modification du point de contact 'fiche'", 'my own words')
    """
    from parcours.ingest.said import SAID as READING
    from parcours.model.said import SAID as MAP
    from parcours.store.app_activity import SAID as APP
    from parcours.store.version_said import SAID as VERSIONS

    found = READING.words_of(note) or VERSIONS.words_of(note) or APP.words_of(note) or MAP.words_of(note)
    if not found:
        return note or ""
    parts = [say(w, lang) for w in found]
    return ("\u202f; " if lang == "fr" else "; ").join(parts)


def detection(report: Mapping[str, Any] | None, lang: str, order: Iterable[str] = ()) -> str | None:
    """How reading a file found its columns (``Detected XES columns: customer=…``) in ``lang``,
    the roles named in it too, from an ingest report's ``columns`` (in the order of ``order``,
    then their own), ``how`` each was found and ``detected_schema``. A report kept before
    ``how`` was has its English ``detection`` instead.

    >>> detection({"columns": {"customer": "id", "time": "ts"}, "how": {"customer": "name", "time": "given"}}, "fr")
    'Colonnes détectées\\u202f: client=id, horodatage=ts'
    """
    if not report or not isinstance(report.get("columns"), Mapping):
        return None
    roles, how = report["columns"], report.get("how")
    if how is None:
        return report.get("detection")
    known = catalogue(lang if lang in LANGS else DEFAULT)
    order = list(order)
    said = ", ".join(f"{known.get(f'source.role.{r}', r)}={roles[r]}"
                     for r in [*order, *(r for r in roles if r not in order)] if r in roles)
    if not any(how.get(r) != "given" for r in roles):
        return text(lang, "source.columns_given", roles=said)
    schema = report.get("detected_schema")
    return text(lang, "source.detected_schema", schema=schema, roles=said) if schema \
        else text(lang, "source.detected", roles=said)
