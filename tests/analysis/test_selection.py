"""``--analyses``: a run limited to some analyses gives exactly their part of the full run."""

from __future__ import annotations

import json

import pytest

import parcours
from parcours.analysis.run import ANALYSES, parse_analyses
from parcours.demo import demo_events, demo_map
from parcours.errors import OptionError
from parcours.model.io import dump_map
from tests.cli.test_cli import parcours as parcours_cli  # the CLI as a user runs it

# Keys of analysis.json (and tables) each analysis writes; the summary, input and options always.
WRITES = {
    "transitions": ({"transitions", "starts", "ends"}, {"transitions", "starts", "ends"}),
    "touchpoints": ({"touchpoints", "unmapped"}, {"touchpoints", "unmapped"}),
    "variants": ({"variants"}, {"variants"}),
    "funnel": ({"stages"}, {"stages"}),
    "durations": ({"stage_durations"}, {"stage_durations"}),
    "stage_transitions": ({"stage_transitions"}, {"stage_transitions"}),
    "conformance": ({"conformance"}, {"backward_moves"}),
    "shapes": ({"shapes"}, {"shapes"}),
    "frictions": ({"frictions", "opportunities"}, {"frictions", "opportunities"}),
    "kpis": ({"kpis"}, {"kpis"}),
}
ALWAYS = {"schema_version", "summary", "input", "options"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The demo's events (1,500 customers) and map, as files."""
    import pyarrow.csv as pacsv

    d = tmp_path_factory.mktemp("selection")
    pacsv.write_csv(demo_events(customers=1500, seed=11), d / "events.csv")
    (d / "map.yaml").write_text(dump_map(demo_map()), encoding="utf-8")
    return d / "events.csv", d / "map.yaml"


@pytest.fixture(scope="module")
def full(files):
    return parcours.analyze(*files)


def _run(files, chosen):
    return parcours.analyze(*files, analyses=chosen)


def test_every_analysis_is_listed_with_what_it_writes():
    assert set(WRITES) == set(ANALYSES)


@pytest.mark.parametrize("chosen", [*[[a] for a in ANALYSES], ["transitions", "variants", "funnel", "durations"],
                                    ["shapes", "conformance"], ["summary"]])
def test_a_selection_gives_exactly_its_part_of_the_full_run(files, full, chosen):
    sub = _run(files, chosen)
    want = set(parse_analyses(chosen))
    keys = ALWAYS | set().union(*(WRITES[a][0] for a in want))
    tables = set().union(*(WRITES[a][1] for a in want))
    assert set(sub.data) == keys
    assert set(sub.tables) == tables
    for k in keys - {"options"}:
        assert sub.data[k] == full.data[k], k
    for t in tables:
        assert sub.tables[t].equals(full.tables[t]), t
    assert sub.data["options"] == {**full.data["options"], "analyses": sorted(want) or ["summary"]}
    assert full.data["options"]["analyses"] == "all"


@pytest.mark.parametrize("chosen", ["funnel", "durations", "funnel,durations", "funnel,conformance"])
def test_a_selection_on_a_segment_equals_the_full_run_on_it(files, chosen):
    """On filtered events (a segment) the funnel reads visit starts derived once, the durations
    the visits inline or from a table: the same figures as the full run on that segment."""
    full = parcours.analyze(*files, segment="app_users").data
    sub = parcours.analyze(*files, segment="app_users", analyses=chosen).data
    for a in chosen.split(","):
        for key in WRITES[a][0]:
            assert sub[key] == full[key], key
    assert sub["summary"] == full["summary"]


def test_frictions_bring_what_they_read():
    assert parse_analyses("frictions") == {"frictions", "touchpoints", "transitions"}
    assert parse_analyses(" Funnel , durations,") == {"funnel", "durations"}
    assert parse_analyses("all") is None and parse_analyses("funnel,all") is None and parse_analyses(None) is None
    assert parse_analyses("summary") == frozenset() and parse_analyses("summary,funnel") == {"funnel"}
    for empty in ("", " , ", []):
        with pytest.raises(OptionError, match="no analysis named"):
            parse_analyses(empty)


def test_an_unknown_name_is_a_clear_error():
    with pytest.raises(OptionError) as e:
        parse_analyses("funnel,varients")
    assert "'varients'" in str(e.value) and "did you mean variants" in e.value.hint
    assert all(a in e.value.hint for a in ANALYSES)


def test_stage_analyses_on_a_map_without_stages_are_a_clear_error(files, tmp_path):
    """Asked for by name, an analysis that reads stages is not silently left empty."""
    events, _m = files
    flat = tmp_path / "flat.yaml"
    flat.write_text("touchpoints:\n  - id: search\n    match: {event: search}\n", encoding="utf-8")
    with pytest.raises(OptionError) as e:
        parcours.analyze(events, flat, analyses="variants,durations,funnel")
    assert "--analyses funnel,durations: the journey map declares no stages" in str(e.value)
    assert "add stages to the map" in e.value.hint
    # analyses that do not read stages run on the same map
    assert "stages" not in parcours.analyze(events, flat, analyses="variants,shapes").data
    with pytest.raises(OptionError) as e:
        parcours.analyze(events, analyses="conformance")
    assert "--analyses conformance: no journey map was given" in str(e.value) and "--map" in e.value.hint


def test_cli_option_report_cache_and_errors(files, tmp_path):
    events, m = files
    base = ["analyze", events, "--map", m, "--cache"]
    env = {"PARCOURS_CACHE_DIR": str(tmp_path / "cache")}
    p = parcours_cli(*base, "--out", tmp_path / "a", "--analyses", "funnel,variants", env=env)
    assert p.returncode == 0, p.stderr
    data = json.loads((tmp_path / "a" / "analysis.json").read_text())
    assert set(data) == ALWAYS | {"stages", "variants"} and data["options"]["analyses"] == ["funnel", "variants"]
    html = (tmp_path / "a" / "report.html").read_text()
    assert "Analyses calculées" in html and "funnel, variants" in html  # the demo map is in French
    # Another selection of the same files is not the first one's cached result; the same one is.
    p = parcours_cli(*base, "--out", tmp_path / "b", "--analyses", "durations", env=env)
    assert p.returncode == 0, p.stderr
    assert "repris du cache" not in p.stderr  # the demo map is French: so is the CLI
    assert set(json.loads((tmp_path / "b" / "analysis.json").read_text())) == ALWAYS | {"stage_durations"}
    p = parcours_cli(*base, "--out", tmp_path / "b2", "--analyses", "durations", env=env)
    assert p.returncode == 0 and "repris du cache" in p.stderr
    p = parcours_cli(*base, "--out", tmp_path / "c", "--analyses", "funnel,stage-durations", env=env)
    assert p.returncode == 2 and "unknown analysis 'stage-durations'" in p.stderr and "stage_transitions" in p.stderr
    assert not (tmp_path / "c" / "analysis.json").exists()


def test_the_report_grid_shows_no_measure_for_what_was_not_computed(files, full):
    """Touchpoint cards: a dash when the touchpoint table was left out, not a measured zero."""
    from parcours.report.grid import grid

    m = parcours.load_map(files[1])

    def journeys(data):
        return [c["journeys"] for st in grid(data, m, "en")["stages"] for k in ("cards", "backstage", "support")
                for c in st[k]]

    without = journeys(_run(files, ["funnel"]).data)
    assert without and set(without) == {"–"}
    assert journeys(_run(files, ["touchpoints"]).data) == journeys(full.data) != without


def test_a_limited_run_replaces_an_earlier_one_in_its_folder_and_exports_no_false_zero(files, tmp_path):
    """Tables an earlier full run left in the folder are removed (and said so); the exported
    Mermaid map shows a dash, not 0 journeys, where the touchpoint table was not computed."""
    events, m = files
    out = tmp_path / "out"
    p = parcours_cli("analyze", events, "--map", m, "--out", out, "--no-cache", "--lang", "en")
    assert p.returncode == 0, p.stderr
    full_tables = {f.name for f in out.glob("*.csv")}
    assert {"touchpoints.csv", "variants.csv", "shapes.csv"} <= full_tables
    p = parcours_cli("analyze", events, "--map", m, "--out", out, "--no-cache", "--analyses", "funnel", "--lang", "en")
    assert p.returncode == 0, p.stderr
    left = {f.name for f in out.glob("*.csv")}
    assert left == {"stages.csv", "quarantine.csv"}
    removed = sorted(full_tables - left)
    assert f"Removed {', '.join(removed)}: tables of an earlier analysis" in " ".join(p.stderr.split())
    (out / "notes.csv").write_text("mine\n", encoding="utf-8")  # not a table of Parcours: never removed
    p = parcours_cli("analyze", events, "--map", m, "--out", out, "--no-cache", "--analyses", "funnel", "--lang", "en")
    assert p.returncode == 0 and (out / "notes.csv").exists() and "Removed" not in p.stderr
    p = parcours_cli("export", "--map", m, "--results", out, "--out", tmp_path / "exports", "--only", "mermaid")
    assert p.returncode == 0, p.stderr
    text = "\n".join(f.read_text(encoding="utf-8") for f in (tmp_path / "exports").rglob("*.mmd"))
    assert "journey" in text and "(– parcours" in text and "(0 parcours" not in text
