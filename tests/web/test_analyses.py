"""Analyses served by the app: a background job with progress, then the same JSON as
``parcours analyze``; segment and period filters; the cache measures again when the map or the
data change, and not otherwise. On SQLite only: what is measured here does not touch the app
database beyond the map versions (tests/web/test_live_joins.py, on both databases, covers the
survey answers and collected events that do)."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

from parcours.demo import _MAP_YAML, write_demo
from parcours.store.maps import save_map
from tests.store.conftest import Backend
from tests.web.test_api import client_for, world  # noqa: F401 - fixture reused


@pytest.fixture(scope="module")
def backend():
    return Backend("sqlite")


@pytest.fixture
def demo_project(store, world, tmp_path):  # noqa: F811 - the world fixture
    """Project A with the demo map (v1) and 300 demo customers' events in its data folder."""
    save_map(store, world["pa"].id, _MAP_YAML, world["alice"].id, base=None)
    c, h = client_for(store, "alice", data_dir=tmp_path)
    files = write_demo(c.app.state.live.folder(world["pa"].id), customers=300)
    return c, h, world["pa"].id, files


def measured(c, url: str) -> dict:
    """GET an analysis, polling its job until done (never more than 120 s)."""
    r = c.get(url)
    deadline = time.monotonic() + 120
    seen = []
    while r.status_code == 202:
        job = r.json()["job"]
        seen.append(job["state"])
        assert time.monotonic() < deadline
        time.sleep(0.1)
        status = c.get(r.json()["poll"]).json()
        if status["state"] in ("done", "failed"):
            assert status["state"] == "done", status["error"]
            assert status["percent"] == 100 and [s["message"] for s in status["steps"]][:1] == ["reading"]
            r = c.get(url)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_background_job_then_the_analysis_of_parcours_analyze(demo_project):
    import parcours

    c, _h, pid, files = demo_project
    first = c.get(f"/api/v1/projects/{pid}/analysis")
    assert first.status_code == 202 and first.json()["job"]["state"] in ("queued", "running")
    again = c.get(f"/api/v1/projects/{pid}/analysis")  # asked twice while it runs: one job
    assert again.status_code == 200 or again.json()["job"]["id"] == first.json()["job"]["id"]
    got = measured(c, f"/api/v1/projects/{pid}/analysis")
    assert got["version"] == 1 and got["filters"] == {"segment": None, "period": None}
    direct = parcours.analyze(str(files.events_path), str(files.map_path), feedback=str(files.feedback_path),
                              by="segment").data
    assert got["analysis"]["summary"] == direct["summary"]
    assert got["analysis"]["touchpoints"] == direct["touchpoints"]
    assert got["analysis"]["feedback"]["overall"] == direct["feedback"]["overall"]


def test_period_and_segment_filters(demo_project):
    c, _h, pid, files = demo_project
    got = measured(c, f"/api/v1/projects/{pid}/analysis?period=2026-02-01..2026-02-28")
    # Independently: customers whose first event falls in February (Paris times written with offsets).
    ev = pd.read_csv(files.events_path)
    first = pd.to_datetime(ev["timestamp"], utc=True).groupby(ev["customer_id"]).min()
    in_feb = first[(first >= pd.Timestamp("2026-02-01", tz="UTC")) & (first < pd.Timestamp("2026-03-01", tz="UTC"))]
    assert got["analysis"]["summary"]["customers"] == len(in_feb)
    assert got["analysis"]["summary"]["events"] == int(ev["customer_id"].isin(in_feb.index).sum())
    gold = measured(c, f"/api/v1/projects/{pid}/analysis?segment=gold_members")
    tiers = ev.groupby("customer_id")["loyalty_tier"].first()
    assert gold["filters"]["segment"] == "gold_members"
    assert 0 < gold["analysis"]["summary"]["customers"] < ev["customer_id"].nunique()
    assert gold["analysis"]["summary"]["customers"] == int((tiers == "gold").sum())


