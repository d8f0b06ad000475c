"""Text → hashed features, shared by the shipped sentiment models and the script that trains them.

The same function runs when the model is trained (``bench/sentiment/train.py``) and when a
comment is scored, so the two cannot drift apart. Features are word unigrams and bigrams of a
normalised text, with the words after a negation marked (``pas bon`` → ``bon`` becomes
``NEG_bon``), hashed with CRC-32 into ``DIMENSION`` buckets (no vocabulary to ship), binary,
then scaled to unit length.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from parcours.text import lexicon as L
from parcours.text import parallel as P
from parcours.text.tokens import NEGATIONS, PLACEHOLDERS, normalise, tokens  # noqa: F401  (re-exported)

DIMENSION = 2**20


def bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % DIMENSION


_MASK = DIMENSION - 1  # DIMENSION is a power of two: x % DIMENSION == x & _MASK


def buckets_of(text: str) -> set[int]:
    """The hashed buckets of a text's unigrams and bigrams (what :func:`features` weighs)."""
    return _buckets(tokens(text))


def _buckets(words: list[str]) -> set[int]:
    grams = set(words)
    grams.update(map(" ".join, zip(words, words[1:])))
    crc = zlib.crc32
    return {crc(g.encode("utf-8")) & _MASK for g in grams}


def features(text: str) -> dict[int, float]:
    """Hashed binary unigram + bigram features of one text, scaled to unit length."""
    indices = buckets_of(text)
    if not indices:
        return {}
    norm = 1.0 / math.sqrt(len(indices))
    return {index: norm for index in indices}


@dataclass(frozen=True)
class Matrix:
    """The features of several texts, row after row (compressed sparse rows): text ``i``'s
    buckets are ``buckets[start[i]:start[i + 1]]`` with ``values`` beside them."""

    start: np.ndarray    # int64, len(texts) + 1
    buckets: np.ndarray  # int64
    values: np.ndarray   # float32
    polarity: np.ndarray | None = None   # float64 per text: the lexicon of its language (lexicon.polarity), 0 without one
    negations: np.ndarray | None = None  # float64 per text: how many negation words it has

    def __len__(self) -> int:
        return len(self.start) - 1

    @property
    def rows(self) -> np.ndarray:
        """The text each stored feature belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.start))

    def take(self, index: Sequence[int] | np.ndarray) -> "Matrix":
        """The rows ``index``, in that order."""
        index = np.asarray(index, dtype=np.int64)
        lengths = np.diff(self.start)[index]
        start = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(lengths, out=start[1:])
        picks = np.repeat(self.start[index] - start[:-1], lengths) + np.arange(start[-1], dtype=np.int64)
        return Matrix(start, self.buckets[picks], self.values[picks],
                      None if self.polarity is None else self.polarity[index],
                      None if self.negations is None else self.negations[index])


def matrix(texts: Sequence[str | None], languages: Sequence[str | None] | None = None) -> Matrix:
    """The features of each text (no features for None or an empty text); with ``languages``
    (one per text), also each text's lexicon polarity and negation count. Many texts are read
    on every core (:mod:`parcours.text.parallel`), with the same result."""
    texts = list(texts)
    parts = (P.map_chunks(_matrix, texts) if languages is None
             else P.map_chunks(_matrix, texts, list(languages)))
    return parts[0] if len(parts) == 1 else concat(parts)


def concat(parts: Sequence[Matrix]) -> Matrix:
    """The rows of several matrices, one after the other."""
    offsets = np.cumsum([0] + [len(p.buckets) for p in parts[:-1]])
    start = np.concatenate([parts[0].start[:1]] + [p.start[1:] + o for p, o in zip(parts, offsets)])
    lexical = all(p.polarity is not None for p in parts)
    return Matrix(start, np.concatenate([p.buckets for p in parts]), np.concatenate([p.values for p in parts]),
                  np.concatenate([p.polarity for p in parts]) if lexical else None,
                  np.concatenate([p.negations for p in parts]) if lexical else None)


def _matrix(texts: Sequence[str | None], languages: Sequence[str | None] | None = None) -> Matrix:
    start = np.zeros(len(texts) + 1, dtype=np.int64)
    buckets: list[int] = []
    values: list[float] = []
    polarity = np.zeros(len(texts)) if languages is not None else None
    negations = np.zeros(len(texts)) if languages is not None else None
    for i, text in enumerate(texts):
        if text:
            words = tokens(text)
            b = _buckets(words)
            if b:
                buckets.extend(b)
                values.extend([1.0 / math.sqrt(len(b))] * len(b))
            if languages is not None:
                lex = L.of(languages[i])
                if lex is not None:
                    polarity[i] = L.polarity(words, lex)
                negations[i] = sum(1 for w in words if w in NEGATIONS)
        start[i + 1] = len(buckets)
    return Matrix(start, np.fromiter(buckets, np.int64, len(buckets)), np.fromiter(values, np.float32, len(values)),
                  polarity, negations)
