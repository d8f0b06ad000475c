"""Frictions: which touchpoints of the map to look at first, and why.

Each touchpoint of the map that journeys reach gets up to five signals, each between 0 (fine) and
1 (worst), and a friction score, their weighted mean over the signals available:

| signal | value | weight |
|---|---|---|
| ``exit`` | exit rate: share of the journeys with the touchpoint that end there without a goal | 0.35 |
| ``repeat`` | repeat rate: share of its journeys that have it more than once | 0.15 |
| ``wait`` | rank (0..1) of the mean time to reach it from another touchpoint, among the map's touchpoints | 0.15 |
| ``feedback`` | how low its answers score: NPS (100 − NPS)/200, CSAT 1 − CSAT/100, CES (mean − min)/(max − min); the mean over its metrics | 0.20 |
| ``themes`` | share of its comments that fall in an irritant theme (see :mod:`parcours.text.themes`) | 0.15 |

``feedback`` counts only with answers placed on the touchpoint, ``themes`` only with comments
placed there; a signal that is missing leaves the others' weights in proportion. The *drivers* of an item are
its signals ordered by their share of the score; the explanation spells out the three largest.
Touchpoints with fewer than ``min_journeys`` journeys are kept and flagged ``small``. The
map's declared pain points, opportunities and actions on the touchpoint are listed with it.
"""

from __future__ import annotations

from typing import Any

from parcours.analysis.registry import Inputs, Output
from parcours.model.journey_map import JourneyMap, text_in

WEIGHTS = {"exit": 0.35, "repeat": 0.15, "wait": 0.15, "feedback": 0.20, "themes": 0.15}
MIN_JOURNEYS = 30


def _wait_means(transitions: list[dict[str, Any]]) -> dict[str, float]:
    """Mean seconds to reach each touchpoint from another one (count-weighted over transitions)."""
    total: dict[str, float] = {}
    count: dict[str, int] = {}
    for t in transitions:
        if t["from"] == t["to"] or t["mean_seconds"] is None:
            continue
        total[t["to"]] = total.get(t["to"], 0.0) + t["count"] * t["mean_seconds"]
        count[t["to"]] = count.get(t["to"], 0) + t["count"]
    return {k: total[k] / count[k] for k in total if count[k]}


def _rank(values: dict[str, float]) -> dict[str, float]:
    """Share of the other values strictly below each value (0 = shortest, 1 = longest)."""
    items = list(values.values())
    n = len(items)
    return {k: (sum(x < v for x in items) / (n - 1) if n > 1 else 0.0) for k, v in values.items()}


