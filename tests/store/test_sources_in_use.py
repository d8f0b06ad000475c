"""The source in use per project and kind (issue 23), on SQLite and PostgreSQL: the migration
keeps what existing projects measured (their latest validated source of each kind), choosing
and adopting write who did it in the activity feed, at most one source per project and kind."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import text

from parcours.store import connect, create_project, create_workspace, sources
from parcours.store.activity import feed
from parcours.store.db import alembic_config
from parcours.store.errors import NotFound

MAPPED = json.dumps({"roles": {"customer": "c"}, "options": {}})
UNMAPPED = json.dumps({"roles": None, "options": {}})


def _at(store, revision: str) -> None:
    config = alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def test_the_migration_keeps_the_latest_validated_source_of_each_kind_in_use(empty_url):
    store = connect(empty_url)
    _at(store, "0003_security")
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO workspaces (id, name, slug) VALUES (1, 'CX', 'cx')"))
        for pid in (1, 2, 3):
            conn.execute(text("INSERT INTO projects (id, workspace_id, name, slug, created_at) "
                              "VALUES (:p, 1, :n, :n, CURRENT_TIMESTAMP)"), {"p": pid, "n": f"p{pid}"})
        rows = [  # (id, project, kind, columns): project 1 has two validated events sources, the later one wins
            (1, 1, "events", MAPPED), (2, 1, "events", MAPPED), (3, 1, "events", UNMAPPED),
            (4, 1, "feedback", MAPPED), (5, 2, "events", UNMAPPED), (6, 3, "feedback", "not json"),
        ]
        for sid, pid, kind, columns in rows:
            conn.execute(text("INSERT INTO data_sources (id, project_id, name, original_name, kind, format, size, "
                              "created_at, columns) VALUES (:i, :p, :n, :n, :k, 'csv', 1, CURRENT_TIMESTAMP, :c)"),
                         {"i": sid, "p": pid, "n": f"s{sid}.csv", "k": kind, "c": columns})
    assert store.migrate() >= 1
    assert {(pid, kind): getattr(sources.current(store, pid, kind), "id", None)
            for pid in (1, 2, 3) for kind in sources.KINDS} == {
        (1, "events"): 2, (1, "feedback"): 4, (2, "events"): None, (2, "feedback"): None,
        (3, "events"): None, (3, "feedback"): None}
    chosen = sources.in_use(store, 1)["events"]
    assert chosen.chosen_by is None and chosen.chosen_at.tzinfo is not None
    store.close()


@pytest.fixture
def validated(store, project):
    def make(name: str, kind: str = "events"):
        s = sources.add(store, project.id, name=name, original_name=name, kind=kind, format="csv", size=1)
        return sources.set_mapping(store, s.id, MAPPED, json.dumps({"read": 1, "accepted": 1, "quarantined": 0}))
    return make


def test_adopt_only_when_none_is_chosen_and_choose_says_who_switched(store, project, alice, bob, validated):
    a, b = validated("a.csv"), validated("b.csv")
    assert sources.adopt(store, project.id, a.id, alice.id) is True
    assert sources.adopt(store, project.id, b.id, alice.id) is False  # one is in use: b waits for a choice
    assert sources.current(store, project.id, "events").id == a.id
    done = sources.choose(store, project.id, b.id, bob.id)
    assert (done.source.id, done.replaced.id, done.changed) == (b.id, a.id, True)
    assert sources.in_use(store, project.id)["events"].user.name == "Bob"
    assert sources.release(store, project.id, "events", alice.id, then="the map's file events.csv").id == b.id
    assert sources.release(store, project.id, "events", alice.id) is None
    assert [(x.kind, x.summary, x.user.name) for x in feed(store, project.id)[:3]] == [
        ("data_in_use", "stopped using b.csv for the live map's events: it measures the map's file events.csv", "Alice"),
        ("data_in_use", "put b.csv in use for the live map's events, instead of a.csv", "Bob"),
        ("data_in_use", "put a.csv in use for the live map's events (the first validated)", "Alice"),
    ]
    other = create_project(store, create_workspace(store, "Other").id, "Other")
    with pytest.raises(NotFound):
        sources.choose(store, other.id, a.id, alice.id)  # another project's source


def test_one_choice_per_project_and_kind(store, project, validated):
    from sqlalchemy.exc import IntegrityError

    a, b = validated("a.csv"), validated("b.csv")
    sources.choose(store, project.id, a.id, None)
    with pytest.raises(IntegrityError):
        with store.transaction() as session:
            session.add(sources.SourceInUse(project_id=project.id, kind="events", source_id=b.id))
