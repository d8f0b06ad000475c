"""Map versions: numbered saves, invalid maps refused, conflicts (also under a race), restore, diff."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import yaml

from parcours.demo import demo_map
from parcours.errors import MapError
from parcours.model import dump_map, load_map, map_from_dict
from parcours.store import MapConflict, NotFound, diff, get_version, list_versions, restore, save_map
from parcours.store import maps

MAP = """\
name: Achat
stages:
  - {id: discover, name: Découverte}
  - {id: buy, name: Achat}
touchpoints:
  - {id: home, stage: discover, match: {event: home_view}}
"""


def edited(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_every_save_is_a_new_version(store, project, alice, bob):
    before = dt.datetime.now(dt.UTC)
    v1 = save_map(store, project.id, MAP, alice.id, base=None, message="first draft")
    v2 = save_map(store, project.id, edited(MAP, "name: Achat\n", "name: Purchase\n"), bob.id, base=1)
    v3 = save_map(store, project.id, edited(MAP, "{id: buy, name: Achat}", "{id: buy, name: Paiement}"), alice.id,
                  base=2, message="rename")
    assert [v.number for v in (v1, v2, v3)] == [1, 2, 3]
    listed = list_versions(store, project.id)
    assert [(v.number, v.author_name, v.message) for v in listed] == [
        (1, "Alice", "first draft"), (2, "Bob", ""), (3, "Alice", "rename")]
    times = [v.created_at for v in listed]
    assert all(t.tzinfo == dt.UTC and before - dt.timedelta(seconds=1) <= t <= dt.datetime.now(dt.UTC) for t in times)
    assert times == sorted(times)
    assert get_version(store, project.id).number == 3
    assert get_version(store, project.id, 2).yaml == edited(MAP, "name: Achat\n", "name: Purchase\n")


def test_an_invalid_map_is_refused_with_the_models_errors(store, project, alice):
    bad_reference = edited(MAP, "stage: discover", "stage: nowhere")
    with pytest.raises(MapError) as err:
        save_map(store, project.id, bad_reference, alice.id, base=None)
    assert err.value.exit_code == 2
    assert [str(p) for p in err.value.problems] == [
        "map.yaml, line 6, touchpoints[0].stage: unknown stage 'nowhere' (expected one of: buy, discover)"]
    assert list_versions(store, project.id) == []


@pytest.mark.parametrize("text", [
    "stages:\n  - id: a\n    name: [unclosed\n",
    "name: A\nname: B\n",
    MAP.replace("{id: buy, name: Achat}", "{id: buy, name: Achat, colour: red}"),
    MAP.replace("{id: buy, name: Achat}", "{id: discover, name: Achat}"),
    "- just a list\n",
], ids=["not-yaml", "duplicate-key", "unknown-field", "duplicate-id", "not-a-mapping"])
def test_save_and_load_map_report_the_same_problems(store, project, alice, tmp_path, text):
    (tmp_path / "map.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(MapError) as from_file:
        load_map(tmp_path / "map.yaml")
    with pytest.raises(MapError) as from_save:
        save_map(store, project.id, text, alice.id, base=None)
    assert str(from_save.value) == str(from_file.value).replace(str(tmp_path / "map.yaml"), "map.yaml")
    assert "map.yaml, line" in str(from_save.value) or "just a list" in text


def test_a_save_from_a_stale_version_is_a_conflict(store, project, alice, bob):
    save_map(store, project.id, MAP, alice.id, base=None)
    v2 = save_map(store, project.id, edited(MAP, "name: Achat\n", "name: Bob's\n"), bob.id, base=1)
    with pytest.raises(MapConflict) as err:
        save_map(store, project.id, edited(MAP, "name: Achat\n", "name: Alice's\n"), alice.id, base=1)
    e = err.value
    assert (e.exit_code, e.base, e.latest, e.author, e.saved_at) == (8, 1, 2, "Bob", v2.created_at)
    assert f"version 2 was saved by Bob at {v2.created_at:%Y-%m-%d %H:%M:%S} UTC" in str(e)
    assert "diff from v1 to v2" in e.hint
    with pytest.raises(MapConflict, match="you started from an empty project"):
        save_map(store, project.id, MAP, alice.id, base=None)
    with pytest.raises(NotFound, match="has no version 7"):
        save_map(store, project.id, MAP, alice.id, base=7)
    assert [v.number for v in list_versions(store, project.id)] == [1, 2]


def test_unknown_project_author_or_version(store, project, alice):
    with pytest.raises(NotFound, match="no project 404"):
        save_map(store, 404, MAP, alice.id, base=None)
    with pytest.raises(NotFound, match="no user 404"):
        save_map(store, project.id, MAP, 404, base=None)
    with pytest.raises(NotFound, match="save a map first"):
        get_version(store, project.id)
    save_map(store, project.id, MAP, alice.id, base=None)
    with pytest.raises(NotFound, match="versions are 1 to 1"):
        get_version(store, project.id, 2)


def _race(store, project, users, monkeypatch, *, meet: bool) -> tuple[list, list[bool]]:
    """Each user saves from version 1 in their own thread (and connection). With ``meet``, every
    thread waits, after reading the latest version, until all have read it (up to 1 s)."""
    start, met_after_reading, local = threading.Barrier(len(users)), threading.Barrier(len(users), timeout=1), \
        threading.local()
    met: list[bool] = []
    latest = maps._latest

    def latest_then_meet(session, project_id):
        found = latest(session, project_id)
        if meet and not getattr(local, "waited", False):
            local.waited = True
            try:
                met_after_reading.wait()
                met.append(True)
            except threading.BrokenBarrierError:
                met.append(False)
        return found

    outcomes: list = []

    def save(user):
        start.wait()
        try:
            outcomes.append(save_map(store, project.id, edited(MAP, "name: Achat\n", f"name: {user.name}\n"),
                                     user.id, base=1))
        except MapConflict as e:
            outcomes.append(e)

    threads = [threading.Thread(target=save, args=(u,)) for u in users]
    with monkeypatch.context() as patch:
        patch.setattr(maps, "_latest", latest_then_meet)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return outcomes, met


def test_two_saves_racing_from_the_same_version_one_wins_one_conflicts(store, backend, project, alice, bob,
                                                                       monkeypatch):
    save_map(store, project.id, MAP, alice.id, base=None)
    outcomes, met = _race(store, project, [alice, bob], monkeypatch, meet=True)
    # PostgreSQL: both read v1, both insert v2; the unique (project, number) pair refuses the
    # second. SQLite: BEGIN IMMEDIATE makes the second wait, then it reads v2.
    assert met == ([True, True] if backend.name == "postgresql" else [False, False])
    saved = [o for o in outcomes if not isinstance(o, MapConflict)]
    conflicts = [o for o in outcomes if isinstance(o, MapConflict)]
    assert len(saved) == 1 and len(conflicts) == 1
    assert (conflicts[0].latest, conflicts[0].author) == (2, saved[0].author_name)
    assert [v.number for v in list_versions(store, project.id)] == [1, 2]
    assert get_version(store, project.id).yaml == saved[0].yaml


def test_many_saves_racing_from_the_same_version_exactly_one_wins(store, project, alice, monkeypatch):
    save_map(store, project.id, MAP, alice.id, base=None)
    outcomes, _ = _race(store, project, [alice] * 6, monkeypatch, meet=False)
    assert sorted(type(o).__name__ for o in outcomes) == ["MapConflict"] * 5 + ["MapVersion"]
    assert [v.number for v in list_versions(store, project.id)] == [1, 2]


def test_restore_saves_an_old_version_again(store, project, alice, bob):
    save_map(store, project.id, MAP, alice.id, base=None)
    save_map(store, project.id, edited(MAP, "name: Achat\n", "name: Purchase\n"), bob.id, base=1)
    v3 = restore(store, project.id, 1, bob.id, base=2)
    assert (v3.number, v3.yaml, v3.message, v3.author_name) == (3, MAP, "restored v1", "Bob")
    with pytest.raises(MapConflict):
        restore(store, project.id, 2, alice.id, base=2)
    with pytest.raises(NotFound):
        restore(store, project.id, 9, alice.id, base=3)
    assert [v.message for v in list_versions(store, project.id)] == ["", "", "restored v1"]


def test_diff_says_what_was_edited_in_the_demo_map(store, project, alice):
    before = dump_map(demo_map())
    data = yaml.safe_load(before)
    stages = data["stages"]
    assert [s["id"] for s in stages] == ["discovery", "consideration", "purchase", "post_purchase", "advocacy"]
    stages[1]["name"] = {"fr": "Comparaison", "en": "Comparison"}
    stages[3], stages[4] = stages[4], stages[3]
    data["touchpoints"].append({"id": "click_and_collect", "name": {"fr": "Retrait en magasin", "en": "Click & collect"},
                                "stage": "purchase", "channel": "store", "match": {"event": "store_pickup"}})
    data["pain_points"] = [p for p in data["pain_points"] if p["id"] != "store_stock_unknown"]
    widget = next(o for o in data["opportunities"] if o["id"] == "stock_widget")
    del widget["pain_point"]  # it pointed at the removed pain point
    after = dump_map(map_from_dict(data))
    save_map(store, project.id, before, alice.id, base=None)
    save_map(store, project.id, after, alice.id, base=1)

    got = diff(store, project.id, 1, 2)
    nothing = {"added": [], "removed": [], "changed": {}}
    assert {k: v for k, v in got.items() if k != "text"} == {
        "from": 1,
        "to": 2,
        "map": {},
        "stages": {**nothing, "changed": {"consideration": {"name": {
            "old": {"fr": "Considération", "en": "Consideration"}, "new": {"fr": "Comparaison", "en": "Comparison"}}}}},
        "touchpoints": {**nothing, "added": ["click_and_collect"]},
        "goals": nothing,
        "personas": nothing,
        "segments": nothing,
        "pain_points": {**nothing, "removed": ["store_stock_unknown"]},
        "opportunities": {**nothing, "changed": {"stock_widget": {"pain_point": {"old": "store_stock_unknown",
                                                                                "new": None}}}},
        "actions": nothing,
        "kpis": nothing,
        "stage_order": {"old": ["discovery", "consideration", "purchase", "post_purchase", "advocacy"],
                        "new": ["discovery", "consideration", "purchase", "advocacy", "post_purchase"]},
    }
    lines = got["text"].splitlines()
    assert lines[:2] == ["--- v1", "+++ v2"]
    added = [x for x in lines if x.startswith("+") and not x.startswith("+++")]
    removed = [x for x in lines if x.startswith("-") and not x.startswith("---")]
    assert any("Comparaison" in x for x in added) and any("Considération" in x for x in removed)
    assert any("click_and_collect" in x for x in added) and any("store_stock_unknown" in x for x in removed)
    assert not any("click_and_collect" in x or "Comparaison" in x for x in removed)

    same = diff(store, project.id, 2, 2)
    kinds = ("stages", "touchpoints", "goals", "personas", "segments", "pain_points", "opportunities", "actions", "kpis")
    assert same == {"from": 2, "to": 2, "map": {}, **{k: nothing for k in kinds}, "stage_order": None, "text": ""}
