"""The project's data over HTTP, on SQLite and PostgreSQL: streamed uploads with their size and
type checks, detected column roles and preview, validation with quarantined rows (checked
against pandas), roles and workspace isolation, tables, the pages, and the inputs the live
map measures (``events_input`` / ``feedback_input``), measured with ``parcours.project.analyze``."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.web import create_app
from parcours.project.sources import events_input, feedback_input

OCTET = {"Content-Type": "application/octet-stream"}


@pytest.fixture
def world(store, tmp_path):
    """Workspace A (Alice editor, Bob viewer, one project) and workspace B (Carol admin, one project)."""
    users = {n: create_user(store, f"{n}@example.org", n.title(), f"{n}-password-1") for n in ("alice", "bob", "carol")}
    a, b = create_workspace(store, "Agence A"), create_workspace(store, "Banque B")
    add_member(store, a.id, users["alice"].id, "editor")
    add_member(store, a.id, users["bob"].id, "viewer")
    add_member(store, b.id, users["carol"].id, "admin")
    return {"pa": create_project(store, a.id, "Parcours achat"), "pb": create_project(store, b.id, "Ouverture de compte"),
            "data": tmp_path / "data", **users}


def client_for(store, world, who: str) -> tuple[TestClient, dict[str, str]]:
    c = TestClient(create_app(store, secret="test-secret", data_dir=world["data"], https_only=False))
    r = c.post("/api/v1/session", json={"email": f"{who}@example.org", "password": f"{who}-password-1"})
    assert r.status_code == 200, r.text
    return c, {"X-CSRF-Token": r.json()["csrf"]}


def upload(c, h, pid, name, content, kind="events"):
    return c.post(f"/api/v1/projects/{pid}/data", params={"filename": name, "kind": kind}, content=content,
                  headers={**h, **OCTET})


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"


def test_upload_preview_validate_helpdesk(store, world, shared_data):
    from parcours.ingest import read_events
    from parcours.ingest.roles import resolve_roles

    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    src = shared_data / HELPDESK
    r = upload(c, h, pa, src.name, src.read_bytes())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body == {"id": body["id"], "name": "helpdesk_events.csv.gz", "original_name": "helpdesk_events.csv.gz",
                    "format": "csv", "size": src.stat().st_size, "kind": "events", "notes": []}
    folder = world["data"] / str(pa)
    assert (folder / body["name"]).read_bytes() == src.read_bytes()  # stored as sent
    assert files(folder) == ["helpdesk_events.csv.gz"]  # no temporary file left
    sid = body["id"]

    p = c.get(f"/api/v1/projects/{pa}/data/{sid}/preview").json()
    header = pd.read_csv(src, nrows=20, dtype=str, keep_default_na=False)
    assert p["columns"] == list(header.columns)
    assert p["detected"] == resolve_roles(list(header.columns)).roles  # the ingest layer's own detection
    assert p["detected"] == {"customer": "case:concept:name", "event": "concept:name", "time": "time:timestamp"}
    assert p["schema"] == "XES" and p["missing"] == [] and "problem" not in p
    assert p["preview"] == header.values.tolist() and p["sampled"] is True  # gzip: always a bounded piece

    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["read"], rep["accepted"], rep["quarantined"]) == (21_348, 21_348, 0)  # README: 21,348 events
    expected = read_events(src, max_bad_rows="100%").report
    assert rep["read"] == expected.read and rep["columns"] == expected.detection.roles
    assert rep["first_problems"] == [] and str(world["data"]) not in json.dumps(rep)  # no server path
    listed = c.get(f"/api/v1/projects/{pa}/data").json()
    assert [(s["id"], s["mapped"], s["report"]["read"]) for s in listed] == [(sid, True, 21_348)]
    q = c.get(listed[0]["quarantine_url"])
    assert q.status_code == 200 and pd.read_csv(io.StringIO(q.text)).empty


def test_a_large_csv_is_previewed_on_its_first_megabyte(store, world, shared_data, monkeypatch):
    import parcours.project.sources as data

    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    src = shared_data / HELPDESK
    sid = upload(c, h, pa, src.name, src.read_bytes()).json()["id"]
    monkeypatch.setattr(data, "SAMPLE_OVER", 1000)
    p = c.get(f"/api/v1/projects/{pa}/data/{sid}/preview").json()
    header = pd.read_csv(src, nrows=20, dtype=str, keep_default_na=False)
    assert p["sampled"] is True and p["columns"] == list(header.columns)
    assert p["preview"] == header.values.tolist() and p["schema"] == "XES"


def test_bad_column_and_bad_role_are_422(store, world, shared_data):
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    sid = upload(c, h, pa, "helpdesk.csv.gz", (shared_data / HELPDESK).read_bytes()).json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {"customer": "client"}}, headers=h)
    assert r.status_code == 422
    d = r.json()["detail"]
    assert "'client'" in d["message"] and "customer" in d["message"] and "case:concept:name" in d["hint"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {"buyer": "customer"}}, headers=h)
    assert r.status_code == 422 and "'buyer'" in r.json()["detail"]["message"]
    assert "channel" in r.json()["detail"]["hint"]
    assert c.get(f"/api/v1/projects/{pa}/data/{sid}").json()["mapped"] is False  # nothing stored


def test_broken_rows_are_quarantined_and_downloadable(store, world, shared_data):
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    df = pd.read_csv(shared_data / HELPDESK, dtype=str, keep_default_na=False).head(3000)
    broken = [41, 1234, 2999]  # 0-based data rows
    for i in broken:
        df.loc[i, "time:timestamp"] = f"not a date {i}"
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    r = upload(c, h, pa, "helpdesk broken.csv", buf.getvalue().encode())
    assert r.status_code == 201 and r.json()["name"] == "helpdesk_broken.csv"  # a safe name, the original kept
    sid = r.json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 200, r.text
    rep = r.json()
    # Independent count: pandas cannot parse exactly these times.
    bad = pd.to_datetime(df["time:timestamp"], errors="coerce", utc=True, format="ISO8601").isna()
    assert list(df.index[bad]) == broken
    assert (rep["read"], rep["accepted"], rep["quarantined"]) == (3000, 2997, 3)
    assert rep["read"] == rep["accepted"] + rep["quarantined"]
    assert [p["row"] for p in rep["first_problems"]] == [i + 1 for i in broken]  # data rows, 1-based
    assert all("time:timestamp" in p["reason"] and "not a date" in p["reason"] for p in rep["first_problems"])
    q = c.get(rep["quarantine_url"])
    assert q.status_code == 200 and q.headers["content-type"].startswith("text/csv")
    quarantined = pd.read_csv(io.StringIO(q.text), dtype=str)
    assert list(quarantined["row"].astype(int)) == [i + 1 for i in broken]
    assert list(quarantined["time"]) == [f"not a date {i}" for i in broken]
    assert list(quarantined["customer"]) == list(df.loc[broken, "case:concept:name"])
    assert (world["data"] / str(pa) / "helpdesk_broken.csv.quarantine.csv").is_file()
    # the source page tells both numbers and links the download
    page = c.get(f"/projects/{pa}/data/{sid}").text
    assert "3,000" in page and "2,997" in page and rep["quarantine_url"] in page


def test_size_limit_while_streaming_and_from_content_length(store, world, shared_data, monkeypatch):
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    monkeypatch.setenv("PARCOURS_MAX_UPLOAD_MB", "0.05")  # 52,428 bytes
    content = (shared_data / HELPDESK).read_bytes()[:200_000]
    r = upload(c, h, pa, "big.csv.gz", content)  # Content-Length says it is too big
    assert r.status_code == 413 and "upload limit" in r.json()["detail"]["message"]

    def chunks():  # no Content-Length: the limit is checked while the body streams in
        for i in range(0, len(content), 16_384):
            yield content[i:i + 16_384]

    r = c.post(f"/api/v1/projects/{pa}/data", params={"filename": "big.csv.gz"}, content=chunks(), headers={**h, **OCTET})
    assert r.status_code == 413 and "PARCOURS_MAX_UPLOAD_MB" in r.json()["detail"]["hint"]
    assert files(world["data"] / str(pa)) == []  # the partial file was removed
    assert c.get(f"/api/v1/projects/{pa}/data").json() == []
    small = b"customer_id,timestamp,event\nc1,2026-01-05T10:00:00Z,visit\n"
    assert upload(c, h, pa, "small.csv", small).status_code == 201  # under the limit


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cf"
                    "c0f01f0005000201e2213bd10000000049454e44ae426082")


WRONG = [
    ("events.csv", PNG, 415, "PNG image"),
    ("events.parquet", b"customer_id,timestamp,event\nc1,2026-01-05,visit\n", 415, "text starting 'customer_id"),
    ("events.xlsx", b"PK\x03\x04rest", 415, "not a readable .xlsx workbook"),
    ("events.xlsx", PNG, 415, "not an .xlsx workbook: found a PNG image"),
    ("events.xls", b"\xd0\xcf\x11\xe0rest", 415, "not accepted"),
    ("events.csv.gz", b"customer_id,timestamp,event\n", 415, "not gzip"),
    ("events.xes", b"<?xml version='1.0'?>\n<!-- a comment -->\n<html><body/></html>", 415, "root is <html>"),
    ("events.jsonl", b"\n[1, 2, 3]\n", 415, "line 2: not JSON Lines"),
    ("events.jsonl", b'{"customer": "c1", oops}\n', 415, "line 1"),
    ("events.csv", b"just one column\nand no delimiter\n", 415, "no delimiter"),
    ("events.csv", b"", 422, "empty"),
    ("events.csv", "customer_id,timestamp,event\n".encode("utf-16"), 415, "UTF-16"),
]


def test_wrong_types_are_refused(store, world):
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    for name, content, status, found in WRONG:
        r = upload(c, h, pa, name, content)
        assert r.status_code == status, (name, r.text)
        d = r.json()["detail"]
        assert found in d["message"] and d["hint"], (name, d)
    assert files(world["data"] / str(pa)) == [] and c.get(f"/api/v1/projects/{pa}/data").json() == []


def test_truncated_parquet_and_accepted_formats(store, world, shared_data, tmp_path):
    import pyarrow as pa_
    import pyarrow.parquet as pq

    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    df = pd.read_csv(shared_data / HELPDESK, dtype=str, keep_default_na=False).head(50)
    pq.write_table(pa_.Table.from_pandas(df, preserve_index=False), tmp_path / "e.parquet")
    whole = (tmp_path / "e.parquet").read_bytes()
    r = upload(c, h, pa, "e.parquet", whole[:-10])
    assert r.status_code == 415 and "incomplete" in r.json()["detail"]["message"]
    r = upload(c, h, pa, "e.parquet", whole)
    assert r.status_code == 201 and r.json()["format"] == "parquet"
    lines = "\n".join(json.dumps(rec) for rec in df.to_dict("records")).encode()
    r = upload(c, h, pa, "e.jsonl.gz", gzip.compress(lines))
    assert r.status_code == 201 and r.json()["format"] == "jsonl"
    jid = r.json()["id"]
    rep = c.post(f"/api/v1/projects/{pa}/data/{jid}/mapping", json={"columns": {}}, headers=h).json()
    assert (rep["read"], rep["accepted"], rep["quarantined"]) == (50, 50, 0)
    # the same name twice: the second is stored beside the first, never over it
    assert upload(c, h, pa, "e.parquet", whole).json()["name"] == "e-2.parquet"
    assert upload(c, h, pa, "../../e.parquet", whole).json()["name"] == "e-3.parquet"  # no path traversal
    assert files(world["data"] / str(pa)) == ["e-2.parquet", "e-3.parquet", "e.jsonl.gz", "e.jsonl.gz.quarantine.csv",
                                              "e.parquet"]


def test_latin1_csv_is_converted_with_a_note(store, world):
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    text = "customer_id;timestamp;event\nc1;2026-01-05T10:00:00Z;réservation\nc1;2026-01-05T11:00:00Z;payé\n"
    r = upload(c, h, pa, "latin.csv", text.encode("latin-1"))
    assert r.status_code == 201 and "Latin-1" in r.json()["notes"][0]
    assert (world["data"] / str(pa) / "latin.csv").read_text(encoding="utf-8") == text
    p = c.get(f"/api/v1/projects/{pa}/data/{r.json()['id']}/preview").json()
    assert [row[2] for row in p["preview"]] == ["réservation", "payé"]


def test_xes_upload_matches_read_events(store, world, shared_data):
    from parcours.ingest import read_events

    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    src = shared_data / "pm_running_example" / "running-example.xes"
    r = upload(c, h, pa, src.name, src.read_bytes())
    assert r.status_code == 201 and r.json()["format"] == "xes"
    sid = r.json()["id"]
    p = c.get(f"/api/v1/projects/{pa}/data/{sid}/preview").json()
    assert p["schema"] == "XES" and p["detected"]["event"] == "concept:name" and len(p["preview"]) == 20
    rep = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h).json()
    expected = read_events(src).report
    assert (rep["read"], rep["accepted"], rep["quarantined"]) == (expected.read, expected.accepted, 0) == (42, 42, 0)


def test_missing_roles_are_shown_with_the_hint(store, world):
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    content = b"who,when,what\nc1,2026-01-05T10:00:00Z,visit\nc2,2026-01-05T10:00:00Z,buy\n"
    sid = upload(c, h, pa, "odd.csv", content).json()["id"]
    p = c.get(f"/api/v1/projects/{pa}/data/{sid}/preview").json()
    assert p["detected"] == {} and p["missing"] == ["customer", "time", "event"]
    # the web's way to give them: the column-mapping form of the Data tab, not the CLI's --columns
    assert "--columns" not in p["problem"]["hint"] and f"/projects/{pa}/data" in p["problem"]["hint"]
    assert p["problem"]["missing"] == ["customer", "time", "event"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {"customer": "who"}}, headers=h)
    assert r.status_code == 422 and "time" in r.json()["detail"]["message"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping",
               json={"columns": {"customer": "who", "time": "when", "event": "what"}}, headers=h)
    assert r.status_code == 200 and r.json()["accepted"] == 2


def test_no_usable_row_is_422_with_the_report(store, world):
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    sid = upload(c, h, pa, "e.csv", b"customer_id,timestamp,event\nc1,yesterday,visit\nc2,soon,buy\n").json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 422
    d = r.json()["detail"]
    # past the bad-row limit before "no usable event": the CLI's message (issue 23)
    assert "2 of 2 rows cannot be used" in d["message"] and (d["report"]["read"], d["report"]["quarantined"]) == (2, 2)
    q = pd.read_csv(io.StringIO(c.get(d["quarantine_url"]).text))
    assert list(q["row"]) == [1, 2] and list(q["time"]) == ["yesterday", "soon"]
    assert c.get(f"/api/v1/projects/{pa}/data/{sid}").json()["mapped"] is False


def test_roles_and_workspace_isolation(store, world, shared_data):
    alice, ha = client_for(store, world, "alice")
    pa, pb = world["pa"].id, world["pb"].id
    content = (shared_data / HELPDESK).read_bytes()
    sid = upload(alice, ha, pa, "h.csv.gz", content).json()["id"]
    alice.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=ha)
    bob, hb = client_for(store, world, "bob")  # viewer: sees, downloads; cannot upload, validate or delete
    assert upload(bob, hb, pa, "h.csv.gz", content).status_code == 403
    assert bob.get(f"/api/v1/projects/{pa}/data").status_code == 200
    assert bob.get(f"/api/v1/projects/{pa}/data/{sid}/preview").status_code == 200
    assert bob.get(f"/api/v1/projects/{pa}/data/{sid}/quarantine.csv").status_code == 200
    assert bob.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=hb).status_code == 403
    assert bob.delete(f"/api/v1/projects/{pa}/data/{sid}", headers=hb).status_code == 403
    assert bob.post(f"/api/v1/projects/{pa}/data/table", json={"url": "duckdb:///x.duckdb", "table": "t"},
                    headers=hb).status_code == 403
    page = bob.get(f"/projects/{pa}/data").text
    assert "h.csv.gz" in page and '<form id="upload"' not in page and 'data-delete="' not in page
    carol, hc = client_for(store, world, "carol")  # another workspace: the project does not exist for her
    for path in (f"/api/v1/projects/{pa}/data", f"/api/v1/projects/{pa}/data/{sid}/preview",
                 f"/api/v1/projects/{pa}/data/{sid}/quarantine.csv", f"/api/v1/projects/{pa}/data/{sid}"):
        assert carol.get(path).status_code == 404
    assert upload(carol, hc, pa, "h.csv.gz", content).status_code == 404
    assert carol.delete(f"/api/v1/projects/{pa}/data/{sid}", headers=hc).status_code == 404
    # her own project cannot reach Alice's source by its id either
    assert carol.get(f"/api/v1/projects/{pb}/data/{sid}/preview").status_code == 404
    assert carol.get(f"/api/v1/projects/{pb}/data/{sid}/quarantine.csv").status_code == 404
    assert carol.delete(f"/api/v1/projects/{pb}/data/{sid}", headers=hc).status_code == 404
    assert files(world["data"] / str(pb)) == []
    # no CSRF token with the session cookie: refused before anything is written
    assert alice.post(f"/api/v1/projects/{pa}/data", params={"filename": "x.csv"}, content=b"a,b\n1,2\n",
                      headers=OCTET).status_code == 403
    # Alice deletes: file, quarantine file and row go
    assert alice.delete(f"/api/v1/projects/{pa}/data/{sid}", headers=ha).status_code == 204
    assert files(world["data"] / str(pa)) == [] and alice.get(f"/api/v1/projects/{pa}/data").json() == []


def test_pages_escape_the_file_content(store, world):
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    content = ('customer_id,timestamp,event,"<script>alert(1)</script>"\n'
               'c1,2026-01-05T10:00:00Z,"<img src=x onerror=alert(2)>",x\n').encode()
    sid = upload(c, h, pa, "<b>evil<b>.csv", content).json()["id"]
    listing = c.get(f"/projects/{pa}/data")
    assert listing.status_code == 200 and '<form id="upload"' in listing.text and 'aria-current="page"' in listing.text
    assert "&lt;b&gt;evil&lt;b&gt;.csv" in listing.text and "<b>evil" not in listing.text
    page = c.get(f"/projects/{pa}/data/{sid}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert 'id="role-customer"' in page and '<option value="customer_id" selected>' in page
    assert c.get(f"/projects/{pa}/data/999999").status_code == 404


def _map_demo(c, h, pa, folder: Path) -> tuple[int, int]:
    ev = upload(c, h, pa, "events.csv", (folder / "events.csv").read_bytes()).json()["id"]
    fb = upload(c, h, pa, "feedback.csv", (folder / "feedback.csv").read_bytes(), kind="feedback").json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{ev}/mapping", json={"columns": {"value": "amount"}}, headers=h)
    assert r.status_code == 200, r.text
    r = c.post(f"/api/v1/projects/{pa}/data/{fb}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["read"] == r.json()["accepted"] + r.json()["quarantined"] > 0
    return ev, fb


def test_events_and_feedback_inputs_measure_the_demo(store, world, tmp_path):
    from parcours.demo import demo_map, write_demo
    from parcours.ingest import read_events
    from parcours.ingest.feedback import read_feedback
    from parcours.project import analyze

    demo = write_demo(tmp_path / "demo", customers=150)
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    folder = world["data"] / str(pa)
    assert events_input(store, folder, pa) is None and feedback_input(store, folder, pa) is None
    ev, fb = _map_demo(c, h, pa, tmp_path / "demo")
    got = events_input(store, folder, pa)
    assert got["events"] == folder / "events.csv" and got["read"]["fmt"] == "csv"
    assert got["read"]["columns"] == {"customer": "customer_id", "time": "timestamp", "event": "event",
                                      "channel": "channel", "value": "amount"}
    fbi = feedback_input(store, folder, pa)
    assert fbi["feedback"] == folder / "feedback.csv"
    m = demo_map()
    result = analyze(got["events"], m, feedback=str(fbi["feedback"]), **got["read"], **fbi["read"])
    original = read_events(demo.events_path, columns=dict(m.source.columns))
    assert result.data["summary"]["events"] == original.report.kept == demo.events
    expected_fb = read_feedback(demo.feedback_path, m).report
    got_fb = result.data["feedback"]["input"]
    assert (got_fb["read"], got_fb["accepted"]) == (expected_fb.read, expected_fb.accepted) == (demo.answers, demo.answers)
    # the key changes when the mapping changes, and when the file does
    key = got["key"]
    c.post(f"/api/v1/projects/{pa}/data/{ev}/mapping", json={"columns": {"value": "amount"}, "timezone": "Europe/Paris"},
           headers=h)
    assert events_input(store, folder, pa)["key"] != key
    assert events_input(store, folder, pa)["read"]["timezone"] == "Europe/Paris"
    # deleting the sources: back to None (the live map falls back to the map's source.path)
    c.delete(f"/api/v1/projects/{pa}/data/{ev}", headers=h)
    c.delete(f"/api/v1/projects/{pa}/data/{fb}", headers=h)
    assert events_input(store, folder, pa) is None and feedback_input(store, folder, pa) is None


def test_duckdb_table_source(store, world, tmp_path):
    import duckdb

    from parcours.demo import demo_events

    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    (world["data"] / str(pa)).mkdir(parents=True, exist_ok=True)
    db = world["data"] / str(pa) / "warehouse.duckdb"
    events = demo_events(60)
    con = duckdb.connect(str(db))
    con.register("ev_arrow", events)
    con.execute("CREATE TABLE journeys AS SELECT * FROM ev_arrow")
    n = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
    con.close()
    outside = tmp_path / "elsewhere.duckdb"
    duckdb.connect(str(outside)).close()
    r = c.post(f"/api/v1/projects/{pa}/data/table", json={"file": str(outside), "table": "journeys"}, headers=h)
    assert r.status_code == 422 and "outside the project's data" in r.json()["detail"]["message"]
    r = c.post(f"/api/v1/projects/{pa}/data/table", json={"file": "warehouse.duckdb", "table": "nope"}, headers=h)
    assert r.status_code == 422 and "journeys" in r.json()["detail"]["hint"]
    # the former form (a duckdb:// URL) keeps working inside the project's folder
    r = c.post(f"/api/v1/projects/{pa}/data/table", json={"url": f"duckdb://{db}", "table": "journeys"}, headers=h)
    assert r.status_code == 201, r.text
    r = c.post(f"/api/v1/projects/{pa}/data/table", json={"file": "warehouse.duckdb", "table": "journeys"}, headers=h)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert r.json()["format"] == "table" and r.json()["table"] == {"file": "warehouse.duckdb", "table": "journeys"}
    p = c.get(f"/api/v1/projects/{pa}/data/{sid}/preview").json()
    assert {"customer", "time", "event"} <= set(p["detected"]) and len(p["preview"]) == 20
    rep = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h).json()
    assert (rep["read"], rep["accepted"], rep["quarantined"]) == (n, n, 0)
    got = events_input(store, world["data"] / str(pa), pa)
    assert got["events"].count().execute() == n and got["read"]["fmt"] is None


def test_table_passwords_are_never_shown(store, world, postgres_url):
    import secrets

    import psycopg

    from parcours.store.grants import add_connection

    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    r = c.post(f"/api/v1/projects/{pa}/data/table",
               json={"url": "postgresql://someone:S3cretPassw0rd@127.0.0.1:1/nothing", "table": "events"}, headers=h)
    assert r.status_code == 422 and "S3cretPassw0rd" not in r.text
    r = c.post(f"/api/v1/projects/{pa}/data/table", json={"url": "mysql://a:b@host/db", "table": "t"}, headers=h)
    assert r.status_code == 422 and "named connection" in r.json()["detail"]["hint"]
    # a registered connection that does not answer: its error hides the password too
    add_connection(store, world["pa"].workspace_id, "down", "postgresql://someone:S3cretPassw0rd@127.0.0.1:1/nothing")
    r = c.post(f"/api/v1/projects/{pa}/data/table", json={"connection": "down", "table": "events"}, headers=h)
    assert r.status_code == 422 and "S3cretPassw0rd" not in r.text, r.text
    # a real PostgreSQL table, read through the same mapping step
    schema = f"src_{secrets.token_hex(4)}"
    server = postgres_url.replace("postgres://", "postgresql://", 1)
    add_connection(store, world["pa"].workspace_id, "crm", server)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".events (customer_id text, timestamp text, event text)')
        conn.execute(f'INSERT INTO "{schema}".events VALUES (%s, %s, %s), (%s, %s, %s), (%s, %s, %s)',
                     ["c1", "2026-01-05T10:00:00Z", "visit", "c1", "2026-01-05T10:05:00Z", "buy",
                      "c2", "not a time", "visit"])
    try:
        r = c.post(f"/api/v1/projects/{pa}/data/table", json={"connection": "crm", "table": f"{schema}.events"},
                   headers=h)
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
        assert r.status_code == 422 and "S3cretPassw0rd" not in r.text  # 1 of 3 rows bad: past the limit
        rep = r.json()["detail"]["report"]
        assert (rep["read"], rep["accepted"], rep["quarantined"]) == (3, 2, 1)
        assert [p["row"] for p in rep["first_problems"]] == [3]
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_upload_and_validate_in_the_browser(store, world, browser, shared_data, tmp_path):
    """A person uploads a file on the Data page (streamed with its progress), lands on the column
    mapping with the detected roles, validates, and reads the report with the quarantine link."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    df = pd.read_csv(shared_data / HELPDESK, dtype=str, keep_default_na=False).head(500)
    df.loc[[7, 300], "time:timestamp"] = "31/02/2013"
    df.to_csv(tmp_path / "tickets export.csv", index=False)
    app = create_app(store, secret="test-secret", data_dir=world["data"], https_only=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/api/v1/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    page = browser.new_page()
    try:
        page.goto(f"{base}/login")
        page.fill("input[type=email]", "alice@example.org")
        page.fill("input[type=password]", "alice-password-1")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/")
        pa = world["pa"].id
        page.goto(f"{base}/projects/{pa}/data")
        page.set_input_files("#file", str(tmp_path / "tickets export.csv"))
        page.click("#send")
        page.wait_for_url(f"{base}/projects/{pa}/data/*")
        assert page.input_value("#role-customer") == "case:concept:name"
        assert page.input_value("#role-time") == "time:timestamp" and page.input_value("#role-channel") == ""
        page.click("#validate")
        page.wait_for_selector("text=Download the quarantined rows")
        assert "Rows read 500 = accepted 498 + quarantined 2." in " ".join(page.inner_text("p.totals").split())
        rows = page.locator("section table tbody tr").all_inner_texts()
        assert [r.split()[0] for r in rows[:2]] == ["8", "301"]
        page.goto(f"{base}/projects/{pa}/data")
        assert page.inner_text("td .badge") == "in use"
    finally:
        page.close()
        server.should_exit = True
        thread.join(timeout=10)


def test_the_data_page_offers_connections_by_name_and_its_ids_are_unique(store, world):
    import re

    from parcours.store.grants import add_connection

    add_connection(store, world["pa"].workspace_id, "crm", "postgresql://reader:S3cret@db.internal/crm")
    c, _ = client_for(store, world, "alice")
    html = c.get(f"/projects/{world['pa'].id}/data").text
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert '<option value="crm">crm</option>' in html and "S3cret" not in html and "db.internal" not in html
    assert 'id="duckdb-file"' in html and 'name="url"' not in html


def test_dates_as_exported_through_the_upload(store, world, shared_data):
    """Issue 25, §2, the web way: a help-desk export dated the US way (12-hour clock) is read
    to the instants of the ISO file; an ambiguous one is refused saying which form field to
    fill (not the CLI's flag), in the user's language, and reads once "How dates are written" says."""
    from parcours.ingest import read_events

    df = pd.read_csv(shared_data / HELPDESK).iloc[:600][["case:concept:name", "concept:name", "time:timestamp"]]
    instants = pd.to_datetime(df["time:timestamp"], utc=True)
    us = df.assign(**{"time:timestamp": instants.dt.strftime("%m/%d/%Y %I:%M:%S %p")})
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    sid = upload(c, h, pa, "tickets_us.csv", us.to_csv(index=False).encode()).json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["read"], r.json()["accepted"]) == (600, 600)
    ev = events_input(store, world["data"] / str(pa), pa)
    log = read_events(ev["events"], **ev["read"])
    got = log.con.execute(log.table.order_by("_seq"))["_ts"].dt.tz_convert("UTC").reset_index(drop=True)
    assert got.equals(instants.reset_index(drop=True))

    ambiguous = b"customer,time,event\nc1,03/01/2026 10:02:00 AM,visit\nc1,03/02/2026 09:15:00 AM,order\n"
    sid = upload(c, h, pa, "ambiguous.csv", ambiguous).json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers={**h, "Accept-Language": "fr"})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d["dates"] == "ambiguous" and d["examples"][0]["row"] == 1
    assert "ambiguës" in d["message"] and "Écriture des dates" in d["hint"] and "--date-format" not in d["hint"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}, "date_format": "us"}, headers=h)
    assert r.status_code == 200 and r.json()["accepted"] == 2
    assert c.get(f"/api/v1/projects/{pa}/data/{sid}").json()["options"]["date_format"] == "us"
    for bad in ("dmy", "%Q"):  # refused before the file is read, naming the field
        r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}, "date_format": bad}, headers=h)
        assert r.status_code == 422 and "date_format" in r.text, r.text


