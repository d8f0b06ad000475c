"""The journey map as code: validation errors with file/line/field, YAML round-trip, schema."""

from __future__ import annotations

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.errors import MapError
from parcours.model import JourneyMap, dump_map, load_map, map_from_dict, map_json_schema

GOOD = """\
name: {fr: Parcours achat, en: Purchase journey}
language: fr
stages:
  - id: discover
    name: {fr: Découverte, en: Awareness}
    target_duration: 7d
  - id: buy
    name: Achat
touchpoints:
  - id: home
    stage: discover
    channel: web
    match: {event: [home_view, "landing_*"]}
  - id: call
    stage: buy
    lane: support
    match: {event: support_contact, where: {channel: phone, amount: {gte: 10}}}
goals:
  - id: purchase
    match: {event: order_paid}
segments:
  - id: gold
    where: {loyalty_tier: gold}
"""


def write(tmp_path, text, name="map.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_good_map_loads(tmp_path):
    m = load_map(write(tmp_path, GOOD))
    assert m.stage_ids() == ["discover", "buy"]
    assert m.touchpoints[1].rule().where["channel"] == "phone"


@pytest.mark.parametrize("bad,line,field,what", [
    (GOOD.replace("stage: buy", "stage: pay"), 15, "touchpoints[1].stage", "unknown stage 'pay'"),
    (GOOD.replace("id: call", "id: home"), 14, "touchpoints[1].id", "duplicate id 'home'"),
    (GOOD.replace('"landing_*"', '"landing_[x"'), 13, "touchpoints[0].match.event", "bad glob"),
    (GOOD.replace("lane: support", "lane: kitchen"), 16, "touchpoints[1].lane", "frontstage"),
    (GOOD.replace("target_duration: 7d", "target_duration: soon"), 6, "stages[0].target_duration", "not a duration"),
    (GOOD.replace("channel: web", "chanel: web"), 12, "touchpoints[0].chanel", "unknown field 'chanel'"),
])
def test_errors_name_file_line_and_field(tmp_path, bad, line, field, what):
    path = write(tmp_path, bad)
    with pytest.raises(MapError) as e:
        load_map(path)
    text = str(e.value)
    assert f"{path}, line {line}, {field}" in text, text
    assert what in text


def test_all_problems_reported_at_once(tmp_path):
    bad = GOOD.replace("stage: buy", "stage: pay").replace("chanel", "x").replace("channel: web", "chanel: web")
    with pytest.raises(MapError) as e:
        load_map(write(tmp_path, bad))
    assert len(e.value.problems) == 2


def test_yaml_syntax_and_duplicate_keys(tmp_path):
    with pytest.raises(MapError, match=r"line 4, column \d+: not valid YAML"):
        load_map(write(tmp_path, "name: x\nstages:\n  - id: [unclosed\n"))
    with pytest.raises(MapError, match=r"line 2, name: key 'name' is given twice"):
        load_map(write(tmp_path, "name: a\nname: b\n"))
    with pytest.raises(MapError, match="file not found"):
        load_map(tmp_path / "nope.yaml")


def test_map_without_touchpoints_is_valid():
    assert map_from_dict({"stages": [{"id": "a", "name": "A"}]}).touchpoints == []
    assert map_from_dict(None).stages == []


def test_schema_accepts_the_good_map_and_rejects_a_bad_one():
    schema = map_json_schema()
    jsonschema.validate(yaml.safe_load(GOOD), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"stages": [{"id": "a", "name": "A", "oops": 1}]}, schema)


ids = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
texts = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20)
names = st.one_of(texts, st.builds(lambda fr, en: {"fr": fr, "en": en}, texts, texts))
scalars = st.one_of(st.integers(-1000, 1000), texts, st.booleans())
values = st.one_of(scalars, st.lists(scalars, min_size=1, max_size=3),
                   st.builds(lambda a: {"gte": a}, st.integers(0, 100)))
conditions = st.dictionaries(ids, values, max_size=2)
some_conditions = st.dictionaries(ids, values, min_size=1, max_size=2)


@st.composite
def maps(draw):
    stage_ids = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    stages = [{"id": s, "name": draw(names)} for s in stage_ids]
    tp_ids = draw(st.lists(ids, max_size=6, unique=True))
    tps = []
    for t in tp_ids:
        tp = {"id": t, "stage": draw(st.sampled_from(stage_ids)),
              "lane": draw(st.sampled_from(["frontstage", "backstage", "support"]))}
        if draw(st.booleans()):
            tp["match"] = {"event": draw(st.lists(st.from_regex(r"[a-z_]{1,6}\*?", fullmatch=True), min_size=1, max_size=3)),
                           "where": draw(conditions)}
        tps.append(tp)
    segs = [{"id": f"seg{i}", "where": draw(some_conditions)} for i in range(draw(st.integers(0, 2)))]
    return {"name": draw(names), "language": draw(st.sampled_from(["fr", "en"])), "stages": stages,
            "touchpoints": tps, "segments": segs}


@settings(max_examples=60, deadline=None)
@given(maps())
def test_yaml_map_yaml_round_trip(data):
    m = map_from_dict(data)
    text = dump_map(m)
    again = map_from_dict(yaml.safe_load(text))
    assert again == m
    assert dump_map(again) == text
    assert isinstance(m, JourneyMap)


def test_union_branch_names_are_not_shown_as_fields(tmp_path):
    bad = GOOD.replace("    channel: web\n", "    channel: web\n    description: [1, 2]\n", 1)
    with pytest.raises(MapError) as e:
        load_map(write(tmp_path, bad))
    text = str(e.value)
    assert "touchpoints[0].description:" in text and ".str" not in text
