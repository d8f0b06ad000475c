"""The report's grid shows each KPI measured (value, target, status, why) and draws the map's
designed emotion when there is no feedback; the HTML report has the emotion chart (issue 23, §2).
Figures against pandas on a small log; the page read by an HTML parser and in Chromium."""

from __future__ import annotations

import json
import re

import lxml.html
import pandas as pd
import pytest

import parcours
from parcours.model import map_from_dict, text_in
from parcours.report import formats as F
from parcours.report import render_html
from parcours.report.grid import grid
from parcours.report.grid_svg import grid_svg
from parcours.report.labels import labels

MAP = {
    "name": {"fr": "Carte d'essai", "en": "Test map"},
    "stages": [{"id": "a", "name": {"fr": "Découverte", "en": "Discovery"}, "emotion": 1},
               {"id": "b", "name": {"fr": "Panier", "en": "Basket"}, "emotion": -1},
               {"id": "c", "name": {"fr": "Paiement", "en": "Payment"}}],  # no designed emotion: a gap
    "touchpoints": [{"id": "view", "stage": "a", "channel": "web"}, {"id": "cart", "stage": "b", "channel": "web"},
                    {"id": "pay", "stage": "c", "channel": "app"}],
    "goals": [{"id": "pay"}],
    "kpis": [{"id": "conv", "name": {"fr": "Passage au panier", "en": "On to the basket"}, "stage": "a",
              "metric": "conversion", "target": 50, "unit": "%"},
             {"id": "reach", "name": "Reach", "stage": "a", "metric": "reached", "unit": "%"},  # no target
             {"id": "wait", "name": "Time in basket", "stage": "b", "metric": "duration_median", "target": 30,
              "unit": "min", "direction": "lower"},
             {"id": "paid", "name": "Paid", "touchpoint": "pay", "metric": "reached", "target": 5},
             {"id": "nps", "name": "NPS", "stage": "c", "metric": "nps", "target": 30}],
}
STATUS = {"fr": {"met": "atteint", "not_met": "non atteint", "not_measurable": "non mesurable"},
          "en": {"met": "met", "not_met": "not met", "not_measurable": "not measurable"}}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """12 journeys view; 8 go on to the basket 10 × i minutes later; 3 of those pay. No feedback."""
    path = tmp_path_factory.mktemp("kpis_report") / "e.csv"
    rows = []
    for i in range(12):
        t = pd.Timestamp("2026-02-01T09:00:00Z") + pd.Timedelta(hours=i)
        rows.append({"customer_id": f"c{i:02d}", "event": "view", "timestamp": t})
        if i < 8:
            rows.append({"customer_id": f"c{i:02d}", "event": "cart", "timestamp": t + pd.Timedelta(minutes=5)})
            if i < 3:
                rows.append({"customer_id": f"c{i:02d}", "event": "pay",
                             "timestamp": t + pd.Timedelta(minutes=5 + 10 * (i + 1) + 20 * i)})
    ev = pd.DataFrame(rows)
    ev.to_csv(path, index=False)
    m = map_from_dict(MAP)
    data = json.loads(parcours.analyze(path, m).to_json())
    assert "feedback" not in data
    return m, data, ev


def expected(ev: pd.DataFrame) -> dict[str, tuple[float | None, str | None]]:
    """Each KPI's value in its unit and status, computed with pandas from the log alone."""
    first = ev.groupby(["customer_id", "event"])["timestamp"].min().unstack()
    conv = 100 * first["cart"].notna().sum() / len(first)
    reach = 100 * first["view"].notna().sum() / len(first)
    wait = ((first["pay"] - first["cart"]).dropna().dt.total_seconds() / 60).median()
    paid = first["pay"].notna().sum()
    return {"conv": (conv, "met" if conv >= 50 else "not_met"), "reach": (reach, None),
            "wait": (wait, "met" if wait <= 30 else "not_met"), "paid": (paid, "met" if paid >= 5 else "not_met"),
            "nps": (None, "not_measurable")}


