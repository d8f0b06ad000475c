"""A map's YAML as the editor and the versions page show it: element labels, a touchpoint's
rule in words, the editor's sections (touchpoints grouped under their stage) and a diff of two
versions. Pure: text and dicts in, dicts out (the web app renders them).

>>> label({"id": "cart", "name": {"fr": "Panier"}}, "en")
'Panier (cart)'
>>> rule_summary({"id": "cart", "match": {"event": ["add", "buy"], "where": {"channel": "web"}}})
'events add or buy, where channel: web'
"""

from __future__ import annotations

from typing import Any

import yaml

from parcours.model import edits as E

TITLES = {"stages": "Stages", "touchpoints": "Touchpoints", "personas": "Personas", "pain_points": "Pain points",
          "opportunities": "Opportunities", "actions": "Actions", "kpis": "KPIs and targets"}


def map_data(text: str | None) -> dict[str, Any]:
    """The map's YAML as a dict ({} for no text or not a mapping)."""
    if text is None:
        return {}
    data = E.load_yaml(text)
    return data if isinstance(data, dict) else {}


def label(item: dict[str, Any], lang: str) -> str:
    """An element's name in ``lang`` (else the other language) and its id."""
    name = item.get("name")
    if isinstance(name, dict):
        other = "fr" if lang == "en" else "en"
        name = name.get(lang) or name.get(other)
    return f"{name} ({item['id']})" if name and name != item.get("id") else str(item.get("id"))


def rule_summary(element: dict[str, Any]) -> str:
    """A touchpoint's match rule in words."""
    rule = element.get("match")
    if not isinstance(rule, dict):
        return f"events named {element.get('id')} (no rule: the id is the event name)"
    parts = []
    events = rule.get("event")
    if events:
        events = [events] if isinstance(events, str) else events
        parts.append(("event " if len(events) == 1 else "events ") + " or ".join(str(e) for e in events))
    where = rule.get("where") or {}
    if where:
        parts.append("where " + " and ".join(E.condition_line(k, v) for k, v in where.items()))
    return ", ".join(parts)


def editor_sections(data: dict[str, Any], counts: dict[str, Any]) -> dict[str, Any]:
    """The editor's ``refs`` (ids and labels of each kind), ``sections`` (one per kind, each
    element with its form values) and ``groups`` (touchpoints under their stage, in the stages'
    order); ``counts``: each touchpoint's measure on the data, by id."""
    lang = data.get("language") if data.get("language") in ("fr", "en") else "en"
    refs = {kind: [(x["id"], label(x, lang)) for x in data.get(kind) or [] if isinstance(x, dict) and "id" in x]
            for kind in (*E.KINDS, "segments")}
    sections = []
    for kind in E.KINDS:
        items = [x for x in data.get(kind) or [] if isinstance(x, dict)]
        elements = [{"id": x.get("id"), "index": i, "label": label(x, lang), "values": E.form_values(kind, x),
                     "raw": x, "rule": rule_summary(x) if kind == "touchpoints" else None,
                     "count": counts.get(x.get("id"))} for i, x in enumerate(items)]
        sections.append({"kind": kind, "title": TITLES[kind], "singular": E.SINGULAR[kind], "elements": elements,
                         "fields": E.FIELDS[kind], "localized": E.is_localized(data, kind),
                         "new": E.form_values(kind, None)})
    groups = []
    tps = sections[1]["elements"]
    for sid, name in refs["stages"] + [(None, "No stage")]:
        members = [t for t in tps if t["raw"].get("stage") == sid
                   or (sid is None and t["raw"].get("stage") not in [s for s, _ in refs["stages"]])]
        if members or sid is not None:
            groups.append({"stage": sid, "label": name, "elements": members})
    return {"refs": refs, "sections": sections, "groups": groups}


def short(value: Any) -> str:
    """A field's value in a diff, as one line of YAML."""
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6, sort_keys=False).strip()
    return str(value)


def diff_choice(numbers: list[int], a: str | None, b: str | None) -> tuple[str | None, str | None, str | None]:
    """The two versions the versions page compares, from its ``a`` and ``b`` query fields and the
    project's version ``numbers`` (oldest first): ``(a, b, error)``. Both given: they are kept as
    typed, with an error unless both are versions. Otherwise the last two versions, if there are
    two. A diff is shown when ``a`` and ``b`` are set and there is no error.

    >>> diff_choice([1, 2, 3], None, None)
    ('2', '3', None)
    >>> diff_choice([1, 2, 3], "1", "9")
    ('1', '9', 'choose two versions among 1 to 3')
    """
    if a and b:
        if not (a.isdigit() and b.isdigit() and int(a) in numbers and int(b) in numbers):
            return a, b, f"choose two versions among 1 to {numbers[-1]}" if numbers else "the project has no versions yet"
        return a, b, None
    if len(numbers) >= 2:
        return str(numbers[-2]), str(numbers[-1]), None
    return a, b, None


def diff_view(diff: dict[str, Any] | None) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """A diff of two versions (``parcours.store.maps.diff``) as the versions page lists it: the
    changed kinds, and the text diff's lines each with its class (add, del, hunk)."""
    changes = []
    if diff is not None:
        for kind in (*E.KINDS, "goals", "segments"):
            d = diff[kind]
            if d["added"] or d["removed"] or d["changed"]:
                changes.append({"kind": kind, "title": TITLES.get(kind, kind.title()), **d})
    lines = [{"text": line, "cls": ("add" if line.startswith("+") and not line.startswith("+++") else
                                     "del" if line.startswith("-") and not line.startswith("---") else
                                     "hunk" if line.startswith("@@") else "")}
             for line in (diff["text"].splitlines() if diff else [])]
    return changes, lines


__all__ = ["TITLES", "diff_choice", "diff_view", "editor_sections", "label", "map_data", "rule_summary", "short"]
