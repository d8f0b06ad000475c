"""The measured emotion curve: satisfaction per stage (and touchpoint) on one 0–100 scale.

Each metric's figure is put on a 0–100 satisfaction scale (100 = best): NPS (NPS + 100) / 2,
CSAT as is (% satisfied), CES (MAX − mean) / (MAX − MIN) × 100 (less effort is better). A
stage's satisfaction is the mean of its metrics' values weighted by their answers, and its
interval the same weighted mean of their transformed bounds (an approximation, exact with one
metric). Comments without a score count through their sentiment (−1..1, see
:mod:`parcours.analysis.verbatims`) as (sentiment + 1) × 50, their mean and Student-t interval
weighted by their number like a metric (a response with a score counts once, by its score).
The designed emotion of the map (−2..+2) is shown on the same scale: (e + 2) / 4 × 100.
"""

from __future__ import annotations

from typing import Any

from parcours.model.journey_map import JourneyMap, text_in


def to_satisfaction(metric: str, value: float | None, scale: list[float] | tuple[float, float]) -> float | None:
    """A metric's value on the 0–100 satisfaction scale."""
    if value is None:
        return None
    if metric == "nps":
        return (value + 100) / 2
    if metric in ("csat", "sentiment"):
        return value
    low, high = scale
    return (high - value) / (high - low) * 100


def declared(emotion: int | None) -> float | None:
    """The map's designed emotion (−2..+2) on the 0–100 satisfaction scale, (e + 2) / 4 × 100:
    a pure function of the map, so the designed curve is drawn with or without answers.

    >>> [declared(e) for e in (-2, 0, 1, None)]
    [0.0, 50.0, 75.0, None]
    """
    return None if emotion is None else (emotion + 2) / 4 * 100


def _combine(records: list[dict[str, Any]], scales: dict[str, list[float]]) -> dict[str, Any]:
    usable = [r for r in records if r["value"] is not None]
    n = sum(r["responses"] for r in usable)
    if not n:
        return {"satisfaction": None, "ci_low": None, "ci_high": None, "responses": 0, "metrics": []}

    def avg(key: str) -> float | None:
        vals = []
        for r in usable:
            v = to_satisfaction(r["metric"], r[key], scales.get(r["metric"], [0, 10]))
            if v is None:
                return None
            vals.append((v, r["responses"]))
        return sum(v * w for v, w in vals) / n

    low, high = avg("ci_low"), avg("ci_high")
    if low is not None and high is not None and low > high:  # CES: a higher effort bound is a lower satisfaction
        low, high = high, low
    return {"satisfaction": avg("value"), "ci_low": low, "ci_high": high, "responses": n,
            "metrics": sorted({r["metric"] for r in usable})}


def _grouped(records: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        out.setdefault(r[key], []).append(r)
    return out


def _point(records: list[dict[str, Any]], scales: dict[str, list[float]], emotion: int | None,
           min_responses: int) -> dict[str, Any]:
    point = _combine(records, scales)
    return {**point, "small": point["responses"] < min_responses,
            "declared": declared(emotion)}


def emotion_curve(feedback: dict[str, Any], m: JourneyMap, *, lang: str = "en", min_responses: int = 30,
                  sentiment: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One point per stage of the map, in the designed order (with or without answers)."""
    by_stage = _grouped(feedback.get("by_stage", []) + (sentiment or []), "stage")
    return [{"stage": s.id, "name": text_in(s.name, lang),
             **_point(by_stage.get(s.id, []), feedback.get("scales", {}), s.emotion, min_responses)}
            for s in m.stages]


def emotion_by_touchpoint(feedback: dict[str, Any], m: JourneyMap, *, lang: str = "en", min_responses: int = 30,
                          sentiment: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One point per touchpoint of the map with answers or comments, in the map's order."""
    by_tp = _grouped(feedback.get("by_touchpoint", []) + (sentiment or []), "touchpoint")
    return [{"touchpoint": t.id, "name": text_in(t.name, lang) if t.name is not None else t.id, "stage": t.stage,
             **_point(by_tp[t.id], feedback.get("scales", {}), t.emotion, min_responses)}
            for t in m.touchpoints if t.id in by_tp]