def test_bad_filters_are_422_naming_them(demo_project):
    c, _h, pid, _files = demo_project
    r = c.get(f"/api/v1/projects/{pid}/analysis?segment=nope")
    assert r.status_code == 422 and "'nope'" in r.json()["detail"] and "gold_members" in r.json()["detail"]
    r = c.get(f"/api/v1/projects/{pid}/analysis?period=2026-13-01..")
    assert r.status_code == 422 and "2026-13-01" in r.json()["detail"]
    assert c.get(f"/api/v1/projects/{pid}/analysis/jobs/unknown").status_code == 404


def test_the_cache_measures_again_when_the_map_or_the_data_change(demo_project, store, world):  # noqa: F811
    c, h, pid, files = demo_project
    url = f"/api/v1/projects/{pid}/analysis"
    before = measured(c, url)
    assert c.get(url).status_code == 200  # cached: no job
    renamed = _MAP_YAML.replace("fr: Découverte", "fr: Découverte et inspiration", 1)
    assert c.post(f"/api/v1/projects/{pid}/map/versions", json={"yaml": renamed, "base": 1}, headers=h).status_code == 201
    assert c.get(url).status_code == 202  # a new version: measured again
    assert measured(c, url)["version"] == 2
    ev = pd.read_csv(files.events_path)
    ev.iloc[: len(ev) // 2].to_csv(files.events_path, index=False)  # half the data
    os.utime(files.events_path)
    assert c.get(url).status_code == 202
    after = measured(c, url)
    assert after["analysis"]["summary"]["events"] == len(ev) // 2 < before["analysis"]["summary"]["events"]


def test_no_data_no_map_and_other_workspaces(store, world, tmp_path):  # noqa: F811
    c, h = client_for(store, "alice", data_dir=tmp_path)
    pid = world["pa"].id
    assert c.get(f"/api/v1/projects/{pid}/analysis").status_code == 404  # no map yet
    save_map(store, pid, _MAP_YAML, world["alice"].id, base=None)
    r = c.get(f"/api/v1/projects/{pid}/analysis")
    assert r.status_code == 409 and "events.csv" in r.json()["detail"]["message"]
    assert c.get(f"/api/v1/projects/{world['pb'].id}/analysis").status_code == 404
    page = c.get(f"/projects/{pid}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "events.csv" in page.text and "Data" in page.text


def test_analyses_run_on_the_engine_given_to_the_app(store, world, tmp_path):  # noqa: F811
    """``parcours serve --engine URL``: the same analysis on a DuckDB file as in memory."""
    import parcours

    save_map(store, world["pa"].id, _MAP_YAML, world["alice"].id, base=None)
    c, _h = client_for(store, "alice", data_dir=tmp_path / "data")
    c.app.state.live.engine = f"duckdb:///{tmp_path / 'work.ddb'}"
    files = write_demo(c.app.state.live.folder(world["pa"].id), customers=120)
    got = measured(c, f"/api/v1/projects/{world['pa'].id}/analysis")["analysis"]
    direct = parcours.analyze(str(files.events_path), str(files.map_path), feedback=str(files.feedback_path),
                              by="segment").data
    assert got["summary"] == direct["summary"] and got["variants"] == direct["variants"]
    assert (tmp_path / "work.ddb").exists()


def test_an_upload_named_feedback_csv_is_not_taken_for_survey_answers(demo_project, store, world):  # noqa: F811
    """The data folder's feedback.csv is the project's survey answers only when no upload of
    another kind carries that name."""
    from parcours.demo import demo_map
    from parcours.store import sources

    c, _h, pid, files = demo_project
    live = c.app.state.live
    assert live.inputs(pid, demo_map()).feedback == files.feedback_path
    sources.add(store, pid, name="feedback.csv", original_name="feedback.csv", kind="events", format="csv",
                size=files.feedback_path.stat().st_size, uploaded_by=world["alice"].id)
    assert live.inputs(pid, demo_map()).feedback is None
