"""An upload goes live only when someone chooses it (issue 23), over HTTP on SQLite and
PostgreSQL: a file past the project's bad-row limit is refused with the CLI's own message and
cannot be chosen; a second valid upload leaves the live map's figures alone until an editor
chooses it on its page (which compares rows, customers and period), the activity feed says who
switched, and switching back gives the earlier figures again; the demo project's Data tab lists
what its live map reads (the map's events file, feedback.csv, collected events)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from parcours.demo import _MAP_YAML, write_demo
from parcours.store.maps import save_map
from parcours.store.users import create_user
from parcours.web import create_app
from tests.web.test_data import client_for, upload, world  # noqa: F401 - the fixture reused

HALF_BAD = "customer_id,timestamp,event\n" + "".join(
    f"c{i % 20},{'not a time' if i % 2 else f'2026-01-{1 + i % 28:02d}T10:00:00Z'},visit\n" for i in range(100))


def cli_error(tmp_path: Path, name: str, text: str) -> tuple[str, str]:
    """What ``parcours analyze`` says of the file: its error message and hint."""
    (tmp_path / name).write_text(text)
    done = subprocess.run([str(Path(sys.executable).parent / "parcours"), "analyze", name, "--out", "out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stderr
    said = done.stdout + done.stderr
    return (re.search(r"^Error: (.*)$", said, re.M).group(1), re.search(r"^How to fix: (.*)$", said, re.M).group(1))


def activity(c, pid: int) -> list[tuple[str, str, str]]:
    return [(x["kind"], x["summary"], x["user"]) for x in c.get(f"/api/v1/projects/{pid}/activity").json()["items"]]


def test_fifty_bad_rows_of_a_hundred_are_refused_with_the_clis_message(store, world, tmp_path):  # noqa: F811
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    sid = upload(c, h, pa, "half.csv", HALF_BAD.encode()).json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 422, r.text
    d = r.json()["detail"]
    message, hint = cli_error(tmp_path, "half.csv", HALF_BAD)
    assert (d["message"], d["hint"]) == (message, hint)
    assert message.startswith("half.csv: 50 of 100 rows cannot be used (more than --max-bad-rows 1%); first: row 2:")
    assert (d["report"]["read"], d["report"]["accepted"], d["report"]["quarantined"]) == (100, 50, 50)
    q = pd.read_csv(io.StringIO(c.get(d["quarantine_url"]).text))
    assert list(q["row"]) == list(range(2, 101, 2))
    # the source is not usable: not mapped, not in use, cannot be chosen; its page says why
    listed = c.get(f"/api/v1/projects/{pa}/data").json()
    assert [(s["id"], s["mapped"], s["in_use"], s["report"]["refused"]["message"]) for s in listed] == \
        [(sid, False, False, message)]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/use", headers=h)
    assert r.status_code == 409 and r.json()["detail"]["message"] == \
        f"half.csv cannot be used for the live map: its validation was refused: {message}"
    assert c.get(f"/api/v1/projects/{pa}/data/in-use").json() == []
    page = c.get(f"/projects/{pa}/data/{sid}").text
    assert "Refused: half.csv: 50 of 100 rows cannot be used" in page and 'id="use"' not in page
    assert "Rows read <strong>100</strong> = accepted <strong>50</strong>" in page
    assert activity(c, pa)[0] == ("data_refused", "refused half.csv: 50 of 100 rows cannot be used", "Alice")
    # 1 bad row of 101 is within the limit (1%): validated, and the project's first events source goes in use
    ok = "customer_id,timestamp,event\n" + "".join(f"c{i},2026-01-05T10:{i % 60:02d}:00Z,visit\n" for i in range(100))
    sid2 = upload(c, h, pa, "ok.csv", (ok + "c1,never,visit\n").encode()).json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid2}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 200 and (r.json()["quarantined"], r.json()["in_use"]) == (1, True)
    assert r.json()["profile"] == {"rows": 100, "customers": 100, "first": "2026-01-05", "last": "2026-01-05"}


def measured(c, pid: int) -> dict:
    r = c.get(f"/api/v1/projects/{pid}/analysis", params={"wait": "true"})
    assert r.status_code == 200, r.text
    return r.json()["analysis"]["summary"]


def figures(summary: dict) -> tuple:
    return summary["events"], summary["customers"], summary["period"]["start"], summary["period"]["end"]


@pytest.fixture
def two_months(world, tmp_path):  # noqa: F811
    """Two demo event logs of different sizes, as two months a team uploads."""
    first, second = write_demo(tmp_path / "m1", customers=120, seed=7), write_demo(tmp_path / "m2", customers=70, seed=3)
    return first.events_path.read_bytes(), second.events_path.read_bytes()


def test_a_second_upload_changes_the_live_map_only_once_chosen_and_switching_back_restores_it(
        store, world, two_months):  # noqa: F811
    save_map(store, world["pa"].id, _MAP_YAML, world["alice"].id, base=None)  # its source.path is not in the folder
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    march, april = two_months
    a = upload(c, h, pa, "march.csv", march).json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{a}/mapping", json={"columns": {"value": "amount"}}, headers=h)
    assert r.status_code == 200 and r.json()["in_use"] is True  # the first: nothing else to measure
    before = figures(measured(c, pa))
    df = pd.read_csv(io.BytesIO(april))
    times = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601")
    b = upload(c, h, pa, "april.csv", april).json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{b}/mapping", json={"columns": {"value": "amount"}}, headers=h)
    assert r.status_code == 200 and r.json()["in_use"] is False
    assert r.json()["profile"] == {"rows": len(df), "customers": df["customer_id"].nunique(),
                                   "first": times.min().date().isoformat(), "last": times.max().date().isoformat()}
    assert figures(measured(c, pa)) == before  # validated, not chosen: the live map is unchanged
    assert [(s["original_name"], s["in_use"]) for s in c.get(f"/api/v1/projects/{pa}/data").json()] == \
        [("april.csv", False), ("march.csv", True)]
    # the page compares rows, customers and period with the source in use
    page = c.get(f"/projects/{pa}/data/{b}").text
    table = page[page.index('<table id="what-changes">'):page.index("</table>", page.index('id="what-changes"'))]
    cells = [re.sub(r"<[^>]+>|\s+", " ", x).strip() for x in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table, re.S)]
    m = pd.read_csv(io.BytesIO(march))
    mt = pd.to_datetime(m["timestamp"], utc=True, format="ISO8601")
    assert cells == ["", "In use now: march.csv", "This source",
                     "Rows", f"{len(m):,}", f"{len(df):,}",
                     "Customers", f"{m['customer_id'].nunique():,}", f"{df['customer_id'].nunique():,}",
                     "Period", f"{mt.min().date()} → {mt.max().date()}", f"{times.min().date()} → {times.max().date()}"]
    assert 'id="use"' in page
    # a viewer may not choose
    bob, hb = client_for(store, world, "bob")
    assert bob.post(f"/api/v1/projects/{pa}/data/{b}/use", headers=hb).status_code == 403
    # choosing it changes the figures and writes who switched
    r = c.post(f"/api/v1/projects/{pa}/data/{b}/use", headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["kind"], r.json()["in_use"]["id"], r.json()["changed"], r.json()["replaced"]) == \
        ("events", b, True, {"id": a, "original_name": "march.csv"})
    after = figures(measured(c, pa))
    assert after != before and after[:2] == (len(df), df["customer_id"].nunique())
    assert activity(c, pa)[0] == ("data_in_use", "put april.csv in use for the live map's events, instead of march.csv",
                                  "Alice")
    assert 'id="use"' not in c.get(f"/projects/{pa}/data/{b}").text
    # choosing it again changes nothing
    again = c.post(f"/api/v1/projects/{pa}/data/{b}/use", headers=h).json()
    assert (again["changed"], again["replaced"]) == (False, None) and activity(c, pa)[0][1].startswith("put april.csv")
    # switching back restores the earlier figures
    assert c.post(f"/api/v1/projects/{pa}/data/{a}/use", headers=h).status_code == 200
    assert figures(measured(c, pa)) == before
    assert activity(c, pa)[0][1] == "put march.csv in use for the live map's events, instead of april.csv"
    # deleting the source in use puts no other in use
    assert c.delete(f"/api/v1/projects/{pa}/data/{a}", headers=h).status_code == 204
    assert c.get(f"/api/v1/projects/{pa}/data/in-use").json() == []
    assert activity(c, pa)[0][1] == "deleted the data source march.csv (it was in use: the live map no longer " \
                                    "measures its events)"
    assert c.get(f"/api/v1/projects/{pa}/analysis").status_code == 409  # nothing to measure, said so


@pytest.fixture
def demo(store, tmp_path):
    """The demo project as ``parcours serve --demo`` seeds it, and its admin's client."""
    from parcours.cli.serve import seed_demo

    create_user(store, "root@example.org", "Root", "root-password-1", admin=True)
    data = tmp_path / "data"
    seed_demo(store, data, customers=150)
    c = TestClient(create_app(store, secret="test-secret", data_dir=data, https_only=False))
    r = c.post("/api/v1/session", json={"email": "root@example.org", "password": "root-password-1"})
    from sqlalchemy import select

    from parcours.store.models import Project, Workspace

    with store.transaction() as session:
        pid = session.scalar(select(Project.id).join(Workspace).where(Workspace.slug == "demo"))
    return c, {"X-CSRF-Token": r.json()["csrf"]}, pid, data / str(pid)


