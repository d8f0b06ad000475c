"""A project's discussion as values (``parcours.project.discussion``), on a real SQLite store:
threads in the map's order, comments on elements gone from the map kept after them, the form's
choices, a map that no longer reads, and the activity feed page by page."""

from __future__ import annotations

import doctest

import pytest

from parcours.project import discussion as D
from parcours.store import activity, connect, create_project, create_user, create_workspace, save_map
from parcours.store.comments import add_comment
from parcours.store.models import MapVersion

V1 = """stages: [{id: buy, name: Achat}, {id: pay, name: Paiement}]
pain_points: [{id: slow, name: Lent, stage: pay}]
"""
V2 = "stages: [{id: buy, name: Achat}, {id: ship, name: Livraison}]\n"


@pytest.fixture
def world():
    store = connect("sqlite://")
    store.migrate()
    alice = create_user(store, "alice@example.org", "Alice", "alice-password")
    project = create_project(store, create_workspace(store, "CX team", admin_id=alice.id).id, "Achat web",
                             author_id=alice.id)
    save_map(store, project.id, V1, alice.id, base=None)
    say = lambda kind, tid, text: add_comment(store, project.id, alice.id, kind, tid, text)  # noqa: E731
    say("pain_point", "slow", "Too slow")
    say("stage", "buy", "First")
    say("project", None, "Hello")
    say("stage", "pay", "Card only?")
    say("stage", "buy", "Second")
    yield store, alice, project
    store.close()


def _shape(d: D.Discussion) -> list[tuple]:
    return [(t.kind, t.id, t.name, t.value, t.label, [c.body for c in t.comments]) for t in d.threads]


def test_threads_follow_the_map_and_comments_on_what_left_it_come_last(world):
    store, alice, project = world
    d = D.discussion(store, project.id, project.name)
    assert _shape(d) == [
        ("project", str(project.id), "Achat web", "project", "The project", ["Hello"]),
        ("stage", "buy", "Achat", "stage:buy", "Stage: Achat", ["First", "Second"]),
        ("stage", "pay", "Paiement", "stage:pay", "Stage: Paiement", ["Card only?"]),
        ("pain_point", "slow", "Lent", "pain_point:slow", "Pain point: Lent", ["Too slow"])]
    assert d.options == [("The project", [("project", "Achat web")]),
                         ("Stages", [("stage:buy", "Achat"), ("stage:pay", "Paiement")]),
                         ("Touchpoints", []), ("Pain points", [("pain_point:slow", "Lent")])]
    assert (d.problem, d.count) == (None, 5)

    save_map(store, project.id, V2, alice.id, base=1)  # "pay" and "slow" are gone, "ship" is new
    d = D.discussion(store, project.id, project.name)
    assert _shape(d) == [
        ("project", str(project.id), "Achat web", "project", "The project", ["Hello"]),
        ("stage", "buy", "Achat", "stage:buy", "Stage: Achat", ["First", "Second"]),
        # in the order their first comment was made; no value: they can no longer be chosen
        ("pain_point", "slow", "slow", None, "pain point slow (no longer in the map)", ["Too slow"]),
        ("stage", "pay", "pay", None, "stage pay (no longer in the map)", ["Card only?"])]
    assert d.options[1] == ("Stages", [("stage:buy", "Achat"), ("stage:ship", "Livraison")])
    assert d.options[3] == ("Pain points", [])


def test_a_map_that_no_longer_reads_leaves_the_project_to_discuss(world):
    store, _, project = world
    with store.transaction() as session:  # as if the map's rules had changed under a saved version
        session.query(MapVersion).filter_by(project_id=project.id).update({"yaml": "stages: [{id: 1, name: }"})
    d = D.discussion(store, project.id, "Achat web")
    assert d.problem and "line 1" in d.problem
    assert d.options == [("The project", [("project", "Achat web")]), ("Stages", []), ("Touchpoints", []),
                         ("Pain points", [])]
    assert [(t.kind, t.value) for t in d.threads] == [
        ("project", "project"), ("pain_point", None), ("stage", None), ("stage", None)]
    assert d.count == 5


def test_the_feed_pages_back_newest_first(world):
    store, _, project = world
    every = [activity.as_dict(x) for x in activity.feed(store, project.id, limit=100)]
    assert len(every) == 7  # created, map saved, five comments
    first, before = D.feed_page(store, project.id, 3)
    assert (first, before) == (every[:3], every[2]["id"])
    second, before = D.feed_page(store, project.id, 3, before)
    assert (second, before) == (every[3:6], every[5]["id"])
    assert D.feed_page(store, project.id, 3, before) == (every[6:], None)
    assert D.feed_page(store, project.id, 7) == (every, None)


def test_the_docstring_example_runs():
    result = doctest.testmod(D, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
