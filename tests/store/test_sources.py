"""Data sources in the app store, on SQLite and PostgreSQL: add, list, get, delete, names unique
per project, the mapping and report, the current (chosen) source of each kind, and
the activity lines they leave."""

from __future__ import annotations

import json

import pytest

from parcours.errors import OptionError
from parcours.store import create_project, create_workspace
from parcours.store import sources
from parcours.store.activity import feed
from parcours.store.errors import NotFound


def _add(store, project, name, kind="events", user=None, fmt="csv"):
    return sources.add(store, project.id, name=name, original_name=f"orig {name}", kind=kind, format=fmt, size=123,
                       uploaded_by=user.id if user else None, columns=json.dumps({"roles": None, "options": {}}))


def test_add_list_get_delete(store, project, alice):
    a = _add(store, project, "events.csv", user=alice)
    b = _add(store, project, "feedback.csv", kind="feedback")
    assert (a.id, a.name, a.original_name, a.kind, a.format, a.size, a.uploaded_by) == \
        (a.id, "events.csv", "orig events.csv", "events", "csv", 123, alice.id)
    assert a.created_at.tzinfo is not None
    assert [s.id for s in sources.list_sources(store, project.id)] == [b.id, a.id]  # newest first
    assert [s.id for s in sources.list_sources(store, project.id, "feedback")] == [b.id]
    assert sources.names(store, project.id) == {"events.csv", "feedback.csv"}
    assert sources.get(store, project.id, a.id).name == "events.csv"
    other = create_project(store, create_workspace(store, "Other").id, "Other project")
    with pytest.raises(NotFound):  # a source is reached through its own project only
        sources.get(store, other.id, a.id)
    with pytest.raises(NotFound):
        sources.delete(store, other.id, a.id)
    assert sources.delete(store, project.id, a.id, alice.id).name == "events.csv"
    assert [s.id for s in sources.list_sources(store, project.id)] == [b.id]
    with pytest.raises(NotFound):
        sources.get(store, project.id, a.id)


def test_names_are_unique_per_project_and_kinds_checked(store, project):
    _add(store, project, "events.csv")
    with pytest.raises(sources.NameTaken, match="events.csv"):
        _add(store, project, "events.csv")
    other = create_project(store, create_workspace(store, "Other").id, "Other project")
    assert _add(store, other, "events.csv").project_id == other.id  # another project may use the name
    with pytest.raises(OptionError, match="events or feedback"):
        _add(store, project, "x.csv", kind="orders")
    with pytest.raises(NotFound):
        sources.add(store, 999_999, name="x.csv", original_name="x.csv", kind="events", format="csv", size=1)


def test_current_is_the_chosen_source_of_its_kind(store, project, alice):
    # issue 23: a validated source goes live only when chosen (it was: the latest validated)
    assert sources.current(store, project.id, "events") is None
    old = _add(store, project, "old.csv")
    new = _add(store, project, "new.csv")
    fb = _add(store, project, "answers.csv", kind="feedback")
    with pytest.raises(sources.NotUsable, match="orig old.csv cannot be used .* not been validated"):
        sources.choose(store, project.id, old.id, alice.id)  # uploaded, not validated
    report = {"read": 10, "accepted": 8, "quarantined": 2}
    sources.set_mapping(store, old.id, json.dumps({"roles": {"customer": "c"}, "options": {}}), json.dumps(report),
                        user_id=alice.id)
    assert sources.current(store, project.id, "events") is None  # validated, not chosen
    assert sources.choose(store, project.id, old.id, alice.id).replaced is None
    assert sources.current(store, project.id, "events").id == old.id
    sources.set_mapping(store, new.id, json.dumps({"roles": {"customer": "id"}, "options": {"timezone": "Europe/Paris"}}),
                        json.dumps(report))
    assert sources.current(store, project.id, "events").id == old.id  # the newer one waits for a choice
    assert sources.choose(store, project.id, new.id, alice.id).replaced.id == old.id
    cur = sources.current(store, project.id, "events")
    assert cur.id == new.id
    assert sources.mapping(cur) == {"roles": {"customer": "id"}, "options": {"timezone": "Europe/Paris"}}
    assert sources.report(cur) == report
    assert sources.current(store, project.id, "feedback") is None
    sources.set_mapping(store, fb.id, json.dumps({"roles": {"score": "note"}}), json.dumps(report))
    sources.choose(store, project.id, fb.id, None)
    assert sources.current(store, project.id, "feedback").id == fb.id
    sources.delete(store, project.id, new.id)
    assert sources.current(store, project.id, "events") is None  # no other source goes live silently
    assert sources.current(store, project.id, "feedback").id == fb.id
    with pytest.raises(OptionError):
        sources.current(store, project.id, "orders")


def test_activity_lines(store, project, alice):
    s = _add(store, project, "events.csv", user=alice)
    sources.set_mapping(store, s.id, json.dumps({"roles": {"customer": "c"}}),
                        json.dumps({"read": 1200, "accepted": 1197, "quarantined": 3}), user_id=alice.id)
    sources.delete(store, project.id, s.id, alice.id)
    lines = feed(store, project.id)
    assert [(x.kind, x.summary, x.target_kind, x.target_id) for x in lines] == [
        ("data_deleted", "deleted the data source orig events.csv", "data_source", str(s.id)),
        ("data_mapped", "validated orig events.csv: 1,200 rows read = 1,197 accepted + 3 quarantined", "data_source", str(s.id)),
        ("data_uploaded", "uploaded orig events.csv (events, csv, 123 bytes)", "data_source", str(s.id)),
    ]
    assert [x.user.name for x in lines] == ["Alice"] * 3


def test_mapping_of_a_source_without_columns():
    from parcours.store.models import DataSource

    row = DataSource(columns=None, report="not json")
    assert sources.mapping(row) == {"roles": None, "options": {}}
    assert sources.report(row) is None and not sources.is_mapped(row)


def test_docstring_example_runs():
    import doctest

    result = doctest.testmod(sources, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
