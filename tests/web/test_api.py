"""The REST API over HTTP (httpx through FastAPI's TestClient), on SQLite and PostgreSQL:
sessions and CSRF, roles, workspace isolation, map versions with conflicts, diff and restore."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from parcours.demo import _MAP_YAML
from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.web import create_app


@pytest.fixture
def world(store):
    """Workspace A (Alice editor, Bob viewer, one project) and workspace B (Carol admin, one project)."""
    users = {n: create_user(store, f"{n}@example.org", n.title(), f"{n}-password-1") for n in ("alice", "bob", "carol")}
    a, b = create_workspace(store, "Agence A"), create_workspace(store, "Banque B")
    add_member(store, a.id, users["alice"].id, "editor")
    add_member(store, a.id, users["bob"].id, "viewer")
    add_member(store, b.id, users["carol"].id, "admin")
    return {"pa": create_project(store, a.id, "Parcours achat"), "pb": create_project(store, b.id, "Ouverture de compte"),
            **users}


def store_data(store):
    """No project here has data: the API tests do not measure maps (tests/web/test_browser.py does)."""
    import tempfile
    from pathlib import Path

    return Path(tempfile.gettempdir()) / "parcours-web-tests-no-data"


def client_for(store, who: str | None = None, data_dir=None) -> tuple[TestClient, dict[str, str]]:
    c = TestClient(create_app(store, secret="test-secret", data_dir=data_dir or store_data(store), https_only=False))
    if who is None:
        return c, {}
    r = c.post("/api/v1/session", json={"email": f"{who}@example.org", "password": f"{who}-password-1"})
    assert r.status_code == 200, r.text
    return c, {"X-CSRF-Token": r.json()["csrf"]}


def test_health_and_openapi(store):
    c, _ = client_for(store)
    assert c.get("/api/v1/health").json()["status"] == "ok"
    paths = c.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/session", "/api/v1/projects", "/api/v1/projects/{project_id}/map/versions",
            "/api/v1/projects/{project_id}/map/diff"} <= set(paths)


def test_login_session_and_csrf(store, world):
    c, _ = client_for(store)
    assert c.get("/api/v1/projects").status_code == 401
    assert c.post("/api/v1/session", json={"email": "alice@example.org", "password": "nope"}).status_code == 401
    c, headers = client_for(store, "alice")
    assert "parcours_session" in c.cookies and "httponly" in c.post(
        "/api/v1/session", json={"email": "alice@example.org", "password": "alice-password-1"}).headers["set-cookie"].lower()
    headers = {"X-CSRF-Token": c.get("/api/v1/me").json()["csrf"]}
    pa = world["pa"].id
    body = {"yaml": _MAP_YAML, "base": None}
    assert c.post(f"/api/v1/projects/{pa}/map/versions", json=body).status_code == 403  # no CSRF token
    assert c.post(f"/api/v1/projects/{pa}/map/versions", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert c.post(f"/api/v1/projects/{pa}/map/versions", json=body, headers=headers).status_code == 201
    assert c.delete("/api/v1/session", headers=headers).status_code == 204
    assert c.get("/api/v1/projects").status_code == 401


def test_versions_conflict_diff_restore(store, world):
    c, h = client_for(store, "alice")
    pa = world["pa"].id
    url = f"/api/v1/projects/{pa}/map/versions"
    assert c.post(url, json={"yaml": _MAP_YAML, "base": None, "message": "first"}, headers=h).json()["number"] == 1
    renamed = _MAP_YAML.replace("fr: Découverte", "fr: Découverte et inspiration", 1)
    assert renamed != _MAP_YAML
    assert c.post(url, json={"yaml": renamed, "base": 1}, headers=h).json()["number"] == 2
    stale = c.post(url, json={"yaml": _MAP_YAML, "base": 1}, headers=h)  # edited from v1 while v2 was saved
    assert stale.status_code == 409
    assert stale.json()["detail"]["latest"] == 2 and stale.json()["detail"]["author"] == "Alice"
    bad = c.post(url, json={"yaml": _MAP_YAML.replace("stages:", "stages: 3\nxstages:", 1), "base": 2}, headers=h)
    assert bad.status_code == 422 and any("line" in p for p in bad.json()["detail"]["problems"])
    assert [v["number"] for v in c.get(url).json()] == [1, 2]
    d = c.get(f"/api/v1/projects/{pa}/map/diff", params={"a": 1, "b": 2}).json()
    assert "Découverte et inspiration" in d["text"] and "discovery" in str(d)
    r = c.post(f"{url}/1/restore", json={"base": 2}, headers=h)
    assert r.status_code == 201 and r.json()["number"] == 3 and r.json()["message"] == "restored v1"
    assert c.get(f"/api/v1/projects/{pa}/map").json()["yaml"] == _MAP_YAML
    assert c.get(f"{url}/9").status_code == 404


def test_roles_and_workspace_isolation(store, world):
    alice, ha = client_for(store, "alice")
    pa, pb = world["pa"].id, world["pb"].id
    alice.post(f"/api/v1/projects/{pa}/map/versions", json={"yaml": _MAP_YAML, "base": None}, headers=ha)
    bob, hb = client_for(store, "bob")  # viewer: reads, cannot edit
    assert [p["id"] for p in bob.get("/api/v1/projects").json()] == [pa]
    assert bob.get(f"/api/v1/projects/{pa}/map").status_code == 200
    r = bob.post(f"/api/v1/projects/{pa}/map/versions", json={"yaml": _MAP_YAML, "base": 1}, headers=hb)
    assert r.status_code == 403 and "viewer" in r.json()["detail"]
    # another workspace's project does not exist for Alice: 404, the same as a project that does not exist
    for path in (f"/api/v1/projects/{pb}/map", f"/api/v1/projects/{pb}/map/versions"):
        assert alice.get(path).status_code == 404 == alice.get(path.replace(str(pb), "999999")).status_code
    assert alice.post(f"/api/v1/projects/{pb}/map/versions", json={"yaml": _MAP_YAML, "base": None},
                      headers=ha).status_code == 404
    carol, _ = client_for(store, "carol")
    assert [p["id"] for p in carol.get("/api/v1/projects").json()] == [pb]
