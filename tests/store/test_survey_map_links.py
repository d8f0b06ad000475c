"""Survey links made for the latest map (``surveys.create_map_link``) and a version's map
(``maps.map_at``), on SQLite and PostgreSQL: a touchpoint the latest map does not have is an
``UnknownTouchpoint`` naming the map's touchpoints, checked before the metric and language."""

from __future__ import annotations

import pytest

from parcours.errors import OptionError
from parcours.store import maps, surveys
from parcours.store.errors import NotFound

STAGE = "name: Shop\nstages:\n  - {id: buy, name: Buy}\n"
MAP = STAGE + "touchpoints:\n  - {id: cart, stage: buy}\n  - {id: checkout, stage: buy}\n"
NO_TOUCHPOINTS = STAGE


def test_a_link_for_a_touchpoint_of_the_latest_map(store, project, alice):
    maps.save_map(store, project.id, MAP, alice.id, base=None)
    link = surveys.create_map_link(store, project.id, " checkout ", "CSAT", "en", alice.id)
    assert (link.touchpoint_id, link.metric, link.lang) == ("checkout", "csat", "en")
    assert [x.id for x, _n in surveys.list_links(store, project.id)] == [link.id]


def test_a_touchpoint_not_in_the_latest_map_is_refused_first(store, project, alice):
    maps.save_map(store, project.id, MAP, alice.id, base=None)
    with pytest.raises(surveys.UnknownTouchpoint) as caught:
        surveys.create_map_link(store, project.id, "home_delivery", "stars", "de", alice.id)
    assert caught.value.message == ("touchpoint 'home_delivery' is not in the project's latest map: "
                                    "its touchpoints are cart, checkout")
    assert isinstance(caught.value, OptionError) and surveys.list_links(store, project.id) == []
    with pytest.raises(OptionError, match="metric 'stars': unknown metric"):  # a known touchpoint: the metric next
        surveys.create_map_link(store, project.id, "cart", "stars", "fr", alice.id)
    maps.save_map(store, project.id, NO_TOUCHPOINTS, alice.id, base=1)  # the latest map, not the first, counts
    with pytest.raises(surveys.UnknownTouchpoint, match="the map has no touchpoints yet"):
        surveys.create_map_link(store, project.id, "cart", "nps", "fr", alice.id)


def test_without_a_map_no_link(store, project, alice):
    with pytest.raises(surveys.UnknownTouchpoint) as caught:
        surveys.create_map_link(store, project.id, "cart", "nps", "fr", alice.id)
    assert caught.value.message == ("touchpoint 'cart' is not in the project's latest map: the map has no "
                                    "touchpoints yet (save a map with touchpoints first)")


def test_map_at_a_version_the_latest_or_none(store, project, alice):
    assert maps.map_at(store, project.id) is None  # no map yet, none asked for
    with pytest.raises(NotFound, match="has no map version 1"):
        maps.map_at(store, project.id, 1)
    maps.save_map(store, project.id, MAP, alice.id, base=None)
    maps.save_map(store, project.id, NO_TOUCHPOINTS, alice.id, base=1)
    assert [t.id for t in maps.map_at(store, project.id, 1).touchpoints] == ["cart", "checkout"]
    assert maps.map_at(store, project.id).touchpoints == [] == maps.map_at(store, project.id, 2).touchpoints
    with pytest.raises(NotFound) as caught:
        maps.map_at(store, project.id, 3)
    assert caught.value.hint == "its versions are 1 to 2"
