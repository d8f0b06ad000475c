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

``feedback`` counts only the metrics with at least ``min_responses`` answers placed on the
touchpoint (the others are left out of its mean), ``themes`` only with at least
``min_responses`` comments placed there (the threshold of the feedback's own ``small``
flags: ``--min-responses``, else the map's ``analysis.min_responses``, else 30): a figure from
a handful of answers is too unstable to move a ranking. A signal left out so is named in ``small_signals``; the record
keeps every metric's number of answers (``answers``) and the comments (``comments``). A signal that is missing leaves the others' weights in
proportion. The *drivers* of an item are its signals ordered by their share of the score.

Touchpoints with fewer than ``min_journeys`` journeys are kept, flagged ``small`` and ranked
after all the others (by score among themselves): a rate on a few journeys never ranks above
one on many. The map's declared pain points, opportunities and actions on the touchpoint are
listed with it. Each record keeps the data its explanation needs (signals, drivers, wait,
feedback figures, top irritant, and the aspect its negative comments speak of most: ``top_aspect``); the sentence is written when shown, in the language asked
(:func:`parcours.report.explain.explain_friction`).
"""

from __future__ import annotations

from typing import Any

from parcours.analysis.registry import Inputs, Output
from parcours.analysis.scores import MIN_RESPONSES
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


def rank_frictions(data: dict[str, Any], m: JourneyMap, *, lang: str = "en",
                   min_journeys: int = MIN_JOURNEYS, min_responses: int | None = None) -> list[dict[str, Any]]:
    """Friction records, worst first (small touchpoints last), from an analysis' data (with its
    ``feedback`` if any). ``min_responses``: default, the feedback's own threshold."""
    declared = {t.id: t for t in m.touchpoints}
    rows = {r["touchpoint"]: r for r in data.get("touchpoints", []) if r["touchpoint"] in declared and r["journeys"]}
    waits = _wait_means(data.get("transitions", []))
    waits = {k: v for k, v in waits.items() if k in rows}
    wait_rank = _rank(waits)
    fb = data.get("feedback") or {}
    least = int(fb.get("min_responses", MIN_RESPONSES)) if min_responses is None else min_responses
    fb_rows = [r for r in fb.get("by_touchpoint", []) if r["touchpoint"] in rows]
    counted = [r for r in fb_rows if r["responses"] >= least]
    badness = _feedback_badness(counted, fb.get("scales", {}))
    fb_values = {(r["touchpoint"], r["metric"]): r for r in counted}
    answers: dict[str, dict[str, int]] = {}
    for r in fb_rows:
        answers.setdefault(r["touchpoint"], {})[r["metric"]] = int(r["responses"])
    comments = {r["touchpoint"]: r for r in (fb.get("verbatims") or {}).get("by_touchpoint", [])
                if r["comments"] and r["touchpoint"] in rows}
    verbatims = {tp: r for tp, r in comments.items() if r["comments"] >= least}
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
        small_signals = [k for k, few in (("feedback", tp in answers and tp not in badness),
                                           ("themes", tp in comments and tp not in verbatims)) if few]
        t = declared[tp]
        v = verbatims.get(tp) or {}
        out.append({
            "touchpoint": tp, "name": text_in(t.name, lang) if t.name is not None else tp, "stage": t.stage,
            "journeys": int(r["journeys"]), "score": sum(contrib.values()), "signals": signals,
            "contributions": contrib, "drivers": sorted((k for k in contrib if contrib[k] > 0), key=lambda k: -contrib[k]),
            "small": int(r["journeys"]) < min_journeys,
            "answers": dict(sorted(answers.get(tp, {}).items())),
            "comments": int(comments[tp]["comments"]) if tp in comments else 0,
            "small_signals": small_signals, "min_responses": least,
            "wait_seconds": waits.get(tp),
            "feedback": {mt: fb_values[(tp, mt)]["value"] for mt in sorted(badness.get(tp, {}))},
            "top_irritant": v.get("top_irritant"), "top_irritant_share": v.get("top_irritant_share_of_detractor_comments"),
            "top_aspect": _top_aspect(v),
            "declared": _declared(m, tp, lang),
        })
    out.sort(key=lambda x: (x["small"], -x["score"], -x["journeys"], x["touchpoint"]))
    for i, x in enumerate(out, start=1):
        x["rank"] = i
    return out


def _top_aspect(v: dict[str, Any]) -> dict[str, Any] | None:
    """What the touchpoint's negative comments speak of most (its comments counted: at least
    ``min_responses``), with n and interval; said in the explanation, never in the score."""
    if not v.get("top_aspect"):
        return None
    return {"aspect": v["top_aspect"], "negative_comments": int(v["top_aspect_negative_comments"]),
            "of_negative": int(v.get("negative") or 0), "share": v["top_aspect_share_of_negative_comments"],
            "ci_low": v.get("top_aspect_ci_low"), "ci_high": v.get("top_aspect_ci_high")}


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
         "answers": " ".join(f"{mt}:{n}" for mt, n in f["answers"].items()), "comments": f["comments"],
         "small_signals": " ".join(f["small_signals"]),
         "top_irritant": f["top_irritant"]} for f in frictions])
    opportunities = suggest({**inp.data, "frictions": frictions}, m)
    opp_table = pa.Table.from_pylist([
        {k: o[k] for k in ("rank", "touchpoint", "name", "stage", "indicator", "value", "value_low", "value_high",
                           "n", "reference", "reference_kind", "gap", "gap_low", "journeys", "impact", "impact_low",
                           "friction_rank", "small")}
        | {"owners": " | ".join(o["owners"])} for o in opportunities])
    # The tables' ``explanation`` column, a sentence in the analysis' language, is added where
    # sentences are written (parcours.project.explained), from these records.
    return Output(data={"frictions": frictions, "opportunities": opportunities},
                  tables={"frictions": table, "opportunities": opp_table})
