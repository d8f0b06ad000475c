"""Opportunities: what to fix first, by how many journeys it would change — for sure.

For each touchpoint of the frictions ranking and each of three indicators — exit rate,
repeat rate (lower is better) and satisfaction (0–100, from the emotion per touchpoint;
higher is better) — the touchpoint's value is compared with a **reference**, the first of:

1. a **target**: a KPI of the map on that touchpoint with ``metric`` ``exit_rate``,
   ``repeat_rate`` or ``satisfaction`` and a ``target`` (rates as shares 0..1);
2. the **best segment**: with ``--by segment``, the best value among the segments with at
   least ``min_journeys`` journeys at the touchpoint;
3. the **best quarter of the map**: the first quartile (exit, repeat) or third quartile
   (satisfaction) of the indicator over the map's touchpoints with ``min_journeys`` journeys
   (satisfaction: with ``min_responses`` answers too).

Each value comes with its **n** and its 95% interval (``value_low``, ``value_high``): for the
rates, n is the touchpoint's journeys and the interval Wilson's on exits (repeat journeys)
out of them; for satisfaction, n is the answers and the interval the emotion's
(:mod:`parcours.analysis.emotion`). The **gap** is how far the value is from its reference, in
the indicator's unit (a share for rates, points /100 for satisfaction), and ``gap_low`` its
conservative bound: from the interval's end nearest the reference (``value_low − reference``
when lower is better, ``reference − value_high`` when higher is). The reference is taken as
it is (a target is exact; a quartile or a segment's value is measured too, its own
uncertainty is not counted). The **impact** is ``journeys × gap`` (satisfaction: × gap / 100):
for rates, the number of journeys that would not exit (not come back) if the touchpoint did as
well as its reference; ``impact_low`` is ``journeys × gap_low``, the impact at the lower
confidence bound (negative or zero: the gap may be chance). Without an interval (a single CES
answer), ``gap_low`` and ``impact_low`` are null.

An item is **small** when its n is under the threshold of its kind: answers under
``min_responses`` (the feedback's: ``--min-responses``, else the map's
``analysis.min_responses``, else 30) for satisfaction, journeys under ``min_journeys`` (30)
for the rates. Only positive gaps make an opportunity.
They are **ranked** so that a handful of answers never drives the ranking: every item that is
not small first, by ``impact_low`` (largest first; those without one after), then the small
ones, flagged, in the same order among themselves; ties by the touchpoint's friction rank,
then the indicator. Each carries the map's declared pain points, opportunities and actions on
the touchpoint, with their owners, so that a measured gap meets who is already on it. Its
sentence is written when shown, in the language asked
(:func:`parcours.report.explain.explain_opportunity`).
"""

from __future__ import annotations

from typing import Any

from parcours.analysis.scores import MIN_RESPONSES, wilson
from parcours.model.journey_map import JourneyMap

INDICATORS = {"exit_rate": "lower", "repeat_rate": "lower", "satisfaction": "higher"}
COUNTS = {"exit_rate": "exits", "repeat_rate": "repeat_journeys"}  # the touchpoint row's numerator of each rate
MIN_JOURNEYS = 30


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def _measures(rows: dict[str, dict[str, Any]], satisfaction: dict[str, dict[str, Any]]
              ) -> dict[str, dict[str, dict[str, Any]]]:
    """Indicator -> touchpoint -> {value, low, high, n}: each value with its interval and n."""
    out: dict[str, dict[str, dict[str, Any]]] = {ind: {} for ind in INDICATORS}
    for tp, r in rows.items():
        n = int(r["journeys"])
        for ind, count in COUNTS.items():
            value = float(r[ind])
            k = int(r[count]) if r.get(count) is not None else round(value * n)
            low, high = wilson(k, n)
            out[ind][tp] = {"value": value, "low": low, "high": high, "n": n}
        if tp in satisfaction:
            p = satisfaction[tp]
            out["satisfaction"][tp] = {"value": float(p["satisfaction"]), "low": p["ci_low"], "high": p["ci_high"],
                                       "n": int(p["responses"])}
    return out


