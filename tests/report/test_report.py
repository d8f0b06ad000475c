"""The HTML report: its numbers are analysis.json's, and it works in a real Chromium, offline."""

from __future__ import annotations

import json
import re

import pytest

import parcours
from parcours.demo import write_demo
from parcours.model.journey_map import text_in
from parcours.report import render_html
from parcours.report import formats as F



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


def big_events(m, customers: int = 400, seed: int = 3):
    """Journeys through a big map's stages in order: 1–3 of the stage's touchpoints each, a
    quarter leaving at each stage, a few events on no map."""
    import random

    import pandas as pd

    rng = random.Random(seed)
    rows, t0 = [], pd.Timestamp("2026-03-01T08:00:00Z")
    by_stage = {s.id: [t.id for t in m.touchpoints if t.stage == s.id] for s in m.stages}
    for c in range(customers):
        t = t0 + pd.Timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        for s in m.stages:
            for tp in rng.sample(by_stage[s.id], k=min(len(by_stage[s.id]), rng.randint(1, 3))):
                t += pd.Timedelta(minutes=rng.randint(1, 600))
                rows.append((f"C{c:04d}", t, tp))
            if rng.random() < 0.1:
                rows.append((f"C{c:04d}", t + pd.Timedelta(seconds=30), "popup_not_on_the_map"))
            if rng.random() < 0.25:
                break
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])


