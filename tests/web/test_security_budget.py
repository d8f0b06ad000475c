"""Issue 21: compression bombs and row bombs no longer tie the server up. Preview reads a bounded
piece whatever the compression; validation runs in the background within the administrator's
budget (decompressed bytes, rows, seconds) and can be cancelled. Through the real app."""

from __future__ import annotations

import gzip
import io
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from parcours.store import sources
from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.web import create_app


@pytest.fixture
def world(store, tmp_path):
    alice = create_user(store, "alice@example.org", "Alice", "alice-password-1")
    ws = create_workspace(store, "Agence A")
    add_member(store, ws.id, alice.id, "editor")
    project = create_project(store, ws.id, "Parcours achat")
    data = tmp_path / "data"
    (data / str(project.id)).mkdir(parents=True)
    c = TestClient(create_app(store, secret="test-secret", data_dir=data, https_only=False))
    r = c.post("/api/v1/session", json={"email": "alice@example.org", "password": "alice-password-1"})
    assert r.status_code == 200, r.text
    return {"c": c, "h": {"X-CSRF-Token": r.json()["csrf"]}, "pid": project.id, "folder": data / str(project.id),
            "alice": alice}


def _csv_lines(n: int) -> bytes:
    rows = "".join(f"c{i % 997},2026-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z,ev{i % 7}\n"
                   for i in range(n))
    return ("customer_id,timestamp,event\n" + rows).encode()


def _source(store, world, name: str, fmt: str, path_bytes: bytes | None = None) -> int:
    """A file placed in the project's folder and registered as a source (as an upload leaves it)."""
    path = world["folder"] / name
    if path_bytes is not None:
        path.write_bytes(path_bytes)
    row = sources.add(store, world["pid"], name=name, original_name=name, kind="events", format=fmt,
                      size=path.stat().st_size, uploaded_by=world["alice"].id,
                      columns='{"roles": null, "options": {}}')
    return row.id


