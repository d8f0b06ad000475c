"""The figures of each aspect of the relationship the comments speak of
(:mod:`parcours.text.aspects` finds them).

Per aspect: its comments (share of all comments with its 95% Wilson interval), how many are
negative (share with its interval, n), its mean sentiment, the share of the detractors' comments
it holds, the stages and touchpoints where it is said, its comments per period when the answers
have a time, and quotes (its most negative comments first when most of them are negative, its
most positive first otherwise; the strongest of a readable length, about two sentences, first).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Sequence

from parcours.analysis.scores import wilson
from parcours.text.aspects import ASPECTS, name

QUOTES = 3


def _interval(k: int, n: int) -> tuple[float | None, float | None]:
    return wilson(k, n) if n else (None, None)


def measure(comments: Sequence[dict[str, Any]], found: Sequence[Sequence[str]], lang: str) -> list[dict[str, Any]]:
    """Figures of each aspect spoken of, most comments first.

    ``comments``: dicts with text, label (negative/neutral/positive or None), sentiment (−1..1
    or None), detractor, stage, touchpoint and period (or None); ``found``: each comment's
    aspects (:func:`parcours.text.aspects.aspects_of`)."""
    total = len(comments)
    detractors = sum(1 for c in comments if c["detractor"])
    out = []
    for key in ASPECTS:
        idx = [i for i, a in enumerate(found) if key in a]
        if not idx:
            continue
        labelled = [i for i in idx if comments[i]["label"] is not None]
        negative = sum(comments[i]["label"] == "negative" for i in labelled)
        sentiments = [comments[i]["sentiment"] for i in idx if comments[i]["sentiment"] is not None]
        share_low, share_high = _interval(len(idx), total)
        neg_low, neg_high = _interval(negative, len(labelled))
        of_detractors = sum(1 for i in idx if comments[i]["detractor"])
        stages = Counter(comments[i]["stage"] for i in idx if comments[i]["stage"])
        touchpoints = Counter(comments[i]["touchpoint"] for i in idx if comments[i]["touchpoint"])
        periods: dict[str, list[int]] = defaultdict(list)
        for i in idx:
            if comments[i].get("period"):
                periods[comments[i]["period"]].append(i)
        mostly_negative = bool(labelled) and negative * 2 > len(labelled)
        order = sorted(idx, key=lambda i: (round((comments[i]["sentiment"] if comments[i]["sentiment"] is not None else 0)
                                                 * (1 if mostly_negative else -1), 1),
                                           abs(len(comments[i]["text"]) - 160), i))
        out.append({
            "aspect": key, "name": name(key, lang), "comments": len(idx),
            "share_of_comments": len(idx) / total if total else None,
            "share_ci_low": share_low, "share_ci_high": share_high,
            "labelled": len(labelled), "negative": negative,
            "negative_share": negative / len(labelled) if labelled else None,
            "negative_ci_low": neg_low, "negative_ci_high": neg_high,
            "mean_sentiment": sum(sentiments) / len(sentiments) if sentiments else None,
            "detractor_comments": of_detractors,
            "share_of_detractor_comments": of_detractors / detractors if detractors else None,
            "stages": [{"stage": s, "comments": n} for s, n in stages.most_common()],
            "touchpoints": [{"touchpoint": t, "comments": n} for t, n in touchpoints.most_common()],
            "by_period": [{"period": p, "comments": len(v),
                           "negative": sum(comments[i]["label"] == "negative" for i in v)}
                          for p, v in sorted(periods.items())],
            "quotes": [comments[i]["text"] for i in order[:QUOTES]],
        })
    out.sort(key=lambda a: (-a["comments"], a["aspect"]))
    return out