def value_text(v: float | None, unit: str | None, lang: str) -> str:
    """A value as the report writes it: 1 decimal unless whole, its unit after a narrow space
    (a percent sign glued to it in English)."""
    if v is None:
        return "–"
    text = F.number(v, lang, 0 if float(v).is_integer() else 1)
    if not unit:
        return text
    if unit == "%":
        return text + ("\u202f%" if lang == "fr" else "%")
    return f"{text}\u202f{unit}"


def test_grid_targets_are_the_kpis_measured(run):
    m, data, ev = run
    want = expected(ev)
    units = {k.id: k.unit for k in m.kpis}
    for lang in ("fr", "en"):
        g = grid(data, m, lang)
        got = {t["kpi"]: t for s in g["stages"] for t in s["targets"]}
        assert list(got) == [k.id for k in m.kpis]  # every KPI, the touchpoint's in its stage, in the map's order
        assert {s["id"]: [t["kpi"] for t in s["targets"]] for s in g["stages"]} == \
               {"a": ["conv", "reach"], "b": ["wait"], "c": ["paid", "nps"]}
        for kpi, (value, status) in want.items():
            t = got[kpi]
            assert (t["value"], t["status"]) == (value_text(value, units[kpi], lang), status), (lang, kpi)
            no_target = {"fr": "sans objectif", "en": "no target"}[lang]
            assert t["status_text"] == (STATUS[lang][status] if status else no_target)
        assert got["nps"]["why"] == {"fr": "pas de réponses d'enquête\u202f: donnez-les avec --feedback",
                                     "en": "no survey answers: give them with --feedback"}[lang]
        assert got["wait"]["target"] == "≤ 30\u202fmin" and got["conv"]["target"].startswith("≥ 50")
        assert got["conv"]["name"] == text_in(m.kpis[0].name, lang)


def test_grid_draws_the_designed_emotion_without_feedback(run):
    m, data, _ = run
    designed = [None if s.get("emotion") is None else (s["emotion"] + 2) / 4 * 100 for s in MAP["stages"]]
    g = grid(data, m, "en")
    assert [s["emotion"]["declared"] for s in g["stages"]] == designed == [75.0, 25.0, None]
    assert [p["d"] for p in g["emotion_points"]] == designed
    assert all(s["emotion"]["value"] is None for s in g["stages"])


def parse(html: str):
    return lxml.html.fromstring(html)


