"""The sentences that explain a friction and an opportunity, written from their data when shown.

The analysis keeps in each record the data a sentence needs (the touchpoint's id, the
signals and drivers, the wait, the feedback figures, the top irritant; the indicator, value,
reference, impact and their n), not the sentence: so a results folder analysed in French
renders in English, and the other way round (``parcours report --lang``). Names come from the
map, by id, in the asked language. The CSV tables' ``explanation`` column is written with the
same functions, in the analysis' language.

Records written before these data were kept (an older ``analysis.json``) render the
``explanation`` they carry.

>>> from parcours.model import map_from_dict
>>> m = map_from_dict({"touchpoints": [{"id": "pay", "name": {"fr": "Paiement", "en": "Payment"}}]})
>>> f = {"touchpoint": "pay", "signals": {"exit": 0.5, "repeat": 0.25}, "drivers": ["exit", "repeat"]}
>>> explain_friction(f, m, "en")
'50% of journeys that reach Payment end there; 25% of its journeys come back to it'
>>> o = {"touchpoint": "pay", "indicator": "exit_rate", "value": 0.5, "reference": 0.25, "n": 400,
...      "reference_kind": "map_quartile", "impact": 100.0, "impact_low": 61.2, "small": False}
>>> explain_opportunity(o, m, "fr")
'Taux de sortie à Paiement : 50\u202f% (400 parcours) → 25\u202f% (meilleur quart de la carte) : 100 parcours (au moins 61)'
"""

from __future__ import annotations

from typing import Any

from parcours.model.journey_map import JourneyMap, text_in
from parcours.report import formats as F
from parcours.text.aspects import name as aspect_name

_FRICTION = {
    "en": {
        "exit": "{p} of journeys that reach {name} end there{goal}",
        "goal": " without reaching a goal",
        "repeat": "{p} of its journeys come back to it",
        "wait": "{d} on average to get there from the previous touchpoint (longer than for {r} of the others)",
        "theme": "theme '{t}' in {p} of detractor comments",
        "theme_any": "{p} of its comments in an irritant theme",
        "few_answers": "too few answers to count: {n} (under {min})",
        "few_comments": "too few comments to count: {n} (under {min})",
        "aspect": "its negative comments speak most of {a}: {k} of {n} ({p}, 95% interval {low}–{high})",
    },
    "fr": {
        "exit": "{p} des parcours qui atteignent {name} s'y arrêtent{goal}",
        "goal": " sans atteindre d'objectif",
        "repeat": "{p} de ses parcours y reviennent",
        "wait": "{d} en moyenne pour y arriver depuis le point de contact précédent (plus long que pour {r} des autres)",
        "theme": "thème « {t} » dans {p} des commentaires de détracteurs",
        "theme_any": "{p} de ses commentaires dans un irritant",
        "few_answers": "trop peu de réponses pour compter : {n} (moins de {min})",
        "few_comments": "trop peu de commentaires pour compter : {n} (moins de {min})",
        "aspect": "ses commentaires négatifs parlent surtout de {a} : {k} sur {n} ({p}, intervalle à 95 % {low}–{high})",
    },
}

_OPPORTUNITY = {
    "en": {"exit_rate": "exit rate", "repeat_rate": "repeat rate", "satisfaction": "satisfaction",
           "target": "target", "segment": "segment {s}", "map_quartile": "best quarter of the map",
           "answers": "answers", "answer": "answer", "journeys": "journeys",
           "line": "{ind} at {name}: {v} ({n}) → {r} ({ref}): {impact} journeys",
           "at_least": " (at least {low})", "maybe_none": " (possibly none)"},
    "fr": {"exit_rate": "taux de sortie", "repeat_rate": "taux de répétition", "satisfaction": "satisfaction",
           "target": "objectif", "segment": "segment {s}", "map_quartile": "meilleur quart de la carte",
           "answers": "réponses", "answer": "réponse", "journeys": "parcours",
           "line": "{ind} à {name} : {v} ({n}) → {r} ({ref}) : {impact} parcours",
           "at_least": " (au moins {low})", "maybe_none": " (peut-être aucun)"},
}


def _lang(lang: str) -> str:
    return lang if lang in _FRICTION else "en"


def touchpoint_name(m: JourneyMap, touchpoint: str, lang: str, fallback: str | None = None) -> str:
    """The touchpoint's name in ``lang`` from the map, else ``fallback``, else its id."""
    t = m.touchpoint(touchpoint)
    if t is not None and t.name is not None:
        return text_in(t.name, lang) or touchpoint
    return fallback or touchpoint


def _metric_text(metric: str, value: float, lang: str) -> str:
    if metric == "nps":
        return f"NPS {value:.0f}"
    if metric == "csat":
        return f"CSAT {F.number(value, lang)}" + (f"{F.NBSP}%" if lang == "fr" else "%")
    return f"CES {F.number(value, lang, 1)}"


