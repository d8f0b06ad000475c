"""What the map's checks say about a map — an unknown field, a missing one, a duplicate id, a
reference to nothing — as English sentences of :data:`SAID`, which the web's editor says in its
reader's language (:func:`parcours.project.texts.read_note`; the catalogues' ``map.*`` texts).
A field's own rule (a duration, a colour...) says its message in English.

>>> said("unknown_ref.stages", id="'nowhere'")
"unknown stage 'nowhere'"
>>> SAID.words_of("expected one of: buy, discover")
[{'t': 'map.expected', 'known': 'buy, discover'}]
"""

from __future__ import annotations

from parcours.templates import Templates

TEMPLATES: dict[str, str] = {
    "unknown_field": "unknown field {field}",
    "unknown_field_hint": "check the spelling; `parcours schema` lists every field",
    "missing_field": "required field {field} is missing",
    "duplicate_id": "duplicate id {id} (also {list}[{index}])",
    "duplicate_id_hint": "give every item of a list its own id",
    "expected": "expected one of: {known}",
    "expected_none": "expected one of: none declared",
    "not_a_mapping": "a journey map is a mapping of fields, got {type}",
    "not_a_mapping_hint": "start the file with fields such as 'name:' and 'stages:'",
}
for _kind in ("stages", "touchpoints", "segments", "personas", "pain_points", "opportunities"):
    TEMPLATES[f"unknown_ref.{_kind}"] = f"unknown {_kind[:-1].replace('_', ' ')} {{id}}"

SAID = Templates("map.", TEMPLATES)
said = SAID.said
