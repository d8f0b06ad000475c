"""The map's KPIs measured: each KPI's value, its target and whether the target is met.

A KPI (``kpis:`` in the map) names a ``metric`` at a stage, a touchpoint or the whole journey,
with an optional ``target``, ``unit`` and ``direction``. Its value is read from the other
analyses' results (no query of its own):

==================  ================================  ================================  ====================
metric              at a stage                        at a touchpoint                   neither (all journeys)
==================  ================================  ================================  ====================
``reached``         journeys reaching it              journeys with it                  journeys
``conversion``      on to the next stage              goal rate of its journeys         goal rate
``duration_median`` median time to the next stage     –                                 median journey duration
``exit_rate``       –                                 exits / its journeys              –
``repeat_rate``     –                                 journeys with it twice or more    –
``nps`` ``csat``    the answers at the stage          the answers at the touchpoint     all answers
``ces``
``satisfaction``    the emotion curve (0–100)         the touchpoint's (0–100)          –
==================  ================================  ================================  ====================

The value is given in the target's unit: a share (``reached``, ``conversion``, ``exit_rate``,
``repeat_rate``) in % when ``unit`` is ``%`` (``target: 35, unit: "%"`` is 35 %), else as a
fraction (0–1); ``reached`` without a unit is a number of journeys; a duration in the ``unit``
given (``s``, ``min``, ``h``, ``d``, ``w``; seconds without one).

``status``: ``met`` (the value is at least the target, or at most with ``direction: lower``),
``not_met``, ``not_measurable`` (with a ``reason``, below), or None without a target.
``reason`` is a code the report and CLI put in words in their language: ``unknown_metric``,
``not_here`` (the metric is not measured at that place), ``unknown_place`` (the stage or
touchpoint is not in the results), ``not_computed`` (its analysis was left out,
``--analyses``), ``no_feedback`` (no survey answers were given), ``few_answers`` (fewer
answers than the feedback's ``min_responses``: the value is shown, not judged), ``no_value``
(nothing to measure: the last stage has no next stage, no journey reached it...),
``unknown_unit`` (a duration in a unit not listed above).

Plain Python on analysis.json's structure (no engine, no registry), so that the report can
measure the KPIs of a results folder written before this analysis existed; the registry runs it
through :func:`parcours.analysis.kpis_derive.derive`.
"""

from __future__ import annotations

from typing import Any

from parcours.model.journey_map import JourneyMap, Kpi, text_in

SHARES = ("reached", "conversion", "exit_rate", "repeat_rate")
FEEDBACK = ("nps", "csat", "ces")
METRICS = ("reached", "conversion", "duration_median", "exit_rate", "repeat_rate", "nps", "csat", "ces", "satisfaction")
PERCENT = ("%", "pct", "percent")
SECONDS = {None: 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "d": 86400, "j": 86400, "w": 604800,
           "wk": 604800}


def _place(k: Kpi) -> str:
    return "touchpoint" if k.touchpoint else "stage" if k.stage else "overall"


def _measure(k: Kpi, d: dict[str, Any]) -> tuple[float | None, int | None, str | None]:
    """(raw value, what it rests on (journeys or answers), reason it cannot be measured)."""
    place, metric = _place(k), k.metric
    if metric not in METRICS:
        return None, None, "unknown_metric"
    if metric in FEEDBACK or metric == "satisfaction":
        return _feedback(k, d.get("feedback"), place)
    if place == "overall":
        s = d.get("summary") or {}
        if metric == "reached":
            return s.get("journeys"), s.get("journeys"), None
        if metric == "conversion":
            return s.get("conversion_rate"), s.get("journeys"), None if s.get("conversion_rate") is not None else "no_value"
        if metric == "duration_median":
            dur = s.get("journey_duration_seconds") or {}
            return dur.get("median"), dur.get("count"), None if dur.get("median") is not None else "no_value"
        return None, None, "not_here"
    if place == "touchpoint":
        if metric == "duration_median":
            return None, None, "not_here"
        if "touchpoints" not in d:
            return None, None, "not_computed"
        r = next((r for r in d["touchpoints"] if r["touchpoint"] == k.touchpoint), None)
        if r is None:
            return None, None, "unknown_place"
        key = {"reached": "share_of_journeys", "conversion": "goal_rate_with"}.get(metric, metric)
        if metric == "reached" and (k.unit or "") not in PERCENT:
            key = "journeys"
        n = (d.get("summary") or {}).get("journeys") if metric == "reached" else r.get("journeys")
        return r.get(key), n, None if r.get(key) is not None else "no_value"
    if metric in ("exit_rate", "repeat_rate"):
        return None, None, "not_here"
    if metric == "duration_median":
        if "stage_durations" not in d:
            return None, None, "not_computed"
        r = next((r for r in d["stage_durations"] if r["stage"] == k.stage and r["measure"] == "to_next_stage"), None)
        if r is None:
            return None, None, "unknown_place"
        return r.get("median"), r.get("count"), None if r.get("median") is not None and r.get("count") else "no_value"
    if "stages" not in d:
        return None, None, "not_computed"
    r = next((r for r in d["stages"] if r["stage"] == k.stage), None)
    if r is None:
        return None, None, "unknown_place"
    if metric == "reached":
        key = "share_of_journeys" if (k.unit or "") in PERCENT else "reached"
        return r.get(key), (d.get("summary") or {}).get("journeys"), None
    return r.get("conversion_rate"), r.get("reached"), None if r.get("conversion_rate") is not None else "no_value"


