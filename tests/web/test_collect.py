"""Event collection over HTTP (FastAPI's TestClient), on SQLite and PostgreSQL: API tokens,
roles, workspace isolation, idempotent batches, partial rejections, concurrent senders, and
errors that say what to fix (never a 500)."""

from __future__ import annotations

import datetime as dt
import json
import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from parcours.store.collect import event_rows
from parcours.store.models import CollectedEvent
from parcours.store.tokens import create_token, revoke_token
from parcours.web import create_app
from tests.web.test_api import world  # noqa: F401 - the same two workspaces


def app_for(store):
    import tempfile
    from pathlib import Path

    data = Path(tempfile.gettempdir()) / "parcours-web-tests-no-data"
    return create_app(store, secret="test-secret", data_dir=data, https_only=False)


def token_client(store, user) -> TestClient:
    """A client sending ``user``'s new API token, and no cookie."""
    _, token = create_token(store, user.id, "test script")
    return TestClient(app_for(store), headers={"Authorization": f"Bearer {token}"})


def ev(i, **kw):
    return {"id": f"e{i}", "customer": f"c{i % 7}", "event": ["visit", "cart", "buy"][i % 3],
            "time": f"2024-05-01T{i % 24:02d}:{i % 60:02d}:00+02:00", **kw}


def url(project) -> str:
    return f"/api/v1/projects/{project.id}/events"


def db_rows(store, project_id):
    with store.transaction() as session:
        return [(e.id, e.event_id, e.customer, e.event, e.ts, e.channel, e.value, e.attributes, e.received_at)
                for e in session.scalars(select(CollectedEvent).where(CollectedEvent.project_id == project_id)
                                         .order_by(CollectedEvent.id))]


def test_token_auth_roles_and_isolation(store, world):
    pa, pb = world["pa"], world["pb"]
    alice = token_client(store, world["alice"])
    r = alice.post(url(pa), json={"events": [ev(1)]})  # a token needs no CSRF header
    assert r.status_code == 200, r.text
    assert r.json() == {"received": 1, "stored": 1, "duplicates": 0, "rejected": []}
    assert alice.post(url(pb), json={"events": [ev(2)]}).status_code == 404  # another workspace's project
    assert alice.get(f"{url(pb)}/summary").status_code == 404
    assert alice.post("/api/v1/projects/999999/events", json={"events": [ev(2)]}).status_code == 404
    bob = token_client(store, world["bob"])  # a viewer reads the summary, but sends nothing
    r = bob.post(url(pa), json={"events": [ev(3)]})
    assert r.status_code == 403 and "viewer" in r.json()["detail"]
    assert bob.get(f"{url(pa)}/summary").json()["count"] == 1
    carol = token_client(store, world["carol"])  # an admin sends events to her own workspace's project
    assert carol.post(url(pb), json={"events": [ev(4)]}).json()["stored"] == 1
    assert carol.post(url(pa), json={"events": [ev(4)]}).status_code == 404
    row, token = create_token(store, world["alice"].id, "to revoke")
    revoked = TestClient(app_for(store), headers={"Authorization": f"Bearer {token}"})
    assert revoked.post(url(pa), json={"events": [ev(5)]}).status_code == 200
    revoke_token(store, world["alice"].id, row.id)
    r = revoked.post(url(pa), json={"events": [ev(6)]})
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert TestClient(app_for(store)).post(url(pa), json={"events": [ev(7)]}).status_code == 401  # no token
    assert [r[1] for r in db_rows(store, pa.id)] == ["e1", "e5"]


def test_session_needs_csrf(store, world):
    c = TestClient(app_for(store))
    csrf = c.post("/api/v1/session", json={"email": "alice@example.org", "password": "alice-password-1"}).json()["csrf"]
    assert c.post(url(world["pa"]), json={"events": [ev(1)]}).status_code == 403
    assert c.post(url(world["pa"]), json={"events": [ev(1)]}, headers={"X-CSRF-Token": csrf}).json()["stored"] == 1


