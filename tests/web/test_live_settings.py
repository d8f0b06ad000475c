"""The live map's settings (``window``, ``top``, ``lang``): the analysis API and the live map
page pass them to the analysis as ``parcours analyze``'s flags do, over the map's ``analysis:``
block; bad values are a 422 naming the setting; no setting: the map's block decides."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from parcours.cli.app import app
from parcours.demo import _MAP_YAML
from parcours.store.maps import save_map
from tests.web.test_analyses import backend, demo_project, measured  # noqa: F401 - fixtures reused
from tests.web.test_api import world  # noqa: F401 - fixture reused


def cli_analysis(files, map_path, out, *flags) -> dict:
    r = CliRunner().invoke(app, ["analyze", str(files.events_path), "--map", str(map_path), "--out", str(out),
                                 "--feedback", str(files.feedback_path), "--by", "segment", "--no-report",
                                 "--no-cache", *flags])
    assert r.exit_code == 0, r.output
    return json.loads((out / "analysis.json").read_text(encoding="utf-8"))


def test_window_and_top_give_the_analysis_of_the_cli_flags(demo_project, tmp_path):  # noqa: F811
    c, _h, pid, files = demo_project
    got = measured(c, f"/api/v1/projects/{pid}/analysis?window=7d&top=5")["analysis"]
    want = cli_analysis(files, files.map_path, tmp_path / "cli", "--conversion-window", "7d", "--top", "5")
    assert got["options"]["conversion_window"] == "7d" and got["options"]["top"] == 5
    assert {k: v for k, v in got["options"].items() if k != "map"} == \
        {k: v for k, v in want["options"].items() if k != "map"}
    assert got.keys() == want.keys()
    for table in sorted(set(want) - {"options", "map", "run"}):  # whole tables
        assert got[table] == want[table], table
    plain = measured(c, f"/api/v1/projects/{pid}/analysis")["analysis"]  # another cache entry
    assert plain["options"]["top"] == 20 and plain["options"]["conversion_window"] is None


def test_the_map_analysis_block_is_used_when_no_setting_is_given(demo_project, tmp_path):  # noqa: F811
    c, h, pid, files = demo_project
    with_block = _MAP_YAML + "\nanalysis:\n  top: 3\n"
    assert c.post(f"/api/v1/projects/{pid}/map/versions", json={"yaml": with_block, "base": 1},
                  headers=h).status_code == 201
    got = measured(c, f"/api/v1/projects/{pid}/analysis")["analysis"]
    map_path = tmp_path / "with_block.yaml"
    map_path.write_text(with_block, encoding="utf-8")
    want = cli_analysis(files, map_path, tmp_path / "cli")
    assert got["options"]["top"] == 3 and got["variants"] == want["variants"]
    assert measured(c, f"/api/v1/projects/{pid}/analysis?top=4")["analysis"]["options"]["top"] == 4  # the setting wins


def test_bad_settings_are_422_naming_them(demo_project):  # noqa: F811
    c, _h, pid, _files = demo_project
    for query, name, shown in (("window=3x", "window", "'3x'"), ("top=0", "top", "0"), ("top=many", "top", "many"),
                               ("lang=de", "lang", "'de'")):
        r = c.get(f"/api/v1/projects/{pid}/analysis?{query}")
        assert r.status_code == 422 and r.json()["detail"].startswith(f"{name}: ") and shown in r.json()["detail"], r.text
        page = c.get(f"/projects/{pid}?{query}", headers={"Accept": "text/html"})
        assert page.status_code == 422 and shown.strip("'") in page.text and f'name="{name}"' in page.text


def test_the_live_map_bar_has_the_settings(demo_project):  # noqa: F811
    c, _h, pid, _files = demo_project
    measured(c, f"/api/v1/projects/{pid}/analysis?top=5&lang=en")
    page = c.get(f"/projects/{pid}?top=5&lang=en", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'name="top" style="width: 4.5em" value="5"' in page.text and '<option value="en" selected>' in page.text
    assert 'name="window"' in page.text and "Clear filters" in page.text
