"""The HTML report: its numbers are analysis.json's, and it works in a real Chromium, offline."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

import parcours
from parcours.demo import write_demo
from parcours.report import render_html
from parcours.report import formats as F

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    files = write_demo(out, customers=800, seed=11)
    m = parcours.load_map(files.map_path)
    r = parcours.analyze(files.events_path, m, by="segment", feedback=files.feedback_path)
    data = json.loads(r.to_json())
    paths = {}
    for lang in ("fr", "en"):
        paths[lang] = out / f"report_{lang}.html"
        paths[lang].write_text(render_html(data, m, lang=lang), encoding="utf-8")
    return m, data, paths


def test_grid_numbers_are_analysis_json_numbers(demo_report):
    m, data, paths = demo_report
    html = paths["fr"].read_text(encoding="utf-8")
    view = html.split('data-view="all"', 1)[1].split('data-view="g0"', 1)[0]
    heads = re.findall(r'<th scope="col" class="stage" data-stage="([^"]+)">', view)
    assert heads == m.stage_ids()
    for s in data["stages"]:  # reached per stage, as formatted in French, in the KPI lane
        assert f"<dd>{F.number(s['reached'], 'fr')} <small>" in view
    for t in data["touchpoints"]:
        if t["mapped"] and any(tp.id == t["touchpoint"] and tp.lane.value == "frontstage" for tp in m.touchpoints):
            card = view.split(f'data-touchpoint="{t["touchpoint"]}"', 1)[1][:900]
            assert F.number(t["journeys"], "fr") in card and F.pct(t["exit_rate"], "fr") in card
    for lane in ("goals", "actions", "touchpoints", "emotion", "pains", "opportunities", "kpis", "backstage", "support"):
        assert f'data-lane="{lane}"' in view
    # one view per segment, with its own journeys
    for i, g in enumerate(data["breakdown"]["groups"]):
        part = html.split(f'data-view="g{i}"', 1)[1][:600]
        assert F.number(g["summary"]["journeys"], "fr") in part
    assert "https://" not in html.replace("https://plot.ly", "").split("<script>")[0]  # no external resource in the page


def test_report_is_self_contained():
    assert F.number(1234567, "fr") == "1\u202f234\u202f567" and F.pct(0.256, "en") == "26%"
    assert F.duration(90, "fr") == "1,5\u202fmin" and F.duration(3 * 86400, "en") == "3.0\u202fd"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("lang,stage", [("fr", "Découverte"), ("en", "Awareness")])
def test_report_in_chromium(browser, demo_report, lang, stage):
    m, data, paths = demo_report
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
    page.goto(paths[lang].resolve().as_uri())
    page.wait_for_selector("#all-funnel .main-svg")
    assert errors == [] and requests == []
    view = page.locator("#view-all")
    assert view.locator("th.stage").count() == len(m.stages)
    assert stage in view.locator("th.stage").first.inner_text()  # accented text renders
    assert view.locator("tr[data-lane]").count() >= 7
    for key in ("funnel", "sankey", "graph", "durations", "over_time", "unmapped", "segments"):
        svg = page.locator(f"#all-{key} svg.main-svg").first
        assert svg.count() == 1 and svg.bounding_box()["height"] > 100, key
    # the funnel shows the reached counts of analysis.json
    funnel_text = page.locator("#all-funnel").inner_text()
    assert all(str(s["reached"]) in funnel_text for s in data["stages"])
    # switching segment changes the figures, by keyboard on the selector
    g = data["breakdown"]["groups"][0]
    page.focus("#group")
    assert page.evaluate("document.activeElement.id") == "group"
    page.select_option("#group", "g0")
    page.wait_for_selector("#g0-funnel .main-svg")
    assert page.locator("#view-all").is_hidden() and page.locator("#view-g0").is_visible()
    g_funnel = page.locator("#g0-funnel").inner_text()
    assert str(g["stages"][0]["reached"]) in g_funnel and g["stages"][0]["reached"] != data["stages"][0]["reached"]
    assert errors == [] and requests == []
    page.close()
