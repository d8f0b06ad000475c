"""Issue 21, critical: a path or connection that comes from a map, a form or an API body never
reaches a file or a database outside what the project may read. Each attack is the one the
security review reproduced, through the real app (TestClient on ``create_app``)."""

from __future__ import annotations

import json
import os

import pytest
from fastapi.testclient import TestClient

from parcours.demo import _MAP_YAML, demo_events
from parcours.store.grants import add_connection, grant_folder
from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.web import create_app

SECRET_EVENT = "ZZ_other_workspace_event"


@pytest.fixture
def world(store, tmp_path):
    """Workspace A (Alice editor, Bob viewer, project pa) and workspace B (Carol admin, project pb,
    whose uploaded file holds events nobody in A may see); the app's secret beside the data."""
    users = {n: create_user(store, f"{n}@example.org", n.title(), f"{n}-password-1") for n in ("alice", "bob", "carol")}
    a, b = create_workspace(store, "Agence A"), create_workspace(store, "Banque B")
    add_member(store, a.id, users["alice"].id, "editor")
    add_member(store, a.id, users["bob"].id, "viewer")
    add_member(store, b.id, users["carol"].id, "admin")
    pa, pb = create_project(store, a.id, "Parcours achat"), create_project(store, b.id, "Ouverture de compte")
    root = tmp_path / ".parcours"
    data = root / "data"
    for p in (pa, pb):
        (data / str(p.id)).mkdir(parents=True)
    (root / "secret").write_text("the-session-secret-value")
    ev = demo_events(40).to_pandas()
    ev.assign(event=SECRET_EVENT).to_csv(data / str(pb.id) / "theirs.csv", index=False)
    ev.to_csv(data / str(pa.id) / "events.csv", index=False)
    return {"a": a, "b": b, "pa": pa.id, "pb": pb.id, "data": data, "root": root, **users}


def client_for(store, world, who: str) -> tuple[TestClient, dict[str, str]]:
    c = TestClient(create_app(store, secret="test-secret", data_dir=world["data"], https_only=False))
    r = c.post("/api/v1/session", json={"email": f"{who}@example.org", "password": f"{who}-password-1"})
    assert r.status_code == 200, r.text
    return c, {"X-CSRF-Token": r.json()["csrf"]}


def with_source(path: str) -> str:
    return _MAP_YAML.replace("  path: events.csv", f"  path: {json.dumps(path)}", 1)


def test_a_viewer_cannot_read_files_outside_the_project_through_the_map_check(store, world, tmp_path):
    c, h = client_for(store, world, "bob")
    pa, pb = world["pa"], world["pb"]
    outside = tmp_path / "outside.csv"
    outside.write_text("customer_id,timestamp,event\nc1,2026-01-01T00:00:00Z,ZZ_outside_event\n")
    link = world["data"] / str(pa) / "link.csv"
    os.symlink(world["data"] / str(pb) / "theirs.csv", link)
    attacks = [f"../{pb}/theirs.csv", str(world["data"] / str(pb) / "theirs.csv"), "../../secret", str(outside),
               "/etc/passwd", "link.csv", f"./../{pb}/../{pb}/theirs.csv"]
    for path in attacks:
        r = c.post(f"/api/v1/projects/{pa}/map/check", json={"yaml": with_source(path)}, headers=h)
        assert r.status_code == 200, (path, r.text)
        body = r.json()
        assert body["data"] is None, path
        for leaked in (SECRET_EVENT, "ZZ_outside_event", "the-session-secret-value", "root:", "customer_id"):
            assert leaked not in r.text, (path, leaked)
        assert "outside the project's data" in body["message"], (path, body["message"])
    # the project's own file is still measured (the check is not simply switched off)
    r = c.post(f"/api/v1/projects/{pa}/map/check", json={"yaml": with_source("events.csv")}, headers=h).json()
    assert r["data"] is not None and r["message"] is None


def test_refusal_does_not_tell_whether_a_file_exists(store, world):
    c, h = client_for(store, world, "bob")
    pa = world["pa"]
    said = {c.post(f"/api/v1/projects/{pa}/map/check", json={"yaml": with_source(p)}, headers=h).json()["message"]
            .replace(p, "<p>") for p in ("/etc/passwd", "/etc/no-such-file-here")}
    assert len(said) == 1


def test_a_granted_folder_opens_to_its_workspace_only(store, world, tmp_path):
    shared = tmp_path / "warehouse"
    shared.mkdir()
    demo_events(30).to_pandas().to_csv(shared / "events.csv", index=False)
    grant_folder(store, world["a"].id, shared)
    c, h = client_for(store, world, "bob")
    r = c.post(f"/api/v1/projects/{world['pa']}/map/check", json={"yaml": with_source(str(shared / "events.csv"))},
               headers=h).json()
    assert r["data"] is not None, r
    # workspace B was granted nothing: the same path is refused to its admin
    c, h = client_for(store, world, "carol")
    r = c.post(f"/api/v1/projects/{world['pb']}/map/check", json={"yaml": with_source(str(shared / "events.csv"))},
               headers=h).json()
    assert r["data"] is None and "outside the project's data" in r["message"]


