"""Polarity lexicons, per language: what the words of a comment say, however new its domain.

A word model learnt on book reviews or tweets knows little of a complaint to an insurer; words
like "inadmissible", "injoignable", "déçu", "rapide" or "à l'écoute" say the same in every
sector. The shipped models add a lexicon's reading to their word model (see
:class:`parcours.text.sentiment.Model`): the sum of the polarities of the lexicon's entries in a
comment, an entry after a negation counted with the opposite sign (``pas satisfait`` is
negative), and the number of negations in the comment.

``models/lexicon.tsv.gz`` (language, entry, polarity in −1..1) is built by
``bench/sentiment/train.py`` from the Pattern lexicons for French, Dutch and English (Tom De
Smedt and Walter Daelemans, CLiPS, PDDL), the German Polarity Lexicon (Klenner, Clematide,
Wiegand, Peters; Pattern format by Markus Killer; Apache-2.0) and the VADER lexicon (C.J.
Hutto, MIT; valence / 4); the customer-service words of :mod:`parcours.text.cx_words` (French,
English, German, Spanish, Dutch) come on top and win where both have an entry.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from parcours.text import cx_words
from parcours.text.tokens import tokens

LONGEST = 3  # tokens in the longest phrase looked for


@dataclass(frozen=True)
class Lexicon:
    language: str
    entries: dict[tuple[str, ...], float]  # tokens of an entry (as features.tokens writes them, no NEG_) → polarity
    starts: frozenset[str] = frozenset()  # first words of the phrases (entries of several words)

    def __len__(self) -> int:
        return len(self.entries)


def _key(entry: str) -> tuple[str, ...]:
    return tuple(t[4:] if t.startswith("NEG_") else t for t in tokens(entry))


@lru_cache(maxsize=1)
def _all() -> dict[str, Lexicon]:
    entries: dict[str, dict[tuple[str, ...], float]] = {}
    ref = resources.files("parcours.text") / "models" / "lexicon.tsv.gz"
    if ref.is_file():
        with gzip.open(io.BytesIO(ref.read_bytes()), "rt", encoding="utf-8") as f:
            for lang, entry, value in csv.reader(f, delimiter="\t"):
                key = _key(entry)
                if 0 < len(key) <= LONGEST:
                    entries.setdefault(lang, {})[key] = float(value)
    for lang, by_sign in cx_words.WORDS.items():
        for sign, words in by_sign.items():
            for word in words.split():
                key = _key(word.replace("_", " "))
                if 0 < len(key) <= LONGEST:
                    entries.setdefault(lang, {})[key] = float(sign)
    return {lang: Lexicon(lang, e, frozenset(k[0] for k in e if len(k) > 1)) for lang, e in entries.items()}


def of(language: str | None) -> Lexicon | None:
    """The lexicon of a language, or None when Parcours has none for it."""
    return _all().get(language) if language else None


def languages() -> tuple[str, ...]:
    return tuple(sorted(_all()))


def polarity(words: list[str], lexicon: Lexicon) -> float:
    """The sum of the polarities of the lexicon's entries found in ``words`` (the tokens of
    :func:`parcours.text.tokens.tokens`), longest phrase first, each word counted once; an
    entry whose first word follows a negation (``NEG_``) counts with the opposite sign."""
    entries, starts = lexicon.entries, lexicon.starts
    bare = [w[4:] if w.startswith("NEG_") else w for w in words]
    total = 0.0
    i, n = 0, len(words)
    while i < n:
        size = 1
        p = None
        if bare[i] in starts:
            for size in range(min(LONGEST, n - i), 1, -1):
                p = entries.get(tuple(bare[i:i + size]))
                if p is not None:
                    break
        if p is None:
            size = 1
            p = entries.get((bare[i],))
        if p is not None:
            total += -p if words[i].startswith("NEG_") else p
        i += size
    return total
