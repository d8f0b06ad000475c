"""Which language a comment is written in (offline: py3langid's shipped model, BSD-3).

``detect`` ranks the ~97 languages py3langid knows. Short or noisy texts ("ok", "37 minutes???")
are easily taken for another language, so when the best language is not French or English (the
languages of most comments Parcours reads) and py3langid is not sure of it (probability under
``SURE``), the better of French and English is kept instead. German, Spanish and Dutch, which
Parcours also scores, are kept when py3langid is sure of them. Texts with no letters get no language (``None``).
A language given in the input (the ``language`` role) is used as is and never re-detected.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

SCORED = ("fr", "en", "de", "es", "nl")  # the languages with a shipped text model
PRIMARY = ("fr", "en")  # the languages an unsure detection falls back to
SURE = 0.9
HEAD = 300  # characters looked at: enough to tell a language, and detection time grows with length
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True)


def detect_one(text: str | None) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, probability) of one text, or (None, None) when it has no letters."""
    if not text or not _LETTER.search(text):
        return None, None
    ranking = _identifier().rank(text[:HEAD])
    lang, p = ranking[0]
    if lang not in PRIMARY and p < SURE:
        lang, p = next((x for x in ranking if x[0] in PRIMARY))
    return lang, float(p)


def detect(texts: Iterable[str | None]) -> list[tuple[str | None, float | None]]:
    return [detect_one(t) for t in texts]


def normalise_code(value: str | None) -> str | None:
    """A given language as a 2-letter code: ``fr``, ``FR``, ``fr-FR``, ``fr_CA``, ``French``, ``français`` → ``fr``."""
    if value is None:
        return None
    v = str(value).strip().lower()
    if not v:
        return None
    names = {"french": "fr", "français": "fr", "francais": "fr", "fra": "fr", "fre": "fr",
             "english": "en", "anglais": "en", "eng": "en"}
    if v in names:
        return names[v]
    return re.split(r"[-_]", v)[0]
