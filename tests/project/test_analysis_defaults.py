"""The conversion window, top variants, loop collapsing and language set from the map file
(``analysis:``), from the CLI and from the Python API give the same analysis, on the demo."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import parcours
from parcours.cli.app import app
from parcours.demo import write_demo
from parcours.model.specs import AnalysisSpec

SETTINGS = {"conversion_window": "2d", "top": 4, "lang": "en", "collapse_loops": True}  # the demo map is in French
FLAGS = ["--conversion-window", "2d", "--top", "4", "--lang", "en", "--collapse-loops"]
AFFECTED = ("stages", "variants", "frictions", "opportunities")  # tables each setting changes


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("defaults_demo"), customers=600, seed=5)


@pytest.fixture(scope="module")
def with_defaults(demo):
    """The demo map with the settings in its analysis block, beside the original."""
    text = demo.map_path.read_text(encoding="utf-8")
    block = "analysis:\n" + "".join(f"  {k}: {str(v).lower() if isinstance(v, bool) else v}\n"
                                    for k, v in SETTINGS.items())
    path = demo.map_path.with_name("with_defaults.yaml")
    path.write_text(text + "\n" + block, encoding="utf-8")
    return path


def cli_run(events, map_path, out, *flags) -> dict:
    r = CliRunner().invoke(app, ["analyze", str(events), "--map", str(map_path), "--out", str(out), "--no-report",
                                 "--no-cache", *flags])
    assert r.exit_code == 0, r.output
    return json.loads((out / "analysis.json").read_text(encoding="utf-8"))


def test_map_cli_and_python_give_the_same_analysis(demo, with_defaults, tmp_path):
    from_map = cli_run(demo.events_path, with_defaults, tmp_path / "map")
    from_cli = cli_run(demo.events_path, demo.map_path, tmp_path / "cli", *FLAGS)
    from_api = json.loads(parcours.analyze(demo.events_path, demo.map_path, **SETTINGS).to_json())
    from_spec = json.loads(parcours.analyze(demo.events_path, demo.map_path, AnalysisSpec(**SETTINGS)).to_json())
    plain = json.loads(parcours.analyze(demo.events_path, demo.map_path).to_json())
    assert from_map["options"] == from_cli["options"] == from_api["options"] == from_spec["options"] == {
        "journey_gap": None, "top": 4, "collapse_loops": True, "conversion_window": "2d", "min_responses": 30, "filters": {},
        "by": None, "analyses": "all", "map": "maison_lumiere"}
    for key in AFFECTED:
        assert from_map[key] == from_cli[key] == from_api[key] == from_spec[key], key
        assert from_map[key] != plain[key], f"{key}: the settings changed nothing, the test proves nothing"
    assert from_map == from_cli == from_api == from_spec  # the whole analysis.json
    for name in ("variants", "stages", "frictions"):
        assert (tmp_path / "map" / f"{name}.csv").read_bytes() == (tmp_path / "cli" / f"{name}.csv").read_bytes()


def test_an_explicit_setting_wins_over_the_maps(demo, with_defaults, tmp_path):
    r = parcours.analyze(demo.events_path, with_defaults, top=2, collapse_loops=False, lang="fr")
    o = r.data["options"]
    assert (o["top"], o["collapse_loops"], o["conversion_window"]) == (2, False, "2d")
    assert len(r.data["variants"]["top"]) <= 3  # two variants and 'other'
    flagged = cli_run(demo.events_path, with_defaults, tmp_path / "flags", "--top", "3", "--no-collapse-loops")
    assert (flagged["options"]["top"], flagged["options"]["collapse_loops"]) == (3, False)