def has_class(name: str) -> str:
    """An XPath test for an element of class ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def find(el, path: str) -> list:
    """Elements under ``el`` by an XPath where ``.name`` stands for "of class name"."""
    return el.xpath(re.sub(r"\.([a-z][\w-]*)", lambda x: f"[{has_class(x[1])}]", path))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_shows_kpi_status_and_the_designed_curve(run, lang):
    m, data, ev = run
    L = labels(lang)
    doc = parse(render_html(data, m, lang=lang))
    view = doc.get_element_by_id("view-all")
    want = expected(ev)
    # the KPI lane: value, target, status word (and why on hover), one per KPI
    lane = find(view, './/tr[@data-lane="kpis"]')[0]
    shown = {d.get("data-kpi"): d for d in find(lane, ".//div.target")}
    assert list(shown) == [k.id for k in m.kpis]
    units = {k.id: k.unit for k in m.kpis}
    for kpi, (value, status) in want.items():
        d = shown[kpi]
        assert value_text(value, units[kpi], lang) in d.text_content()
        assert d.get("data-status") == (status or "")
        if status:
            assert find(d, ".//span.tag")[0].text_content() == STATUS[lang][status]
    assert f"{L['target']} ≥ 50" in shown["conv"].text_content()
    nps_title = shown["nps"].get("title")
    assert ("--feedback" in nps_title) and STATUS[lang]["not_measurable"] in nps_title
    # the emotion lane: the designed curve alone (a to b: one segment; c has none), labelled
    svg = find(view, './/tr[@data-lane="emotion"]//svg.emo')[0]
    lines = find(svg, ".//line.designed")
    assert [(float(x.get("y1")), float(x.get("y2"))) for x in lines] == [(130 - 75 * 1.2, 130 - 25 * 1.2)]
    circles = find(svg, ".//circle.designed")
    assert [float(c.get("cy")) for c in circles] == [130 - 75 * 1.2, 130 - 25 * 1.2]
    assert not find(svg, ".//*.measured")
    assert find(svg, ".//text.designed-label")[0].text_content() == L["designed_only"]
    assert [t.text_content() for t in find(svg, ".//text.designed")] == [F.number(75, lang), F.number(25, lang)]
    assert L["designed"] in circles[0].xpath("./title")[0].text_content()
    # the emotion chart, with its caption: the designed curve from the map alone
    fig = find(view, './/figure[@data-chart="emotion"]')[0]
    assert fig.xpath("./figcaption")[0].text_content() == L["cap_emotion_designed"]
    figures = json.loads(re.search(r"const FIGURES = (.*?);</script>", render_html(data, m, lang=lang), re.S)[1])
    traces = {t["name"]: t for t in figures["all"]["all-emotion"]["data"]}
    assert set(traces) == {L["designed"]} and traces[L["designed"]]["y"] == [75.0, 25.0, None]


def test_report_emotion_chart_with_answers_has_its_caption(run):
    """With measured points (as the feedback gives them), the caption counts their answers."""
    m, data, _ = run
    curve = [{"stage": "a", "name": "A", "satisfaction": 60.0, "ci_low": 50.0, "ci_high": 70.0, "responses": 40,
              "small": False, "declared": 75.0},
             {"stage": "b", "name": "B", "satisfaction": 30.0, "ci_low": 10.0, "ci_high": 50.0, "responses": 7,
              "small": True, "declared": 25.0},
             {"stage": "c", "name": "C", "satisfaction": None, "ci_low": None, "ci_high": None, "responses": 0,
              "small": True, "declared": None}]
    d = {**data, "feedback": {"emotion_curve": curve}}
    for lang in ("fr", "en"):
        L = labels(lang)
        doc = parse(render_html(d, m, lang=lang))
        view = doc.get_element_by_id("view-all")
        cap = find(view, './/figure[@data-chart="emotion"]/figcaption')[0].text_content()
        assert cap == L["cap_emotion"].format(n=F.number(47, lang))
        svg = find(view, './/tr[@data-lane="emotion"]//svg.emo')[0]
        assert len(find(svg, ".//circle.measured")) == 2 and len(find(svg, ".//circle.designed")) == 2
        assert not find(svg, ".//text.designed-label")  # the legend tells the two curves apart
        assert [t.text_content() for t in find(svg, ".//text.nodata")] == [L["no_data"]]  # c: nothing measured


def test_grid_svg_without_feedback(run):
    """The standalone SVG: KPIs with value, status and target; the designed curve drawn and named."""
    from tests.report.test_grid_svg import NS, assert_legible, boxes

    import xml.etree.ElementTree as ET

    m, data, ev = run
    want = expected(ev)
    for lang in ("fr", "en"):
        L = labels(lang)
        svg = grid_svg(grid(data, m, lang), L, lang, title="Carte")
        root = ET.fromstring(svg.encode())
        kpis = {g.find(NS + "title").text.split(F.colon(lang))[0]: " ".join(t.text or "" for t in g.iter(NS + "text"))
                for g in root.iter(NS + "g") if g.get("class") == "kpi"}
        names = {k.id: text_in(k.name, lang) for k in m.kpis}
        assert set(kpis) == set(names.values())
        for kpi, (_, status) in want.items():
            if status:
                assert STATUS[lang][status] in kpis[names[kpi]], kpi
        assert f"{L['target']} ≤ 30\u202fmin" in kpis[names["wait"]]
        lane = next(g for g in root.iter(NS + "g") if g.get("id") == "lane-emotion")
        texts = " ".join(t.text or "" for t in lane.iter(NS + "text"))
        assert L["designed_only"].split()[0] in texts and L["no_data"] not in texts
        dotted = [x for x in lane.iter(NS + "line") if "0.1 6" in (x.get("stroke-dasharray") or "")]
        assert len(dotted) == 1  # a → b; c has no designed emotion
        assert_legible(boxes(svg), len(m.stages))


def test_in_chromium_kpis_designed_curve_and_whole_texts(browser, run, tmp_path):
    """As drawn: the KPI statuses and the designed curve are visible; a long card name or
    opportunity wraps at word boundaries, is whole on hover (title), opens in full on a click
    or Enter, and is printed whole."""
    m, data, _ = run
    long = "avec un nom vraiment très long pour voir comment le texte se replie proprement sans couper"
    raw = {**MAP, "touchpoints": [{**t, "name": f"Point {t['id']} {long}"} for t in MAP["touchpoints"]],
           "opportunities": [{"id": f"o{i}", "name": f"Idée {i} {long} {long}", "stage": s["id"]}
                             for i, s in enumerate(MAP["stages"])]}
    big = map_from_dict(raw)
    path = tmp_path / "r.html"
    path.write_text(render_html(data, big, lang="fr"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("#all-funnel .main-svg")
    for kpi, status in (("conv", "atteint"), ("nps", "non mesurable")):
        tag = page.locator(f'#view-all div.target[data-kpi="{kpi}"] span.tag')
        assert tag.is_visible() and tag.inner_text() == status
    line = page.locator("#view-all svg.emo line.designed").first
    assert line.is_visible() and line.bounding_box()["width"] > 50
    assert page.locator("#view-all svg.emo text.designed-label").is_visible()
    assert page.locator('#view-all figure[data-chart="emotion"] .main-svg').count() >= 1
    state = page.evaluate("""() => [...document.querySelectorAll('#view-all .grid li, #view-all .grid .cname')]
        .map(e => { const box = e.classList.contains('cname') ? e.closest('.card') : e;
                    const own = e.classList.contains('cname') ? e.textContent
                      : [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
                    return {text: own.trim(), title: box.getAttribute('title') || '',
                            cut: e.scrollHeight > e.clientHeight + 1, marked: box.classList.contains('cut'),
                            wrap: getComputedStyle(e).overflowWrap, space: getComputedStyle(e).whiteSpace,
                            opp: !!e.closest('tr[data-lane="opportunities"]')}; })""")
    cut = [s for s in state if s["cut"]]
    assert any(s["opp"] for s in cut) and any(not s["opp"] and s["text"].startswith("Point") for s in cut)
    for s in state:
        assert s["space"] == "normal" and s["wrap"] == "break-word"  # wrapped at word boundaries
        assert s["cut"] == s["marked"] and s["text"] in s["title"]  # cut: whole on hover
    # a click opens a cut opportunity in full, a second closes it; Enter does the same
    item = page.locator('#view-all tr[data-lane="opportunities"] li.cut').first
    whole = "(e) => e.scrollHeight <= e.clientHeight + 1"
    item.click()
    assert item.evaluate(whole) and item.get_attribute("aria-expanded") == "true"
    item.click()
    assert not item.evaluate(whole)
    card = page.locator("#view-all .card.cut").first
    card.focus()
    page.keyboard.press("Enter")
    assert card.locator(".cname").evaluate(whole) and card.get_attribute("aria-expanded") == "true"
    # printed, nothing is cut
    page.emulate_media(media="print")
    clipped = page.evaluate("""() => [...document.querySelectorAll('#view-all .grid li, #view-all .grid .cname')]
        .filter(e => e.scrollHeight > e.clientHeight + 1).length""")
    assert clipped == 0 and errors == []
    page.close()
