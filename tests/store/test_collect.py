"""Collected events in the store (SQLite and PostgreSQL): each event checked with a message
naming its field, stored once per (project, id), read back as the analyses will read it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from parcours.store.activity import feed
from parcours.store.collect import event_rows, fingerprint, store_events, summary
from parcours.store.models import CollectedEvent


def ev(i, **kw):
    return {"id": f"e{i}", "customer": f"c{i % 3}", "event": "visit", "time": "2024-05-01T10:00:00+02:00", **kw}


def rows_in_db(store, project_id):
    with store.transaction() as session:
        return [(e.event_id, e.customer, e.event, e.ts, e.channel, e.value, e.attributes, e.received_at)
                for e in session.scalars(select(CollectedEvent).where(CollectedEvent.project_id == project_id)
                                         .order_by(CollectedEvent.id))]


@pytest.mark.parametrize(("event", "field", "words"), [
    ({"customer": "c", "event": "v", "time": 0}, "id", "id is missing"),
    ({**ev(1), "id": ""}, "id", "empty"),
    ({**ev(1), "id": "x" * 201}, "id", "201 characters"),
    ({**ev(1), "id": 1.5}, "id", "string or an integer"),
    ({**ev(1), "id": True}, "id", "not true/false"),
    ({**ev(1), "customer": None}, "customer", "customer is missing"),
    ({**ev(1), "event": 3}, "event", "must be a string"),
    ({**ev(1), "event": "e" * 201}, "event", "at most 200"),
    ({**ev(1), "time": "2024-05-01T10:00:00"}, "time", "no UTC offset: add it"),
    ({**ev(1), "time": "2024-05-01"}, "time", "no UTC offset"),
    ({**ev(1), "time": "yesterday"}, "time", "not an ISO 8601"),
    ({**ev(1), "time": 1e30}, "time", "out of range"),
    ({**ev(1), "time": [2024]}, "time", "not a list"),
    ({**ev(1), "channel": "c" * 101}, "channel", "at most 100"),
    ({**ev(1), "value": "12"}, "value", "must be a number"),
    ({**ev(1), "value": float("nan")}, "value", "finite"),
    ({**ev(1), "attributes": [1]}, "attributes", "must be an object"),
    ({**ev(1), "attributes": {f"k{i}": i for i in range(51)}}, "attributes", "at most 50"),
    ({**ev(1), "attributes": {"cart": {"items": 3}}}, "attributes.cart", "flat"),
    ({**ev(1), "attributes": {"customer": "x"}}, "attributes.customer", "rename it"),
    ({**ev(1), "colour": "red"}, "colour", "unknown field 'colour'"),
    ({**ev(1), "customer": "a\x00b"}, "customer", "NUL character"),  # PostgreSQL refuses NUL in text
    ({**ev(1), "event": "visit\ud800"}, "event", "not valid Unicode"),
    ({**ev(1), "attributes": {"k": "\udfff"}}, "attributes", "not valid Unicode"),
    ("e1", None, "must be an object"),
])
def test_each_wrong_field_is_named(store, project, event, field, words):
    out = store_events(store, project.id, [ev(0), event])
    assert (out["received"], out["stored"], out["duplicates"]) == (2, 1, 0)
    (rejected,) = out["rejected"]
    assert rejected["index"] == 1 and rejected["field"] == field and words in rejected["message"], rejected
    assert [r[0] for r in rows_in_db(store, project.id)] == ["e0"]


def test_nul_in_attributes_is_kept_escaped(store, project):
    assert store_events(store, project.id, [ev(1, attributes={"note": "a\x00b"})])["stored"] == 1
    ((row,),) = event_rows(store, project.id)
    assert row["note"] == "a\x00b"


def test_times_are_stored_as_the_right_utc_instant(store, project):
    times = ["2024-05-01T10:00:00+02:00", "2024-03-31T01:59:59.250-05:30", "2024-05-01T08:00:00Z",
             "2023-12-31T23:30:00+14:00", 1714557600000, 1714557600123.0]
    out = store_events(store, project.id, [ev(i, time=t) for i, t in enumerate(times)])
    assert out == {"received": 6, "stored": 6, "duplicates": 0, "rejected": []}
    expected = {f"e{i}": (dt.datetime.fromisoformat(t.replace("Z", "+00:00")) if isinstance(t, str)
                          else dt.datetime.fromtimestamp(t / 1000, dt.timezone.utc))
                for i, t in enumerate(times)}
    stored = {r[0]: r[3] for r in rows_in_db(store, project.id)}
    assert stored == expected  # aware datetimes compare as instants
    assert all(t.utcoffset() == dt.timedelta(0) for t in stored.values())
    rows = {r["event_id"]: r["time"] for rows in event_rows(store, project.id) for r in rows}
    assert {k: dt.datetime.fromisoformat(v) for k, v in rows.items()} == expected
    assert all(v.endswith("+00:00") for v in rows.values())


def test_idempotent_by_id_across_and_within_batches(store, project):
    batch = [ev(1), ev(2, customer="first"), ev(2, customer="second"), {**ev(3), "id": 3}]
    assert store_events(store, project.id, batch) == {"received": 4, "stored": 3, "duplicates": 1, "rejected": []}
    before = rows_in_db(store, project.id)
    assert [r[:2] for r in before] == [("3", "c0"), ("e1", "c1"), ("e2", "first")]  # the first of a repeated id
    again = store_events(store, project.id, [*batch, {**ev(3), "id": "3"}, ev(4)])  # 3 and "3": one id
    assert again == {"received": 6, "stored": 1, "duplicates": 5, "rejected": []}
    assert rows_in_db(store, project.id)[:3] == before  # nothing rewritten
    assert fingerprint(store, project.id)[0] == 4


def test_projects_do_not_share_ids(store, project):
    from parcours.store.workspaces import create_project

    other = create_project(store, project.workspace_id, "Other")
    assert store_events(store, project.id, [ev(1)])["stored"] == 1
    assert store_events(store, other.id, [ev(1)])["stored"] == 1
    assert fingerprint(store, project.id)[0] == fingerprint(store, other.id)[0] == 1


def test_rows_round_trip_with_attributes(store, project):
    sent = [ev(0, channel="web", value=12, attributes={"device": "mobile", "new": True}),
            ev(1, attributes={"cart_items": 3, "device": None}),
            ev(2, channel="store", value=-0.5),
            ev(3, attributes={"coupon": "ÉTÉ24"}),
            ev(4, time=1714557600000, customer=42)]
    assert store_events(store, project.id, sent)["stored"] == 5
    # independently: what the rows should be, in plain Python
    keys = []
    for e in sent:
        keys += [k for k in e.get("attributes", {}) if k not in keys]
    expected = []
    for e in sent:
        t = e["time"]
        when = (dt.datetime.fromisoformat(t) if isinstance(t, str) else
                dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=t))
        row = {"event_id": e["id"], "customer": str(e["customer"]),
               "time": when.astimezone(dt.timezone.utc).isoformat(),
               "event": e["event"], "channel": e.get("channel"),
               "value": float(e["value"]) if "value" in e else None}
        row.update({k: e.get("attributes", {}).get(k) for k in keys})
        expected.append(row)
    batches = list(event_rows(store, project.id, batch=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    got = [r for b in batches for r in b]
    assert got == expected
    assert all(list(r) == ["event_id", "customer", "time", "event", "channel", "value", "device", "new",
                           "cart_items", "coupon"] for r in got)
    with store.transaction() as session:  # attributes are JSON text
        text = session.scalar(select(CollectedEvent.attributes).where(CollectedEvent.event_id == "e3"))
    assert json.loads(text) == {"coupon": "ÉTÉ24"}


def test_summary_fingerprint_and_empty_project(store, project):
    assert summary(store, project.id) == {"count": 0, "customers": 0, "first": None, "last": None}
    assert fingerprint(store, project.id) == (0, 0)
    assert list(event_rows(store, project.id)) == []
    store_events(store, project.id, [ev(0, time="2024-05-02T00:30:00+02:00"), ev(1, time="2024-01-01T00:00:00Z"),
                                     ev(4, time="2024-06-30T23:00:00-01:00")])
    assert summary(store, project.id) == {"count": 3, "customers": 2, "first": "2024-01-01T00:00:00+00:00",
                                          "last": "2024-07-01T00:00:00+00:00"}
    count, top = fingerprint(store, project.id)
    store_events(store, project.id, [ev(0)])  # a duplicate changes nothing
    assert fingerprint(store, project.id) == (count, top) and count == 3
    store_events(store, project.id, [ev(9)])
    assert fingerprint(store, project.id)[0] == 4 and fingerprint(store, project.id)[1] > top


def test_one_activity_line_per_minute(store, project, alice, bob):
    store_events(store, project.id, [ev(i) for i in range(12)], user_id=alice.id)
    store_events(store, project.id, [ev(i) for i in range(10)], user_id=alice.id)  # all duplicates: no line
    store_events(store, project.id, [ev(i) for i in range(12, 15)], user_id=alice.id)
    store_events(store, project.id, [ev(20)], user_id=bob.id)
    lines = [(line.kind, line.summary, line.user.name) for line in feed(store, project.id)]
    assert lines == [("events_collected", "1 event collected via the API", "Bob"),
                     ("events_collected", "15 events collected via the API", "Alice")]
