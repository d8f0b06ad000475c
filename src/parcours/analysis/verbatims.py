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
from dataclasses import dataclass
from typing import Any

import numpy as np

from parcours.analysis.scores import Counts, figure
from parcours.text import language as L
from parcours.text import sentiment as S
from parcours.text.themes import Comment, find_themes

ROW_COLUMNS = ("language", "sentiment_label", "sentiment_score", "sentiment_text_score", "sentiment_source",
               "sentiment_flag", "theme")


@dataclass
class Verbatims:
    rows: dict[str, list[Any]]   # per response, aligned with ``seq``
    seq: list[int]
    summary: dict[str, Any]
    themes: list[dict[str, Any]]
    sentiment_points: dict[str, list[dict[str, Any]]]  # "stage"/"touchpoint" → emotion-curve records


def _mean_ci(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """Mean and Student-t interval (the CES figure's), bounded to 0..100."""
    f = figure("ces", Counts(responses=len(values), promoters=0, detractors=0, top=0, total=sum(values),
                             total_sq=sum(v * v for v in values)))
    low, high = f["ci_low"], f["ci_high"]
    return f["value"], None if low is None else max(0.0, low), None if high is None else min(100.0, high)


def _detractor(r: dict[str, Any], polarity: float, label: str | None) -> bool:
    if r["score"] is not None and r["metric"] == "nps":
        return r["score"] <= 6
    if not np.isnan(polarity):
        return bool(polarity < -S.THRESHOLD)
    return label == "negative"


def analyse(records: list[dict[str, Any]], scales: dict[str, Any], *, min_theme_size: int | None = None,
            max_themes: int = 8) -> Verbatims:
    """``records``: dicts with seq, comment, score, metric, language, stage, touchpoint."""
    n = len(records)
    comments = [(r["comment"] or "").strip() or None for r in records]
    given = [L.normalise_code(r.get("language")) for r in records]
    detected = L.detect([c if g is None else None for c, g in zip(comments, given)])
    languages = [g if g is not None else d[0] for g, d in zip(given, detected)]
    text = S.text_scores(comments, languages)
    scores = np.array([np.nan if r["score"] is None else float(r["score"]) for r in records])
    metrics = [r["metric"] for r in records]
    polarity = S.score_polarity(scores, metrics, {k: tuple(v) for k, v in scales.items()})
    value, labels, source, flag = S.combine(text, polarity, S.score_labels(scores, metrics, polarity))
    detractor = [_detractor(r, p, lab) for r, p, lab in zip(records, polarity, labels)]
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

    def nan_none(x: float) -> float | None:
        return None if np.isnan(x) else float(x)

    rows = {
        "language": languages, "sentiment_label": labels, "sentiment_score": [nan_none(v) for v in value],
        "sentiment_text_score": [nan_none(v) for v in text], "sentiment_source": source, "sentiment_flag": flag,
        "theme": theme_of,
    }
    summary = {
        "comments": len(with_text),
        "languages": dict(Counter(languages[i] or "unknown" for i in with_text).most_common()),
        "languages_given": sum(g is not None for g in given),
        "sentiment": {lab: sum(x == lab for x in labels) for lab in S.LABELS},
        "sentiment_by_source": dict(Counter(s for s in source if s)),
        "contradictions": sum(f is not None for f in flag),
        "not_scored": sum(1 for i in with_text if np.isnan(text[i])),
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
            table.append({
                level: key, "comments": len(commented),
                **{lab: sum(labels[i] == lab for i in commented) for lab in S.LABELS},
                "mean_sentiment": sum(sentiments) / len(sentiments) if sentiments else None,
                "irritant_comments": sum(irritant.values()),
                "irritant_share": sum(irritant.values()) / len(commented) if commented else None,
                "detractor_comments": len(det_comments),
                "top_irritant": themes[top]["theme"] if top is not None else None,
                "top_irritant_share_of_detractor_comments": top_det / len(det_comments) if det_comments else None,
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
                     sentiment_points=points)
