"""CSV formula injection through the web app (issue 21): an uploaded events file whose broken rows
carry formulas; the quarantine download a member opens in a spreadsheet has every such text cell
quoted, and the row numbers stay numbers. SQLite and PostgreSQL, through the real app."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.web import create_app

LINK = '=HYPERLINK("http://evil.example","x")'
EVENTS = "\n".join([
    "customer_id,timestamp,event",
    "plain,2026-01-01T10:00:00Z,view",
    f'"{LINK.replace(chr(34), chr(34) * 2)}",not a time,+add',
    "-1+2,soon,@SUM(A1)",
    "@c4,2026-01-02T09:00:00Z,buy",
    "=cmd|' /C calc'!A0,later,-minus",
]) + "\n"


def test_quarantine_download_is_formula_safe(store, tmp_path):
    alice = create_user(store, "alice@example.org", "Alice", "alice-password-1")
    team = create_workspace(store, "Agence A")
    add_member(store, team.id, alice.id, "editor")
    project = create_project(store, team.id, "Parcours achat").id
    c = TestClient(create_app(store, secret="test-secret", data_dir=tmp_path / "data", https_only=False))
    r = c.post("/api/v1/session", json={"email": "alice@example.org", "password": "alice-password-1"})
    h = {"X-CSRF-Token": r.json()["csrf"]}
    r = c.post(f"/api/v1/projects/{project}/data", params={"filename": "events.csv", "kind": "events"},
               content=EVENTS.encode(), headers={**h, "Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    r = c.post(f"/api/v1/projects/{project}/data/{r.json()['id']}/mapping",
               json={"columns": {}}, headers=h)
    # 3 of 5 rows bad: refused past the bad-row limit (issue 23), its quarantine still downloadable
    assert r.status_code == 422, r.text
    d = r.json()["detail"]
    assert (d["report"]["read"], d["report"]["quarantined"]) == (5, 3)
    q = c.get(d["quarantine_url"])
    assert q.status_code == 200 and q.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(q.text, newline="")))
    assert [(r["row"], r["customer"], r["time"], r["event"]) for r in rows] == [
        ("2", "'" + LINK, "not a time", "'+add"),
        ("3", "'-1+2", "soon", "'@SUM(A1)"),
        ("5", "'=cmd|' /C calc'!A0", "later", "'-minus"),
    ]
    cells = [cell for row in csv.reader(io.StringIO(q.text, newline="")) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
