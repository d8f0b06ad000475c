"""A source whose file left the project's folder: the API answers 404 with what to do, for the
preview and the validation alike, and the source's page says the same. Through the real app."""

from __future__ import annotations

from html import unescape

from fastapi.testclient import TestClient

from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.web import create_app

MISSING = {"message": "the file of e.csv is missing from the project's data",
           "hint": "delete this source and upload the file again"}


def test_a_missing_file_is_404_for_preview_validation_and_page(store, tmp_path):
    alice = create_user(store, "alice@example.org", "Alice", "alice-password-1")
    ws = create_workspace(store, "Agence A")
    add_member(store, ws.id, alice.id, "editor")
    pid = create_project(store, ws.id, "Parcours achat").id
    data = tmp_path / "data"
    c = TestClient(create_app(store, secret="test-secret", data_dir=data, https_only=False))
    h = {"X-CSRF-Token": c.post("/api/v1/session", json={"email": "alice@example.org",
                                                         "password": "alice-password-1"}).json()["csrf"]}
    r = c.post(f"/api/v1/projects/{pid}/data", params={"filename": "e.csv"},
               headers={**h, "Content-Type": "application/octet-stream"},
               content=b"customer_id,timestamp,event\nc1,2026-01-01T10:00:00Z,visit\n")
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    (data / str(pid) / "e.csv").unlink()
    p = c.get(f"/api/v1/projects/{pid}/data/{sid}/preview")
    assert (p.status_code, p.json()["detail"]) == (404, MISSING)
    m = c.post(f"/api/v1/projects/{pid}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert (m.status_code, m.json()["detail"]) == (404, MISSING)
    page = c.get(f"/projects/{pid}/data/{sid}")
    assert page.status_code == 200 and MISSING["message"] in unescape(page.text) and MISSING["hint"] in page.text
    assert c.delete(f"/api/v1/projects/{pid}/data/{sid}", headers=h).status_code == 204
    assert c.get(f"/api/v1/projects/{pid}/data").json() == []
