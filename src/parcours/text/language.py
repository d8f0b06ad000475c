"""Which language a comment is written in (offline: py3langid's shipped model, BSD-3).

``detect`` ranks the ~97 languages py3langid knows. Short or noisy texts ("ok", "37 minutes???")
are easily taken for another language, so when the best language is not French or English (the
languages of most comments Parcours reads) and py3langid is not sure of it (probability under
``SURE``), the better of French and English is kept instead. German, Spanish and Dutch, which
Parcours also scores, are kept when py3langid is sure of them. Texts with no letters get no language (``None``).
A language given in the input (the ``language`` role) is used as is and never re-detected.

Most comments are plainly French or English, and py3langid reads each byte of a text in Python
(about 0.3 ms a comment): a text with at least ``MARKS`` function words found only in French (or
only in English) and none of the other's, nor any German, Dutch or Spanish one, is taken for
that language at once. On real reviews this decides 92% of French insurance reviews and 82% of
English pet-insurance reviews (3,000 of each), and never said French or English of a German,
Dutch or Spanish text (``tests/text/test_sentiment_real.py`` measures both); where it and
py3langid differed, it was right (French written in capitals, which py3langid takes for English).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from parcours.text import parallel as P

SCORED = ("fr", "en", "de", "es", "nl")  # the languages with a shipped text model
PRIMARY = ("fr", "en")  # the languages an unsure detection falls back to
SURE = 0.9
HEAD = 300  # characters looked at: enough to tell a language, and detection time grows with length
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu)['’]\w", re.IGNORECASE)
MARKS = 3
_FRENCH = frozenset("et est les des pas vous nous mais avec très été sont ai suis cette une aux ils elle leur sur "
                    "dans".split())
_ENGLISH = frozenset("the and of to my with they have this you that not are be been would very their them there "
                     "what were which your our had has will from just but get got when".split())
_OTHERS = frozenset(  # German, Dutch, Spanish, Italian, Portuguese, Catalan: leave these texts to py3langid
    "der die das und ist nicht ein eine mit auf ich het een niet ik dat el los las por muy pero del lo "
    "che della degli delle è molto anche questo questa gli sono nel alla não muito uma com você amb molt és els "
    "aquest aquesta però".split())


def _by_function_words(text: str) -> str | None:
    head = text[:HEAD]
    words = _WORD.findall(head.lower())
    if not _OTHERS.isdisjoint(words):
        return None
    french = sum(w in _FRENCH for w in words) + len(_ELISION.findall(head))
    english = sum(w in _ENGLISH for w in words)
    if french >= MARKS and english == 0:
        return "fr"
    if english >= MARKS and french == 0:
        return "en"
    return None


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True)


def detect_one(text: str | None) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, probability) of one text, or (None, None) when it has no letters; the
    probability is None when function words decided (see the module's notes)."""
    if not text or not _LETTER.search(text):
        return None, None
    plain = _by_function_words(text)
    if plain is not None:
        return plain, None
    ranking = _identifier().rank(text[:HEAD])
    lang, p = ranking[0]
    if lang not in PRIMARY and p < SURE:
        lang, p = next((x for x in ranking if x[0] in PRIMARY))
    return lang, float(p)


def detect(texts: Iterable[str | None]) -> list[tuple[str | None, float | None]]:
    """(language, probability) of each text (:func:`detect_one`); many texts are read on every
    core (:mod:`parcours.text.parallel`), with the same result."""
    texts = list(texts)
    pending = [t for t in texts if t]
    if len(pending) < len(texts):  # only the texts to read travel to the workers
        found = iter(detect(pending))
        return [next(found) if t else (None, None) for t in texts]
    return [x for part in P.map_chunks(_detect, texts) for x in part]


def _detect(texts: list[str | None]) -> list[tuple[str | None, float | None]]:
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
