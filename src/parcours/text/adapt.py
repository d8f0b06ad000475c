"""Learning from the team's own scores: a text model adapted to the project's scored comments.

Most CX data holds comments *with* a score (NPS, CSAT, CES, stars). Those comments say, in the
team's own domain and words, what a negative, neutral and positive comment looks like. Per
language, Parcours

1. labels each scored comment by its score, with the thresholds used everywhere else
   (NPS 0–6 negative, 7–8 neutral, 9–10 positive; other scales by thirds, CES reversed);
2. measures, by ``FOLDS``-fold cross-validation on those comments, a logistic regression on the
   same hashed word 1–2-grams as the shipped models (:mod:`parcours.text.features`): each
   comment is predicted by the model trained on the other folds, and the figures are the
   balanced accuracy of negative vs positive (the mean of the two recalls, over the comments
   whose score is negative or positive) and the 3-class macro-F1, with their n;
3. measures the shipped model of the language (if any) on the same comments: it never saw them;
4. uses the adapted model when there are at least ``MIN_SCORED`` scored comments in the
   language, ``MIN_PER_SIDE`` of them negative and as many positive, and its cross-validated
   balanced accuracy is at least the shipped model's; otherwise the shipped model (or none),
   and says why.

When adapted, a comment *with* a score gets its text score from the fold model that did not
see it (so that ``text contradicts score`` still means something); a comment without a score
gets it from the model trained on all the scored comments (at most ``MAX_TRAIN`` of them, a
seeded sample, beyond which accuracy no longer moves). Everything is seeded: the same comments
give the same model and figures.

Training is full-batch gradient descent (Adam) on the class-balanced, L2-penalised log-loss,
``ITERATIONS`` passes: numpy only, a few seconds for tens of thousands of comments. Up to
``L2_GRID_MAX`` scored comments the penalty is chosen from ``L2_GRID`` by the same
cross-validation (the best balanced accuracy; a few hundred comments need more than
thousands): on the Spanish OpeNER reviews, adapted on one half and read on the other, 0.745 →
0.781 (measured in a throwaway study; German +0.004, French OpeNER +0.016, French insurance
unchanged at 100 to 10,000 comments). The figures reported are those of the chosen penalty. The
threshold ``MIN_SCORED`` was measured on the French insurance and English pet-insurance reviews
of ``../shared/data/customer_reviews`` (bench/sentiment/adapt.py): adapted on 100 scored
comments, the balanced accuracy on the other half was 0.85 in French (the shipped model: 0.53).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from parcours.errors import InputError
from parcours.text import features as F
from parcours.text import sentiment as S

MIN_SCORED = 100
MIN_PER_SIDE = 20
FOLDS = 5
MAX_TRAIN = 10_000
MIN_DF = 2
ITERATIONS = 30
LEARNING_RATE = 0.2
L2 = 1e-4
L2_GRID = (1e-4, 3e-4, 1e-3)  # the penalties the cross-validation chooses from, up to L2_GRID_MAX comments
L2_GRID_MAX = 5_000
SEED = 0
CLASSES = {"negative": 0, "neutral": 1, "positive": 2}


def train(x: F.Matrix, y: np.ndarray, *, language: str, meta: dict[str, Any] | None = None,
          lexicon: tuple[float, float] = (0.0, 0.0), l2: float = L2) -> S.Model:
    """A 3-class logistic regression (``y``: 0 negative, 1 neutral, 2 positive) on the features
    ``x``, as a :class:`~parcours.text.sentiment.Model` (the shipped models' shape). ``lexicon``:
    the (lexicon, negation) weights of the shipped model of the language, where the two weights
    start: they are learnt with the words (``x`` then carries the texts' polarity and
    negations), so a team's scores say how much the lexicon counts on its comments."""
    n = len(x)
    reads = bool(lexicon[0]) and x.polarity is not None
    polarity = x.polarity if reads else np.zeros(n)
    negations = x.negations if reads else np.zeros(n)
    lw = np.array(lexicon if reads else (0.0, 0.0), dtype=np.float64)  # lexicon and negation weights
    ml, vl = np.zeros(2), np.zeros(2)
    rows = x.rows
    vocab, column, df = np.unique(x.buckets, return_inverse=True, return_counts=True)
    kept = df[column] >= MIN_DF  # a word seen once says nothing about the others
    rows, column, values = rows[kept], column[kept], x.values[kept].astype(np.float64)
    used, column = np.unique(column, return_inverse=True)
    vocab, v = vocab[used], len(used)
    counts = np.bincount(y, minlength=3).astype(np.float64)
    weight = (n / (3 * np.maximum(counts, 1)))[y]  # balanced: each class weighs the same
    weight /= weight.sum()
    target = np.eye(3)[y]
    w, b = np.zeros((v, 3)), np.log(np.maximum(counts, 1) / n)
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros(3), np.zeros(3)
    for it in range(1, ITERATIONS + 1):
        logits = np.tile(b, (n, 1))
        for c in range(3):
            logits[:, c] += np.bincount(rows, weights=values * w[column, c], minlength=n)
        shift = (lw[0] * polarity - lw[1] * negations) / 2
        logits[:, 2] += shift
        logits[:, 0] -= shift
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - target) * weight[:, None]
        gw = np.empty_like(w)
        for c in range(3):
            gw[:, c] = np.bincount(column, weights=values * g[rows, c], minlength=v)
        gw += l2 * w
        gb = g.sum(axis=0)
        ds = (g[:, 2] - g[:, 0]) / 2
        gl = np.array([ds @ polarity, -(ds @ negations)]) if reads else np.zeros(2)
        for param, grad, m1, m2 in ((w, gw, mw, vw), (b, gb, mb, vb), (lw, gl, ml, vl)):
            m1 *= 0.9
            m1 += 0.1 * grad
            m2 *= 0.999
            m2 += 0.001 * grad * grad
            param -= LEARNING_RATE * (m1 / (1 - 0.9**it)) / (np.sqrt(m2 / (1 - 0.999**it)) + 1e-8)
    # weights kept at the precision they are saved with: a model scores the same before and after saving
    return S.Model(language, vocab.astype(np.int64), w.astype(np.float16), b.astype(np.float32),
                   {"language": language, "adapted": True, **(meta or {}),
                    **({"lexicon_weight": float(lw[0]), "negation_weight": float(lw[1])} if reads else {})})