def _feedback(k: Kpi, fb: dict[str, Any] | None, place: str) -> tuple[float | None, int | None, str | None]:
    if not fb:
        return None, None, "no_feedback"
    if k.metric == "satisfaction":
        if place == "overall":
            return None, None, "not_here"
        key, rows = ("touchpoint", fb.get("emotion_by_touchpoint", [])) if place == "touchpoint" \
            else ("stage", fb.get("emotion_curve", []))
        r = next((r for r in rows if r[key] == getattr(k, key)), None)
        value = r.get("satisfaction") if r else None
    else:
        if place == "overall":
            r = next((r for r in fb.get("overall_by_metric", []) if r["metric"] == k.metric), None)
        else:
            key = place
            r = next((r for r in fb.get(f"by_{key}", []) if r.get(key) == getattr(k, key) and r["metric"] == k.metric),
                     None)
        value = r.get("value") if r else None
    if r is None or value is None:
        return None, (r or {}).get("responses"), "no_value"
    return value, r.get("responses"), "few_answers" if r.get("small") else None


def _in_unit(k: Kpi, raw: float | None) -> tuple[float | None, str | None]:
    """The raw value in the target's unit, or a reason it cannot be."""
    if raw is None:
        return None, None
    unit = (k.unit or "").strip() or None
    if k.metric in SHARES and not (k.metric == "reached" and unit not in PERCENT):
        return (100 * raw if unit in PERCENT else raw), None
    if k.metric == "duration_median":
        if unit not in SECONDS:
            return None, "unknown_unit"
        return raw / SECONDS[unit], None
    return raw, None


def status(k: Kpi, value: float | None) -> str | None:
    """``met`` / ``not_met`` of a measured value against the KPI's target (None without one)."""
    if k.target is None or value is None:
        return None
    return "met" if (value >= k.target if k.direction == "higher" else value <= k.target) else "not_met"


def measure_kpis(d: dict[str, Any], m: JourneyMap, lang: str = "en") -> list[dict[str, Any]]:
    """One record per KPI of the map, in the map's order: ``kpi``, ``name``, ``stage``,
    ``touchpoint``, ``metric``, ``value`` (in the target's unit), ``target``, ``unit``,
    ``direction``, ``status``, ``reason``, ``n`` (the journeys or answers the value rests on)."""
    stage_of = {t.id: t.stage for t in m.touchpoints}
    out = []
    for k in m.kpis:
        raw, n, reason = _measure(k, d)
        value, unit_reason = _in_unit(k, raw)
        reason = reason or unit_reason
        if reason is None and value is None:
            reason = "no_value"
        judged = None if reason else status(k, value)
        out.append({"kpi": k.id, "name": text_in(k.name, lang), "stage": k.stage or stage_of.get(k.touchpoint or ""),
                    "touchpoint": k.touchpoint, "metric": k.metric, "value": None if value is None else float(value),
                    "target": k.target, "unit": k.unit, "direction": k.direction,
                    "status": "not_measurable" if reason and k.target is not None else judged,
                    "reason": reason, "n": n})
    return out

