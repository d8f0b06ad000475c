"""Specs are data: AnalysisSpec validates as the CLI words its errors, fills itself from the
map's ``source`` and ``analysis`` blocks, and the ``analyze`` command has one flag per field."""

from __future__ import annotations

import inspect
import typing

import pytest

from parcours.errors import MapError, OptionError
from parcours.model import JourneyMap, map_from_text
from parcours.model.specs import TOP, AnalysisSpec


@pytest.mark.parametrize(("given", "words"), [
    ({"top": 0}, "--top must be at least 1, got 0"),
    ({"threads": 0}, "--threads must be at least 1, got 0"),
    ({"conversion_window": "soon"}, "--conversion-window: 'soon' is not a duration"),
    ({"journey_gap": "3x"}, "--journey-gap: '3x' is not a duration"),
    ({"feedback_window": "week"}, "--feedback-window: 'week' is not a duration"),
    ({"lang": "de"}, "--lang: Input should be 'fr' or 'en'"),
    ({"top": "many"}, "--top: Input should be a valid integer"),
])
def test_bad_values_are_option_errors_naming_the_option(given, words):
    with pytest.raises(OptionError) as e:
        AnalysisSpec.of(**given)
    assert words in str(e.value)


def test_an_unknown_setting_is_a_type_error_as_for_a_function():
    with pytest.raises(TypeError, match="no setting 'topp'"):
        AnalysisSpec.of(topp=3)


def test_resolve_given_then_map_then_default():
    m = map_from_text("analysis: {conversion_window: 7d, top: 10, lang: fr, collapse_loops: true}\n"
                      "source: {timezone: Europe/Paris, columns: {customer: client, event: name}, journey_gap: 30m}\n")
    spec = AnalysisSpec.of(top=3, columns={"event": "action"}).resolve(m)
    assert spec.model_dump(include={"top", "lang", "collapse_loops", "conversion_window", "timezone", "columns",
                                    "journey_gap"}) == {
        "top": 3, "lang": "fr", "collapse_loops": True, "conversion_window": "7d", "timezone": "Europe/Paris",
        "columns": {"customer": "client", "event": "action"}, "journey_gap": "30m"}
    bare = AnalysisSpec().resolve(JourneyMap(language="fr"))
    assert (bare.top, bare.collapse_loops, bare.conversion_window, bare.lang) == (TOP, False, None, "fr")
    assert AnalysisSpec(collapse_loops=False).resolve(m).collapse_loops is False  # an explicit "no" wins too


def test_the_maps_analysis_block_is_checked_with_its_line():
    with pytest.raises(MapError) as e:
        map_from_text("name: x\nanalysis:\n  top: 0\n  conversion_window: soon\n", source="map.yaml")
    text = str(e.value)
    assert "line 3, analysis.top" in text and "line 4, analysis.conversion_window" in text and "not a duration" in text
    with pytest.raises(MapError, match="analysis.window"):
        map_from_text("analysis: {window: 7d}\n", source="map.yaml")


def test_options_and_cache_key_come_from_the_spec():
    spec = AnalysisSpec.of(top=5, feedback="answers.csv", threads=2, by="channel").resolve(JourneyMap())
    assert spec.options(filters={}, analyses="all", map_name="m") == {
        "journey_gap": None, "top": 5, "collapse_loops": False, "conversion_window": None, "min_responses": 30, "filters": {},
        "by": "channel", "analyses": "all", "map": "m"}
    key = spec.cache_options("all")
    assert "feedback" not in key and "threads" not in key and key["top"] == 5 and key["analyses"] == "all"


# -- the analyze command: one flag per spec field ---------------------------------------
CLI_ONLY = {"out_dir", "events", "map_path", "report", "cache"}  # where to write, what to read, how to run
FLAG_TO_FIELD = {"metric": "feedback_metric", "scale": "feedback_scale"}  # flags named shorter than their field


def _analyze_flags() -> dict[str, str | None]:
    from parcours.cli.analyze import analyze_command

    hints = typing.get_type_hints(analyze_command, include_extras=True)
    out = {}
    for name in inspect.signature(analyze_command).parameters:
        info = next(a for a in typing.get_args(hints[name])[1:] if hasattr(a, "help"))
        out[name] = info.help
    return out


def test_every_spec_field_has_its_analyze_flag_and_every_flag_a_field():
    flags = _analyze_flags()
    fields = {FLAG_TO_FIELD.get(f, f) for f in flags if f not in CLI_ONLY}
    assert fields == set(AnalysisSpec.model_fields)


def test_the_analyze_flags_help_is_the_spec_fields_description():
    for flag, text in _analyze_flags().items():
        if flag not in CLI_ONLY:
            assert text == AnalysisSpec.describe(FLAG_TO_FIELD.get(flag, flag)), flag


def test_roles_are_those_of_the_ingest_layer_and_parsed_alike():
    from parcours.ingest import roles
    from parcours.model import specs

    assert specs.EVENT_ROLES == roles.EVENT_ROLES.all and specs.FEEDBACK_ROLES == roles.FEEDBACK_ROLES.all
    assert specs.parse_roles(" customer=user_id, time=ts,,") == roles.parse_columns(" customer=user_id, time=ts,,")
    for bad in ("customer", "who=x", "event="):
        with pytest.raises(OptionError) as mine:
            specs.parse_roles(bad)
        with pytest.raises(OptionError) as theirs:
            roles.parse_columns(bad)
        assert (mine.value.message, mine.value.hint) == (theirs.value.message, theirs.value.hint)
