"""Edits of a journey map as plain data (the dict read from its YAML), for the map editor.

Pure functions, no I/O: add, update and delete an element of a kind (stages, touchpoints,
personas...), move a stage, turn an editor form into an element and an element into form
values. Renaming an element's id renames the references to it (a touchpoint's ``stage``, an
action's ``opportunity``...). The result is validated by the model when it is saved.

:func:`edit_text` writes the edited data back as YAML while keeping the original text of every
element that did not change (comments, flow or block style, key order), so that a version's text
diff shows only what was edited; it falls back to a fresh dump when it cannot.

>>> data = {"stages": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]}
>>> [s["id"] for s in move_stage(data, "b", -1)["stages"]]
['b', 'a']
>>> update_element(data, "stages", "a", {"id": "start", "name": "Start"})["stages"][0]
{'id': 'start', 'name': 'Start'}
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any

import yaml

from parcours.errors import ParcoursError
from parcours.model import journey_map as jm

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: several times faster


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, with libyaml when it is installed."""
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader


class EditError(ParcoursError):
    """An edit that cannot be made: unknown element, duplicate id, a value of the wrong type.
    The message names the field and says what to write instead."""

    exit_code = 2


@dataclass(frozen=True)
class Field:
    """One field of an element as the editor shows it."""

    name: str
    label: str
    type: str  # id, text (plain or {fr, en}), str, lines, int, float, date, choice, ref, match
    options: tuple[str, ...] = ()  # choice: the values; ref: the kind referred to
    required: bool = False
    help: str = ""


def _choices(model: type, name: str) -> tuple[str, ...]:
    ann = model.model_fields[name].annotation  # type: ignore[attr-defined]
    if isinstance(ann, type) and issubclass(ann, Enum):
        return tuple(m.value for m in ann)
    for arg in (ann, *typing.get_args(ann)):
        if typing.get_origin(arg) is typing.Literal:
            return tuple(typing.get_args(arg))
    raise TypeError(f"{model.__name__}.{name} is not a choice")


def _default(model: type, name: str) -> Any:
    value = model.model_fields[name].default  # type: ignore[attr-defined]
    return value.value if isinstance(value, Enum) else value


ID = Field("id", "Id", "id", required=True, help="letters, digits, _ - . (other elements refer to it)")
NAME = Field("name", "Name", "text", required=True)
DESCRIPTION = Field("description", "Description", "text")
OWNER = Field("owner", "Owner", "str", help="team or person")
EMOTION = Field("emotion", "Designed emotion", "int", help="-2 (very negative) to +2 (very positive)")
AT_STAGE = Field("stage", "Stage", "ref", ("stages",))
AT_TOUCHPOINT = Field("touchpoint", "Touchpoint", "ref", ("touchpoints",))

FIELDS: dict[str, list[Field]] = {
    "stages": [ID, NAME, DESCRIPTION, OWNER,
               Field("target_duration", "Target duration", "str", help="e.g. 2d, 30m, 1h"), EMOTION,
               Field("customer_goals", "Customer goals", "lines", help="one per line"),
               Field("customer_actions", "Customer actions", "lines", help="one per line"),
               Field("company_actions", "Company actions", "lines", help="one per line")],
    "touchpoints": [ID, Field("name", "Name", "text"), AT_STAGE,
                    Field("channel", "Channel", "str", help="web, app, email, store, phone, chat..."),
                    Field("lane", "Lane", "choice", _choices(jm.Touchpoint, "lane")), OWNER, EMOTION,
                    DESCRIPTION, Field("match", "Match rule", "match")],
    "personas": [ID, NAME, DESCRIPTION, Field("segment", "Segment", "ref", ("segments",)),
                 Field("goals", "Goals", "lines", help="one per line"),
                 Field("frustrations", "Frustrations", "lines", help="one per line")],
    "pain_points": [ID, NAME, DESCRIPTION, AT_STAGE, AT_TOUCHPOINT,
                    Field("severity", "Severity", "choice", _choices(jm.PainPoint, "severity"))],
    "opportunities": [ID, NAME, DESCRIPTION, AT_STAGE, AT_TOUCHPOINT, OWNER,
                      Field("status", "Status", "choice", _choices(jm.Opportunity, "status")),
                      Field("pain_point", "Pain point", "ref", ("pain_points",))],
    "actions": [ID, NAME, DESCRIPTION, AT_STAGE, AT_TOUCHPOINT, OWNER,
                Field("status", "Status", "choice", _choices(jm.Action, "status")),
                Field("due", "Due date", "date"), Field("opportunity", "Opportunity", "ref", ("opportunities",))],
    "kpis": [ID, NAME, AT_STAGE, AT_TOUCHPOINT,
             Field("metric", "Metric", "str", required=True, help="reached, conversion, duration_median, nps..."),
             Field("target", "Target", "float"), Field("unit", "Unit", "str", help="%, d, points..."),
             Field("direction", "Better when", "choice", _choices(jm.Kpi, "direction"))],
}
KINDS = tuple(FIELDS)
_MODELS = {"stages": jm.Stage, "touchpoints": jm.Touchpoint, "personas": jm.Persona, "pain_points": jm.PainPoint,
           "opportunities": jm.Opportunity, "actions": jm.Action, "kpis": jm.Kpi}
