"""One edit of a project's map saved as a new version (``parcours.project.map_edits.save_edit``),
on SQLite and PostgreSQL: the edit sees the base version's data, the text keeps what the edit did
not touch, and each refusal is its own typed error with nothing saved."""

from __future__ import annotations

import doctest

import pytest

from parcours.errors import MapError
from parcours.model import edits as E
from parcours.project import map_edits
from parcours.project.map_edits import save_edit
from parcours.store import maps
from parcours.store.errors import MapConflict, NotFound
from tests.store.conftest import alice, backend, empty_url, project, store  # noqa: F401 - fixtures reused

MAP = """# our shop
name: Shop
stages:
  - id: buy      # where they pay
    name: Buy
touchpoints:
  - {id: cart, stage: buy}
"""


def test_docstring_example_runs():
    result = doctest.testmod(map_edits, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_an_edit_of_the_base_version_is_the_next_version(store, project, alice):
    first = save_edit(store, project.id, alice.id, None, lambda data: (MAP, "imported"))
    seen = []

    def add(data):
        seen.append(data)
        return E.add_element(data, "touchpoints", {"id": "checkout", "stage": "buy"}), "added checkout"

    saved = save_edit(store, project.id, alice.id, first.number, add)
    assert (first.number, saved.number, saved.message) == (1, 2, "added checkout")
    assert seen[0]["touchpoints"] == [{"id": "cart", "stage": "buy"}]
    assert saved.yaml.startswith("# our shop\nname: Shop\nstages:\n  - id: buy      # where they pay\n")
    assert [t.id for t in maps.map_at(store, project.id).touchpoints] == ["cart", "checkout"]


def test_refusals_are_typed_and_save_nothing(store, project, alice):
    save_edit(store, project.id, alice.id, None, lambda data: (MAP, "imported"))
    with pytest.raises(NotFound, match="has no map version 5"):
        save_edit(store, project.id, alice.id, 5, lambda data: (data, "from nowhere"))
    with pytest.raises(E.EditError, match="no touchpoint 'pay'"):
        save_edit(store, project.id, alice.id, 1, lambda data: (E.find(data, "touchpoints", "pay"), "x"))
    with pytest.raises(MapError) as invalid:
        save_edit(store, project.id, alice.id, 1, lambda data: ({**data, "stages": "none"}, "broke it"))
    assert invalid.value.problems and invalid.value.problems[0].field.startswith("stages")
    save_edit(store, project.id, alice.id, 1, lambda data: ({**data, "name": "Boutique"}, "renamed"))
    with pytest.raises(MapConflict) as conflict:
        save_edit(store, project.id, alice.id, 1, lambda data: ({**data, "name": "Magasin"}, "renamed too"))
    assert (conflict.value.base, conflict.value.latest, conflict.value.author) == (1, 2, "Alice")
    assert [v.message for v in maps.list_versions(store, project.id)] == ["imported", "renamed"]


DATA = {"name": "Shop", "stages": [{"id": "buy", "name": "Buy"}, {"id": "use", "name": "Use"}],
        "touchpoints": [{"id": "cart", "stage": "buy"}]}


@pytest.mark.parametrize(("change", "expected"), [
    (map_edits.move_stage("use", "up"), ({**DATA, "stages": DATA["stages"][::-1]}, "moved stage 'use' up")),
    (map_edits.delete_element("touchpoints", "cart"), ({**DATA, "touchpoints": []}, "deleted touchpoint 'cart'")),
    (map_edits.add_element("stages", {"id": "pay", "name": "Pay"}),
     ({**DATA, "stages": [*DATA["stages"], {"id": "pay", "name": "Pay"}]}, "added stage 'pay'")),
    (map_edits.update_element("touchpoints", "cart", {"id": "basket", "stage": "buy"}),
     ({**DATA, "touchpoints": [{"id": "basket", "stage": "buy"}]}, "edited touchpoint 'cart' (id now 'basket')")),
    (map_edits.new_text("name: Other\n", "pasted"), ("name: Other\n", "pasted")),
])
def test_each_change_gives_the_new_map_and_its_message(change, expected):
    assert change(DATA) == expected


@pytest.mark.parametrize(("change", "message", "hint"), [
    (map_edits.move_stage("use", "sideways"), "direction: 'sideways' is not a direction", "send up or down"),
    (map_edits.delete_element("stages", "buy"), "stage 'buy' is still used by touchpoint 'cart'",
     "change or delete those first, then delete it"),
])
def test_a_change_that_cannot_be_made_says_why(change, message, hint):
    with pytest.raises(E.EditError) as caught:
        change(DATA)
    assert (caught.value.message, caught.value.hint) == (message, hint)