def test_preview_of_a_gzip_reads_a_bounded_piece(store, world):
    """A 300 KB gzip that expands to 60 MB: the preview read it whole (62 s for the review's 3.2 GB
    one). Cut in the middle, the file cannot be read whole, so a preview that answers read only
    its first part."""
    whole = gzip.compress(_csv_lines(2_000_000), compresslevel=9)
    sid = _source(store, world, "bomb.csv.gz", "csv", whole[: len(whole) // 2])
    with gzip.open(io.BytesIO(whole[: len(whole) // 2])) as f, pytest.raises(EOFError):
        while f.read(1 << 20):
            pass
    p = world["c"].get(f"/api/v1/projects/{world['pid']}/data/{sid}/preview")
    assert p.status_code == 200, p.text
    assert p.json()["sampled"] is True and p.json()["columns"] == ["customer_id", "timestamp", "event"]
    assert p.json()["preview"][:2] == [["c0", "2026-01-01T00:00:00Z", "ev0"], ["c1", "2026-01-01T00:00:01Z", "ev1"]]


def test_preview_of_a_parquet_with_millions_of_rows_reads_its_first_rows(store, world):
    n = 3_000_000
    table = pa.table({"customer_id": pa.array(["c"] * n), "timestamp": pa.array(["2026-01-01T00:00:00Z"] * n),
                      "event": pa.array([f"e{i % 5}" for i in range(n)])})
    pq.write_table(table, world["folder"] / "rows.parquet", row_group_size=1_000_000)
    sid = _source(store, world, "rows.parquet", "parquet")
    p = world["c"].get(f"/api/v1/projects/{world['pid']}/data/{sid}/preview").json()
    assert p["sampled"] is True and len(p["preview"]) == 20 and p["preview"][3] == ["c", "2026-01-01T00:00:00Z", "e3"]


def test_validation_refuses_what_expands_past_the_budget(store, world, monkeypatch):
    monkeypatch.setenv("PARCOURS_VALIDATE_MAX_MB", "1")
    sid = _source(store, world, "big.csv.gz", "csv", gzip.compress(_csv_lines(200_000)))  # 5.6 MB expanded
    r = world["c"].post(f"/api/v1/projects/{world['pid']}/data/{sid}/mapping", json={"columns": {}},
                        headers=world["h"])
    assert r.status_code == 413, r.text
    d = r.json()["detail"]
    assert "expands to over 1 MB once decompressed" in d["message"] and "PARCOURS_VALIDATE_MAX_MB=1" in d["hint"]
    # nothing was kept as validated
    assert sources.current(store, world["pid"], "events") is None


def test_validation_refuses_a_parquet_over_the_row_budget_from_its_footer(store, world, monkeypatch):
    monkeypatch.setenv("PARCOURS_VALIDATE_MAX_ROWS", "1000")
    pq.write_table(pa.table({"customer_id": ["c"] * 5000, "timestamp": ["2026-01-01T00:00:00Z"] * 5000,
                             "event": ["e"] * 5000}), world["folder"] / "rows.parquet")
    sid = _source(store, world, "rows.parquet", "parquet")
    r = world["c"].post(f"/api/v1/projects/{world['pid']}/data/{sid}/mapping", json={"columns": {}},
                        headers=world["h"])
    assert r.status_code == 413 and "holds 5,000 rows" in r.json()["detail"]["message"], r.text


def _wait(c, url: str, seconds: float = 60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r = c.get(url)
        if r.status_code != 202:
            return r
        time.sleep(0.1)
    raise AssertionError(f"{url} still running after {seconds} s")


def test_a_long_validation_answers_at_once_and_can_be_cancelled(store, world):
    sid = _source(store, world, "long.csv", "csv", _csv_lines(3_000_000))
    base = f"/api/v1/projects/{world['pid']}/data/{sid}"
    r = world["c"].post(f"{base}/mapping", params={"wait": 0}, json={"columns": {}}, headers=world["h"])
    assert r.status_code == 202, r.text
    status_url = r.json()["status_url"]
    assert status_url.startswith(f"{base}/validation/") and "DELETE" in r.json()["message"]
    assert world["c"].delete(status_url, headers=world["h"]).json()["cancelled"] is True
    r = _wait(world["c"], status_url)
    assert r.status_code == 413 and "cancelled" in r.json()["detail"]["message"], r.text
    assert sources.current(store, world["pid"], "events") is None
    # the same file within its budget validates completely
    r = world["c"].post(f"{base}/mapping", params={"wait": 0}, json={"columns": {}}, headers=world["h"])
    r = _wait(world["c"], r.json()["status_url"], 300) if r.status_code == 202 else r
    assert r.status_code == 200 and (r.json()["read"], r.json()["accepted"]) == (3_000_000, 3_000_000), r.text


def test_a_validation_past_its_time_budget_is_stopped(store, world, monkeypatch):
    monkeypatch.setenv("PARCOURS_VALIDATE_MAX_SECONDS", "0.3")
    sid = _source(store, world, "slow.csv", "csv", _csv_lines(3_000_000))
    r = world["c"].post(f"/api/v1/projects/{world['pid']}/data/{sid}/mapping", params={"wait": 0},
                        json={"columns": {}}, headers=world["h"])
    r = _wait(world["c"], r.json()["status_url"]) if r.status_code == 202 else r
    assert r.status_code == 413, r.text
    assert "takes over 0.3 s" in r.json()["detail"]["message"]
    assert "PARCOURS_VALIDATE_MAX_SECONDS=0.3" in r.json()["detail"]["hint"]


def test_the_editor_role_is_needed_to_cancel(store, world):
    bob = create_user(store, "bob@example.org", "Bob", "bob-password-1")
    add_member(store, _workspace_of(store, world["pid"]), bob.id, "viewer")
    c = TestClient(world["c"].app)
    r = c.post("/api/v1/session", json={"email": "bob@example.org", "password": "bob-password-1"})
    h = {"X-CSRF-Token": r.json()["csrf"]}
    sid = _source(store, world, "x.csv", "csv", _csv_lines(10))
    assert c.delete(f"/api/v1/projects/{world['pid']}/data/{sid}/validation/abc", headers=h).status_code == 403


def _workspace_of(store, project_id: int) -> int:
    from parcours.store.workspaces import get_project

    return get_project(store, project_id).workspace_id


def test_an_upload_that_expands_past_the_budget_is_refused_and_not_kept(store, world, monkeypatch):
    monkeypatch.setenv("PARCOURS_VALIDATE_MAX_MB", "1")
    r = world["c"].post(f"/api/v1/projects/{world['pid']}/data", params={"filename": "bomb.csv.gz"},
                        content=gzip.compress(_csv_lines(200_000)),
                        headers={**world["h"], "Content-Type": "application/octet-stream"})
    assert r.status_code == 413 and "expands to over 1 MB" in r.json()["detail"]["message"], r.text
    assert [p.name for p in world["folder"].iterdir()] == []
