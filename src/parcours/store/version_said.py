"""The messages the app writes for the map versions it saves (``edited stage 'achat'``,
``restored v3``...): English sentences of :data:`SAID`, read back into words
(:meth:`~parcours.templates.Templates.words_of`) so that the history and the activity feed say
them in their reader's language (the catalogues' ``version.*`` texts). A message a person
typed is theirs, shown as they wrote it.

>>> said("edited.touchpoints", id="fiche_produit")
"edited touchpoint 'fiche_produit'"
>>> SAID.words_of("moved stage 'achat' up")
[{'t': 'version.moved_up', 'id': 'achat'}]
"""

from __future__ import annotations

from parcours.model.edits import SINGULAR
from parcours.templates import Templates

TEMPLATES: dict[str, str] = {
    "restored": "restored v{n}",
    "imported": "imported a YAML file",
    "edited_yaml": "edited the YAML",
    "demo": "demo map",
    "moved_up": "moved stage '{id}' up",
    "moved_down": "moved stage '{id}' down",
}
for _kind, _one in SINGULAR.items():
    TEMPLATES[f"edited.{_kind}"] = f"edited {_one} '{{id}}'"
    TEMPLATES[f"renamed.{_kind}"] = f"edited {_one} '{{id}}' (id now '{{new}}')"
    TEMPLATES[f"added.{_kind}"] = f"added {_one} '{{id}}'"
    TEMPLATES[f"deleted.{_kind}"] = f"deleted {_one} '{{id}}'"

SAID = Templates("version.", TEMPLATES)
said = SAID.said