def _segments(data: dict[str, Any], rows: dict[str, Any], min_journeys: int) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """(touchpoint, rate) -> [(segment, value)] of the segments with enough journeys there."""
    out: dict[tuple[str, str], list[tuple[str, float]]] = {}
    breakdown = data.get("breakdown") or {}
    if breakdown.get("by") == "segment":
        for g in breakdown["groups"]:
            for r in g.get("touchpoints", []):
                if r["touchpoint"] in rows and r["journeys"] >= min_journeys:
                    for ind in COUNTS:
                        out.setdefault((r["touchpoint"], ind), []).append((g["group"], float(r[ind])))
    return out


def _reference(tp: str, ind: str, targets: dict[tuple[str, str], float],
               segments: dict[tuple[str, str], list[tuple[str, float]]],
               quartile: dict[str, float | None]) -> tuple[float, str] | None:
    """(reference, kind) of an indicator at a touchpoint: a target, the best segment, the best quarter."""
    if (tp, ind) in targets:
        return targets[(tp, ind)], "target"
    if (tp, ind) in segments:
        pick = min if INDICATORS[ind] == "lower" else max
        seg, ref = pick(segments[(tp, ind)], key=lambda x: x[1])
        return ref, f"segment:{seg}"
    q = quartile[ind]
    return None if q is None else (q, "map_quartile")


def suggest(data: dict[str, Any], m: JourneyMap, *, min_journeys: int = MIN_JOURNEYS,
            min_responses: int | None = None) -> list[dict[str, Any]]:
    """Opportunity records, in rank order, from an analysis' data (after frictions).
    ``min_responses``: default, the feedback's own threshold."""
    fb = data.get("feedback") or {}
    least = int(fb.get("min_responses", MIN_RESPONSES)) if min_responses is None else min_responses
    frictions = {f["touchpoint"]: f for f in data.get("frictions", [])}
    rows = {r["touchpoint"]: r for r in data.get("touchpoints", []) if r["touchpoint"] in frictions}
    satisfaction = {p["touchpoint"]: p for p in fb.get("emotion_by_touchpoint", []) if p["satisfaction"] is not None}
    measures = _measures(rows, satisfaction)
    targets = {(k.touchpoint, k.metric): float(k.target) for k in m.kpis
               if k.touchpoint and k.target is not None and k.metric in INDICATORS}
    segments = _segments(data, rows, min_journeys)
    threshold = {"exit_rate": min_journeys, "repeat_rate": min_journeys, "satisfaction": least}
    big = {ind: {tp for tp in vals if rows[tp]["journeys"] >= min_journeys and vals[tp]["n"] >= threshold[ind]}
           for ind, vals in measures.items()}
    quartile = {ind: _quantile([v["value"] for tp, v in vals.items() if tp in big[ind]],
                               0.75 if INDICATORS[ind] == "higher" else 0.25) for ind, vals in measures.items()}
    out = []
    for tp, f in frictions.items():
        journeys = int(f["journeys"])
        for ind, better in INDICATORS.items():
            if tp not in measures[ind]:
                continue
            ref_kind = _reference(tp, ind, targets, segments, quartile)
            if ref_kind is None:
                continue
            ref, kind = ref_kind
            x = measures[ind][tp]
            gap = x["value"] - ref if better == "lower" else ref - x["value"]
            if gap <= 0:
                continue
            bound = x["low"] if better == "lower" else x["high"]
            gap_low = None if bound is None else (bound - ref if better == "lower" else ref - bound)
            scale = 100 if ind == "satisfaction" else 1
            declared = f["declared"]
            owners = sorted({d["owner"] for k in ("opportunities", "actions") for d in declared[k] if d.get("owner")})
            out.append({
                "touchpoint": tp, "name": f["name"], "stage": f["stage"], "indicator": ind, "value": x["value"],
                "value_low": x["low"], "value_high": x["high"], "n": x["n"], "reference": ref, "reference_kind": kind,
                "gap": gap, "gap_low": gap_low, "journeys": journeys, "impact": journeys * gap / scale,
                "impact_low": None if gap_low is None else journeys * gap_low / scale,
                "friction_rank": f["rank"], "small": x["n"] < threshold[ind], "declared": declared, "owners": owners,
            })
    out.sort(key=lambda o: (o["small"], o["impact_low"] is None, -(o["impact_low"] or 0.0), o["friction_rank"],
                            o["indicator"]))
    for i, o in enumerate(out, start=1):
        o["rank"] = i
    return out
