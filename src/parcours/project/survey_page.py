"""What the public survey page says and decides, apart from rendering it: its texts in French
and English, the question of a link for its touchpoint, the page's language, which error a bad
answer gets. The project's latest map (for the touchpoints' names) is :func:`parcours.store.maps.latest_map`,
parsed once per version.

>>> pick_lang(" EN ", "fr"), pick_lang("de", "fr")
('en', 'fr')
>>> question("csat", "Checkout", "en")["question"]
'How satisfied are you with “Checkout”?'
"""

from __future__ import annotations

from typing import Any

from parcours.errors import OptionError
from parcours.model import JourneyMap, text_in
from parcours.store import surveys
from parcours.store.maps import latest_map

NNBSP = "\u202f"  # French puts a narrow no-break space before ? and !
TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Votre avis", "intro": "Une question, quelques secondes : merci de nous aider à nous améliorer.",
        "comment": "Un commentaire ? (facultatif)", "send": "Envoyer", "sending": "Envoi…",
        "thanks": "Merci" + NNBSP + "!", "stored": "Votre réponse est enregistrée.",
        "again": "Votre réponse était déjà enregistrée : elle n'est comptée qu'une fois.",
        "error_score": "Choisissez une note de {low} à {high}.",
        "error_comment": "Le commentaire est trop long : {n} caractères, {max} au plus.",
        "error_form": "La réponse n'a pas pu être enregistrée : rechargez la page et réessayez.",
        "nps": "Après «\u00a0{tp}\u00a0», quelle est la probabilité que vous nous recommandiez à un proche" + NNBSP + "?",
        "nps_low": "Pas du tout probable", "nps_high": "Très probable",
        "csat": "Êtes-vous satisfait de «\u00a0{tp}\u00a0»" + NNBSP + "?",
        "csat_low": "Pas du tout satisfait", "csat_high": "Très satisfait",
        "ces": "Il a été facile de faire ce que je voulais avec «\u00a0{tp}\u00a0».",
        "ces_prompt": "Êtes-vous d'accord avec cette affirmation" + NNBSP + "?",
        "ces_low": "Pas du tout d'accord", "ces_high": "Tout à fait d'accord",
        "scale": "{low} = {low_text}, {high} = {high_text}",
    },
    "en": {
        "title": "Your feedback", "intro": "One question, a few seconds: thank you for helping us improve.",
        "comment": "Any comment? (optional)", "send": "Send", "sending": "Sending…",
        "thanks": "Thank you!", "stored": "Your answer is saved.",
        "again": "Your answer was already saved: it counts once.",
        "error_score": "Choose a score from {low} to {high}.",
        "error_comment": "The comment is too long: {n} characters, at most {max}.",
        "error_form": "The answer could not be saved: reload the page and try again.",
        "nps": "After “{tp}”, how likely are you to recommend us to a friend or colleague?",
        "nps_low": "Not at all likely", "nps_high": "Extremely likely",
        "csat": "How satisfied are you with “{tp}”?",
        "csat_low": "Very dissatisfied", "csat_high": "Very satisfied",
        "ces": "It was easy to do what I wanted with “{tp}”.",
        "ces_prompt": "Do you agree with this statement?",
        "ces_low": "Strongly disagree", "ces_high": "Strongly agree",
        "scale": "{low} = {low_text}, {high} = {high_text}",
    },
}


def question(metric: str, tp: str, lang: str) -> dict[str, Any]:
    """The question of a ``metric`` survey about touchpoint ``tp``, with its scale and labels."""
    t = TEXTS[lang]
    low, high = surveys.scale(metric)
    return {"question": t[metric].format(tp=tp), "prompt": t.get(f"{metric}_prompt"),
            "scale": list(range(low, high + 1)), "low": low, "high": high,
            "low_text": t[f"{metric}_low"], "high_text": t[f"{metric}_high"]}


def pick_lang(value: str | None, default: str) -> str:
    """``value`` when the page speaks it, else ``default``."""
    value = (value or "").strip().lower()
    return value if value in TEXTS else default


def form_error(metric: str, score: str | None, comment: str, lang: str) -> str | None:
    """What the form says of an answer that was refused: its score, else its comment's length;
    None when both are right (the form itself was damaged: its submission id, its reference)."""
    t = TEXTS[lang]
    try:
        surveys.parse_score(score, metric)
    except OptionError:
        low, high = surveys.scale(metric)
        return t["error_score"].format(low=low, high=high)
    if len(comment.strip()) > surveys.MAX_COMMENT:
        return t["error_comment"].format(n=len(comment.strip()), max=surveys.MAX_COMMENT)
    return None


def touchpoint_name(m: JourneyMap | None, touchpoint_id: str, lang: str) -> str:
    """The touchpoint's name in ``lang`` from the map, else its id in words."""
    for tp in (m.touchpoints if m else []):
        if tp.id == touchpoint_id:
            return text_in(tp.name, lang) or tp.id
    return touchpoint_id.replace("_", " ")


def link_question(store: Any, link: Any, lang: str) -> dict[str, Any]:
    """The question of survey ``link`` in ``lang`` (:func:`question`), its touchpoint named from
    the project's latest map."""
    m = latest_map(store, link.project_id)
    return question(link.metric, touchpoint_name(m, link.touchpoint_id, lang), lang)


def touchpoint_choices(m: JourneyMap | None, lang: str) -> list[tuple[str, str]]:
    """The map's touchpoints as (id, name in ``lang``) for the team's form: a link is made for one."""
    return [(tp.id, text_in(tp.name, lang) or tp.id) for tp in (m.touchpoints if m else [])]


__all__ = ["TEXTS", "form_error", "link_question", "pick_lang", "question", "touchpoint_choices", "touchpoint_name"]