def test_a_survey_export_through_the_upload(store, world, shared_data, tmp_path):
    """Issue 25, §1, the web way: a Qualtrics export of real reviews uploaded as survey answers
    shows its questions, found by their wording, in the column-mapping form (its two header
    rows are not in the preview); validated as found, it gives the stacked answers; a question
    chosen otherwise in the form is read so; a kind that does not exist is refused (422)."""
    import re

    from tests.ingest.test_surveys import long_form, write

    from parcours.ingest.feedback import read_feedback

    wide = _survey_answers(shared_data)
    write(wide, "qualtrics", tmp_path / "export.csv")
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    sid = upload(c, h, pa, "export.csv", (tmp_path / "export.csv").read_bytes(), kind="feedback").json()["id"]
    html = c.get(f"/projects/{pa}/data/{sid}", headers=h).text
    form = html[html.index('id="questions"'):html.index("</fieldset>", html.index('id="questions"'))]
    kinds = dict(re.findall(r'data-question="([^"]+)" data-found="([^"]+)"', form))
    assert {k: v for k, v in kinds.items() if v != "skip"} == {"Q1": "nps", "Q2": "comment", "Q3": "csat", "Q4": "ces"}
    assert "Quelle est la probabilité que vous recommandiez" in form and "ImportId" not in html
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 200, r.text
    stacked = long_form(wide)
    assert (r.json()["read"], r.json()["accepted"]) == (len(stacked), len(stacked))
    fb = feedback_input(store, world["data"] / str(pa), pa)
    log = read_feedback(fb["feedback"], columns=fb["read"]["feedback_columns"], questions=fb["read"]["feedback_questions"])
    assert sorted(log.con.execute(log.table)["_score"].tolist()) == sorted(stacked["score"].astype(float).tolist())
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}, "questions": {"Q3": "skip"}}, headers=h)
    assert r.status_code == 200 and r.json()["accepted"] == int((stacked["metric"] != "csat").sum())
    assert c.get(f"/api/v1/projects/{pa}/data/{sid}").json()["options"]["questions"] == {"Q3": "skip"}
    html = c.get(f"/projects/{pa}/data/{sid}", headers=h).text
    assert re.search(r'data-question="Q3" data-found="csat"[^>]*>\s*<option value="skip" selected', html)
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}, "questions": {"Q3": "stars"}}, headers=h)
    assert r.status_code == 422 and "questions" in r.text and "kinds are: nps, csat, ces, comment, skip" in r.text


