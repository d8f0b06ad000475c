"""One edit of a project's map, saved as a new version: what the editor's forms do, without the web.

An edit starts from the version the form was drawn from (``base``; None for a project without a
map) and is a function of that version's YAML as data: it returns the new data (the text is then
rewritten by :func:`parcours.model.edits.edit_text`, keeping the comments and layout of what it
did not touch) or a whole new YAML text, and the version's message. The result is saved with
:func:`parcours.store.maps.save_map`, which refuses it if someone saved meanwhile.

>>> from parcours.store import connect, create_project, create_user, create_workspace
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice", "correct horse battery")
>>> project = create_project(store, create_workspace(store, "CX").id, "Shop")
>>> v1 = save_edit(store, project.id, alice.id, None, lambda data: ("name: Shop\\nstages: []\\n", "first map"))
>>> v2 = save_edit(store, project.id, alice.id, 1, lambda data: ({**data, "name": "Boutique"}, "renamed"))
>>> v2.number, v2.message, v2.yaml
(2, 'renamed', 'name: Boutique\\nstages: []\\n')
>>> save_edit(store, project.id, alice.id, 1, lambda data: (data, "from an old version"))
Traceback (most recent call last):
...
parcours.store.errors.MapConflict: project 'shop': the map changed since you opened it: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parcours.model import edits as E
from parcours.model.map_view import map_data
from parcours.store import maps
from parcours.store.db import Store
from parcours.store.models import MapVersion
from parcours.store.version_said import said

Change = Callable[[dict[str, Any]], tuple[dict[str, Any] | str, str]]
"""An edit: the base version's map as data -> (new data or new YAML text, the version's message)."""


def save_edit(store: Store, project_id: int, user_id: int, base: int | None, change: Change) -> MapVersion:
    """Apply ``change`` to the map of version ``base`` and save the result as the next version.

    Raises, for the caller to show: :class:`~parcours.store.errors.NotFound` (no version ``base``),
    :class:`~parcours.model.edits.EditError` (the edit cannot be made: unknown element, duplicate
    id...), :class:`~parcours.store.errors.MapConflict` (someone saved since ``base``) and
    :class:`~parcours.errors.MapError` (the result would not be a valid map; nothing is saved).
    """
    version = maps.get_version(store, project_id, base) if base is not None else None
    before = version.yaml if version is not None else None
    data = map_data(before)
    new, message = change(data)
    text = new if isinstance(new, str) else E.edit_text(before or "", data, new)
    return maps.save_map(store, project_id, text, user_id, base=base, message=message)


def new_text(text: str, message: str) -> Change:
    """The whole map replaced by ``text`` (the raw editor, an imported file)."""
    return lambda data: (text, message)


def move_stage(element_id: str, direction: str) -> Change:
    """Stage ``element_id`` one place ``up`` or ``down``."""

    def change(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
        if direction not in ("up", "down"):
            raise E.EditError(f"direction: {direction!r} is not a direction", hint="send up or down")
        return E.move_stage(data, element_id, -1 if direction == "up" else 1), said(f"moved_{direction}", id=element_id)

    return change


def delete_element(kind: str, element_id: str) -> Change:
    """Element ``element_id`` of ``kind`` deleted, unless another element still refers to it."""

    def change(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
        E.find(data, kind, element_id)
        used = E.references_to(data, kind, element_id)
        if used:
            raise E.EditError(f"{E.SINGULAR[kind]} {element_id!r} is still used by {', '.join(used)}",
                              hint="change or delete those first, then delete it")
        return E.delete_element(data, kind, element_id), said(f"deleted.{kind}", id=element_id)

    return change


def update_element(kind: str, element_id: str, form: dict[str, str]) -> Change:
    """Element ``element_id`` of ``kind`` replaced by its form's fields (its id may change)."""

    def change(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
        element = E.element_from_form(kind, form, E.find(data, kind, element_id))
        message = said(f"renamed.{kind}", id=element_id, new=element["id"]) if element["id"] != element_id \
            else said(f"edited.{kind}", id=element_id)
        return E.update_element(data, kind, element_id, element), message

    return change


def add_element(kind: str, form: dict[str, str]) -> Change:
    """A new element of ``kind`` from its form's fields."""

    def change(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
        element = E.element_from_form(kind, form)
        return E.add_element(data, kind, element), said(f"added.{kind}", id=element["id"])

    return change


__all__ = ["Change", "add_element", "delete_element", "move_stage", "new_text", "save_edit", "update_element"]