def test_the_demo_projects_data_page_lists_what_its_live_map_reads(store, demo, tmp_path):
    from parcours.store.collect import store_events

    c, h, pid, folder = demo
    feeding = c.get(f"/api/v1/projects/{pid}/data/in-use").json()
    assert feeding == [{"kind": "events", "what": "map_file", "name": "events.csv"},
                       {"kind": "feedback", "what": "feedback_file", "name": "feedback.csv"}]
    page = c.get(f"/projects/{pid}/data").text
    in_use = page[page.index('<ul id="in-use"'):page.index("</ul>", page.index('<ul id="in-use"'))]
    assert "events.csv" in in_use and "the map's source file" in in_use and "feedback.csv" in in_use
    assert "No data source yet" not in page and "Nothing yet" not in page
    # events sent to the collection API feed the live map too: listed with their count
    done = store_events(store, pid, [{"id": "e1", "customer": "C9", "event": "visit", "time": "2026-03-01T10:00:00Z"},
                                     {"id": "e2", "customer": "C9", "event": "purchase", "time": "2026-03-01T10:05:00Z"}])
    assert done["stored"] == 2
    assert c.get(f"/api/v1/projects/{pid}/data/in-use").json()[1] == {"kind": "events", "what": "collected", "count": 2}
    assert "2 events" in c.get(f"/projects/{pid}/data").text
    # an upload to the demo waits: the map's file stays in use until someone chooses the upload
    new = write_demo(tmp_path / "more", customers=40, seed=11)
    sid = upload(c, h, pid, "more.csv", new.events_path.read_bytes()).json()["id"]
    r = c.post(f"/api/v1/projects/{pid}/data/{sid}/mapping", json={"columns": {"value": "amount"}}, headers=h)
    assert r.status_code == 200 and r.json()["in_use"] is False
    page = c.get(f"/projects/{pid}/data/{sid}").text
    shown = pd.read_csv(folder / "events.csv")
    assert "In use now: events.csv" in page and f"{len(shown):,}" in page  # the map's file, read as the live map reads it
    assert f"{shown['customer_id'].nunique():,}" in page and "the app collected" in page
    assert c.post(f"/api/v1/projects/{pid}/data/{sid}/use", headers=h).json()["replaced"] is None
    assert activity(c, pid)[0][1] == "put more.csv in use for the live map's events, instead of the map's file events.csv"
    assert c.get(f"/api/v1/projects/{pid}/data/in-use").json()[0]["name"] == "more.csv"
    # stop using it: back to the map's file
    r = c.delete(f"/api/v1/projects/{pid}/data/in-use/events", headers=h)
    assert r.json() == {"kind": "events", "released": {"id": sid, "original_name": "more.csv"}}
    assert c.get(f"/api/v1/projects/{pid}/data/in-use").json()[0] == {"kind": "events", "what": "map_file",
                                                                       "name": "events.csv"}
    assert activity(c, pid)[0][1] == "stopped using more.csv for the live map's events: it measures the map's file events.csv"
    assert c.delete(f"/api/v1/projects/{pid}/data/in-use/orders", headers=h).status_code == 422