def explain_friction(record: dict[str, Any], m: JourneyMap, lang: str) -> str:
    """Why a touchpoint ranks where it does: its three largest drivers, in ``lang``; then the
    metrics and comments left out of its score for too few answers (under ``min_responses``)."""
    if "signals" not in record or "drivers" not in record:
        return str(record.get("explanation") or "")
    lang = _lang(lang)
    text, signals = _FRICTION[lang], record["signals"]
    name = touchpoint_name(m, record["touchpoint"], lang, record.get("name"))
    phrases = []
    for k in record["drivers"][:3]:
        if k == "exit":
            phrases.append(text["exit"].format(p=F.pct(signals["exit"], lang), name=name,
                                               goal=text["goal"] if m.goals else ""))
        elif k == "repeat":
            phrases.append(text["repeat"].format(p=F.pct(signals["repeat"], lang)))
        elif k == "wait":
            phrases.append(text["wait"].format(d=_duration(record.get("wait_seconds"), lang),
                                               r=F.pct(signals["wait"], lang)))
        elif k == "themes":
            top, share = record.get("top_irritant"), record.get("top_irritant_share")
            phrases.append(text["theme"].format(t=top, p=F.pct(share, lang)) if top and share
                           else text["theme_any"].format(p=F.pct(signals["themes"], lang)))
        elif k == "feedback":
            feedback = record.get("feedback") or {}
            phrases.append(", ".join(_metric_text(mt, feedback[mt], lang) for mt in sorted(feedback)))
    least = F.number(record.get("min_responses"), lang)
    counted = record.get("feedback") or {}
    few = [f"{mt.upper()} {F.number(n, lang)}" for mt, n in (record.get("answers") or {}).items() if mt not in counted]
    if few:
        phrases.append(text["few_answers"].format(n=", ".join(few), min=least))
    if "themes" in (record.get("small_signals") or []):
        phrases.append(text["few_comments"].format(n=F.number(record.get("comments"), lang), min=least))
    aspect = record.get("top_aspect")
    if aspect and aspect.get("of_negative"):
        phrases.append(text["aspect"].format(
            a=aspect_name(aspect["aspect"], lang).lower(),
            k=F.number(aspect["negative_comments"], lang), n=F.number(aspect["of_negative"], lang),
            p=F.pct(aspect["share"], lang), low=F.pct(aspect["ci_low"], lang), high=F.pct(aspect["ci_high"], lang)))
    return ("\u202f; " if lang == "fr" else "; ").join(phrases)  # French puts a narrow space before ';'


def _duration(seconds: float | None, lang: str) -> str:
    """``3.5 d`` / ``3,5 j``, ``1.2 h``, ``4.0 min``, ``40 s`` (one decimal above a minute)."""
    if seconds is None:
        return "–"
    day = "j" if lang == "fr" else "d"
    for unit, size in ((day, 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{F.number(seconds / size, lang, 1)} {unit}"
    return f"{F.number(seconds, lang)} s"


def _value(indicator: str, value: float, lang: str) -> str:
    return f"{F.number(value, lang)}/100" if indicator == "satisfaction" else F.pct(value, lang)


def explain_opportunity(record: dict[str, Any], m: JourneyMap, lang: str) -> str:
    """What closing an opportunity's gap would change, in ``lang``: the indicator at the
    touchpoint, its value and n, the reference and its kind, the journeys it would change and
    the lower confidence bound of that number (the record's ``small`` is shown beside it)."""
    if "indicator" not in record or "reference_kind" not in record:
        return str(record.get("explanation") or "")
    lang = _lang(lang)
    text, ind = _OPPORTUNITY[lang], record["indicator"]
    kind = record["reference_kind"]
    if kind.startswith("segment:"):
        seg_id = kind.split(":", 1)[1]
        seg = m.segment(seg_id)
        ref = text["segment"].format(s=text_in(seg.name, lang) if seg is not None and seg.name else seg_id)
    else:
        ref = text.get(kind, kind)
    n = record.get("n", record.get("journeys"))
    unit = text["journeys"] if ind != "satisfaction" else text["answer"] if n == 1 else text["answers"]
    line = text["line"].format(ind=text[ind].capitalize(),
                               name=touchpoint_name(m, record["touchpoint"], lang, record.get("name")),
                               v=_value(ind, record["value"], lang), n=f"{F.number(n, lang)} {unit}",
                               r=_value(ind, record["reference"], lang), ref=ref,
                               impact=F.number(record["impact"], lang))
    low = record.get("impact_low")
    if low is not None:
        line += text["at_least"].format(low=F.number(low, lang)) if round(low) > 0 else text["maybe_none"]
    return line


__all__ = ["explain_friction", "explain_opportunity", "touchpoint_name"]