def test_a_large_map_stays_legible(browser, tmp_path):
    """10 stages and 60 touchpoints with long names, measured on events: the grid scrolls inside
    its frame (the page does not), columns keep a readable width, long names wrap on two lines and are cut with the
    full text on hover, cards never overlap, and every chart still draws."""
    from tests.report.test_grid_svg import big_map

    m = big_map(10, 60)
    events = tmp_path / "events.csv"
    big_events(m).to_csv(events, index=False)
    data = json.loads(parcours.analyze(str(events), m).to_json())
    path = tmp_path / "big.html"
    path.write_text(render_html(data, m, lang="fr"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("#all-funnel .main-svg")
    box = page.evaluate("""() => {
      const wrap = document.querySelector('#view-all .gridwrap');
      const cols = [...document.querySelectorAll('#view-all th.stage')].map(th => th.getBoundingClientRect().width);
      const names = [...document.querySelectorAll('#view-all .card .cname')].map(e => ({
        cut: e.scrollHeight > e.clientHeight || e.scrollWidth > e.clientWidth, title: e.closest('.card').getAttribute('title'), text: e.textContent,
        size: parseFloat(getComputedStyle(e).fontSize)}));
      const cards = [...document.querySelectorAll('#view-all td.cards')].map(td =>
        [...td.querySelectorAll('.card')].map(c => c.getBoundingClientRect()).map(r => [r.top, r.bottom, r.left, r.right]));
      return {scroll: wrap.scrollWidth, client: wrap.clientWidth, page: document.documentElement.scrollWidth,
              cols, names, cards};
    }""")
    assert box["scroll"] > box["client"] and box["page"] <= 1366  # the grid scrolls, not the page
    assert len(box["cols"]) == 10 and min(box["cols"]) >= 190
    assert len(box["names"]) == len(m.touchpoints)  # every touchpoint has its card
    cut = [n for n in box["names"] if n["cut"]]
    assert cut, "the long names are cut"
    for n in box["names"]:
        assert n["title"].startswith(n["text"]) and n["size"] >= 12  # the full name on hover, readable size
    # the grid's PNG export has no hover: its style shows every text whole (the PNG cut them before)
    from parcours.report.export import GRID_PNG_CSS

    page.add_style_tag(content=GRID_PNG_CSS)
    still_cut = page.evaluate("""() => [...document.querySelectorAll('#view-all .card .cname, #view-all .grid li')]
        .filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""")
    assert still_cut == []
    for cell in box["cards"]:
        for a, b in zip(cell, cell[1:]):
            assert a[1] <= b[0], "cards overlap"
    for key in ("funnel", "sankey", "graph", "durations", "unmapped"):
        assert page.locator(f"#all-{key} svg.main-svg").first.bounding_box()["height"] > 100, key
    assert errors == []
    page.close()


def contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    def lum(c):
        r, g, b = ((v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_accessibility_contrast_headings_and_names(browser, demo_report):
    """WCAG AA contrast measured on every visible text of the map (4.5:1, 3:1 for large text),
    one h1 then h2s, a name on every chart, the selector and the emotion curve."""
    _m, _data, paths = demo_report
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(paths["fr"].resolve().as_uri())
    page.wait_for_selector("#all-funnel .main-svg")
    texts = page.evaluate("""() => {
      const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
      function background(e) {
        for (; e; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
        }
        return [255, 255, 255];
      }
      const opacity = e => { let o = 1; for (; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; };
      const out = [];
      for (const e of document.querySelectorAll('header *, nav *, #view-all .grid *, #view-all figcaption, footer')) {
        const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || !e.getClientRects().length) continue;
        const st = getComputedStyle(e);
        const paint = e instanceof SVGElement ? st.fill : st.color;  // SVG text is painted with fill
        out.push({text: e.textContent.trim().slice(0, 40), fg: rgb(paint), bg: background(e),
                  size: parseFloat(st.fontSize), bold: parseInt(st.fontWeight) >= 700, opacity: opacity(e)});
      }
      return out;
    }""")
    assert len(texts) > 100
    low = []
    for t in texts:
        large = t["size"] >= 24 or (t["size"] >= 18.66 and t["bold"])
        fg = t["fg"] if t["opacity"] >= 1 else [c * t["opacity"] + b * (1 - t["opacity"]) for c, b in zip(t["fg"], t["bg"])]
        if contrast(fg, t["bg"]) < (3 if large else 4.5):
            low.append((t["text"], round(contrast(fg, t["bg"]), 2)))
    assert not low, f"text below WCAG AA contrast: {low}"
    heads = page.evaluate("[...document.querySelectorAll('h1, h2, h3')].map(h => h.tagName)")
    assert heads[0] == "H1" and heads.count("H1") == 1 and "H2" in heads
    assert page.evaluate("[...document.querySelectorAll('.plot')].every(p => p.getAttribute('role') === 'img' "
                         "&& p.getAttribute('aria-label'))")
    assert page.get_attribute("#group", "aria-label")
    assert page.locator("#view-all svg.emo title").count() >= 1
    page.close()


def test_before_after_table_and_personas(demo_report, tmp_path):
    """The before/after table shows every row of compare.json, significant ones first, with
    values formatted from the JSON's; personas name their segment's option and show their card."""
    from parcours.project.compare import compare
    from parcours.report.html import before_after
    from parcours.report.labels import labels

    L_EN = labels("en")

    m, data, paths = demo_report
    files_dir = paths["fr"].parent  # where the fixture wrote the demo
    result = compare(str(files_dir / "events.csv"), m, before="2026-01-01..2026-03-31", after="2026-04-01..2026-06-30",
                     feedback=str(files_dir / "feedback.csv"))
    cmp = json.loads((result.save(tmp_path) and tmp_path / "compare.json").read_text())  # as the CLI reads it
    html = render_html(data, m, lang="en", compare=cmp)
    table = html.split('<table class="ba">', 1)[1].split("</table>", 1)[0]
    from parcours.report.before_after import tests_sentence, words

    assert words("en")["p_adjusted"] in table  # raw and adjusted p-values side by side (Benjamini-Hochberg)
    assert tests_sentence(cmp, "en") in html  # and how many tests were made
    rows = re.findall(r"<tr class=\"(sig)?\">(.*?)</tr>", table, re.S)
    assert len(rows) == len(cmp["rows"]) > 20
    flags = [bool(sig) for sig, _ in rows]
    assert flags == sorted(flags, reverse=True) and sum(flags) == sum(r["significant"] for r in cmp["rows"])
    expected = sorted(cmp["rows"], key=lambda r: (not r["significant"], 2 if r["p_value"] is None else r["p_value"]))  # untestable last
    for (_sig, cells), r in zip(rows, expected, strict=True):
        shown = re.sub(r"<[^>]+>", "|", cells)
        if r["indicator"] in ("conversion", "reach", "exit_rate"):
            assert F.pct(r["before"], "en", 1) in shown and F.pct(r["after"], "en", 1) in shown, (r, shown)
        elif r["indicator"] == "csat":  # already a percentage
            assert f"|{r['before']:,.1f}%|" in shown and f"|{r['after']:,.1f}%|" in shown, (r, shown)
        elif r["indicator"] in ("nps", "ces"):
            assert f"|{F.number(r['before'], 'en', 1)}|" in shown and f"|{F.number(r['after'], 'en', 1)}|" in shown
        elif r["indicator"] == "duration_to_next_median":  # seconds, shown as a duration
            assert f"|{F.duration(r['before'], 'en')}|" in shown and f"|{F.duration(r['after'], 'en')}|" in shown
        assert f"{F.number(r['n_before'], 'en')} / {F.number(r['n_after'], 'en')}" in shown
        where = {"overall": "Overall", "stage": {s.id: text_in(s.name, "en") for s in m.stages}.get(r["item"]),
                 "touchpoint": {t.id: text_in(t.name, "en") for t in m.touchpoints}.get(r["item"])}[r["level"]]
        assert shown.startswith(f"|{where}|".replace("&", "&amp;").replace("'", "&#39;")), (where, shown)
    # a lower exit rate, effort or time is better; less conversion, reach or NPS worse
    cases = [("exit_rate", -0.02, "better"), ("exit_rate", 0.02, "worse"), ("duration_to_next_median", 3600, "worse"),
             ("duration_to_next_median", -60, "better"), ("ces", 0.5, "worse"), ("reach", -0.1, "worse"),
             ("conversion", 0.05, "better"), ("nps", -3, "worse"), ("csat", 4, "better"), ("nps", 0, "")]
    for indicator, change, trend in cases:
        row = {**cmp["rows"][0], "indicator": indicator, "change": change}
        assert before_after({"rows": [row], "compare": {}, "journeys": {}}, "en", L_EN)["rows"][0]["trend"] == trend
    # personas: the option of their segment carries their name, their card is above the group's map
    options = re.findall(r'<option value="(g\d+)">([^<]+)</option>', html)
    for p in m.personas:
        i = next(i for i, g in enumerate(data["breakdown"]["groups"]) if g["group"] == p.segment)
        label = dict(options)[f"g{i}"]
        assert label.startswith(text_in(p.name, "en")), label
        view = html.split(f'data-view="g{i}"', 1)[1].split("<table", 1)[0]
        assert text_in(p.description, "en") in view.replace("&#39;", "'") and text_in(p.frustrations[0], "en").replace("'", "&#39;") in view
