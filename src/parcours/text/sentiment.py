"""Sentiment of a comment, from its text and, where there is one, the score beside it.

Text: a logistic regression per language (French, English, German, Spanish, Dutch) on hashed
word 1–2-grams (``features.py``), plus the reading of the language's polarity lexicon
(``lexicon.py``: what the words say in any domain), trained and evaluated by
``bench/sentiment/train.py`` and shipped as ``models/sentiment_{lang}.npz`` (no download at run
time). It gives three probabilities; the text score is P(positive) − P(negative), in −1..1, and
its label the likeliest class.

With a score, the customer's own rating wins: the label is the score's (NPS 0–6 negative,
7–8 neutral, 9–10 positive; other scales by thirds: the score put on −1..1, scale low → −1,
high → +1, CES reversed since low effort is good, negative below −1/3, positive above +1/3),
and the sentiment score is the mean of the text score and the score's −1..1 value (so that
comments with the same rating are still ordered by what they say). A 0 is therefore never
read as positive nor a 10 as negative; when the text alone says the opposite of a score at
either end of its scale, the row is flagged ``text contradicts score`` (irony, a mistaken
scale, a comment about something else). Without a score, the text decides: negative below
−1/3, positive above +1/3. Comments in languages without a model get the score's sentiment
alone (or none without a score).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from parcours.text import features as F

LABELS = ("negative", "neutral", "positive")
THRESHOLD = 1 / 3
CONTRADICTS = "text contradicts score"


@dataclass(frozen=True)
class Model:
    language: str
    indices: np.ndarray   # sorted hashed buckets with a weight
    weights: np.ndarray   # (len(indices), 3), classes negative, neutral, positive
    intercept: np.ndarray
    meta: dict[str, Any]

    @property
    def lexicon_weight(self) -> float:
        """How much the lexicon's reading moves the log-odds of positive against negative (0: none)."""
        return float(self.meta.get("lexicon_weight", 0.0))

    @property
    def negation_weight(self) -> float:
        """What each negation word takes off the log-odds of positive against negative."""
        return float(self.meta.get("negation_weight", 0.0))

    @cached_property
    def _position(self) -> np.ndarray:
        """Each hashed bucket's row in ``weights`` (−1 for a bucket without a weight): one
        look-up per feature instead of a search."""
        out = np.full(F.DIMENSION, -1, dtype=np.int32)
        out[self.indices] = np.arange(len(self.indices), dtype=np.int32)
        return out

    def probabilities(self, texts: Sequence[str] | F.Matrix) -> np.ndarray:
        """P(negative), P(neutral), P(positive) of each text (rows of a feature matrix, or texts).
        A model with a lexicon weight adds ``lexicon_weight × polarity − negation_weight ×
        negations`` to the log-odds of positive against negative (half to each side), from the
        lexicon of the model's language."""
        if isinstance(texts, F.Matrix):
            x = texts
        else:
            x = F.matrix(texts, [self.language] * len(texts) if self.lexicon_weight else None)
        if self.lexicon_weight and x.polarity is None:
            raise ValueError("this model reads the lexicon: compute the features with the texts' languages")
        pos = self._position[x.buckets]
        hit = pos >= 0
        rows, weights, values = x.rows[hit], self.weights[pos[hit]].astype(np.float64), x.values[hit].astype(np.float64)
        logits = np.tile(self.intercept.astype(np.float64), (len(x), 1))
        for c in range(3):
            logits[:, c] += np.bincount(rows, weights=values * weights[:, c], minlength=len(x))
        if self.lexicon_weight:
            shift = (self.lexicon_weight * x.polarity - self.negation_weight * x.negations) / 2
            logits[:, 2] += shift
            logits[:, 0] -= shift
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def save(self, path: str | Path) -> Path:
        """Write the model as the shipped ones are written (``.npz``: weights, intercept, meta)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            np.savez_compressed(f, indices=self.indices.astype(np.int32), weights=self.weights.astype(np.float16),
                                intercept=self.intercept.astype(np.float32), dimension=np.int64(F.DIMENSION),
                                meta=np.array(json.dumps(self.meta, ensure_ascii=False)))
        return path


def load(path: str | Path, language: str | None = None) -> Model:
    """A model written by :meth:`Model.save` (or shipped)."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        indices, weights, intercept = z["indices"].astype(np.int64), z["weights"], z["intercept"]
    if len(indices) and (indices.min() < 0 or indices.max() >= F.DIMENSION):
        raise ValueError(f"its hashed buckets are not in 0..{F.DIMENSION - 1}")
    if weights.shape != (len(indices), 3) or intercept.shape != (3,):
        raise ValueError(f"weights of shape {weights.shape} for {len(indices)} buckets and 3 classes")
    return Model(language or meta.get("language"), indices, weights, intercept, meta)