SINGULAR = {"stages": "stage", "touchpoints": "touchpoint", "personas": "persona", "pain_points": "pain point",
            "opportunities": "opportunity", "actions": "action", "kpis": "KPI"}

# Where each kind's ids are referred to: (list or None for a top-level field, field).
REFERENCES: dict[str, list[tuple[str | None, str]]] = {
    "stages": [("touchpoints", "stage"), ("pain_points", "stage"), ("opportunities", "stage"),
               ("actions", "stage"), ("kpis", "stage")],
    "touchpoints": [("pain_points", "touchpoint"), ("opportunities", "touchpoint"), ("actions", "touchpoint"),
                    ("kpis", "touchpoint")],
    "personas": [(None, "persona")],
    "segments": [("personas", "segment")],
    "pain_points": [("opportunities", "pain_point")],
    "opportunities": [("actions", "opportunity")],
    "actions": [], "kpis": [],
}


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _kind(kind: str) -> str:
    if kind not in FIELDS:
        raise EditError(f"unknown kind of element {kind!r}", hint=f"use one of: {', '.join(KINDS)}")
    return kind


def _items(data: dict[str, Any], kind: str) -> list[Any]:
    items = data.get(kind) or []
    if not isinstance(items, list):
        raise EditError(f"the map's {kind!r} is not a list", hint="fix it in the YAML editor")
    return items


def _index(data: dict[str, Any], kind: str, element_id: str) -> int:
    for i, item in enumerate(_items(data, _kind(kind))):
        if isinstance(item, dict) and item.get("id") == element_id:
            return i
    raise EditError(f"the map has no {SINGULAR[kind]} {element_id!r}",
                    hint="someone may have deleted or renamed it: reload the editor")


def find(data: dict[str, Any], kind: str, element_id: str) -> dict[str, Any]:
    """The element of ``kind`` with this id (:class:`EditError` when there is none)."""
    return _items(data, kind)[_index(data, kind, element_id)]


def _check_new_id(data: dict[str, Any], kind: str, element: dict[str, Any], old_id: str | None = None) -> str:
    new_id = element.get("id")
    if not isinstance(new_id, str) or not new_id:
        raise EditError(f"{SINGULAR[kind]}: the id is required", hint="give it an id such as 'checkout' or 'stage_2'")
    if new_id != old_id and any(isinstance(x, dict) and x.get("id") == new_id for x in _items(data, kind)):
        raise EditError(f"id: the map already has a {SINGULAR[kind]} {new_id!r}", hint="choose another id")
    return new_id


