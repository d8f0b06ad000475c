"""The journey-map grid of the report: one column per stage, one row (lane) per kind of
content, filled from an analysis' data (all journeys, or one breakdown group's).

Pure Python on the ``analysis.json`` structure, so that every number on the grid is one of
``analysis.json``'s (formatted for reading). A stage's ``targets`` are the map's KPIs at it and
at its touchpoints, measured (:func:`parcours.report.kpis.stage_cells`: value, target, status
and why); its ``emotion`` carries the designed emotion of the map (``declared``, 0–100) with or
without answers, so the designed curve is drawn when there is no feedback.
"""

from __future__ import annotations

from typing import Any

from parcours.analysis.emotion import declared
from parcours.model.journey_map import JourneyMap, Lane, text_in
from parcours.report import formats as F
from parcours.report.explain import explain_friction, explain_opportunity, touchpoint_name
from parcours.report.kpis import stage_cells
from parcours.report.labels import CHANNEL_ICONS

MEASURED_PAINS = 8  # the worst frictions shown as measured pain points
MEASURED_OPPORTUNITIES = 6


def _sat_class(v: float | None) -> str:
    if v is None:
        return "sat-none"
    return "sat-good" if v >= 65 else "sat-mid" if v >= 45 else "sat-bad"


def _measured_pain(x: dict[str, Any], m: JourneyMap, lang: str) -> dict[str, Any]:
    """A friction of the ranking as a measured pain point: named from the map, its score with
    the journeys it rests on (``n``), ``small`` when they are few, why in ``lang``."""
    return {"name": touchpoint_name(m, x.get("touchpoint") or "", lang, x.get("name")), "severity": None,
            "kind": "measured", "score": F.number(x["score"], lang, 2), "n": F.number(x.get("journeys"), lang),
            "small": bool(x.get("small")), "why": explain_friction(x, m, lang)}


def _measured_opportunity(x: dict[str, Any], m: JourneyMap, lang: str) -> dict[str, Any]:
    """An opportunity of the ranking: its sentence in ``lang`` (which carries its n), its
    impact, and ``small`` when its n is under the threshold of its kind."""
    n = x.get("n", x.get("journeys"))
    return {"name": explain_opportunity(x, m, lang), "owner": ", ".join(x.get("owners") or []) or None,
            "status": None, "kind": "measured", "impact": F.number(x["impact"], lang),
            "n": F.number(n, lang) if n is not None else None, "small": bool(x.get("small"))}


