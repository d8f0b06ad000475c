"""The journey map as a standalone SVG: valid XML holding every stage and touchpoint with
analysis.json's numbers, legible however big the map (no text over another, none out of
its column, by estimate and as Chromium draws it), and escaped."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import parcours
from parcours.demo import write_demo
from parcours.model import map_from_dict, text_in
from parcours.report import formats as F
from parcours.report.grid import grid
from parcours.report.grid_svg import COL_W, LANE_W, MARGIN, grid_svg, text_width
from parcours.report.labels import labels

NS = "{http://www.w3.org/2000/svg}"
LANES = ("goals", "actions", "touchpoints", "emotion", "pains", "opportunities", "kpis", "company", "backstage", "support")
TRICKY = "<b>\"x\"</b> & 'y'"


def svg_of(d, m, lang, title="Carte"):
    return grid_svg(grid(d, m, lang), labels(lang), lang, title=title, subtitle="Tous les parcours")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid_svg")
    files = write_demo(out, customers=800, seed=11)
    m = parcours.load_map(files.map_path)
    d = json.loads(parcours.analyze(files.events_path, m, by="segment", feedback=files.feedback_path).to_json())
    return m, d, out


def big_map(stages: int = 10, touchpoints: int = 60):
    long = "avec un nom vraiment très long pour voir comment le texte se replie et se coupe proprement"
    ids = [f"s{i}" for i in range(stages)]
    return map_from_dict({
        "stages": [{"id": s, "name": f"Étape {i + 1} — {'longue ' * (i % 3)}& co", "owner": "Équipe expérience client",
                    "customer_goals": [TRICKY, f"Objectif {long}"], "customer_actions": [f"Action {long}"] * 2,
                    "company_actions": [f"Livrable {long}"], "emotion": i % 5 - 2} for i, s in enumerate(ids)],
        "touchpoints": [{"id": f"t{j}", "name": f"Point {j} {long}" if j % 2 else f"Point {j}", "stage": ids[j % stages],
                         "channel": ["web", "app", "email", "store", "phone", "chat", "", "fax"][j % 8] or None,
                         "lane": "backstage" if j % 7 == 3 else "support" if j % 7 == 5 else "frontstage",
                         "owner": "Service client"} for j in range(touchpoints)],
        "pain_points": [{"id": f"p{i}", "name": f"Irritant {long}", "stage": s, "severity": "high"} for i, s in enumerate(ids)],
        "opportunities": [{"id": f"o{i}", "name": f"Idée {long}", "stage": s, "owner": "Produit numérique et données",
                           "status": "in_progress"} for i, s in enumerate(ids)],
        "actions": [{"id": f"a{i}", "name": f"Chantier {long}", "opportunity": f"o{i}", "owner": "Produit",
                     "status": "blocked", "due": "2026-12-31"} for i in range(stages)],
        "kpis": [{"id": f"k{i}", "name": f"Indicateur {long}", "stage": s, "metric": "conversion", "target": 42.5,
                  "unit": "%"} for i, s in enumerate(ids)],
    })


def big_data(m):
    """analysis.json's parts that grid() reads, made up, with big numbers and long explanations."""
    why = "Beaucoup de parcours s'arrêtent ici sans atteindre d'objectif et reviennent plusieurs fois " * 2
    tps = [t.id for t in m.touchpoints]
    return {
        "touchpoints": [{"touchpoint": t, "journeys": 1_234_567 + j, "exit_rate": j / 61} for j, t in enumerate(tps)],
        "stages": [{"stage": s.id, "reached": 987_654 - i, "share_of_journeys": 0.99, "conversion_rate": 0.5,
                    "converted": 123_456} for i, s in enumerate(m.stages)],
        "stage_durations": [{"stage": s.id, "measure": "to_next_stage", "median": 3600 * 30, "mean": 86400 * 12.5,
                             "min": 10, "max": 86400 * 400} for s in m.stages],
        "frictions": [{"name": f"Point {j} très long", "stage": m.touchpoints[j].stage, "score": 0.5, "explanation": why}
                      for j in range(min(8, len(tps)))],
        "opportunities": [{"stage": m.touchpoints[j].stage, "explanation": why, "owners": ["Service client", "CRM"],
                           "impact": 12_345} for j in range(min(6, len(tps)))],
        "feedback": {
            "emotion_curve": [{"stage": s.id, "satisfaction": None if i == 4 else (i * 37) % 101, "ci_low": 1, "ci_high": 99,
                               "responses": 50, "declared": (s.emotion + 2) / 4 * 100, "small": False}
                              for i, s in enumerate(m.stages)],
            "emotion_by_touchpoint": [{"touchpoint": t, "satisfaction": (j * 13) % 101, "small": j % 2 == 0}
                                      for j, t in enumerate(tps) if j % 3],
            "by_stage": [{"stage": s.id, "metric": x, "value": v, "responses": 1_234, "small": x == "ces"}
                         for s in m.stages for x, v in (("nps", -12.3), ("csat", 71.0), ("ces", 5.25))],
        },
    }


