"""``min_responses`` is a setting like the others (issue 23, §2): ``parcours analyze
--min-responses``, the map's ``analysis.min_responses``, else 30. It reaches the feedback block
analyze computes (its ``small`` flags, overall, per stage, per touchpoint, per breakdown group),
the frictions (which feedback and themes count) and the opportunities (which satisfaction gaps are
small), ``analysis.json``'s options and the cache key; ``parcours feedback`` takes the map's too.

Every expectation is recomputed here in plain Python from the figures the run saved (answers and
comments per touchpoint, the touchpoint rows), following docs/concepts/figures.md: the friction
score is rebuilt from its signals and weights, not read back."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import parcours
from parcours.cli.app import app
from parcours.demo import write_demo

WEIGHTS = {"exit": 0.35, "repeat": 0.15, "wait": 0.15, "feedback": 0.20, "themes": 0.15}  # as documented
DEFAULT = 30
MAP_SAYS = 10  # between the demo's touchpoints' answers: some count at 10, not at 30


# Satisfaction targets on two touchpoints (85 and 17 answers in this demo): a satisfaction gap
# has a reference even when no touchpoint has enough answers for the map's best quarter.
TARGETS = """kpis:
- {id: tracking_satisfaction, name: Suivi, touchpoint: delivery_tracking, metric: satisfaction, target: 95}
- {id: checkout_satisfaction, name: Livraison, touchpoint: checkout, metric: satisfaction, target: 95}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo with satisfaction targets (``files.map_path``), and the same map with
    ``analysis: {min_responses: 10}``."""
    files = write_demo(tmp_path_factory.mktemp("min_responses"), customers=1500, seed=7)
    text = files.map_path.read_text(encoding="utf-8")
    assert "\nanalysis:" not in text and text.count("\nkpis:\n") == 1
    text = text.replace("\nkpis:\n", "\n" + TARGETS)
    files.map_path.write_text(text, encoding="utf-8")
    with_map = files.map_path.with_name("with_min_responses.yaml")
    with_map.write_text(text + f"\nanalysis:\n  min_responses: {MAP_SAYS}\n", encoding="utf-8")
    return files, with_map


def analyze(files, map_path, out, *flags) -> dict:
    r = CliRunner().invoke(app, ["analyze", str(files.events_path), "--map", str(map_path), "--feedback",
                                 str(files.feedback_path), "--by", "segment", "--out", str(out), "--no-report",
                                 "--no-cache", *flags])
    assert r.exit_code == 0, r.output
    return json.loads((out / "analysis.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(demo, tmp_path_factory):
    files, with_map = demo
    out = tmp_path_factory.mktemp("runs")
    return {
        "flag_1000": analyze(files, files.map_path, out / "a", "--min-responses", "1000"),
        "map": analyze(files, with_map, out / "b"),
        "map_and_flag_1000": analyze(files, with_map, out / "c", "--min-responses", "1000"),
        "flag_10": analyze(files, files.map_path, out / "d", "--min-responses", str(MAP_SAYS)),
        "default": analyze(files, files.map_path, out / "e"),
    }


def _badness(metric: str, value: float, scale: list[float]) -> float:
    bad = (100 - value) / 200 if metric == "nps" else 1 - value / 100 if metric == "csat" else \
        (value - scale[0]) / (scale[1] - scale[0])
    return min(1.0, max(0.0, bad))


def check(data: dict, least: int) -> None:
    """The run's flags, friction signals and scores, and opportunities' small flags, as a threshold
    of ``least`` answers makes them."""
    fb = data["feedback"]
    assert data["options"]["min_responses"] == fb["min_responses"] == least
    for block in [fb] + [g["feedback"] for g in data["breakdown"]["groups"] if "feedback" in g]:
        assert block["min_responses"] == least
        for key in ("overall_by_metric", "by_stage", "by_touchpoint"):
            for r in block[key]:
                assert r["small"] == (r["responses"] < least), (key, r)
        for p in block["emotion_by_touchpoint"]:
            if p["responses"]:
                assert p["small"] == (p["responses"] < least), p
    answers: dict[str, dict[str, dict]] = {}
    for r in fb["by_touchpoint"]:
        answers.setdefault(r["touchpoint"], {})[r["metric"]] = r
    comments = {r["touchpoint"]: r for r in fb["verbatims"]["by_touchpoint"] if r["comments"]}
    rows = {r["touchpoint"]: r for r in data["touchpoints"]}
    for f in data["frictions"]:
        tp = f["touchpoint"]
        given = answers.get(tp, {})
        counted = {mt: r for mt, r in given.items() if r["responses"] >= least and r["value"] is not None}
        said = comments.get(tp)
        signals = {"exit": rows[tp]["exit_rate"], "repeat": rows[tp]["repeat_rate"]}
        if "wait" in f["signals"]:  # the wait's rank among touchpoints does not depend on answers
            signals["wait"] = f["signals"]["wait"]
        if counted:
            signals["feedback"] = sum(_badness(mt, r["value"], fb["scales"][mt]) for mt, r in counted.items()) \
                / len(counted)
        if said and said["comments"] >= least:
            signals["themes"] = said["irritant_share"]
        assert f["signals"] == pytest.approx(signals), tp
        weight = sum(WEIGHTS[k] for k in signals)
        assert f["score"] == pytest.approx(sum(WEIGHTS[k] * v for k, v in signals.items()) / weight), tp
        assert f["small_signals"] == [k for k, few in (("feedback", bool(given) and not counted),
                                                        ("themes", bool(said) and said["comments"] < least)) if few]
        assert f["answers"] == {mt: r["responses"] for mt, r in sorted(given.items())}
        assert f["min_responses"] == least
    emotion = {p["touchpoint"]: p for p in fb["emotion_by_touchpoint"]}
    satisfaction = [o for o in data["opportunities"] if o["indicator"] == "satisfaction"]
    assert satisfaction, "no satisfaction opportunity: the test proves nothing"
    for o in satisfaction:
        assert o["n"] == emotion[o["touchpoint"]]["responses"] and o["small"] == (o["n"] < least), o
    flags = [o["small"] for o in data["opportunities"]]
    assert flags == sorted(flags)  # no small one above one that is not


def test_min_responses_1000_makes_every_satisfaction_signal_small(runs):
    data = runs["flag_1000"]
    check(data, 1000)
    assert all(o["small"] for o in data["opportunities"] if o["indicator"] == "satisfaction")
    assert not any({"feedback", "themes"} & set(f["signals"]) for f in data["frictions"])
    assert any(f["small_signals"] for f in data["frictions"])


def test_the_maps_min_responses_without_the_flag_and_the_flag_wins(runs):
    check(runs["map"], MAP_SAYS)
    check(runs["default"], DEFAULT)
    assert runs["map"] == runs["flag_10"]  # the map's setting is the flag's
    assert runs["map_and_flag_1000"] == runs["flag_1000"]  # the flag wins over the map
    assert runs["map"]["frictions"] != runs["default"]["frictions"], "10 and 30 change nothing: the test proves nothing"
    assert [o["small"] for o in runs["map"]["opportunities"]] != [o["small"] for o in runs["default"]["opportunities"]]


def test_parcours_feedback_takes_the_maps_min_responses_and_the_flag_wins(demo, tmp_path):
    files, with_map = demo

    def feedback(map_path, out, *flags) -> dict:
        r = CliRunner().invoke(app, ["feedback", str(files.feedback_path), "--map", str(map_path), "--out",
                                     str(out), *flags])
        assert r.exit_code == 0, r.output
        return json.loads((out / "feedback.json").read_text(encoding="utf-8"))

    for data, least in ((feedback(with_map, tmp_path / "map"), MAP_SAYS),
                        (feedback(with_map, tmp_path / "flag", "--min-responses", "1000"), 1000),
                        (feedback(files.map_path, tmp_path / "default"), DEFAULT)):
        assert data["min_responses"] == least
        for r in data["overall_by_metric"] + data["by_stage"] + data["by_touchpoint"]:
            assert r["small"] == (r["responses"] < least)


def test_min_responses_is_in_the_cache_key(demo, tmp_path):
    files, _ = demo
    args = (files.events_path, files.map_path)
    first = parcours.analyze(*args, feedback=files.feedback_path, cache=tmp_path, min_responses=5)
    other = parcours.analyze(*args, feedback=files.feedback_path, cache=tmp_path, min_responses=6)
    again = parcours.analyze(*args, feedback=files.feedback_path, cache=tmp_path, min_responses=5)
    assert first.cached_from is None and other.cached_from is None and again.cached_from is not None
    assert other.data["feedback"]["min_responses"] == 6 and again.data["options"]["min_responses"] == 5


def test_a_bad_min_responses_is_an_option_error():
    from parcours.errors import OptionError
    from parcours.model import JourneyMap
    from parcours.model.specs import AnalysisSpec, FeedbackSpec

    for spec in (AnalysisSpec, FeedbackSpec):
        with pytest.raises(OptionError, match="--min-responses must be at least 1, got 0"):
            spec.of(min_responses=0)
        assert spec().resolve(JourneyMap()).min_responses == DEFAULT
