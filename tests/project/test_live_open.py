"""The live map's calls the web routers make (``LiveMaps.latest/open/check_map/check_rule``), on a
real app database (SQLite) and the demo's events: the latest map, the filters checked, an
analysis started then cached, and each refusal its own typed error."""

from __future__ import annotations

import pytest

from parcours.demo import _MAP_YAML, write_demo
from parcours.errors import InputError
from parcours.project import rule_check
from parcours.project.live import CannotMeasure, FilterError, LiveMaps, Opened, Period
from parcours.store.errors import NotFound
from parcours.store.maps import save_map
from tests.store.conftest import Backend, alice, empty_url, project, store  # noqa: F401 - fixtures reused


@pytest.fixture(scope="module")
def backend():
    return Backend("sqlite")


@pytest.fixture
def live(store, tmp_path):
    maps = LiveMaps(tmp_path / "data")
    maps.store = store
    yield maps
    maps.jobs.shutdown()


def test_no_map_yet_is_not_found(live, project):
    with pytest.raises(NotFound) as caught:
        live.latest(project.id, project.slug)
    assert (caught.value.message, caught.value.hint) == (f"project {project.slug!r} has no map version",
                                                         "save a map first")
    with pytest.raises(NotFound):
        live.open(project.id, project.slug)


def test_filters_are_checked_before_anything_runs(live, project, alice):
    save_map(live.store, project.id, _MAP_YAML, alice.id, base=None)
    version, m = live.latest(project.id, project.slug)
    assert (version.number, m.id) == (1, "maison_lumiere")
    with pytest.raises(FilterError) as segment:
        live.open(project.id, project.slug, segment="vip")
    assert segment.value.which == "segment" and segment.value.message.startswith(
        "segment 'vip' is not in the map (segments: gold_members, new_customers")
    with pytest.raises(FilterError) as period:
        live.open(project.id, project.slug, period=Period("2026-13-01", None))
    assert period.value.which == "period" and "2026-13-01" in period.value.message
    with pytest.raises(CannotMeasure) as no_data:  # valid filters, no events yet
        live.open(project.id, project.slug, segment=" gold_members ")
    assert no_data.value.message == "the map's source.path (events.csv) is not in the project's data"
    assert "upload events" in no_data.value.hint and isinstance(no_data.value.__cause__, InputError)


def test_an_analysis_is_started_then_cached(live, project, alice):
    save_map(live.store, project.id, _MAP_YAML, alice.id, base=None)
    write_demo(live.folder(project.id), customers=60, seed=5)
    first = live.open(project.id, project.slug, segment="  ", period=Period("2020-01-01", None))
    assert isinstance(first, Opened) and (first.segment, first.period, first.data) == (None, "2020-01-01..", None)
    assert first.job.wait().state == "done", first.job.error
    again = live.open(project.id, project.slug, segment="", period="2020-01-01..")
    assert again.job is None and again.data == first.job.result and again.version.number == 1
    assert again.data["options"]["filters"] == {"period": {"start": "2020-01-01T00:00:00+00:00", "end": None}}


def test_checks_go_through_the_live_maps_event_log(live, project, alice):
    save_map(live.store, project.id, _MAP_YAML, alice.id, base=None)
    write_demo(live.folder(project.id), customers=60, seed=5)
    checked = live.check_map(project.id, _MAP_YAML)
    assert checked == rule_check.check_map(live, project.id, _MAP_YAML)
    assert checked["valid"] and checked["data"]["events"] > 0 and project.id in live._logs  # read once, kept
    _v, m = live.latest(project.id, project.slug)
    rule = live.check_rule(project.id, m, {"id": "cart", "match": {"event": ["add_to_cart"]}})
    assert rule == rule_check.check_rule(live, project.id, m, {"id": "cart", "match": {"event": ["add_to_cart"]}})
    assert rule["valid"] and rule["data"]["events"] > 0
    bad = live.check_map(project.id, "name: [")
    assert bad["valid"] is False and bad["problems"] and bad["data"] is None