def boxes(svg: str):
    """(text, x0, y0, x1, y1) of every text in the map's grid, in the SVG's coordinates (estimated size)."""
    out = []

    def walk(e, dx, dy, in_grid):
        t = re.match(r"translate\(([-\d.]+) ([-\d.]+)\)", e.get("transform", ""))
        dx, dy = (dx + float(t[1]), dy + float(t[2])) if t else (dx, dy)
        in_grid = in_grid or e.get("class") in ("stage", "lane")
        if e.tag == NS + "text" and in_grid:
            size, x, y = float(e.get("font-size")), float(e.get("x")) + dx, float(e.get("y")) + dy
            w = text_width(e.text or "", size, e.get("font-weight") == "bold")
            x0 = x - {"end": w, "middle": w / 2}.get(e.get("text-anchor"), 0)
            out.append((e.text or "", x0, y - 0.95 * size, x0 + w, y + 0.25 * size))
        for child in e:
            walk(child, dx, dy, in_grid)

    walk(ET.fromstring(svg.encode()), 0, 0, False)
    return out


def assert_legible(bs, stages: int):
    """No text over another in a column, none past its column's edges."""
    columns: dict[int, list] = {}
    for b in bs:
        i = -1 if b[1] < MARGIN + LANE_W else int((b[1] - MARGIN - LANE_W) // COL_W)
        left = MARGIN if i < 0 else MARGIN + LANE_W + i * COL_W
        assert i < stages and b[1] >= left - 0.5 and b[3] <= left + (LANE_W if i < 0 else COL_W) + 0.5, b
        columns.setdefault(i, []).append(b)
    for texts in columns.values():
        texts.sort(key=lambda b: b[2])
        for k, a in enumerate(texts):
            for b in texts[k + 1:]:
                if b[2] >= a[4] - 0.5:
                    break
                assert b[1] >= a[3] - 0.5 or b[3] <= a[1] + 0.5, (a, b)


def group_texts(root, cls):
    return [" ".join(t.text or "" for t in g.iter(NS + "text")) for g in root.iter(NS + "g") if g.get("class") == cls]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_demo_svg_shows_the_map_with_analysis_numbers(demo, lang):
    m, d, _ = demo
    L = labels(lang)
    svg = svg_of(d, m, lang)
    root = ET.fromstring(svg.encode())  # valid XML
    assert root.tag == NS + "svg" and root.find(NS + "style") is not None
    assert not re.search(r"foreignObject|<image|href|url\(|@import|@font-face", svg)  # standalone
    heads = [g for g in root.iter(NS + "g") if g.get("class") == "stage"]
    xs = [float(g.find(NS + "rect").get("x")) for g in heads]
    assert xs == sorted(xs) and len(set(xs)) == len(m.stages)  # left to right, in the map's order
    for g, s in zip(heads, m.stages):
        assert text_in(s.name, lang) in " ".join(t.text for t in g.iter(NS + "text"))
    cards = group_texts(root, "card")
    names = {t.id: text_in(t.name, lang) for t in m.touchpoints}
    shown = [t for t in d["touchpoints"] if t["touchpoint"] in names]
    assert shown and len(cards) == len(shown)
    backstage = {t.id for t in m.touchpoints if t.lane.value == "backstage"}
    for t in shown:
        card = next(c for c in cards if names[t["touchpoint"]] in c)
        assert f"{F.number(t['journeys'], lang)} {L['journeys']}" in card
        assert t["touchpoint"] in backstage or f"{F.pct(t['exit_rate'], lang)} {L['exit']}" in card
    lanes = {g.get("id"): " ".join(t.text for t in g.iter(NS + "text"))
             for g in root.iter(NS + "g") if g.get("class") == "lane"}
    for key in LANES:
        assert L[f"lane_{key}"] in lanes[f"lane-{key}"]
    # a KPI shows its target with its direction (≥ for higher is better), beside the measured value and status
    assert f"{L['target']} ≥ 35 %" in lanes["lane-kpis"].replace("\u202f", " ").replace("35%", "35 %")
    assert_legible(boxes(svg), len(m.stages))


def test_big_map_stays_legible_and_escaped():
    m = big_map()
    d = big_data(m)
    svg = svg_of(d, m, "fr", title=f"Titre {TRICKY}")
    root = ET.fromstring(svg.encode())
    texts = [t.text for t in root.iter(NS + "text")]
    assert TRICKY in texts and f"Titre {TRICKY}" in texts and len(group_texts(root, "card")) == 60
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; 'y'" in svg and "<b>" not in svg
    assert any(t.endswith("…") for t in texts)  # long items are cut, and whole on hover:
    full = text_in(m.touchpoints[1].name, "fr")
    assert full not in texts and any((e.text or "").startswith(full) for e in root.iter(NS + "title"))
    bs = boxes(svg)
    assert_legible(bs, 10)
    assert any(b[0].startswith("1") and "parcours" in b[0] for b in bs)  # 1 234 567 parcours
    sizes = [int(ET.fromstring(svg_of(big_data(x), x, "en").encode()).get("width"))
             for x in (big_map(1, 6), big_map(3, 18), big_map(10, 60))]
    assert sizes == sorted(sizes) and sizes[2] - sizes[1] == 7 * COL_W




def drawn_boxes(browser, path: Path, screenshot: Path | None = None):
    """Chromium's boxes of the grid's texts, and its console errors (and a screenshot)."""
    root = ET.fromstring(path.read_bytes())
    w, h = int(root.get("width")), int(root.get("height"))
    page = browser.new_page(viewport={"width": w, "height": min(h, 8000)})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    bs = page.evaluate("""() => Array.from(document.querySelectorAll('g.stage text, g.lane text')).map(t => {
        const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.top, r.right, r.bottom]; })""")
    if screenshot:
        page.screenshot(path=str(screenshot))
    page.close()
    return bs, errors


def colours(browser, png: bytes) -> tuple[int, float]:
    """Distinct colours in a PNG and its share of non-white pixels, decoded by Chromium."""
    page = browser.new_page()
    page.set_content(f'<img id="i" src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    result = page.evaluate("""async () => { const i = document.getElementById('i'); await i.decode();
        const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
        const x = c.getContext('2d'); x.drawImage(i, 0, 0);
        const px = new Uint32Array(x.getImageData(0, 0, c.width, c.height).data.buffer);
        let ink = 0; for (const p of px) if (p !== 0xffffffff) ink++; return [new Set(px).size, ink / px.length]; }""")
    page.close()
    return result[0], result[1]


def test_demo_svg_in_chromium(browser, demo):
    m, d, out = demo
    path, png = out / "grid_fr.svg", out / "grid_fr.png"
    path.write_text(svg_of(d, m, "fr", title="Maison Lumière — carte du parcours client"), encoding="utf-8")
    bs, errors = drawn_boxes(browser, path, png)
    assert errors == []
    assert_legible([b for b in bs if b[0].strip()], len(m.stages))  # as drawn, with the fonts at hand
    n, ink = colours(browser, png.read_bytes())
    assert n > 50 and 0.05 < ink < 0.9, (n, ink)  # neither blank nor a blot


def test_big_svg_in_chromium(browser, tmp_path):
    m = big_map()
    path = tmp_path / "big.svg"
    path.write_text(svg_of(big_data(m), m, "en"), encoding="utf-8")
    bs, errors = drawn_boxes(browser, path)
    assert errors == [] and len(bs) > 900
    assert_legible([b for b in bs if b[0].strip()], 10)