def add_element(data: dict[str, Any], kind: str, element: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with ``element`` appended to ``kind``."""
    _check_new_id(data, _kind(kind), element)
    out = copy.deepcopy(data)
    out[kind] = [*_items(out, kind), copy.deepcopy(element)]
    return out


def update_element(data: dict[str, Any], kind: str, element_id: str, element: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` where element ``element_id`` of ``kind`` is replaced by ``element``;
    when the id changes, the references to it change too."""
    i = _index(data, kind, element_id)
    new_id = _check_new_id(data, kind, element, old_id=element_id)
    out = copy.deepcopy(data)
    out[kind][i] = copy.deepcopy(element)
    if new_id != element_id:
        for where, field in REFERENCES[kind]:
            targets = [out] if where is None else [x for x in _items(out, where) if isinstance(x, dict)]
            for target in targets:
                if target.get(field) == element_id:
                    target[field] = new_id
    return out


def delete_element(data: dict[str, Any], kind: str, element_id: str) -> dict[str, Any]:
    """A copy of ``data`` without element ``element_id`` of ``kind``. References to it are left
    as they are: the model then names each one, so that nothing disappears silently."""
    i = _index(data, kind, element_id)
    out = copy.deepcopy(data)
    del out[kind][i]
    return out


def references_to(data: dict[str, Any], kind: str, element_id: str) -> list[str]:
    """Where the map refers to this element, e.g. ``["touchpoints 'cart'", "kpis 'nps'"]``."""
    found = []
    for where, field in REFERENCES[_kind(kind)]:
        if where is None:
            if data.get(field) == element_id:
                found.append(f"the map's {field}")
            continue
        found += [f"{SINGULAR.get(where, where)} {x.get('id')!r}" for x in _items(data, where)
                  if isinstance(x, dict) and x.get(field) == element_id]
    return found


def move_stage(data: dict[str, Any], stage_id: str, offset: int) -> dict[str, Any]:
    """A copy of ``data`` with the stage moved ``offset`` places (-1: up, +1: down), within bounds."""
    i = _index(data, "stages", stage_id)
    out = copy.deepcopy(data)
    stages = out["stages"]
    j = max(0, min(len(stages) - 1, i + offset))
    stages.insert(j, stages.pop(i))
    return out


# -- forms ---------------------------------------------------------------------------------

def is_localized(data: dict[str, Any], kind: str) -> bool:
    """Whether new elements of ``kind`` get a name in two languages (as the map's others have)."""
    names = [x.get("name") for x in _items(data, kind) if isinstance(x, dict) and x.get("name") is not None]
    if names:
        return any(isinstance(n, dict) for n in names)
    return isinstance(data.get("name"), dict)


def condition_line(column: str, value: Any) -> str:
    """One ``where`` condition as one line of YAML: ``channel: web``, ``amount: {gte: 100}``."""
    text = yaml.safe_dump({column: value}, default_flow_style=True, allow_unicode=True, width=10**6).strip()
    return text[1:-1]


def form_values(kind: str, element: dict[str, Any] | None) -> dict[str, Any]:
    """What the editor's form shows for ``element``: texts as str or {fr, en}, lists one item per
    line, a match rule as ``match.event`` and ``match.where`` lines."""
    element = element or {}
    out: dict[str, Any] = {}
    for f in FIELDS[_kind(kind)]:
        v = element.get(f.name)
        if f.type == "lines":
            items = v if isinstance(v, list) else []
            if any(isinstance(x, dict) for x in items):  # items in two languages: one text per language
                out[f.name] = {lang: "\n".join(_in(x, lang) for x in items) for lang in ("fr", "en")}
            else:
                out[f.name] = "\n".join(str(x) for x in items)
        elif f.type == "match":
            rule = v if isinstance(v, dict) else {}
            events = rule.get("event")
            out["match.event"] = "\n".join([events] if isinstance(events, str) else [str(x) for x in events or []])
            out["match.where"] = "\n".join(condition_line(k, c) for k, c in (rule.get("where") or {}).items())
        elif f.type == "text":
            out[f.name] = v if isinstance(v, dict) else ("" if v is None else str(v))
        elif f.type == "choice" and v is None:
            out[f.name] = _default(_MODELS[kind], f.name)
        else:
            out[f.name] = "" if v is None else str(v)
    return out


def _number(f: Field, raw: str, kind: str) -> int | float:
    try:
        return int(raw) if f.type == "int" else (int(raw) if re.fullmatch(r"-?\d+", raw) else float(raw))
    except ValueError:
        what = "a whole number" if f.type == "int" else "a number"
        raise EditError(f"{f.name}: {raw!r} is not {what}", hint=f"write {what}, e.g. {'1' if f.type == 'int' else '35'}, "
                                                               "or leave it empty") from None


def _where(raw: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed = yaml.safe_load("{" + line.strip() + "}") if ":" in line else None
        except yaml.YAMLError:
            parsed = None
        if not isinstance(parsed, dict) or len(parsed) != 1:
            raise EditError(f"match.where, line {n}: {line.strip()!r} is not a condition",
                            hint="write one condition per line as 'column: value', 'column: [a, b]' "
                                 "or 'column: {gte: 100}'")
        (column, value), = parsed.items()
        if column in out:
            raise EditError(f"match.where, line {n}: column {column!r} is given twice", hint="keep one of the lines")
        out[str(column)] = value
    return out


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _in(item: Any, lang: str) -> str:
    """One list item's text in ``lang`` (an item of one language shows in both)."""
    if isinstance(item, dict):
        return str(item.get(lang) or "").replace("\n", " ")
    return str(item)


def _paired_lines(fr: str, en: str) -> list[Any] | None:
    """List items in two languages, the French and English lines paired by position (a blank
    line keeps a place): ``{fr, en}`` for each pair, one language where the other is blank.

    >>> _paired_lines("Payer\\n\\nRecevoir vite", "Pay\\nTrack\\n")
    [{'fr': 'Payer', 'en': 'Pay'}, {'en': 'Track'}, {'fr': 'Recevoir vite'}]
    """
    a, b = fr.splitlines(), en.splitlines()
    items = []
    for i in range(max(len(a), len(b))):
        item = {lang: text.strip() for lang, text in (("fr", a[i] if i < len(a) else ""), ("en", b[i] if i < len(b) else ""))
                if text.strip()}
        if item:
            items.append(item)
    return items or None


def element_from_form(kind: str, form: dict[str, str], old: dict[str, Any] | None = None) -> dict[str, Any]:
    """The element the editor's form describes (field ``f`` is the form key ``f``; a text in two
    languages is ``f.fr`` and ``f.en``), on top of ``old``: fields the form does not show are kept.

    >>> element_from_form("actions", {"id": "a1", "name.fr": "Tester", "name.en": "", "due": "2026-05-01",
    ...                                "status": "todo"})
    {'id': 'a1', 'name': {'fr': 'Tester'}, 'due': datetime.date(2026, 5, 1)}
    """
    out = copy.deepcopy(old or {})
    for f in FIELDS[_kind(kind)]:
        if f.type == "text":
            if f"{f.name}.fr" in form or f"{f.name}.en" in form:
                value: Any = {lang: form[f"{f.name}.{lang}"].strip() for lang in ("fr", "en")
                              if form.get(f"{f.name}.{lang}", "").strip()} or None
            elif f.name in form:
                value = form[f.name].strip() or None
            else:
                continue
        elif f.type == "match":
            if "match.event" not in form and "match.where" not in form:
                continue
            events = _lines(form.get("match.event", ""))
            where = _where(form.get("match.where", ""))
            rule: dict[str, Any] = {}
            if events:
                rule["event"] = events[0] if len(events) == 1 else events
            if where:
                rule["where"] = where
            value = rule or None
        elif f.type == "lines" and (f"{f.name}.fr" in form or f"{f.name}.en" in form):
            value = _paired_lines(form.get(f"{f.name}.fr", ""), form.get(f"{f.name}.en", ""))
        elif f.name not in form:
            continue
        else:
            raw = form[f.name].strip()
            if f.type == "lines":
                value = _lines(form[f.name]) or None
            elif not raw:
                value = None
            elif f.type in ("int", "float"):
                value = _number(f, raw, kind)
            elif f.type == "date":
                try:
                    value = dt.date.fromisoformat(raw)
                except ValueError:
                    raise EditError(f"{f.name}: {raw!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-05-31") from None
            elif f.type == "choice":
                if raw not in f.options:
                    raise EditError(f"{f.name}: {raw!r} is not allowed", hint=f"use one of: {', '.join(f.options)}")
                # the model's default is not written out unless the map already said it
                value = None if raw == _default(_MODELS[kind], f.name) and f.name not in out else raw
            else:
                value = raw
        if value is None:
            if f.required:
                raise EditError(f"{f.name}: {_a(SINGULAR[kind])} needs {_a(f.label.lower())}", hint=f"fill in {f.label}" + (f" ({f.help})" if f.help else ""))
            out.pop(f.name, None)
        else:
            out[f.name] = value
    # the fields the element had keep their place (a smaller diff); new ones follow in the form's order
    ordered = [k for k in (old or {}) if k in out] + [f.name for f in FIELDS[kind] if f.name in out and f.name not in (old or {})]
    return {k: out[k] for k in ordered}


# -- text ----------------------------------------------------------------------------------

def dump_data(data: dict[str, Any]) -> str:
    """The map data as YAML (what :func:`edit_text` falls back to)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _flow(element: Any) -> str:
    return yaml.safe_dump(element, default_flow_style=True, sort_keys=False, allow_unicode=True,
                          width=10**6).strip()


class _IndentedLists(yaml.SafeDumper):
    """A dumper that indents a list under its key (``key:\n  - item``), as maps are written by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _block(element: Any, indent: str) -> str:
    text = yaml.dump(element, Dumper=_IndentedLists, default_flow_style=None, sort_keys=False, allow_unicode=True,
                     width=100)
    lines = text.rstrip("\n").split("\n")
    return "\n".join([lines[0]] + [indent + "  " + line for line in lines[1:]])


def _content_end(node: yaml.Node) -> yaml.Mark:
    """Where a node's own text ends (a block collection's end mark lies past what follows it)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    return node.end_mark


def _list_text(text: str, lines: list[str], seq: yaml.SequenceNode, old: list[Any], new: list[Any]) -> tuple[int, int, str] | None:
    """(start, end, replacement) of a block list's items, reusing the text of unchanged items."""
    if seq.flow_style or not seq.value or len(seq.value) != len(old):
        return None
    starts, indent, flows = [], None, []
    for item in seq.value:
        line = lines[item.start_mark.line]
        m = re.fullmatch(r"( *)- +", line[:item.start_mark.column])
        if not m or (indent is not None and m[1] != indent):
            return None
        indent = m[1]
        starts.append(item.start_mark.line)
        flows.append(bool(getattr(item, "flow_style", False)))
    end = _content_end(seq.value[-1])
    end_line = end.line if end.column == 0 else end.line + 1
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    chunks = [("".join(lines[a:b])) for a, b in zip(starts, [*starts[1:], end_line])]
    chunks = [c if c.endswith("\n") else c + "\n" for c in chunks]
    unused = list(range(len(old)))
    out = []
    style_flow = sum(flows) * 2 >= len(flows)
    for item in new:
        k = next((k for k in unused if old[k] == item), None)
        if k is not None:
            unused.remove(k)
            out.append(chunks[k])
        else:
            out.append(f"{indent}- {_flow(item) if style_flow else _block(item, indent or '')}\n")
    return offsets[starts[0]], offsets[end_line], "".join(out)


def edit_text(text: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    """YAML text for ``new``, keeping ``text`` (the YAML of ``old``) where nothing changed.

    Only the top-level lists (stages, touchpoints...) that changed are rewritten, and in them
    only the items that changed; anything else that changed, or a file laid out in a way this
    does not follow, gives a fresh dump of ``new`` (comments are then lost).

    >>> text = "# my map\\nstages:\\n  - {id: a, name: A}  # first\\n  - {id: b, name: B}\\n"
    >>> old = yaml.safe_load(text)
    >>> print(edit_text(text, old, update_element(old, "stages", "b", {"id": "b", "name": "Bee"})), end="")
    # my map
    stages:
      - {id: a, name: A}  # first
      - {id: b, name: Bee}
    """
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        node = None
    added = list(new)[len(old):]  # lists the map did not have yet (its first persona...)
    if not isinstance(node, yaml.MappingNode) or node.flow_style or list(new)[:len(old)] != list(old) or any(
            not isinstance(new[k], list) for k in added):
        return dump_data(new)
    if any(old[k] != new[k] for k in old if not isinstance(old[k], list) or not isinstance(new[k], list)):
        return dump_data(new)
    lines = text.splitlines(keepends=True)
    edits = []
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in old or old[key] == new[key]:
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            return dump_data(new)
        edit = _list_text(text, lines, value_node, old[key], new[key])
        if edit is None:
            return dump_data(new)
        edits.append(edit)
    out = text
    for start, end, replacement in sorted(edits, reverse=True):
        out = out[:start] + replacement + out[end:]
    for key in added:
        out += ("" if out.endswith("\n") or not out else "\n") + f"{key}:\n"
        out += "".join(f"  - {_flow(item)}\n" for item in new[key])
    try:
        if load_yaml(out) != new:  # the surgery must give exactly the data asked for
            return dump_data(new)
    except yaml.YAMLError:
        return dump_data(new)
    return out