def grid(d: dict[str, Any], m: JourneyMap, lang: str) -> dict[str, Any]:
    """Stages (columns) with what each lane shows in them, and the emotion points."""
    fb = d.get("feedback") or {}
    tp_rows = {r["touchpoint"]: r for r in d.get("touchpoints", [])}
    none = "0" if "touchpoints" in d else "–"  # no row: no journey, or the table was not computed (--analyses)
    emo = {p["stage"]: p for p in fb.get("emotion_curve", [])}
    emo_tp = {p["touchpoint"]: p for p in fb.get("emotion_by_touchpoint", [])}
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for r in fb.get("by_stage", []):
        by_stage.setdefault(r["stage"], []).append(r)
    funnel = {r["stage"]: r for r in d.get("stages", [])}
    to_next = {r["stage"]: r for r in d.get("stage_durations", []) if r["measure"] == "to_next_stage"}
    stage_of = {t.id: t.stage for t in m.touchpoints}
    frictions = d.get("frictions", [])[:MEASURED_PAINS]
    opportunities = d.get("opportunities", [])[:MEASURED_OPPORTUNITIES]

    def name(x: Any) -> str:
        return text_in(x.name, lang) if getattr(x, "name", None) is not None else x.id

    def at_stage(x: Any, sid: str) -> bool:
        if x.stage is None and x.touchpoint is None and getattr(x, "opportunity", None):  # an action: its opportunity's place
            o = next((o for o in m.opportunities if o.id == x.opportunity), None)
            return o is not None and at_stage(o, sid)
        return x.stage == sid or (x.stage is None and x.touchpoint is not None and stage_of.get(x.touchpoint) == sid)

    stages = []
    for s in m.stages:
        cards: dict[str, list[dict[str, Any]]] = {lane.value: [] for lane in Lane}
        for t in m.touchpoints:
            if t.stage != s.id:
                continue
            r = tp_rows.get(t.id) or {}
            e = emo_tp.get(t.id) or {}
            sat = e.get("satisfaction")
            cards[t.lane.value].append({
                "id": t.id, "name": name(t), "channel": t.channel or "", "icon": CHANNEL_ICONS.get(t.channel or "", "•"),
                "journeys": F.number(r.get("journeys"), lang) if r else none,
                "exit": F.pct(r.get("exit_rate"), lang) if r else "–",
                "satisfaction": F.number(sat, lang) if sat is not None else None, "sat_class": _sat_class(sat),
                "owner": t.owner, "small": bool(e.get("small")) if e else False,
            })
        f = funnel.get(s.id) or {}
        dur = to_next.get(s.id) or {}
        kpis = [{"label": "reached", "value": F.number(f.get("reached"), lang),
                 "detail": F.pct(f.get("share_of_journeys"), lang)}]
        if f.get("conversion_rate") is not None:
            kpis.append({"label": "conversion", "value": F.pct(f["conversion_rate"], lang),
                         "detail": F.number(f.get("converted"), lang)})
        if dur:
            kpis.append({"label": "duration", "value": F.duration(dur.get("median"), lang),
                         "detail": f"{F.duration(dur.get('mean'), lang)} · {F.duration(dur.get('min'), lang)}–"
                                   f"{F.duration(dur.get('max'), lang)}"})
        for r in by_stage.get(s.id, []):
            kpis.append({"label": r["metric"].upper(), "value": F.metric(r["metric"], r["value"], lang),
                         "detail": F.number(r["responses"], lang), "small": r.get("small")})
        targets = stage_cells(d, m, s.id, lang)  # the map's KPIs here, measured: value, target, status, why
        pe = emo.get(s.id) or {}
        stages.append({
            "id": s.id, "name": text_in(s.name, lang), "owner": s.owner,
            "goals": s.customer_goals, "actions": s.customer_actions, "company": s.company_actions,
            "cards": cards["frontstage"], "backstage": cards["backstage"], "support": cards["support"],
            "pains": [{"name": name(p), "severity": p.severity, "kind": "declared"} for p in m.pain_points if at_stage(p, s.id)]
                     + [_measured_pain(x, m, lang) for x in frictions if x["stage"] == s.id],
            "opportunities": [{"name": name(o), "owner": o.owner, "status": o.status, "kind": "declared"}
                              for o in m.opportunities if at_stage(o, s.id)]
                             + [{"name": name(a), "owner": a.owner, "status": a.status, "due": a.due, "kind": "action"}
                                for a in m.actions if at_stage(a, s.id)]
                             + [_measured_opportunity(x, m, lang) for x in opportunities if x["stage"] == s.id],
            "kpis": kpis, "targets": targets,
            "emotion": {"value": pe.get("satisfaction"), "text": F.number(pe.get("satisfaction"), lang),
                        "low": pe.get("ci_low"), "high": pe.get("ci_high"), "responses": pe.get("responses", 0),
                        "declared": declared(s.emotion), "small": pe.get("small")},
        })
    n = len(stages) or 1
    points = [{"x": 100 * (i + 0.5) / n, "y": st["emotion"]["value"], "d": st["emotion"]["declared"]}
              for i, st in enumerate(stages)]
    return {"stages": stages, "emotion_points": points,
            "has_blueprint": any(st["backstage"] or st["support"] or st["company"] for st in stages)}
