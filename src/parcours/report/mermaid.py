"""The journey map as a Mermaid ``journey`` diagram, for docs and wikis.

One ``section`` per stage, in the designed order; one task per customer-facing
(frontstage) touchpoint of the stage, named with its measured volume and exit rate; a stage
with no frontstage touchpoint gets one task naming the stage and how many journeys reached
it, so no stage is missing.

Score (Mermaid's 1..5): the touchpoint's measured satisfaction ``s`` (0–100) as
``1 + round(4 * s / 100)``, unless it rests on a small group; else the touchpoint's designed
emotion (-2..+2, plus 3); else the stage's measured satisfaction (not a small group), mapped the
same way; else the stage's designed emotion; else 3 (neutral).

Actors: the touchpoint's channel, in words ("Site web" / "Website"). On a per-persona map
(``persona:`` set) the persona's name comes first on every task, so the legend says whose
journey it is; on other maps personas are not shown, as no task is one persona's.

Mermaid's ``journey`` grammar ends a text at ``:`` ``;`` ``#`` or a newline and reads ``%``/``%%``
as a comment or directive, so the map's names are written with look-alikes: ``:``→``∶`` (ratio), ``;``→``,``,
``#``→``♯``, ``%``→``％``, line breaks and runs of spaces → one space; in actors ``,`` (the
actor separator) → ``‚``. ``<`` and ``>`` become ``＜`` and ``＞``, so no name reaches a renderer as
HTML (a touchpoint ``<img src=x onerror=...>`` stays text wherever the diagram is drawn). A task name starting with a keyword (``journey``, ``title``,
``section``, ``accTitle``, ``accDescr``) gets a leading word joiner (U+2060, invisible) so
that it is not read as that keyword (a task "Title deed" would silently become the title).
``mermaid_markdown`` puts the diagram in a fenced block for Markdown, under a heading, with a
line saying what the scores mean and the analysed period. The heading's map name is Markdown
text, not markup: HTML is escaped (``&lt;script&gt;``) and Markdown's punctuation
(emphasis, links, images, code, tables, a closing ``#``) is backslash-escaped, so a wiki or a
code host shows the name as written and runs nothing.

>>> print(mermaid_journey(result.data, journey_map, "en"))          # doctest: +SKIP
journey
  title Maison Lumière — omnichannel customer journey
  section Awareness
    Online ad (332 journeys, exit 0%): 3: Ads
"""

from __future__ import annotations

import html
import re
from typing import Any

from parcours.model.journey_map import JourneyMap, Lane, text_in
from parcours.report import formats as F
from parcours.report.labels import labels

CHANNELS = {
    "fr": {"web": "Site web", "app": "Appli", "email": "E-mail", "social": "Réseaux sociaux", "store": "Magasin",
           "phone": "Téléphone", "chat": "Chat", "ads": "Publicité", "sms": "SMS", "mail": "Courrier", "call": "Appel"},
    "en": {"web": "Website", "app": "App", "email": "Email", "social": "Social media", "store": "Store",
           "phone": "Phone", "chat": "Chat", "ads": "Ads", "sms": "SMS", "mail": "Mail", "call": "Call"},
}
WORDS = {
    "fr": {"reached": "atteinte par {n} parcours", "heading": "Carte du parcours client : {name}",
           "legend": "Score de 1 à 5 : satisfaction mesurée (0–100) ramenée à 1–5 (1 + arrondi de 4 × s / 100), "
                     "celle du point de contact, à défaut son émotion prévue, puis la satisfaction de l'étape, "
                     "puis l'émotion prévue de l'étape, sinon 3 (neutre) ; les petits effectifs ne comptent pas. Période : {p}."},
    "en": {"reached": "reached by {n} {journeys}", "heading": "Customer journey map: {name}",
           "legend": "Score 1 to 5: measured satisfaction (0–100) mapped to 1–5 (1 + round(4 × s / 100)), the "
                     "touchpoint's, else its designed emotion, else the stage's satisfaction, else the stage's designed "
                     "emotion, else 3 (neutral); small groups do not count. Period: {p}."},
}
_LOOKALIKES = str.maketrans({":": "∶", ";": ",", "#": "♯", "%": "％", "<": "＜", ">": "＞"})
# Markdown punctuation that could start markup inside a heading line (CommonMark escapes any of them).
_MARKDOWN = re.compile(r"([\\`*_\[\]()!|~#{}])")
WORD_JOINER = "\u2060"
_KEYWORD = re.compile(r"^(journey\b|title\s|section\s|acctitle|accdescr)", re.IGNORECASE)