def _duckdb_file(path, rows: int = 50):
    import duckdb

    con = duckdb.connect(str(path))
    con.register("ev", demo_events(rows))
    con.execute("CREATE TABLE journeys AS SELECT * FROM ev")
    n = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
    con.close()
    return n


def test_table_sources_never_cross_workspaces(store, world):
    """Carol (admin of B) pointed a table source at a DuckDB file of project A's folder and read
    its rows: the default allowed folder was the whole app data directory."""
    theirs = world["data"] / str(world["pa"]) / "warehouse.duckdb"
    _duckdb_file(theirs)
    c, h = client_for(store, world, "carol")
    pb = world["pb"]
    for body in ({"url": f"duckdb://{theirs}", "table": "journeys"},
                 {"file": str(theirs), "table": "journeys"},
                 {"file": f"../{world['pa']}/warehouse.duckdb", "table": "journeys"}):
        r = c.post(f"/api/v1/projects/{pb}/data/table", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert "outside the project's data" in r.json()["detail"]["message"]
    assert c.get(f"/api/v1/projects/{pb}/data", headers=h).json() == []


def test_a_database_url_typed_by_a_member_is_never_opened(store, world, postgres_url):
    """Any workspace admin made the server connect wherever they said, the app's own database
    included: URLs are refused, whatever they point at; only named connections are opened."""
    c, h = client_for(store, world, "carol")
    pb = world["pb"]
    server = postgres_url.replace("postgres://", "postgresql://", 1)
    for url in (server, str(store.url), "postgresql://x:S3cretPassw0rd@127.0.0.1:1/nothing"):
        r = c.post(f"/api/v1/projects/{pb}/data/table", json={"url": url, "table": "users"}, headers=h)
        assert r.status_code == 422, r.text
        assert "named connection" in r.json()["detail"]["message"] and "S3cretPassw0rd" not in r.text


def test_a_named_connection_is_opened_for_its_workspace_and_never_shown(store, world, postgres_url):
    import secrets

    import psycopg

    schema = f"src_{secrets.token_hex(4)}"
    server = postgres_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".events (customer_id text, timestamp text, event text)')
        conn.execute(f'INSERT INTO "{schema}".events VALUES (%s, %s, %s), (%s, %s, %s)',
                     ["c1", "2026-01-05T10:00:00Z", "visit", "c1", "2026-01-05T10:05:00Z", "buy"])
    try:
        add_connection(store, world["a"].id, "crm", server)
        c, h = client_for(store, world, "alice")
        pa = world["pa"]
        assert c.get(f"/api/v1/projects/{pa}/connections", headers=h).json()["connections"] == ["crm"]
        r = c.post(f"/api/v1/projects/{pa}/data/table", json={"connection": "crm", "table": f"{schema}.events"},
                   headers=h)
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        rep = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h).json()
        assert (rep["read"], rep["accepted"], rep["quarantined"]) == (2, 2, 0)
        listed = c.get(f"/api/v1/projects/{pa}/data", headers=h).text
        assert server not in listed and server.split("@")[0] not in listed
        # workspace B may not use A's connection by its name
        c, h = client_for(store, world, "carol")
        r = c.post(f"/api/v1/projects/{world['pb']}/data/table", json={"connection": "crm", "table": "x"}, headers=h)
        assert r.status_code == 422 and "no connection named" in r.json()["detail"]["message"]
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_only_app_admins_grant_folders_and_register_connections(store, world, tmp_path):
    from parcours.store.users import create_user as make

    make(store, "root@example.org", "Root", "root-password-1", admin=True)
    c, h = client_for(store, world, "carol")  # admin of workspace B, not of the app
    b = world["b"].id
    assert c.post(f"/api/v1/admin/workspaces/{b}/folders", json={"path": str(tmp_path)}, headers=h).status_code == 403
    assert c.post(f"/api/v1/admin/workspaces/{b}/connections", json={"name": "x", "url": "postgresql://a@b/c"},
                  headers=h).status_code == 403
    c, h = client_for(store, world, "root")
    r = c.post(f"/api/v1/admin/workspaces/{b}/folders", json={"path": str(tmp_path)}, headers=h)
    assert r.status_code == 201 and r.json()["path"] == str(tmp_path.resolve())
    r = c.post(f"/api/v1/admin/workspaces/{b}/connections", json={"name": "crm", "url": "postgresql://u:pw@h/db"},
               headers=h)
    assert r.status_code == 201 and "pw" not in r.text
    listed = c.get(f"/api/v1/admin/workspaces/{b}/connections", headers=h)
    assert listed.json() == [{"name": "crm"}] and "postgresql" not in listed.text
    assert c.get(f"/api/v1/admin/workspaces/{b}/folders", headers=h).json() == [{"path": str(tmp_path.resolve())}]