@lru_cache(maxsize=4)
def model(language: str) -> Model | None:
    """The shipped model of a language, or None when Parcours has none for it."""
    ref = resources.files("parcours.text") / "models" / f"sentiment_{language}.npz"
    if not ref.is_file():
        return None
    with resources.as_file(ref) as path:
        return load(path, language)


def text_scores(texts: Sequence[str | None], languages: Sequence[str | None], *,
                model_of: Callable[[str], Model | None] | None = None, x: F.Matrix | None = None) -> np.ndarray:
    """Text score (−1..1) per comment; NaN without a comment or a model for its language.
    ``model_of``: the model of a language (default: the shipped one); ``x``: the texts'
    features when already computed (row ``i`` for text ``i``)."""
    model_of = model_of or model
    out = np.full(len(texts), np.nan)
    by_lang: dict[str, list[int]] = {}
    for i, (t, lang) in enumerate(zip(texts, languages)):
        if t and lang:
            by_lang.setdefault(lang, []).append(i)
    for lang, idx in by_lang.items():
        m = model_of(lang)
        if m is None:
            continue
        p = m.probabilities(x.take(idx) if x is not None else [texts[i] for i in idx])
        out[idx] = p[:, 2] - p[:, 0]
    return out


def score_polarity(scores: np.ndarray, metrics: Sequence[str | None], scales: dict[str, Sequence[float]]) -> np.ndarray:
    """A score on −1..1 (its scale's low end −1, high end +1; CES reversed); NaN without one."""
    out = np.full(len(scores), np.nan)
    for i, (s, metric) in enumerate(zip(scores, metrics)):
        if metric is None or s is None or np.isnan(s) or metric not in scales:
            continue
        low, high = scales[metric]
        v = 2 * (float(s) - low) / (high - low) - 1
        out[i] = -v if metric == "ces" else v
    return out


def label(values: np.ndarray) -> list[str | None]:
    return [None if np.isnan(v) else LABELS[0] if v < -THRESHOLD else LABELS[2] if v > THRESHOLD else LABELS[1]
            for v in values]


def score_labels(scores: np.ndarray, metrics: Sequence[str | None], polarity: np.ndarray) -> list[str | None]:
    """The label a score gives: NPS by its categories, other metrics by thirds of the scale."""
    out = label(polarity)
    for i, (s, metric) in enumerate(zip(scores, metrics)):
        if metric == "nps" and not np.isnan(s):
            out[i] = LABELS[0] if s <= 6 else LABELS[1] if s <= 8 else LABELS[2]
    return out


def combine(text: np.ndarray, score: np.ndarray, by_score: list[str | None] | None = None,
            ) -> tuple[np.ndarray, list[str | None], list[str | None], list[str | None]]:
    """(sentiment score, label, source, flag) from the text and score polarities (and the
    labels the scores give, from :func:`score_labels`; thirds of −1..1 when not given)."""
    by_score = by_score if by_score is not None else label(score)
    both = ~np.isnan(text) & ~np.isnan(score)
    value = np.where(both, (text + score) / 2, np.where(np.isnan(text), score, text))
    source = ["text+score" if b else "text" if not np.isnan(t) else "score" if not np.isnan(s) else None
              for b, t, s in zip(both, text, score)]
    text_label = label(text)
    flag = [CONTRADICTS if b and abs(s) == 1 and tl is not None and tl != "neutral" and (tl == "positive") != (s > 0)
            else None for b, s, tl in zip(both, score, text_label)]
    text_only = label(value)
    labels = [by_score[i] if not np.isnan(score[i]) else text_only[i] for i in range(len(value))]
    return value, labels, source, flag
