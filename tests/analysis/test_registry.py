"""The registry of analyses: an analysis added as docs/contributing.md shows (one module, one
registry entry) runs with the others, lands in analysis.json and its CSV, and ``--analyses``
knows it; the built-ins declare what the run, the result and the docs read."""

from __future__ import annotations

import json
import re
import types
from pathlib import Path

import pandas as pd
import pytest

import parcours
from parcours.analysis import registry
from parcours.analysis.registry import Analysis, Table
from parcours.analysis.run import parse_analyses
from parcours.demo import demo_events
from parcours.errors import OptionError
from parcours.result import analysis_key_of

PAGE = Path(__file__).resolve().parents[2] / "docs" / "contributing.md"
ALWAYS = {"schema_version", "summary", "input", "options"}


def example_code() -> str:
    """The module ``weekdays.py`` of docs/contributing.md (the block after its file marker)."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r"<!-- file: weekdays\.py -->\s*```python\n(.*?)\n```", text, re.S)
    assert found, "docs/contributing.md has no weekdays.py example"
    return found.group(1)


@pytest.fixture
def weekdays():
    """The example analysis, registered as its module does on import; unregistered after."""
    module = types.ModuleType("weekdays")
    exec(compile(example_code(), str(PAGE), "exec"), module.__dict__)  # noqa: S102 - the docs' own example
    try:
        yield module
    finally:
        registry.unregister("weekdays")
    assert "weekdays" not in registry.names()


@pytest.fixture(scope="module")
def events_csv(tmp_path_factory):
    import pyarrow.csv as pacsv

    path = tmp_path_factory.mktemp("registry") / "events.csv"
    pacsv.write_csv(demo_events(customers=400, seed=5), path)
    return path


def independent_counts(events_csv: Path) -> pd.DataFrame:
    """Events and customers (a journey each: no map, no gap) per UTC weekday, by pandas alone."""
    df = pd.read_csv(events_csv)
    ts = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601")
    df = df.assign(weekday=ts.dt.day_of_week, day=ts.dt.day_name())
    return (df.groupby(["weekday", "day"]).agg(events=("event", "size"), journeys=("customer_id", "nunique"))
            .reset_index().sort_values("weekday").reset_index(drop=True))


def test_the_example_analysis_gives_the_independent_figures(weekdays, events_csv, tmp_path):
    assert "weekdays" in registry.names() and registry.names()[-1] == "weekdays"  # after the built-ins
    result = parcours.analyze(events_csv, analyses="weekdays")
    got = result["weekdays"].to_pandas()
    want = independent_counts(events_csv)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got["events"].sum() == result.summary["events"]

    result.save(tmp_path)
    saved = json.loads((tmp_path / "analysis.json").read_text(encoding="utf-8"))
    assert set(saved) == ALWAYS | {"weekdays"} and saved["options"]["analyses"] == ["weekdays"]
    assert saved["weekdays"] == want.to_dict("records")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "weekdays.csv"), got, check_dtype=False)
    assert analysis_key_of("weekdays") == "weekdays"


def test_every_run_computes_it_and_analyses_knows_its_name(weekdays, events_csv):
    full = parcours.analyze(events_csv)
    assert "weekdays" in full.tables and full.data["weekdays"] == independent_counts(events_csv).to_dict("records")
    assert list(full.data)[-3:] == ["weekdays", "input", "options"]  # after the built-ins' keys
    assert parse_analyses("weekdays,variants") == {"weekdays", "variants"}
    with pytest.raises(OptionError) as e:
        parse_analyses("weekday")
    assert "did you mean weekdays" in e.value.hint and "weekdays" in e.value.hint.split("or all")[0]


def test_once_unregistered_it_is_gone(events_csv):
    with pytest.raises(OptionError, match="unknown analysis 'weekdays'"):
        parse_analyses("weekdays")
    assert analysis_key_of("weekdays") is None
    assert "weekdays" not in parcours.analyze(events_csv, analyses="transitions").data


def test_a_declaration_that_clashes_is_refused():
    def build(inp):
        return {}

    with pytest.raises(ValueError, match="registered already"):
        registry.register(Analysis("variants", build))
    with pytest.raises(ValueError, match="table stages belongs to another analysis"):
        registry.register(Analysis("my_funnel", build, tables=(Table("stages"),)))
    with pytest.raises(ValueError, match="needs nothing_yet: register those first"):
        registry.register(Analysis("later", build, needs=("nothing_yet",)))
    with pytest.raises(ValueError, match="lower-case"):
        Analysis("Weekdays", build)
    with pytest.raises(ValueError, match="cost 'cheap'"):
        Analysis("weekdays", build, cost="cheap")
    with pytest.raises(ValueError, match="needed by another analysis"):
        registry.unregister("touchpoints")
    assert "my_funnel" not in registry.names() and "later" not in registry.names()


def test_the_built_ins_declare_what_the_run_and_the_result_read():
    """The table keys result.py reads, the stage analyses of the error messages, and the
    visit columns each visit reader declares (the same ones its module exports)."""
    from parcours.analysis import conformance, durations, shapes, transitions
    from parcours.analysis.run import STAGE_ANALYSES

    assert registry.table_keys() == {
        "transitions": "transitions", "starts": "starts", "ends": "ends", "touchpoints": "touchpoints",
        "unmapped": "unmapped", "variants": "variants", "stages": "stages", "stage_transitions": "stage_transitions",
        "stage_durations": "stage_durations", "backward_moves": "conformance", "shapes": "shapes",
        "frictions": "frictions", "opportunities": "opportunities", "kpis": "kpis"}
    assert set(STAGE_ANALYSES) == {"funnel", "durations", "stage_transitions", "conformance"}
    assert registry.get("summary").always and "summary" not in registry.names()
    for a in registry.analyses():
        assert set(a.visits) <= set(transitions.VISIT_COLUMNS), a.name
        assert a.always or a.tables, a.name
        assert callable(a.builder()), a.name  # every "module:function" resolves
    assert durations.VISITS_READ == ("next_t_us",) and shapes.VISITS_READ == ("prev_stage_rank",)
    assert conformance.VISITS_READ == ("visit", "next_stage", "prev_stage_rank")
    assert transitions.STAGE_TRANSITIONS_READ == ("next_stage", "next_t_us")
