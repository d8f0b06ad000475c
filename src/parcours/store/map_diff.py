"""What changed between two journey maps: elements added, removed and changed, by kind and id;
stage order; and a unified diff of the YAML, normalised first (a line re-wrapped, a quote or an
indent changed is no change).

>>> from parcours.model import map_from_dict
>>> old = map_from_dict({"stages": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]})
>>> new = map_from_dict({"stages": [{"id": "b", "name": "B"}, {"id": "a", "name": "Start"}]})
>>> d = diff_maps(old, new)
>>> d["stages"]
{'added': [], 'removed': [], 'changed': {'a': {'name': {'old': 'A', 'new': 'Start'}}}}
>>> d["stage_order"]
{'old': ['a', 'b'], 'new': ['b', 'a']}
"""

from __future__ import annotations

import difflib
from typing import Any

import yaml

from parcours.model import JourneyMap

KINDS = ("stages", "touchpoints", "goals", "personas", "segments", "pain_points", "opportunities", "actions", "kpis")


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {"old": ..., "new": ...}}`` for every field whose value differs."""
    return {k: {"old": old.get(k), "new": new.get(k)} for k in [*old, *(k for k in new if k not in old)]
            if old.get(k) != new.get(k)}


def diff_maps(old: JourneyMap, new: JourneyMap) -> dict[str, Any]:
    """The structured difference from ``old`` to ``new`` (plain JSON-ready data).

    ``map``: changed top-level fields (name, source...); for each kind of element
    (``stages``, ``touchpoints``... ``kpis``): ids ``added`` and ``removed`` and, per id still
    there, the ``changed`` fields with their old and new values; ``stage_order``: the order
    of the stages kept in both maps when it changed, else None.
    """
    a = old.model_dump(mode="json", by_alias=True)
    b = new.model_dump(mode="json", by_alias=True)
    out: dict[str, Any] = {"map": _changes({k: v for k, v in a.items() if k not in KINDS},
                                           {k: v for k, v in b.items() if k not in KINDS})}
    for kind in KINDS:
        before = {item["id"]: item for item in a[kind]}
        after = {item["id"]: item for item in b[kind]}
        changed = {key: c for key, item in after.items() if key in before and (c := _changes(before[key], item))}
        out[kind] = {"added": [k for k in after if k not in before], "removed": [k for k in before if k not in after],
                     "changed": changed}
    kept_old = [s.id for s in old.stages if s.id in {t.id for t in new.stages}]
    kept_new = [s.id for s in new.stages if s.id in {t.id for t in old.stages}]
    out["stage_order"] = {"old": kept_old, "new": kept_new} if kept_old != kept_new else None
    return out


def normal_yaml(text: str) -> str:
    """The YAML as PyYAML writes its content back: one way to write each value (no wrapping,
    quotes only where needed, two-space indents), the keys in the author's order. Comments are
    not content and go. Text that is not YAML is returned as it is.

    >>> normal_yaml("name: >-\\n  Maison\\n  Lumière\\nstages: [{id: a}]\\n")
    'name: Maison Lumière\\nstages:\\n- id: a\\n'
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=2**31 - 1)


def text_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff of two YAML texts, each normalised (:func:`normal_yaml`): what a version
    changed in the map, not how its text was laid out. Empty when the content is the same."""
    a, b = normal_yaml(old), normal_yaml(new)
    return "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                        fromfile=old_name, tofile=new_name))
