"""Opportunities: what to fix first, by how many journeys it would change.

For each touchpoint of the frictions ranking and each of three indicators — exit rate,
repeat rate (lower is better) and satisfaction (0–100, from the emotion per touchpoint;
higher is better) — the touchpoint's value is compared with a **reference**, the first of:

1. a **target**: a KPI of the map on that touchpoint with ``metric`` ``exit_rate``,
   ``repeat_rate`` or ``satisfaction`` and a ``target`` (rates as shares 0..1);
2. the **best segment**: with ``--by segment``, the best value among the segments with at
   least ``min_journeys`` journeys at the touchpoint;
3. the **best quarter of the map**: the first quartile (exit, repeat) or third quartile
   (satisfaction) of the indicator over the map's touchpoints with ``min_journeys`` journeys.

The **gap** is how far the touchpoint is from its reference, in the indicator's unit (a share
for rates, points /100 for satisfaction), and the **impact** ``journeys × gap`` (satisfaction:
× gap / 100): for rates, the number of journeys that would not exit (not come back) if the
touchpoint did as well as its reference. Only positive gaps make an opportunity; they are
ranked by impact. Each carries the map's declared pain points, opportunities and actions on
the touchpoint, with their owners, so that a measured gap meets who is already on it.
"""

from __future__ import annotations

from typing import Any

from parcours.model.journey_map import JourneyMap

INDICATORS = {"exit_rate": "lower", "repeat_rate": "lower", "satisfaction": "higher"}

_TEXT = {
    "en": {"exit_rate": "exit rate", "repeat_rate": "repeat rate", "satisfaction": "satisfaction",
           "target": "target", "segment": "segment {s}", "map_quartile": "best quarter of the map",
           "line": "{ind} at {name}: {v} → {r} ({ref}): {impact} journeys"},
    "fr": {"exit_rate": "taux de sortie", "repeat_rate": "taux de répétition", "satisfaction": "satisfaction",
           "target": "objectif", "segment": "segment {s}", "map_quartile": "meilleur quart de la carte",
           "line": "{ind} à {name} : {v} → {r} ({ref}) : {impact} parcours"},
}


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def _fmt(indicator: str, value: float, lang: str) -> str:
    text = f"{value:.0%}" if indicator != "satisfaction" else f"{value:.0f}/100"
    return text.replace("%", "\u202f%") if lang == "fr" else text


def suggest(data: dict[str, Any], m: JourneyMap, *, lang: str = "en", min_journeys: int = 30) -> list[dict[str, Any]]:
    """Opportunity records, largest impact first, from an analysis' data (after frictions)."""
    text = _TEXT.get(lang, _TEXT["en"])
    frictions = {f["touchpoint"]: f for f in data.get("frictions", [])}
    rows = {r["touchpoint"]: r for r in data.get("touchpoints", []) if r["touchpoint"] in frictions}
    satisfaction = {p["touchpoint"]: p for p in (data.get("feedback") or {}).get("emotion_by_touchpoint", [])
                    if p["satisfaction"] is not None}
    values: dict[str, dict[str, float]] = {ind: {} for ind in INDICATORS}
    for tp, r in rows.items():
        values["exit_rate"][tp] = float(r["exit_rate"])
        values["repeat_rate"][tp] = float(r["repeat_rate"])
        if tp in satisfaction:
            values["satisfaction"][tp] = float(satisfaction[tp]["satisfaction"])
    targets = {(k.touchpoint, k.metric): float(k.target) for k in m.kpis
               if k.touchpoint and k.target is not None and k.metric in INDICATORS}
    segments: dict[tuple[str, str], list[tuple[str, float]]] = {}
    breakdown = data.get("breakdown") or {}
    if breakdown.get("by") == "segment":
        for g in breakdown["groups"]:
            for r in g.get("touchpoints", []):
                if r["touchpoint"] in rows and r["journeys"] >= min_journeys:
                    for ind in ("exit_rate", "repeat_rate"):
                        segments.setdefault((r["touchpoint"], ind), []).append((g["group"], float(r[ind])))
    big = {tp for tp, r in rows.items() if r["journeys"] >= min_journeys}
    quartile = {ind: _quantile([v for tp, v in vals.items() if tp in big], 0.75 if INDICATORS[ind] == "higher" else 0.25)
                for ind, vals in values.items()}
    out = []
    for tp, f in frictions.items():
        journeys = int(f["journeys"])
        for ind, better in INDICATORS.items():
            if tp not in values[ind]:
                continue
            value = values[ind][tp]
            if (tp, ind) in targets:
                ref, kind, ref_name = targets[(tp, ind)], "target", text["target"]
            elif (tp, ind) in segments:
                pick = min if better == "lower" else max
                seg, ref = pick(segments[(tp, ind)], key=lambda x: x[1])
                kind, ref_name = f"segment:{seg}", text["segment"].format(s=seg)
            elif quartile[ind] is not None:
                ref, kind, ref_name = quartile[ind], "map_quartile", text["map_quartile"]
            else:
                continue
            gap = value - ref if better == "lower" else ref - value
            if gap <= 0:
                continue
            impact = journeys * (gap / 100 if ind == "satisfaction" else gap)
            declared = f["declared"]
            owners = sorted({x["owner"] for k in ("opportunities", "actions") for x in declared[k] if x.get("owner")})
            out.append({
                "touchpoint": tp, "name": f["name"], "stage": f["stage"], "indicator": ind, "value": value,
                "reference": ref, "reference_kind": kind, "gap": gap, "journeys": journeys, "impact": impact,
                "friction_rank": f["rank"], "small": journeys < min_journeys, "declared": declared, "owners": owners,
                "explanation": text["line"].format(ind=text[ind].capitalize(), name=f["name"], v=_fmt(ind, value, lang),
                                                   r=_fmt(ind, ref, lang), ref=ref_name,
                                                   impact=f"{impact:,.0f}".replace(",", "\u202f" if lang == "fr" else ",")),
            })
    out.sort(key=lambda x: (-x["impact"], x["friction_rank"], x["indicator"]))
    for i, x in enumerate(out, start=1):
        x["rank"] = i
    return out