def folds(n: int, rng: np.random.Generator) -> np.ndarray:
    """The fold (0..FOLDS-1) of each of ``n`` comments, drawn with ``rng``: folds of equal size."""
    fold = np.empty(n, dtype=np.int64)
    fold[rng.permutation(n)] = np.arange(n) % FOLDS
    return fold


def cross_validate(x: F.Matrix, y: np.ndarray, fold: np.ndarray, *, language: str,
                   lexicon: tuple[float, float] = (0.0, 0.0)) -> tuple[float, np.ndarray]:
    """(penalty, out-of-fold probabilities): each comment read by the model trained on the other
    folds; the penalty the best of ``L2_GRID`` by balanced accuracy (ties: the smaller) up to
    ``L2_GRID_MAX`` comments, else ``L2``."""
    best: tuple[float, float, np.ndarray] | None = None
    for l2 in L2_GRID if len(y) <= L2_GRID_MAX else (L2,):
        oof = np.empty((len(y), 3))
        for k in range(FOLDS):
            test = fold == k
            m = train(x.take(np.flatnonzero(~test)), y[~test], language=language, lexicon=lexicon, l2=l2)
            oof[test] = m.probabilities(x.take(np.flatnonzero(test)))
        value = balanced_accuracy(y, oof)["value"] or 0.0
        if best is None or value > best[0]:
            best = (value, l2, oof)
    return best[1], best[2]


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def balanced_accuracy(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Negative vs positive among the comments labelled so (neutral ones left out): a text is
    read positive when P(positive) ≥ P(negative). The mean of the two recalls; its interval is
    the mean of the recalls' 95% Wilson bounds (conservative, and sound for small n)."""
    out: dict[str, Any] = {"n": 0, "value": None, "ci_low": None, "ci_high": None}
    recalls, lows, highs = [], [], []
    for k in (0, 2):
        sel = y == k
        n = int(sel.sum())
        out["n"] += n
        if not n:
            return out
        hits = int(np.sum((p[sel, 2] >= p[sel, 0]) == (k == 2)))
        recalls.append(hits / n)
        low, high = _wilson(hits, n)
        lows.append(low)
        highs.append(high)
    out.update(value=sum(recalls) / 2, ci_low=sum(lows) / 2, ci_high=sum(highs) / 2)
    return out


def macro_f1(y: np.ndarray, p: np.ndarray) -> float | None:
    """The 3-class macro-F1 of the likeliest class (None without comments)."""
    if not len(y):
        return None
    pred = p.argmax(axis=1)
    scores = []
    for k in range(3):
        tp = int(np.sum((pred == k) & (y == k)))
        fp_fn = int(np.sum(pred == k)) + int(np.sum(y == k)) - 2 * tp
        scores.append(2 * tp / (2 * tp + fp_fn) if tp + fp_fn else 1.0)
    return float(np.mean(scores))


@dataclass
class Language:
    """What was learnt and measured in one language."""

    language: str
    scored: int                      # scored comments in the language
    labels: dict[str, int]           # by the score's label
    used: str                        # "adapted", "shipped" or "none"
    reason: str                      # why (a sentence key of REASONS)
    adapted: dict[str, Any] | None = None   # cross-validated figures of the adapted model
    baseline: dict[str, Any] | None = None  # the shipped (or given) model's figures on the same comments
    model: S.Model | None = None             # the adapted model, trained on all scored comments
    out_of_fold: dict[int, np.ndarray] = field(default_factory=dict)  # comment position → probabilities
    l2: float | None = None  # the penalty the cross-validation chose (when adapted)

    def summary(self) -> dict[str, Any]:
        return {"language": self.language, "scored": self.scored, "labels": self.labels, "used": self.used,
                "reason": self.reason, "adapted": self.adapted, "baseline": self.baseline, "l2": self.l2}


REASONS = {
    "adapted": "adapted to your scored comments: better than the shipped model on them",
    "adapted_only": "adapted to your scored comments (no shipped model in this language)",
    "shipped_better": "the shipped model: it does as well as the adapted one on your scored comments",
    "too_few": f"too few scored comments to adapt (at least {MIN_SCORED}, {MIN_PER_SIDE} negative and "
               f"{MIN_PER_SIDE} positive)",
    "given": "the model given (--text-model)",
    "off": "adaptation turned off",
}


def _figures(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    return {"balanced_accuracy": balanced_accuracy(y, p), "macro_f1": macro_f1(y, p), "n": int(len(y))}


def learn(x: F.Matrix, labels: Sequence[str | None], languages: Sequence[str | None], *, adapt: bool = True,
          given: dict[str, S.Model] | None = None, progress: Any = None) -> dict[str, Language]:
    """Per language: the scored comments' figures and, where it is better, an adapted model.

    ``x``: the features of every comment; ``labels``: the label of each comment's score (None
    for a comment without a score or without text); ``languages``: each comment's language.
    ``adapt=False`` only measures the baseline: the model ``given`` for the language (saved by
    an earlier run), else the shipped one."""
    given = given or {}
    by_lang: dict[str, list[int]] = {}
    for i, (lab, lang) in enumerate(zip(labels, languages)):
        if lab is not None and lang:
            by_lang.setdefault(lang, []).append(i)
    out: dict[str, Language] = {}
    for lang, idx in sorted(by_lang.items()):
        index = np.array(idx, dtype=np.int64)
        y = np.array([CLASSES[labels[i]] for i in idx], dtype=np.int64)
        counts = {k: int(np.sum(y == v)) for k, v in CLASSES.items()}
        rng = np.random.default_rng(SEED)
        sample = np.sort(rng.permutation(len(idx))[:MAX_TRAIN])  # positions in idx measured and trained on
        base_model = given.get(lang) or S.model(lang)
        base = _figures(y[sample], base_model.probabilities(x.take(index[sample]))) if base_model else None
        base_used = "given" if lang in given else "shipped" if base_model else "none"
        enough = len(idx) >= MIN_SCORED and counts["negative"] >= MIN_PER_SIDE and counts["positive"] >= MIN_PER_SIDE
        if not adapt or not enough:
            reason = "given" if lang in given else "off" if not adapt else "too_few"
            out[lang] = Language(lang, len(idx), counts, base_used, reason, baseline=base)
            continue
        if progress:
            progress(lang, len(idx))
        fold = folds(len(sample), rng)
        xs, ys = x.take(index[sample]), y[sample]
        shipped = S.model(lang)
        lexicon = (shipped.lexicon_weight, shipped.negation_weight) if shipped is not None else (0.0, 0.0)
        l2, oof = cross_validate(xs, ys, fold, language=lang, lexicon=lexicon)
        adapted = _figures(ys, oof)
        final = train(xs, ys, language=lang, meta={"scored": len(idx), "trained_on": int(len(sample)),
                                                  "labels": counts, "cross_validated": adapted, "l2": l2},
                      lexicon=lexicon, l2=l2)
        better = base is None or (adapted["balanced_accuracy"]["value"] or 0) >= (
            base["balanced_accuracy"]["value"] or 0)
        used = "adapted" if better else "shipped"
        reason = ("adapted" if base else "adapted_only") if better else "shipped_better"
        out[lang] = Language(lang, len(idx), counts, used, reason, adapted=adapted, baseline=base,
                             model=final if better else None, l2=l2,
                             out_of_fold={int(index[s]): oof[j] for j, s in enumerate(sample)} if better else {})
    return out


def save(models: dict[str, S.Model], folder: str | Path) -> list[Path]:
    """Write each adapted model as ``sentiment_{language}.npz`` in ``folder``; models an earlier
    run left there are removed (the folder holds this run's), and the folder too when empty."""
    folder = Path(folder)
    if folder.is_dir():
        for old in folder.glob("sentiment_*.npz"):
            if old.stem.removeprefix("sentiment_") not in models:
                old.unlink()
        if not models and not any(folder.iterdir()):
            folder.rmdir()
    return [m.save(folder / f"sentiment_{lang}.npz") for lang, m in sorted(models.items())]


def load_folder(folder: str | Path) -> dict[str, S.Model]:
    """The models written by :func:`save` (``sentiment_{language}.npz``)."""
    folder = Path(folder)
    out = {}
    for path in sorted(folder.glob("sentiment_*.npz")):
        lang = path.stem.removeprefix("sentiment_")
        try:
            out[lang] = S.load(path, lang)
        except (OSError, ValueError, KeyError) as e:
            raise InputError(f"{path}: not a text model Parcours wrote ({e})",
                             hint="give the text_models folder of a parcours feedback or analyze run") from None
    return out
