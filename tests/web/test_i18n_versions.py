"""The messages the app writes for the map versions it saves ("edited stage 'purchase'",
"restored v1"...) are said in the reader's language on the history page, in the editor's
"saved" line and in the activity feed (issue 23, §3); a message a person typed stays theirs."""

from __future__ import annotations

import pytest

from parcours.store import maps
from parcours.web import i18n
from tests.web.test_editor import DEMO, client_for, form_of, item, world  # noqa: F401 - fixture reused
from tests.web.test_i18n_pages import _foreign, _visible


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_version_messages_are_said_in_the_readers_language(store, world, lang):  # noqa: F811
    c, h = client_for(store, world, "alice")
    pid = world["pa"].id
    asks = {"Accept-Language": lang}
    form = form_of("touchpoints", item(DEMO, "touchpoints", "cart"), channel="app")
    r = c.post(f"/projects/{pid}/edit/touchpoints/cart", data={**form, "base": "1"}, headers={**h, **asks})
    edited = i18n.text(lang, "version.edited.touchpoints", id="cart")
    assert r.status_code == 200 and i18n.text(lang, "editor.flash.saved_message", n=2, message=edited) in _visible(r.text)
    r = c.post(f"/projects/{pid}/edit/stages/advocacy/move", data={"direction": "up", "base": "2"}, headers={**h, **asks})
    assert r.status_code == 200
    maps.restore(store, pid, 1, world["alice"].id, base=3)
    # kept in English, as scripts read it
    assert [v.message for v in maps.list_versions(store, pid)] == ["first", "edited touchpoint 'cart'",
                                                                   "moved stage 'advocacy' up", "restored v1"]
    said = _visible(c.get(f"/projects/{pid}/versions", headers=asks).text)
    for key, values in (("version.restored", {"n": 1}), ("version.moved_up", {"id": "advocacy"}),
                        ("version.edited.touchpoints", {"id": "cart"})):
        assert i18n.text(lang, key, **values) in said, key
    assert "first" in said  # typed by a person: as written
    assert _foreign(said, lang) == []
    feed = _visible(c.get(f"/projects/{pid}/discussion", headers=asks).text)
    assert i18n.text(lang, "activity.map_saved_message", n=2, message=edited) in feed
    if lang == "fr":
        assert "edited touchpoint" not in said + feed and "restored v1" not in said


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_editor_writes_a_stages_target_duration_as_its_language_does(store, world, lang):  # noqa: F811
    from parcours.model.durations import parse_duration
    from parcours.report.formats import duration

    c, _h = client_for(store, world, "alice")
    said = _visible(c.get(f"/projects/{world['pa'].id}/edit", headers={"Accept-Language": lang}).text)
    targets = [s["target_duration"] for s in DEMO["stages"] if s.get("target_duration")]
    assert targets
    for target in targets:  # "1d" is "1,0 j" in French, "1.0 d" in English
        assert i18n.text(lang, "editor.fact_target", value=duration(parse_duration(target), lang)) in said, target
    assert i18n.text(lang, "editor.fact_target", value=targets[0]) not in said


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_maps_problems_are_said_in_the_editors_language(store, world, lang):  # noqa: F811
    from tests.web.test_editor import _MAP_YAML

    c, h = client_for(store, world, "alice")
    pid = world["pa"].id
    asks = {"Accept-Language": lang}
    bad = _MAP_YAML.replace("  - id: purchase\n", "  - id: purchase\n    colour: red\n", 1) \
        .replace("stage: purchase", "stage: checkout", 1)
    for route, data in (("edit/check", {"yaml": bad}), ("edit/yaml", {"yaml": bad, "base": "1"})):
        said = _visible(c.post(f"/projects/{pid}/{route}", data=data, headers={**h, **asks}).text)
        unknown = i18n.text(lang, "map.unknown_field", field="'colour'")
        hint = i18n.text(lang, "map.unknown_field_hint")
        assert f"{unknown} ({hint})" in said, route
        assert i18n.text(lang, "map.unknown_ref.stages", id="'checkout'") in said, route
        assert _foreign(said, lang) == []
        if lang == "fr":
            assert "unknown field" not in said and "unknown stage" not in said
    # the API keeps the English sentence, for scripts
    check = c.post(f"/api/v1/projects/{pid}/map/check", json={"yaml": bad}, headers={**h, **asks}).json()
    assert "unknown field 'colour' (check the spelling" in check["problems"][0]["message"]