def test_choosing_a_source_in_the_browser(store, world, browser, two_months):  # noqa: F811
    """An editor opens the second upload's page, reads what changes, clicks the button, and the
    Data tab then lists it as in use."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    save_map(store, world["pa"].id, _MAP_YAML, world["alice"].id, base=None)
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    ids = []
    for name, content in zip(("march.csv", "april.csv"), two_months):
        ids.append(upload(c, h, pa, name, content).json()["id"])
        assert c.post(f"/api/v1/projects/{pa}/data/{ids[-1]}/mapping", json={"columns": {}}, headers=h).status_code == 200
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
        page.goto(f"{base}/projects/{pa}/data")
        assert "march.csv" in page.inner_text("#in-use") and "april.csv" not in page.inner_text("#in-use")
        page.click("text=compare and use april.csv")
        page.wait_for_url(f"{base}/projects/{pa}/data/{ids[1]}")
        header = page.locator("#what-changes thead th").all_inner_texts()
        assert [" ".join(x.split()) for x in header] == ["", "In use now: march.csv", "This source"]
        assert page.locator("#what-changes tbody th").all_inner_texts() == ["Rows", "Customers", "Period"]
        page.click("#use")
        page.wait_for_function("() => document.querySelector('#use-status') !== null")
        assert "The live map measures this source's events." in page.inner_text("#use-status")
        page.goto(f"{base}/projects/{pa}/data")
        assert "april.csv" in page.inner_text("#in-use") and "march.csv" not in page.inner_text("#in-use")
        assert "chosen by Alice" in page.inner_text("#in-use")
    finally:
        page.close()
        server.should_exit = True
        thread.join(timeout=10)
