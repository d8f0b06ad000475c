"""The bad-row limit and the small-group threshold as settings (issue 23): the map's
``analysis: {max_bad_rows, min_responses}``, checked as the readers and the CLI check them, fill
what analyze and feedback are not given; an option given wins; the built-in defaults (1%, 30)
come last. ``parcours analyze`` applies the map's bad-row limit as the web's uploads do."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from parcours.cli.app import app
from parcours.errors import OptionError
from parcours.model import JourneyMap, map_from_text
from parcours.model.specs import MIN_RESPONSES, AnalysisSpec, CompareSpec, FeedbackSpec, SegmentsSpec, settle

BAD = ["lots", "150%", "-5%", "-3", "2.5", "abc%", ""]
GOOD = ["1%", "60%", "0%", "100%", "0", "5", "0.02", 7, 0.5, 0]


def test_min_responses_is_the_analysis_layers():
    from parcours.analysis.scores import MIN_RESPONSES as ANALYSIS

    assert MIN_RESPONSES == ANALYSIS
    assert FeedbackSpec().resolve(JourneyMap()).min_responses == AnalysisSpec().resolve(JourneyMap()).min_responses \
        == ANALYSIS


@pytest.mark.parametrize("value", BAD)
def test_a_bad_limit_is_refused_by_the_spec_as_the_readers_refuse_it(value):
    from parcours.ingest import parse_max_bad_rows

    with pytest.raises(OptionError) as theirs:
        parse_max_bad_rows(value)
    for spec in (AnalysisSpec, FeedbackSpec):
        with pytest.raises(OptionError) as mine:
            spec.of(max_bad_rows=value)
        assert mine.value.message == theirs.value.message


@pytest.mark.parametrize("value", ["nan", "inf", True])
def test_what_the_readers_cannot_take_is_refused_before_reading(value):
    for spec in (AnalysisSpec, FeedbackSpec):
        with pytest.raises(OptionError, match="is neither a count nor a share"):
            spec.of(max_bad_rows=value)


@pytest.mark.parametrize("value", GOOD)
def test_a_good_limit_is_kept_as_written_and_read_alike(value):
    from parcours.ingest import parse_max_bad_rows

    parse_max_bad_rows(value)  # the readers take it
    assert AnalysisSpec.of(max_bad_rows=value).max_bad_rows == value
    assert map_from_text(f"analysis: {{max_bad_rows: '{value}'}}\n").analysis.max_bad_rows == str(value)


def test_given_then_map_then_default():
    m = map_from_text("analysis: {max_bad_rows: 60%, min_responses: 12}\n")
    for spec in (AnalysisSpec, FeedbackSpec):
        from_map = spec().resolve(m)
        assert (from_map.max_bad_rows, from_map.min_responses) == ("60%", 12)
        given = settle(spec, spec(min_responses=5), {"max_bad_rows": "2%"}).resolve(m)
        assert (given.max_bad_rows, given.min_responses) == ("2%", 5)
        bare = spec().resolve(JourneyMap())
        assert (bare.max_bad_rows, bare.min_responses) == (None, 30)  # None: the readers' default, 1%
    with pytest.raises(OptionError, match="--min-responses must be at least 1"):
        AnalysisSpec.of(min_responses=0)
    with pytest.raises(Exception, match="analysis.min_responses"):
        map_from_text("analysis: {min_responses: 0}\n", source="map.yaml")


def test_options_say_the_threshold_and_the_cache_key_holds_both():
    spec = AnalysisSpec.of(max_bad_rows="5%").resolve(map_from_text("analysis: {min_responses: 12}\n"))
    assert spec.options(filters={}, analyses="all", map_name="m")["min_responses"] == 12
    key = spec.cache_options("all")
    assert (key["min_responses"], key["max_bad_rows"]) == (12, "5%")


HALF_BAD = "customer_id,timestamp,event\n" + "".join(
    f"c{i % 20},{'not a time' if i % 2 else f'2026-01-{1 + i % 28:02d}T10:00:00Z'},visit\n" for i in range(100))


def test_parcours_analyze_takes_the_maps_bad_row_limit_and_the_flag_wins(tmp_path):
    (tmp_path / "half.csv").write_text(HALF_BAD)
    (tmp_path / "lenient.yaml").write_text("name: x\nanalysis:\n  max_bad_rows: 60%\n")
    (tmp_path / "plain.yaml").write_text("name: x\n")

    def analyze(map_name: str, *flags: str):
        return CliRunner().invoke(app, ["analyze", str(tmp_path / "half.csv"), "--map", str(tmp_path / map_name),
                                        "--out", str(tmp_path / f"out-{map_name}-{len(flags)}"),
                                        "--no-report", "--no-cache", *flags])

    r = analyze("lenient.yaml")
    assert r.exit_code == 0, r.output
    done = json.loads((tmp_path / "out-lenient.yaml-0" / "analysis.json").read_text())
    assert (done["input"]["read"], done["input"]["quarantined"]) == (100, 50)
    r = analyze("plain.yaml")
    assert r.exit_code == 4 and "more than --max-bad-rows 1%" in r.output
    r = analyze("lenient.yaml", "--max-bad-rows", "10")
    assert r.exit_code == 4 and "more than --max-bad-rows 10" in r.output
    r = analyze("plain.yaml", "--max-bad-rows", "lots")
    assert r.exit_code == 2 and "--max-bad-rows 'lots' is neither a count nor a share" in r.output


@pytest.mark.parametrize("command", ["compare", "segments"])
def test_compare_and_segments_take_the_maps_bad_row_limit_too(tmp_path, command):
    """They passed '1%' as their flags' default, so the map's limit never applied to them."""
    (tmp_path / "half.csv").write_text(HALF_BAD)
    (tmp_path / "lenient.yaml").write_text("name: x\nanalysis:\n  max_bad_rows: 60%\n"
                                           "stages: [{id: s, name: S}]\ntouchpoints: [{id: v, stage: s, match: {event: visit}}]\n")
    (tmp_path / "plain.yaml").write_text("name: x\nstages: [{id: s, name: S}]\n"
                                         "touchpoints: [{id: v, stage: s, match: {event: visit}}]\n")
    extra = (["--before", "2026-01-01..2026-01-14", "--after", "2026-01-15..2026-01-31"] if command == "compare"
             else ["--every", "week", "--by", "channel_mix"])

    def run(map_name: str, *flags: str):
        return CliRunner().invoke(app, [command, str(tmp_path / "half.csv"), "--map", str(tmp_path / map_name),
                                        *extra, "--out", str(tmp_path / f"{command}-{map_name}-{len(flags)}"), *flags])

    assert run("lenient.yaml").exit_code == 0, run("lenient.yaml").output
    r = run("plain.yaml")
    assert r.exit_code == 4 and "more than --max-bad-rows 1%" in r.output, r.output
    r = run("lenient.yaml", "--max-bad-rows", "10")
    assert r.exit_code == 4 and "more than --max-bad-rows 10" in r.output, r.output
    assert CompareSpec().resolve(JourneyMap(analysis={"max_bad_rows": "60%"})).max_bad_rows == "60%"
    assert SegmentsSpec().resolve(JourneyMap(analysis={"max_bad_rows": "60%"})).max_bad_rows == "60%"
