"""Verbatims: language, sentiment and themes of the comments, per response and per group.

For each accepted response with a comment: its language (the ``language`` column when given,
else detected, see :mod:`parcours.text.language`), its sentiment from the text and the score
beside it (:mod:`parcours.text.sentiment`), and its theme (:mod:`parcours.text.themes`).
Responses with a score and no comment get the score's sentiment. Summaries: counts per
language and label, per stage and touchpoint (comments, labels, mean sentiment, comments in
an irritant, the top irritant and its share of the detractors' comments there), and the
sentiment of comments *without* a score per stage and touchpoint, for the emotion curve
(0–100: (sentiment + 1) × 50, mean with a Student-t interval).

A *detractor* is a response with NPS 0–6, or another metric's score in the lower third of
its scale (polarity below −1/3, CES reversed), or, without a score, a negative comment.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from parcours.analysis.aspects import measure as aspect_figures
from parcours.analysis.scores import Counts, figure, wilson
from parcours.text import adapt as A
from parcours.text import aspects as AS
from parcours.text import features as TF
from parcours.text import language as L
from parcours.text import sentiment as S
from parcours.text.themes import Comment, find_themes

ROW_COLUMNS = ("language", "sentiment_label", "sentiment_score", "sentiment_text_score", "sentiment_source",
               "sentiment_flag", "theme", "aspects")


@dataclass
class Verbatims:
    rows: dict[str, list[Any]]   # per response, aligned with ``seq``
    seq: list[int]
    summary: dict[str, Any]
    themes: list[dict[str, Any]]
    sentiment_points: dict[str, list[dict[str, Any]]]  # "stage"/"touchpoint" → emotion-curve records
    aspects: list[dict[str, Any]] = field(default_factory=list)  # parcours.analysis.aspects.measure


def _mean_ci(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """Mean and Student-t interval (the CES figure's), bounded to 0..100."""
    f = figure("ces", Counts(responses=len(values), promoters=0, detractors=0, top=0, total=sum(values),
                             total_sq=sum(v * v for v in values)))
    low, high = f["ci_low"], f["ci_high"]
    return f["value"], None if low is None else max(0.0, low), None if high is None else min(100.0, high)


def _unlabelled(comments: list[str | None], languages: list[str | None], labels: list[str | None]
                ) -> dict[str, Any]:
    """Why responses have no sentiment label: no comment (and no score), a comment in no
    language (no letters), or in a language with no text model (and no score), per language.
    Responses = ``labelled`` + these: none is dropped silently."""
    out: dict[str, Any] = {"no_comment": 0, "no_language": 0, "no_text_model": {}}
    for c, lang, lab in zip(comments, languages, labels):
        if lab is not None:
            continue
        if not c:
            out["no_comment"] += 1
        elif not lang:
            out["no_language"] += 1
        else:
            out["no_text_model"][lang] = out["no_text_model"].get(lang, 0) + 1
    return out


def _detractor(r: dict[str, Any], polarity: float, label: str | None) -> bool:
    if r["score"] is not None and r["metric"] == "nps":
        return r["score"] <= 6
    if not np.isnan(polarity):
        return bool(polarity < -S.THRESHOLD)
    return label == "negative"


@dataclass
class Read:
    """What a run reads in each response before measuring: its comment, language, score and
    the score's polarity and label."""

    comments: list[str | None]
    given: list[str | None]
    languages: list[str | None]
    scores: np.ndarray
    metrics: list[str | None]
    polarity: np.ndarray
    by_score: list[str | None]


def read(records: list[dict[str, Any]], scales: dict[str, Any], known: dict[int, str | None] | None = None) -> Read:
    """``known``: languages already found, by response seq (detected once per run)."""
    known = known or {}
    comments = [(r["comment"] or "").strip() or None for r in records]
    given = [L.normalise_code(r.get("language")) for r in records]
    unknown = [c if g is None and r["seq"] not in known else None for c, g, r in zip(comments, given, records)]
    detected = L.detect(unknown)
    languages = [g if g is not None else known[r["seq"]] if r["seq"] in known else d[0]
                 for g, d, r in zip(given, detected, records)]
    scores = np.array([np.nan if r["score"] is None else float(r["score"]) for r in records])
    metrics = [r["metric"] for r in records]
    polarity = S.score_polarity(scores, metrics, {k: tuple(v) for k, v in scales.items()})
    return Read(comments, given, languages, scores, metrics, polarity, S.score_labels(scores, metrics, polarity))


@dataclass
class TextModels:
    """The text model of each language in one run: adapted to the run's scored comments
    (:mod:`parcours.text.adapt`), given (``--text-model``), else shipped; and, for the scored
    comments an adapted model was measured on, the probabilities of the fold model that did
    not see them (keyed by response ``seq``)."""

    languages: dict[str, A.Language]
    given: dict[str, S.Model]
    out_of_fold: dict[int, np.ndarray]
    mode: str = "adapt"  # "adapt", "given" or "shipped"
    features: TF.Matrix | None = None  # the features of the run's comments, computed once
    row: dict[int, int] = field(default_factory=dict)  # response seq → its row in ``features``
    language_of: dict[int, str | None] = field(default_factory=dict)  # response seq → its language, found once

    def model(self, language: str) -> S.Model | None:
        if language in self.given:
            return self.given[language]
        learnt = self.languages.get(language)
        if learnt is not None and learnt.model is not None:
            return learnt.model
        return S.model(language)

    def adapted(self) -> dict[str, S.Model]:
        """The adapted models, to keep with the results (``text_models/``)."""
        return {k: v.model for k, v in self.languages.items() if v.model is not None}

    def text_scores(self, seqs: list[int], comments: list[str | None], languages: list[str | None]) -> np.ndarray:
        """Text score (−1..1) per comment, by this run's model of its language (the features
        computed once, the fold model's reading for a scored comment); NaN without a comment or
        a model for its language."""
        rows = [self.row.get(seq) for seq in seqs]
        x = self.features.take(rows) if self.features is not None and None not in rows else None
        out = S.text_scores(comments, languages, model_of=self.model, x=x)
        for i, seq in enumerate(seqs):
            held = self.out_of_fold.get(seq)
            if held is not None and not np.isnan(out[i]):
                out[i] = held[2] - held[0]
        return out

    def summary(self) -> dict[str, Any]:
        """``feedback.json``'s ``text_model``: per language, the model used, why, and how
        reliable it is on the run's scored comments."""
        langs = []
        for lang in sorted(set(self.languages) | set(self.given)):
            learnt = self.languages.get(lang)
            rec = learnt.summary() if learnt else {"language": lang, "scored": 0, "labels": {}, "used": "given",
                                                   "reason": "given", "adapted": None, "baseline": None, "l2": None}
            rec["reason_text"] = A.REASONS[rec["reason"]]
            langs.append(rec)
        return {"mode": self.mode, "min_scored": A.MIN_SCORED, "min_per_side": A.MIN_PER_SIDE, "folds": A.FOLDS,
                "languages": langs}


def learn(records: list[dict[str, Any]], scales: dict[str, Any], *, mode: str = "adapt",
          given: dict[str, S.Model] | None = None) -> TextModels:
    """The run's text models: ``mode`` "adapt" learns from the scored comments (per language,
    where it does better than the shipped model), "given" applies ``given`` (models saved by an
    earlier run), "shipped" uses the shipped ones. The scored comments' figures are measured
    in every mode."""
    r = read(records, scales)
    labels = [lab if c and not np.isnan(s) else None for lab, c, s in zip(r.by_score, r.comments, r.scores)]
    with_label = [i for i, lab in enumerate(labels) if lab is not None]
    x_all = TF.matrix(r.comments, r.languages)
    langs = A.learn(x_all.take(with_label), [labels[i] for i in with_label], [r.languages[i] for i in with_label],
                    adapt=(mode == "adapt"), given=given)
    out_of_fold: dict[int, np.ndarray] = {}
    for learnt in langs.values():
        for pos, p in learnt.out_of_fold.items():
            out_of_fold[records[with_label[pos]]["seq"]] = p
    return TextModels(langs, dict(given or {}), out_of_fold, mode, features=x_all,
                      row={rec["seq"]: i for i, rec in enumerate(records)},
                      language_of={rec["seq"]: lang for rec, lang in zip(records, r.languages)})


def analyse(records: list[dict[str, Any]], scales: dict[str, Any], *, min_theme_size: int | None = None,
            max_themes: int = 8, text_models: TextModels | None = None, lang: str = "en") -> Verbatims:
    """``records``: dicts with seq, comment, score, metric, language, stage, touchpoint (and
    period, the month of the answer, when known); ``text_models``: the run's (:func:`learn`),
    else the shipped models; ``lang``: the language of the aspects' names."""
    n = len(records)
    rd = read(records, scales, text_models.language_of if text_models is not None else None)
    comments, given, languages, scores, metrics, polarity = (rd.comments, rd.given, rd.languages, rd.scores,
                                                             rd.metrics, rd.polarity)
    if text_models is None:
        text = S.text_scores(comments, languages)
    else:
        text = text_models.text_scores([rec["seq"] for rec in records], comments, languages)
    value, labels, source, flag = S.combine(text, polarity, rd.by_score)
    detractor = [_detractor(rec, p, lab) for rec, p, lab in zip(records, polarity, labels)]
    with_text = [i for i in range(n) if comments[i]]
    objs = [Comment(text=comments[i], label=labels[i],
                    sentiment=None if np.isnan(value[i]) else float(value[i]), detractor=detractor[i],
                    score=records[i]["score"], metric=records[i]["metric"],
                    satisfaction=None if np.isnan(value[i]) else (float(value[i]) + 1) * 50,
                    stage=records[i]["stage"], touchpoint=records[i]["touchpoint"]) for i in with_text]
    themes, assigned = find_themes(objs, min_size=min_theme_size, max_themes=max_themes)
    theme_of: list[str | None] = [None] * n
    theme_index: list[int | None] = [None] * n
    for k, i in enumerate(with_text):
        if assigned[k] is not None:
            theme_of[i], theme_index[i] = themes[assigned[k]]["theme"], assigned[k]

    found = [AS.aspects_of(comments[i], languages[i]) for i in with_text]  # each comment's, once
    aspect_rows = [{"text": comments[i], "label": labels[i],
                    "sentiment": None if np.isnan(value[i]) else float(value[i]), "detractor": detractor[i],
                    "stage": records[i]["stage"], "touchpoint": records[i]["touchpoint"],
                    "period": records[i].get("period")} for i in with_text]
    aspects = aspect_figures(aspect_rows, found, lang)
    aspects_of: list[str | None] = [None] * n
    found_of: dict[int, Sequence[str]] = {}
    for k, i in enumerate(with_text):
        aspects_of[i] = " | ".join(found[k]) if found[k] else None
        found_of[i] = found[k]

    def nan_none(x: float) -> float | None:
        return None if np.isnan(x) else float(x)

    rows = {
        "language": languages, "sentiment_label": labels, "sentiment_score": [nan_none(v) for v in value],
        "sentiment_text_score": [nan_none(v) for v in text], "sentiment_source": source, "sentiment_flag": flag,
        "theme": theme_of, "aspects": aspects_of,
    }
    summary = {
        "comments": len(with_text),
        "languages": dict(Counter(languages[i] or "unknown" for i in with_text).most_common()),
        "languages_given": sum(g is not None for g in given),
        "sentiment": {lab: sum(x == lab for x in labels) for lab in S.LABELS},
        "sentiment_by_source": dict(Counter(s for s in source if s)),
        "contradictions": sum(f is not None for f in flag),
        "not_scored": sum(1 for i in with_text if np.isnan(text[i])),
        "labelled": sum(lab is not None for lab in labels),
        "comments_with_an_aspect": sum(a is not None for a in aspects_of),
        "languages_without_aspects": AS.language_coverage([languages[i] for i in with_text]),
        "unlabelled": _unlabelled(comments, languages, labels),
        "themes": {"irritants": sum(t["kind"] == "irritant" for t in themes),
                   "delights": sum(t["kind"] == "delight" for t in themes),
                   "comments_in_a_theme": sum(t is not None for t in theme_of)},
    }
    points: dict[str, list[dict[str, Any]]] = {}
    for level in ("stage", "touchpoint"):
        groups: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(records):
            if r[level] is not None:
                groups[r[level]].append(i)
        table, curve = [], []
        for key, idx in groups.items():
            commented = [i for i in idx if comments[i]]
            sentiments = [float(value[i]) for i in commented if not np.isnan(value[i])]
            irritant = Counter(theme_index[i] for i in commented
                               if theme_index[i] is not None and themes[theme_index[i]]["kind"] == "irritant")
            det_comments = [i for i in commented if detractor[i]]
            top = irritant.most_common(1)[0][0] if irritant else None
            top_det = sum(1 for i in det_comments if theme_index[i] == top) if top is not None else 0
            negative = [i for i in commented if labels[i] == "negative"]
            spoken = Counter(a for i in negative for a in found_of.get(i, ()))
            # the aspect most negative comments speak of here (ties: the aspects' order)
            top_aspect = min(spoken, key=lambda a: (-spoken[a], list(AS.ASPECTS).index(a))) if spoken else None
            k_aspect = spoken[top_aspect] if top_aspect else 0
            a_low, a_high = wilson(k_aspect, len(negative)) if top_aspect else (None, None)
            table.append({
                level: key, "comments": len(commented),
                **{lab: sum(labels[i] == lab for i in commented) for lab in S.LABELS},
                "mean_sentiment": sum(sentiments) / len(sentiments) if sentiments else None,
                "irritant_comments": sum(irritant.values()),
                "irritant_share": sum(irritant.values()) / len(commented) if commented else None,
                "detractor_comments": len(det_comments),
                "top_irritant": themes[top]["theme"] if top is not None else None,
                "top_irritant_share_of_detractor_comments": top_det / len(det_comments) if det_comments else None,
                "top_aspect": top_aspect, "top_aspect_name": AS.name(top_aspect, lang) if top_aspect else None,
                "top_aspect_negative_comments": k_aspect,
                "top_aspect_share_of_negative_comments": k_aspect / len(negative) if top_aspect else None,
                "top_aspect_ci_low": a_low, "top_aspect_ci_high": a_high,
            })
            unscored = [(float(value[i]) + 1) * 50 for i in commented if records[i]["score"] is None and not np.isnan(value[i])]
            mean, low, high = _mean_ci(unscored)
            if unscored:
                curve.append({level: key, "metric": "sentiment", "value": mean, "ci_low": low, "ci_high": high,
                              "responses": len(unscored)})
        table.sort(key=lambda r: (-r["comments"], r[level]))
        summary[f"by_{level}"] = table
        points[level] = curve
    return Verbatims(rows=rows, seq=[r["seq"] for r in records], summary=summary, themes=themes,
                     sentiment_points=points, aspects=aspects)