def _clean(text: Any) -> str:
    """One line of text that Mermaid's journey grammar reads as plain text."""
    return " ".join(str(text or "").translate(_LOOKALIKES).split())


def markdown_text(text: Any) -> str:
    """One line of plain text for Markdown: HTML escaped, Markdown punctuation backslash-escaped.

    >>> print(markdown_text('<img src=x onerror=alert(1)> *bold* [a](javascript:x) #'))
    &lt;img src=x onerror=alert\\(1\\)&gt; \\*bold\\* \\[a\\]\\(javascript:x\\) \\#
    """
    flat = " ".join(str(text or "").split())
    return html.escape(_MARKDOWN.sub(r"\\\1", flat), quote=False)


def _actor(text: Any) -> str:
    return _clean(text).replace(",", "‚")  # a comma would split the actor in two


def _channel(channel: str | None, lang: str) -> str:
    c = channel or ""
    return CHANNELS.get(lang, CHANNELS["en"]).get(c, c[:1].upper() + c[1:])


def _score(s: float | None) -> int | None:
    return None if s is None else max(1, min(5, 1 + round(4 * s / 100)))


def mermaid_journey(data: dict[str, Any], m: JourneyMap, lang: str) -> str:
    """The map and ``analysis.json``'s figures as Mermaid ``journey`` text (no final newline)."""
    L, words = labels(lang), WORDS.get(lang, WORDS["en"])
    fb = data.get("feedback") or {}
    tp_rows = {r["touchpoint"]: r for r in data.get("touchpoints", [])}
    tp_sat = {r["touchpoint"]: r.get("satisfaction") for r in fb.get("emotion_by_touchpoint", []) if not r.get("small")}
    stage_sat = {r["stage"]: r.get("satisfaction") for r in fb.get("emotion_curve", []) if not r.get("small")}
    reached = {r["stage"]: r.get("reached") for r in data.get("stages", [])}
    persona = next((p for p in m.personas if p.id == m.persona), None)
    crowd = [_actor(text_in(persona.name, lang))] if persona else []

    def journeys(n: Any) -> str:
        return "journey" if lang == "en" and n == 1 else L["journeys"]

    def task(name: Any, fallback: str, detail: str, score: int, actors: list[str]) -> str:
        text = f"{_clean(name) or fallback} ({detail})"
        who = ", ".join(a for a in actors if a)
        return f"    {WORD_JOINER if _KEYWORD.match(text) else ''}{text}: {score}" + (f": {who}" if who else "")

    lines = ["journey", f"  title {_clean(text_in(m.name, lang)) or 'Journey map'}"]
    for s in m.stages:
        stage_name = text_in(s.name, lang)
        lines.append(f"  section {_clean(stage_name) or s.id}")
        designed = None if s.emotion is None else s.emotion + 3
        stage_score = _score(stage_sat.get(s.id)) or designed or 3  # a score is never 0: `or` is safe
        tps = [t for t in m.touchpoints if t.stage == s.id and t.lane == Lane.frontstage]
        for t in tps:
            r = tp_rows.get(t.id) or {}
            n = r.get("journeys") or (0 if "touchpoints" in data else None)  # None: not computed (--analyses)
            detail = f"{F.number(n, lang)} {journeys(n)}, {L['exit']} {F.pct(r.get('exit_rate'), lang)}"
            score = _score(tp_sat.get(t.id)) or (None if t.emotion is None else t.emotion + 3) or stage_score
            lines.append(task(text_in(t.name, lang), t.id, detail, score, [*crowd, _actor(_channel(t.channel, lang))]))
        if not tps:
            n = reached.get(s.id) or (0 if "stages" in data else None)
            detail = words["reached"].format(n=F.number(n, lang), journeys=journeys(n))
            lines.append(task(stage_name, s.id, detail, stage_score, crowd))
    return "\n".join(lines)


def mermaid_markdown(data: dict[str, Any], m: JourneyMap, lang: str) -> str:
    """The diagram in a fenced ```` ```mermaid ```` block, under a heading, with what the scores
    mean and the analysed period (ends with a newline)."""
    words = WORDS.get(lang, WORDS["en"])
    p = (data.get("summary") or {}).get("period") or {}
    period = markdown_text(f"{str(p.get('start') or '–')[:10]} → {str(p.get('end') or '–')[:10]}")
    name = markdown_text(text_in(m.name, lang))
    diagram = mermaid_journey(data, m, lang)
    fence = "`" * max([3] + [len(run) + 1 for run in re.findall("`{3,}", diagram)])  # a name's ``` cannot close it
    return (f"### {words['heading'].format(name=name)}\n\n{words['legend'].format(p=period)}\n\n"
            f"{fence}mermaid\n{diagram}\n{fence}\n")
