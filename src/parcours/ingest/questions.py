"""What a survey question is, from its wording (French or English) and its answers.

A **score question** is read as a metric when its text says what the metric asks and its
answers fit the metric's scale: NPS — *recommend* / *recommander* on 0–10; CSAT — *satisf…* on
1–5; CES — *effort*, *easy* / *facile* on 1–7. A **comment question** asks *why*, for a
comment or a suggestion (*pourquoi*, *commentaire*, *remarque*…). The answers may be numbers
or the choice texts survey tools export (``Very satisfied``, ``10 - Extremely likely``,
``Tout à fait d'accord``): :data:`LABELS` gives each its number.

The columns that say who answered and when (``ResponseId``, ``Respondent ID``, ``#``,
``RecordedDate``, ``Submit Date (UTC)``, ``Horodateur``…) are found by name (:func:`role_of`).

>>> kind_of("How likely are you to recommend us to a friend or colleague?")
'nps'
>>> kind_of("Dans l'ensemble, êtes-vous satisfait de votre assureur ?")
'csat'
>>> kind_of("Pourquoi ?")
'comment'
>>> kind_of("Country") is None
True
"""

from __future__ import annotations

import re
import unicodedata

# Wording, tried in this order (a question on satisfaction that mentions effort reads as CSAT).
WORDING: list[tuple[str, re.Pattern[str]]] = [
    ("nps", re.compile(r"recomm?and|recommend|\bnps\b|net promoter", re.I)),
    ("csat", re.compile(r"satisf|\bcsat\b", re.I)),
    ("ces", re.compile(r"\beffort|\beasy\b|\beasily\b|\bease\b|facile|facilement|facilit|\bces\b|customer effort", re.I)),
    ("comment", re.compile(r"\bwhy\b|pourquoi|comment(?:s|aire)?\b|remarque|suggest|tell us|dites[- ]nous|explain|"
                           r"expliqu|reason|raison|anything else|autre chose|improve|am[ée]lior|feedback|verbatim|"
                           r"précisez|precisez|please specify|open[- ]ended|\bbetter\b|mieux|could we", re.I)),
]

# The number of each choice text, per metric (lower case, straight apostrophes, single spaces).
LABELS: dict[str, dict[str, float]] = {
    "nps": {"not at all likely": 0, "extremely likely": 10, "pas du tout probable": 0, "très probable": 10,
            "extrêmement probable": 10, "tout à fait probable": 10},
    "csat": {
        "very dissatisfied": 1, "extremely dissatisfied": 1, "dissatisfied": 2, "somewhat dissatisfied": 2,
        "neither satisfied nor dissatisfied": 3, "neutral": 3, "satisfied": 4, "somewhat satisfied": 4,
        "very satisfied": 5, "extremely satisfied": 5,
        "très insatisfait": 1, "pas du tout satisfait": 1, "insatisfait": 2, "plutôt insatisfait": 2,
        "plutôt pas satisfait": 2, "ni satisfait ni insatisfait": 3, "neutre": 3, "satisfait": 4,
        "plutôt satisfait": 4, "très satisfait": 5, "tout à fait satisfait": 5,
    },
    "ces": {
        "strongly disagree": 1, "disagree": 2, "somewhat disagree": 3, "neither agree nor disagree": 4,
        "somewhat agree": 5, "agree": 6, "strongly agree": 7,
        "very difficult": 1, "difficult": 2, "somewhat difficult": 3, "neither easy nor difficult": 4,
        "somewhat easy": 5, "easy": 6, "very easy": 7,
        "pas du tout d'accord": 1, "pas d'accord": 2, "plutôt pas d'accord": 3, "ni d'accord ni pas d'accord": 4,
        "plutôt d'accord": 5, "d'accord": 6, "tout à fait d'accord": 7,
        "très difficile": 1, "difficile": 2, "plutôt difficile": 3, "ni facile ni difficile": 4,
        "plutôt facile": 5, "facile": 6, "très facile": 7,
    },
}

# Who answered and when, by column name (lower case), best first.
RESPONDENT = ["responseid", "response id", "_recordid", "respondent id", "respondentid", "respondent_id", "#",
              "token", "response_id", "id de réponse", "identifiant de réponse", "id du répondant",
              "email address", "adresse e-mail", "adresse email", "email", "e-mail"]
CUSTOMER = ["externalreference", "external reference", "externaldatareference", "customer_id", "customerid",
            "client_id", "user_id", "userid", "customer", "client"]
TIME = ["recordeddate", "recorded date", "enddate", "end date", "submit date (utc)", "submitted at", "submitted_at",
        "timestamp", "horodateur", "horodatage", "date de soumission", "date de fin", "response_time",
        "responded_at", "date"]
LANGUAGE = ["userlanguage", "user language", "language", "langue"]


def normal(text: str) -> str:
    """Lower case, straight apostrophes, single spaces, no leading ``1 - `` number kept."""
    text = unicodedata.normalize("NFC", text).replace("’", "'").replace("\u00a0", " ").lower()
    return re.sub(r"\s+", " ", text).strip()


def kind_of(text: str | None) -> str | None:
    """``nps``, ``csat``, ``ces`` or ``comment`` by a question's wording, else None."""
    if not text:
        return None
    for kind, pattern in WORDING:
        if pattern.search(text):
            return kind
    return None


def role_of(column: str, names: list[str]) -> bool:
    """Whether ``column`` is one of ``names`` (compared in :func:`normal` form)."""
    return normal(column) in names