def test_same_batch_twice_changes_nothing(store, world):
    c, pa = token_client(store, world["alice"]), world["pa"]
    batch = {"events": [ev(i, channel="web", value=i / 4, attributes={"n": i}) for i in range(40)]}
    assert c.post(url(pa), json=batch).json() == {"received": 40, "stored": 40, "duplicates": 0, "rejected": []}
    before = db_rows(store, pa.id)
    assert c.post(url(pa), json=batch).json() == {"received": 40, "stored": 0, "duplicates": 40, "rejected": []}
    assert db_rows(store, pa.id) == before  # same rows, same received_at: nothing rewritten
    summary = c.get(f"{url(pa)}/summary").json()
    assert summary["count"] == 40 and summary["customers"] == 7


def test_mixed_batch_exact_counts(store, world):
    c, pa = token_client(store, world["alice"]), world["pa"]
    c.post(url(pa), json={"events": [ev(0)]})
    events = [ev(0),                                    # 0: already stored
              ev(1),                                    # 1: stored
              {**ev(2), "time": "2024-05-01T10:00:00"},  # 2: naive time
              {**ev(3), "customer": ""},                # 3: empty customer
              ev(4, value=3),                           # 4: stored
              ev(1),                                    # 5: repeated in the batch
              {**ev(6), "source": "crm"},               # 6: unknown field
              {"id": "e7", "customer": "c", "event": "visit"},  # 7: no time
              None,                                     # 8: not an object
              ev(9, attributes={"list": [1, 2]})]       # 9: nested attribute
    r = c.post(url(pa), json={"events": events})
    assert r.status_code == 200
    out = r.json()
    assert (out["received"], out["stored"], out["duplicates"]) == (10, 2, 2)
    assert [(x["index"], x["field"]) for x in out["rejected"]] == [
        (2, "time"), (3, "customer"), (6, "source"), (7, "time"), (8, None), (9, "attributes.list")]
    assert out["received"] == out["stored"] + out["duplicates"] + len(out["rejected"])
    assert "add it" in out["rejected"][0]["message"] and "'source'" in out["rejected"][2]["message"]
    assert sorted(r[1] for r in db_rows(store, pa.id)) == ["e0", "e1", "e4"]


def test_offsets_round_trip_to_the_right_instant(store, world):
    c, pa = token_client(store, world["alice"]), world["pa"]
    sent = [ev(0, time="2024-10-27T02:30:00+02:00"), ev(1, time="2024-10-27T02:30:00+01:00"),
            ev(2, time="2024-02-29T23:59:59.5-09:30", channel="app", value=19.99, attributes={"tier": "gold", "n": 2}),
            ev(3, time="2024-05-01T00:00:00Z", customer=12345), ev(4, time=1714521600000, attributes={"tier": None})]
    assert c.post(url(pa), json={"events": sent}).json()["stored"] == 5
    # independently, in plain Python
    keys = ["tier", "n"]
    expected = []
    for e in sent:
        t = e["time"]
        when = (dt.datetime.fromisoformat(t.replace("Z", "+00:00")) if isinstance(t, str)
                else dt.datetime.fromtimestamp(t / 1000, dt.timezone.utc))
        expected.append({"event_id": e["id"], "customer": str(e["customer"]),
                         "time": when.astimezone(dt.timezone.utc).isoformat(), "event": e["event"],
                         "channel": e.get("channel"), "value": e.get("value"),
                         **{k: e.get("attributes", {}).get(k) for k in keys}})
    got = [r for rows in event_rows(store, pa.id) for r in rows]
    assert sorted(got, key=lambda r: r["event_id"]) == expected
    assert got[0]["time"] == "2024-10-27T00:30:00+00:00" and got[1]["time"] == "2024-10-27T01:30:00+00:00"
    assert c.get(f"{url(pa)}/summary").json() == {
        "count": 5, "customers": 5, "first": "2024-03-01T09:29:59.500000+00:00", "last": "2024-10-27T01:30:00+00:00"}