def _feedback_badness(rows: list[dict[str, Any]], scales: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Touchpoint -> {metric: badness 0..1} from the feedback's by_touchpoint records."""
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        if r["value"] is None:
            continue
        metric, v = r["metric"], float(r["value"])
        if metric == "nps":
            bad = (100 - v) / 200
        elif metric == "csat":
            bad = 1 - v / 100
        else:
            low, high = scales.get(metric, [1, 7])
            bad = (v - low) / (high - low)
        out.setdefault(r["touchpoint"], {})[metric] = min(1.0, max(0.0, bad))
    return out


def _fmt_duration(seconds: float, lang: str = "en") -> str:
    day = "j" if lang == "fr" else "d"
    for unit, size in ((day, 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            text = f"{seconds / size:.1f} {unit}"
            return text.replace(".", ",") if lang == "fr" else text
    return f"{seconds:.0f} s"


def _french(text: str) -> str:
    """French typography: a (narrow no-break) space before %."""
    import re

    return re.sub(r"(\d)%", "\\1\u202f%", text)


_TEXT = {
    "en": {
        "exit": "{p:.0%} of journeys that reach {name} end there{goal}",
        "goal": " without reaching a goal",
        "repeat": "{p:.0%} of its journeys come back to it",
        "wait": "{d} on average to get there from the previous touchpoint (longer than for {r:.0%} of the others)",
        "theme": "theme '{t}' in {p:.0%} of detractor comments",
        "theme_any": "{p:.0%} of its comments in an irritant theme",
    },
    "fr": {
        "exit": "{p:.0%} des parcours qui atteignent {name} s'y arrêtent{goal}",
        "goal": " sans atteindre d'objectif",
        "repeat": "{p:.0%} de ses parcours y reviennent",
        "wait": "{d} en moyenne pour y arriver depuis le point de contact précédent (plus long que pour {r:.0%} des autres)",
        "theme": "thème « {t} » dans {p:.0%} des commentaires de détracteurs",
        "theme_any": "{p:.0%} de ses commentaires dans un irritant",
    },
}


def _metric_text(metric: str, value: float, lang: str) -> str:
    if metric == "nps":
        return f"NPS {value:.0f}"
    if metric == "csat":
        return f"CSAT {value:.0f}%"
    return f"CES {value:.1f}".replace(".", ",") if lang == "fr" else f"CES {value:.1f}"


def rank_frictions(data: dict[str, Any], m: JourneyMap, *, lang: str = "en",
                   min_journeys: int = MIN_JOURNEYS) -> list[dict[str, Any]]:
    """Friction records, worst first, from an analysis' data (with its ``feedback`` if any)."""
    text = _TEXT.get(lang, _TEXT["en"])
    declared = {t.id: t for t in m.touchpoints}
    rows = {r["touchpoint"]: r for r in data.get("touchpoints", []) if r["touchpoint"] in declared and r["journeys"]}
    waits = _wait_means(data.get("transitions", []))
    waits = {k: v for k, v in waits.items() if k in rows}
    wait_rank = _rank(waits)
    fb = data.get("feedback") or {}
    fb_rows = [r for r in fb.get("by_touchpoint", []) if r["touchpoint"] in rows]
    badness = _feedback_badness(fb_rows, fb.get("scales", {}))
    fb_values = {(r["touchpoint"], r["metric"]): r for r in fb_rows}
    verbatims = {r["touchpoint"]: r for r in (fb.get("verbatims") or {}).get("by_touchpoint", [])
                 if r["comments"] and r["touchpoint"] in rows}
    has_goals = bool(m.goals)
    out = []
    for tp, r in rows.items():
        signals: dict[str, float] = {"exit": float(r["exit_rate"]), "repeat": float(r["repeat_rate"])}
        if tp in wait_rank:
            signals["wait"] = wait_rank[tp]
        if tp in badness:
            signals["feedback"] = sum(badness[tp].values()) / len(badness[tp])
        if tp in verbatims:
            signals["themes"] = float(verbatims[tp]["irritant_share"])
        weight = sum(WEIGHTS[k] for k in signals)
        contrib = {k: WEIGHTS[k] * v / weight for k, v in signals.items()}
        score = sum(contrib.values())
        drivers = sorted((k for k in contrib if contrib[k] > 0), key=lambda k: -contrib[k])
        t = declared[tp]
        name = text_in(t.name, lang) if t.name is not None else tp
        phrases = []
        for k in drivers[:3]:
            if k == "exit":
                phrases.append(text["exit"].format(p=signals["exit"], name=name, goal=text["goal"] if has_goals else ""))
            elif k == "repeat":
                phrases.append(text["repeat"].format(p=signals["repeat"]))
            elif k == "wait":
                phrases.append(text["wait"].format(d=_fmt_duration(waits[tp], lang), r=signals["wait"]))
            elif k == "themes":
                v = verbatims[tp]
                share = v["top_irritant_share_of_detractor_comments"]
                phrases.append(text["theme"].format(t=v["top_irritant"], p=share) if v["top_irritant"] and share
                               else text["theme_any"].format(p=signals["themes"]))
            else:
                phrases.append(", ".join(_metric_text(mt, fb_values[(tp, mt)]["value"], lang)
                                         for mt in sorted(badness[tp])))
        out.append({
            "touchpoint": tp, "name": name, "stage": t.stage, "journeys": int(r["journeys"]),
            "score": score, "signals": signals, "contributions": contrib, "drivers": drivers,
            "explanation": _french("; ".join(phrases)) if lang == "fr" else "; ".join(phrases),
            "small": int(r["journeys"]) < min_journeys,
            "wait_seconds": waits.get(tp),
            "feedback": {mt: fb_values[(tp, mt)]["value"] for mt in sorted(badness.get(tp, {}))},
            "top_irritant": verbatims[tp]["top_irritant"] if tp in verbatims else None,
            "declared": _declared(m, tp, lang),
        })
    out.sort(key=lambda x: (-x["score"], -x["journeys"], x["touchpoint"]))
    for i, x in enumerate(out, start=1):
        x["rank"] = i
    return out


def _declared(m: JourneyMap, tp: str, lang: str) -> dict[str, list[dict[str, Any]]]:
    """The map's pain points, opportunities and actions on touchpoint ``tp``."""
    def item(x: Any, *fields: str) -> dict[str, Any]:
        return {"id": x.id, "name": text_in(x.name, lang), **{f: getattr(x, f) for f in fields}}

    return {
        "pain_points": [item(p, "severity") for p in m.pain_points if p.touchpoint == tp],
        "opportunities": [item(o, "owner", "status") for o in m.opportunities if o.touchpoint == tp],
        "actions": [{**item(a, "owner", "status"), "due": a.due.isoformat() if a.due else None}
                    for a in m.actions if a.touchpoint == tp],
    }


def derive(inp: Inputs) -> Output:
    """The ``frictions`` analysis, derived from the others' results (``inp.data``: the
    touchpoints, the transitions and the feedback when there is): the friction ranking and
    the opportunities drawn from it, with their tables. No query of its own."""
    import pyarrow as pa

    from parcours.analysis.opportunities import suggest

    m, lang = inp.map, inp.options.lang
    frictions = rank_frictions(dict(inp.data), m, lang=lang)
    table = pa.Table.from_pylist([
        {"rank": f["rank"], "touchpoint": f["touchpoint"], "name": f["name"], "stage": f["stage"],
         "journeys": f["journeys"], "score": f["score"], "small": f["small"], "drivers": " ".join(f["drivers"]),
         **{f"signal_{k}": f["signals"].get(k) for k in WEIGHTS},
         "top_irritant": f["top_irritant"], "explanation": f["explanation"]} for f in frictions])
    opportunities = suggest({**inp.data, "frictions": frictions}, m, lang=lang)
    opp_table = pa.Table.from_pylist([
        {k: o[k] for k in ("rank", "touchpoint", "name", "stage", "indicator", "value", "reference",
                           "reference_kind", "gap", "journeys", "impact", "friction_rank", "small")}
        | {"owners": " | ".join(o["owners"]), "explanation": o["explanation"]} for o in opportunities])
    return Output(data={"frictions": frictions, "opportunities": opportunities},
                  tables={"frictions": table, "opportunities": opp_table})