def _survey_answers(shared_data):
    from tests.ingest.test_surveys import CSAT_FR

    df = pd.read_csv(shared_data / "customer_reviews" / "fr_insurance_reviews" / "insurance_fr.csv.gz")
    df = df.dropna(subset=["text", "date_publication"]).iloc[:120].reset_index(drop=True)
    rating = df["rating"].astype(int)
    return pd.DataFrame({
        "respondent": "R_" + df.index.astype(str),
        "when": pd.to_datetime(df["date_publication"], format="%d/%m/%Y") + pd.Timedelta(hours=9),
        "insurer": df["insurer"], "Q1": ((rating - 1) * 2.5).round().astype(int), "Q2": df["text"],
        "Q3": rating.map(CSAT_FR), "Q4": (rating + 2).astype("Int64")})


def test_a_crm_export_through_the_upload(store, world, shared_data):
    """Issue 25, §3, the web way: the Olist leads and deals as a HubSpot export, uploaded as
    events, are recognised by their column names (no "which column is the event" problem), the
    milestones shown in the form; validated, they give an event per milestone date; a
    milestone list naming no column is refused (422)."""
    import re

    from parcours.ingest import read_events

    leads = pd.read_csv(shared_data / "olist_marketing_funnel" / "olist_marketing_qualified_leads_dataset.csv.gz")
    deals = pd.read_csv(shared_data / "olist_marketing_funnel" / "olist_closed_deals_dataset.csv.gz")
    crm = leads.iloc[:3000].merge(deals[["mql_id", "won_date"]], on="mql_id", how="left").rename(
        columns={"mql_id": "hs_object_id", "first_contact_date": "createdate", "won_date": "closedate"})
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    sid = upload(c, h, pa, "hubspot.csv", crm.to_csv(index=False).encode()).json()["id"]
    html = c.get(f"/projects/{pa}/data/{sid}", headers=h).text
    assert 'id="milestones-found"' in html and "HubSpot" in html
    assert re.search(r'id="milestones" value="created=createdate,closed=closedate"', html)
    assert '<option value="hs_object_id" selected>' in html and "No column was recognised" not in html
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 200, r.text
    want = len(crm) + int(crm["closedate"].notna().sum())
    assert (r.json()["read"], r.json()["accepted"]) == (want, want)
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping",
               json={"columns": {}, "milestones": "lead=createdate,won=closedate"}, headers=h)
    assert r.status_code == 200 and r.json()["accepted"] == want
    ev = events_input(store, world["data"] / str(pa), pa)
    log = read_events(ev["events"], **ev["read"])
    got = log.con.execute(log.table)["_event"].value_counts().to_dict()
    assert got == {"lead": len(crm), "won": int(crm["closedate"].notna().sum())}
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}, "milestones": "createdate"}, headers=h)
    assert r.status_code == 422 and "milestones" in r.text and "EVENT=COLUMN" in r.text


def test_a_workbook_through_the_upload(store, world, shared_data, tmp_path):
    """Issue 25, §3, the web way: a help-desk export saved as .xlsx by a spreadsheet program is
    accepted, previewed and validated to the rows of its CSV."""
    from tests.ingest.test_spreadsheet import workbook

    df = pd.read_csv(shared_data / HELPDESK).iloc[:500][["case:concept:name", "concept:name", "time:timestamp"]]
    df = df.set_axis(["customer_id", "event", "timestamp"], axis=1)
    workbook(tmp_path / "tickets.xlsx", {"Tickets": df.assign(timestamp=pd.to_datetime(df["timestamp"], utc=True)
                                                              .dt.tz_localize(None))})
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    r = upload(c, h, pa, "tickets.xlsx", (tmp_path / "tickets.xlsx").read_bytes())
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    html = c.get(f"/projects/{pa}/data/{sid}", headers=h).text
    assert str(df["customer_id"].iloc[0]) in html and "PK" not in html
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["read"], r.json()["accepted"]) == (500, 500)
    assert any("sheet 'Tickets' read" in n for n in r.json()["notes"])