def test_concurrent_overlapping_batches_store_each_id_once(store, world):
    pa = world["pa"]
    clients = [token_client(store, world["alice"]) for _ in range(3)]
    rounds, size = 4, 120
    barrier = threading.Barrier(len(clients))
    answers: list[dict] = []
    errors: list[str] = []

    def send(k: int) -> None:
        for n in range(rounds):
            # thread k sends ids [k*60, k*60+120) of round n: each overlaps its neighbours by half
            batch = [ev(n * 1000 + k * (size // 2) + i) for i in range(size)]
            barrier.wait()
            r = clients[k].post(url(pa), json={"events": batch})
            (answers.append(r.json()) if r.status_code == 200 else errors.append(r.text))

    threads = [threading.Thread(target=send, args=(k,)) for k in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    distinct = rounds * (size // 2) * (len(clients) + 1)  # the union of overlapping ranges
    assert sum(a["stored"] for a in answers) == distinct
    assert sum(a["duplicates"] for a in answers) == rounds * len(clients) * size - distinct
    with store.transaction() as session:
        total, unique = session.execute(select(func.count(), func.count(func.distinct(CollectedEvent.event_id)))
                                        .where(CollectedEvent.project_id == pa.id)).one()
    assert total == unique == distinct


BAD_BODIES = [  # (body, status, words in the answer)
    (b"", 422, "the body is empty"),
    (b'{"events": [', 422, "not valid JSON: Expecting value at line 1, column 13"),
    (b'{"events": [{"id": 1, "value": NaN}]}', 422, "NaN is not valid JSON"),
    (b"\xff\xfe\x00garbage", 422, "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, 422, "not valid JSON"),
    (b'{"events": [{"id": "\\ud800"}]}', 200, None),  # a lone surrogate: rejected by the event's check
    (b'[{"id": 1}]', 422, 'must be a JSON object {"events": [...]}'),
    (b'{"event": []}', 422, 'must be a JSON object {"events": [...]}'),
    (b'{"events": {"id": 1}}', 422, '"events" must be a list'),
    (b'{"events": [], "source": "crm"}', 422, "unknown key 'source'"),
    (json.dumps({"events": [{}] * 10_001}).encode(), 413, "at most 10,000"),
]


def test_bad_bodies_say_what_is_wrong(store, world):
    c, pa = token_client(store, world["alice"]), world["pa"]
    for body, status, words in BAD_BODIES:
        r = c.post(url(pa), content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == status, (body[:40], r.text)
        if words is None:
            (rejected,) = r.json()["rejected"]
            assert rejected["index"] == 0 and rejected["field"] == "id", rejected
            assert "not valid Unicode" in rejected["message"]
        else:
            assert words in r.json()["detail"], (body[:40], r.json())
    assert db_rows(store, pa.id) == []


def test_body_size_limit(store, world):
    from parcours.project.body_limits import BodyLimits

    cap = BodyLimits.from_env({}).events.bytes
    c, pa = token_client(store, world["alice"]), world["pa"]
    r = c.post(url(pa), content=b" " * 10, headers={"Content-Length": str(cap + 1)})
    assert r.status_code == 413, r.text
    detail = r.json()["detail"]
    assert "20 MB" in detail["message"] and "PARCOURS_MAX_EVENTS_MB" in detail["hint"]

    def chunks():  # no Content-Length: counted while read
        for _ in range(21):
            yield b" " * (1024 * 1024)

    r = c.post(url(pa), content=chunks())
    assert r.status_code == 413 and "smaller batches" in r.json()["detail"]["hint"]
    assert c.post(url(pa), json={"events": []}).json() == {"received": 0, "stored": 0, "duplicates": 0, "rejected": []}


def test_openapi_documents_the_endpoints(store):
    paths = TestClient(app_for(store)).get("/api/v1/openapi.json").json()["paths"]
    body = paths["/api/v1/projects/{project_id}/events"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"]["events"]["maxItems"] == 10_000
    assert "/api/v1/projects/{project_id}/events/summary" in paths
