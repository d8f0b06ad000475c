"""Feedback, compare and segments take their settings as specs like analyze: each command has
one flag per spec field (its help the field's description), the Python functions take a spec or
the keywords they always took, and the map fills what neither gives."""

from __future__ import annotations

import inspect
import typing

import pytest

from parcours.errors import OptionError
from parcours.model import JourneyMap, map_from_text
from parcours.model.specs import CompareSpec, FeedbackSpec, SegmentsSpec, report_lang, settle

ALIASES = {"metric": "feedback_metric", "scale": "feedback_scale"}  # compare's flags named shorter than their field
COMMANDS = {  # command module.function, its spec, the parameters that are not settings (what to read, where to write)
    "feedback": ("parcours.cli.feedback:feedback_command", FeedbackSpec, {"source", "out_dir", "map_path"}, {}),
    "compare": ("parcours.cli.compare:compare_command", CompareSpec, {"events", "out_dir", "map_path"}, ALIASES),
    "segments": ("parcours.cli.segments:segments_command", SegmentsSpec, {"events", "out_dir", "map_path"}, {}),
}


def _flags(target: str) -> dict[str, str]:
    import importlib

    module, name = target.split(":")
    command = getattr(importlib.import_module(module), name)
    hints = typing.get_type_hints(command, include_extras=True)
    return {p: next(a for a in typing.get_args(hints[p])[1:] if hasattr(a, "help")).help
            for p in inspect.signature(command).parameters}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_spec_field_has_its_flag_and_every_flag_a_field(command):
    target, spec, cli_only, aliases = COMMANDS[command]
    flags = _flags(target)
    assert {aliases.get(f, f) for f in flags if f not in cli_only} == set(spec.model_fields)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_flags_help_is_the_spec_fields_description(command):
    target, spec, cli_only, aliases = COMMANDS[command]
    for flag, text in _flags(target).items():
        if flag not in cli_only:
            assert text == spec.describe(aliases.get(flag, flag)), (command, flag)


def test_min_responses_is_the_analysis_layers():
    from parcours.analysis.scores import MIN_RESPONSES

    assert FeedbackSpec().resolve(JourneyMap()).min_responses == MIN_RESPONSES


@pytest.mark.parametrize(("spec", "given", "words"), [
    (CompareSpec, {"segments": "a"}, "--segments 'a': give two segment ids separated by a comma"),
    (CompareSpec, {"segments": "a,"}, "--segments 'a,': give two segment ids"),
    (CompareSpec, {"journey_gap": "3x"}, "--journey-gap: '3x' is not a duration"),
    (FeedbackSpec, {"window": "week"}, "--window: 'week' is not a duration"),
    (FeedbackSpec, {"lang": "de"}, "--lang: Input should be 'fr' or 'en'"),
    (FeedbackSpec, {"columns": "who=x"}, "--columns: unknown role 'who'"),
    (SegmentsSpec, {"columns": "customer"}, "--columns: 'customer' is not role=column"),
])
def test_bad_values_are_option_errors_naming_the_option(spec, given, words):
    with pytest.raises(OptionError) as e:
        spec.of(**given)
    assert words in str(e.value)


def test_the_map_fills_what_is_not_given():
    m = map_from_text("language: fr\nanalysis: {lang: en}\n"
                      "source: {timezone: Europe/Paris, columns: {customer: client}, journey_gap: 30m}\n")
    fb = FeedbackSpec.of(columns="score=note").resolve(m)
    assert (fb.timezone, fb.lang, fb.columns) == ("Europe/Paris", "en", {"score": "note"})  # feedback roles: not the events'
    assert FeedbackSpec.of(lang="fr", timezone="UTC").resolve(m).model_dump(include={"lang", "timezone"}) == {
        "lang": "fr", "timezone": "UTC"}
    cmp = CompareSpec.of(columns="event=name", journey_gap="1h").resolve(m)
    assert (cmp.columns, cmp.journey_gap, cmp.timezone, cmp.lang) == (
        {"customer": "client", "event": "name"}, "1h", "Europe/Paris", "en")
    seg = SegmentsSpec.of(every="week").resolve(m)
    assert seg.options(map_name="x") == {"by": "buyer", "every": "week", "period": None, "journey_gap": "30m",
                                         "map": "x"}


def test_one_language_rule():
    assert report_lang(None, JourneyMap(language="fr", analysis={"lang": "en"})) == "en"
    assert report_lang("fr", JourneyMap(language="en", analysis={"lang": "en"})) == "fr"
    assert report_lang(None, JourneyMap(language="fr")) == "fr"
    assert report_lang(None, JourneyMap(language="fr", analysis={"top": 3})) == "fr"


def test_keywords_win_over_the_spec_and_a_misspelt_one_is_a_type_error():
    spec = settle(SegmentsSpec, SegmentsSpec(by="channel", every="week"), {"every": "year"})
    assert (spec.by, spec.every) == ("channel", "year")
    with pytest.raises(TypeError, match="no setting 'evry'"):
        settle(SegmentsSpec, None, {"evry": "week"})


def test_objects_given_stay_themselves():
    """A map, an event log or a table given as a setting is not turned into a dict on the way."""
    before = JourneyMap(id="v1")
    spec = settle(CompareSpec, CompareSpec(map_before=before), {}).resolve(JourneyMap())
    assert spec.map_before is before
    log = object()
    assert settle(FeedbackSpec, None, {"events": log}).resolve(JourneyMap()).events is log
