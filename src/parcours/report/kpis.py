"""The map's KPIs for reading: measured value, target and status, with why a KPI cannot be
measured, in the report's language.

The values and statuses are analysis.json's ``kpis`` (:mod:`parcours.analysis.kpis`); a
results folder written before that analysis existed gets them computed from its data here,
by the same function. Words are rendered at report time, so any results folder reads in
either language.

>>> record = {"kpi": "conv", "name": "Conversion", "stage": "buy", "touchpoint": None, "metric": "conversion",
...           "value": 32.14, "target": 35.0, "unit": "%", "direction": "higher", "status": "not_met",
...           "reason": None, "n": 1200}
>>> cell(record, "en")["text"]
'32.1% · target ≥ 35% · not met'
>>> cell({**record, "value": None, "status": "not_measurable", "reason": "no_feedback", "metric": "nps"}, "fr")["why"]
"pas de réponses d'enquête\\u202f: donnez-les avec --feedback"
"""

from __future__ import annotations

from typing import Any

from parcours.analysis.kpis import METRICS, measure_kpis
from parcours.model.journey_map import JourneyMap
from parcours.report import formats as F

STATUS_TAG = {"met": "status-done", "not_met": "status-blocked", "not_measurable": "status-todo"}

WORDS = {
    "fr": {
        "met": "atteint", "not_met": "non atteint", "not_measurable": "non mesurable", "target": "objectif",
        "no_target": "sans objectif",
        "unknown_metric": "« {metric} » n'est pas un indicateur mesuré\u202f; au choix\u202f: {metrics}",
        "not_here": "{metric} ne se mesure pas {place}",
        "unknown_place": "aucun résultat pour {where} dans ces données",
        "not_computed": "son analyse n'a pas été calculée (--analyses)",
        "no_feedback": "pas de réponses d'enquête\u202f: donnez-les avec --feedback",
        "few_answers": "{n} réponses seulement, moins que les {min} nécessaires",
        "no_value": "rien à mesurer ici (aucun parcours concerné, ou dernière étape)",
        "unknown_unit": "unité « {unit} » inconnue pour une durée\u202f; au choix\u202f: s, min, h, d, w",
        "at_stage": "sur une étape", "at_touchpoint": "sur un point de contact", "at_overall": "sur l'ensemble des parcours",
        "journeys": "parcours", "answers": "réponses",
    },
    "en": {
        "met": "met", "not_met": "not met", "not_measurable": "not measurable", "target": "target",
        "no_target": "no target",
        "unknown_metric": "'{metric}' is not a metric Parcours measures; one of: {metrics}",
        "not_here": "{metric} is not measured {place}",
        "unknown_place": "no result for {where} in this data",
        "not_computed": "its analysis was not computed (--analyses)",
        "no_feedback": "no survey answers: give them with --feedback",
        "few_answers": "only {n} answers, fewer than the {min} needed",
        "no_value": "nothing to measure here (no journey concerned, or the last stage)",
        "unknown_unit": "unit '{unit}' unknown for a duration; one of: s, min, h, d, w",
        "at_stage": "at a stage", "at_touchpoint": "at a touchpoint", "at_overall": "over all journeys",
        "journeys": "journeys", "answers": "answers",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def why(record: dict[str, Any], lang: str, min_responses: int | None = None) -> str:
    """Why a KPI is not measurable, in ``lang`` ("" when it is)."""
    reason = record.get("reason")
    if not reason:
        return ""
    w = words(lang)
    place = "touchpoint" if record.get("touchpoint") else "stage" if record.get("stage") else "overall"
    return w[reason].format(metric=record["metric"], metrics=", ".join(METRICS), place=w[f"at_{place}"],
                            where=record.get("touchpoint") or record.get("stage") or "", unit=record.get("unit") or "",
                            n=F.number(record.get("n"), lang), min=F.number(min_responses or 30, lang))


def cell(record: dict[str, Any], lang: str, min_responses: int | None = None) -> dict[str, Any]:
    """One KPI as the grid shows it: ``name``, ``value`` and ``target`` with their unit,
    ``status`` and its word, ``tag`` (its colour), ``why`` and a one-line ``text``."""
    w = words(lang)
    value = F.quantity(record.get("value"), record.get("unit"), lang)
    target = None
    if record.get("target") is not None:
        target = ("≤ " if record.get("direction") == "lower" else "≥ ") + F.quantity(record["target"], record.get("unit"), lang)
    status = record.get("status")
    parts = [value] + ([f"{w['target']} {target}"] if target else []) + ([w[status]] if status else [])
    return {"kpi": record["kpi"], "name": record["name"], "value": value, "target": target, "unit": record.get("unit") or "",
            "status": status, "status_text": w[status] if status else w["no_target"],
            "tag": STATUS_TAG.get(status or "", ""), "why": why(record, lang, min_responses),
            "text": " · ".join(parts)}


def records(d: dict[str, Any], m: JourneyMap, lang: str) -> list[dict[str, Any]]:
    """analysis.json's ``kpis``, or, for results written before it had them, the same computed
    from their data; names from the map in ``lang``."""
    rows = d.get("kpis")
    if rows is None:
        rows = measure_kpis(d, m, lang)
    names = {k.id: k.name for k in m.kpis}
    from parcours.model.journey_map import text_in

    return [{**r, "name": text_in(names[r["kpi"]], lang) if r["kpi"] in names else r["name"]} for r in rows]


def stage_cells(d: dict[str, Any], m: JourneyMap, stage: str, lang: str) -> list[dict[str, Any]]:
    """The KPIs shown in a stage's column: those of the stage and of its touchpoints."""
    min_responses = (d.get("feedback") or {}).get("min_responses")
    return [cell(r, lang, min_responses) for r in records(d, m, lang) if r.get("stage") == stage]
