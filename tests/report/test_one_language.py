"""One language at a time in the report (issue 23, §3): a results folder analysed in French
renders in English with English headings and the map's English texts (goals, actions,
personas...), units and durations as the language writes them ('4 j' in French), and texts
cut at a word boundary with their full text kept."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

import parcours
from parcours.demo import write_demo
from parcours.model import map_from_dict
from parcours.model.journey_map import LocalizedText, text_in, texts_in
from parcours.report import formats as F
from parcours.report import render_html
from parcours.report.grid import grid
from parcours.report.grid_svg import grid_svg, wrap
from parcours.report.labels import labels

NNBSP = "\u202f"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def french_results(tmp_path_factory):
    """The demo (a French map) analysed in French, as analysis.json holds it."""
    out = tmp_path_factory.mktemp("one_language_report")
    files = write_demo(out, customers=500, seed=9)
    m = parcours.load_map(files.map_path)
    assert m.language == "fr"
    r = parcours.analyze(files.events_path, m, by="segment", feedback=files.feedback_path, lang="fr")
    return m, json.loads(r.to_json())


def bilingual(m):
    """Every text of the map given in two different languages: (French, English)."""
    texts = [t for s in m.stages for t in s.customer_goals + s.customer_actions + s.company_actions]
    texts += [t for p in m.personas for t in p.goals + p.frustrations]
    return [(t.fr, t.en) for t in texts if isinstance(t, LocalizedText) and t.fr and t.en and t.fr != t.en]


def _texts(model, where: str = ""):
    """(place, value) of every field of the map that may be a text in two languages."""
    import typing

    from pydantic import BaseModel

    for name, field in type(model).model_fields.items():
        value, ann = getattr(model, name), field.annotation
        bilingual_ok = "LocalizedText" in str(ann)
        items = value if isinstance(value, list) else [value]
        for i, v in enumerate(items):
            place = f"{where}{name}" + (f"[{i}]" if isinstance(value, list) else "")
            if isinstance(v, BaseModel) and not isinstance(v, LocalizedText):
                yield from _texts(v, f"{place}.")
            elif bilingual_ok and v is not None and typing.get_origin(ann) is not dict:
                yield place, v


def test_the_demo_map_gives_every_text_in_both_languages(french_results):
    m, _ = french_results
    texts = list(_texts(m))
    assert len(texts) > 100
    plain = [(place, v) for place, v in texts if not (isinstance(v, LocalizedText) and v.fr and v.en)]
    assert plain == []
    assert len(bilingual(m)) > 45  # goals, actions, company actions, personas' goals and frustrations


def test_english_report_of_french_results(french_results):
    m, data = french_results
    html = render_html(data, m, lang="en")
    assert '<html lang="en">' in html
    page = unescape(re.sub(r"<script.*?</script>", "", html, flags=re.S))  # the page's text, not plotly.js
    L_en, L_fr = labels("en"), labels("fr")
    headings = [k for k in L_en if k.startswith(("lane_", "persona")) or k in ("report", "all", "group", "tab_map", "tab_charts")]
    for k in headings:  # English headings, no French one
        assert L_en[k] in page and (L_fr[k] == L_en[k] or L_fr[k] not in page), k
    owners = {x.owner for x in [*m.stages, *m.touchpoints, *m.opportunities, *m.actions] if x.owner}
    assert len(bilingual(m)) > 45
    for fr, en in bilingual(m):  # the map's texts in English (team names are names: kept)
        assert en in page and (fr in owners or fr not in page), (fr, en)
    # and the other way round: the French report shows the French texts
    page_fr = unescape(re.sub(r"<script.*?</script>", "", render_html(data, m, lang="fr"), flags=re.S))
    for fr, en in bilingual(m):
        assert fr in page_fr and en not in page_fr, (fr, en)


def test_durations_and_units_in_the_reports_language(french_results):
    m, data = french_results
    delivery = next(k for k in m.kpis if k.metric == "duration_median")
    assert (delivery.target, delivery.unit) == (4, "d")
    fr, en = render_html(data, m, lang="fr"), render_html(data, m, lang="en")
    assert "objectif ≤ 4 j" in unescape(fr).replace(NNBSP, " ") and not re.search(r"\b4 d\b", unescape(fr))
    assert "target ≤ 4 d" in unescape(en).replace(NNBSP, " ")
    assert F.duration(4 * 86400, "fr") == f"4,0{NNBSP}j" and F.duration(4 * 86400, "en") == f"4.0{NNBSP}d"
    assert F.quantity(4, "d", "fr") == f"4{NNBSP}j" and F.quantity(4, "d", "en") == f"4{NNBSP}d"
    assert F.quantity(35, "%", "fr") == f"35{NNBSP}%" and F.quantity(35, "%", "en") == "35%"
    assert F.duration(-90_000, "fr") == f"-1,0{NNBSP}j"  # a negative change keeps its unit
    for lang, unit in (("fr", "j"), ("en", "d")):  # the standalone SVG of the grid says the same
        svg = grid_svg(grid(data, m, lang), labels(lang), lang, title="Carte")
        texts = [unescape(e.text or "").replace(NNBSP, " ") for e in ET.fromstring(svg.encode()).iter(SVG + "text")]
        assert any(t.endswith(f" 4 {unit}") for t in texts), [t for t in texts if " 4 " in t]


def test_dates_in_the_reports_language(french_results):
    _, data = french_results
    assert F.date("2026-01-05", "fr") == "5 janv. 2026" and F.date("2026-01-05T06:00:00+00:00", "en") == "5 Jan 2026"
    assert F.date("2026-03-01", "fr") == "1er mars 2026" and F.date(None, "fr") == "–"
    assert F.period(data, "fr").startswith("5 janv. 2026 → ") and F.period(data).startswith("2026-01-05 → ")
    html = render_html(data, french_results[0], lang="en")
    assert F.period(data, "en") in html and F.period(data, "fr") not in html


LONG = ("Afficher les frais de livraison et la date prévue dès la fiche produit pour que personne ne les "
        "découvre au paiement")


def _whole_words(shown: list[str], full: str) -> None:
    """``shown`` (lines, the last ending in …) is the start of ``full``, cut after a whole word."""
    text = " ".join(shown)
    assert text.endswith("…"), shown
    kept = text[:-1].rstrip()
    assert full.startswith(kept), (kept, full)
    assert full[len(kept)] in " ,;:", (kept, full[len(kept):len(kept) + 10])  # the next character ends a word


def test_svg_cuts_long_texts_after_a_whole_word_and_keeps_them_whole():
    for width in (120, 150, 190, 220):
        rows, cut = wrap(LONG, 13, width, lines=2)
        assert cut
        _whole_words(rows, LONG)
    m = map_from_dict({
        "stages": [{"id": "buy", "name": "Achat", "customer_goals": [{"fr": LONG, "en": "Know the fees early"}]}],
        "touchpoints": [{"id": "pay", "name": f"Paiement — {LONG}", "stage": "buy"}],
        "opportunities": [{"id": "fees", "name": LONG, "stage": "buy"}],
    })
    d = {"touchpoints": [], "stages": [], "frictions": [
        {"touchpoint": "pay", "name": f"Paiement — {LONG}", "stage": "buy", "score": 0.5, "explanation": "why: exits"}]}
    svg = grid_svg(grid(d, m, "fr"), labels("fr"), "fr", title="Carte")
    root = ET.fromstring(svg.encode())
    groups = [g for g in root.iter(SVG + "g") if g.find(SVG + "title") is not None
              and any((t.text or "").endswith("…") for t in g.findall(SVG + "text"))]
    assert len(groups) >= 3  # the goal, the card's name, the opportunity, the measured pain point
    for g in groups:  # cut after a whole word, the full text on hover
        full = g.find(SVG + "title").text
        assert LONG in full, full
        _whole_words([t.text for t in g.findall(SVG + "text")], full)
    # the measured pain point keeps both its whole name and why it ranks there
    assert any(f"Paiement — {LONG}" in (g.find(SVG + "title").text or "") and "why: exits" in g.find(SVG + "title").text
               for g in groups)
    assert "Know the fees early" not in svg and "Afficher les frais" in svg  # the goal in the map's French
    assert "Know the fees early" in grid_svg(grid(d, m, "en"), labels("en"), "en", title="Map")


def test_shorten_keeps_whole_words():
    assert F.shorten("Contact service client (téléphone)", 20) == ("Contact service…", True)
    assert F.shorten("Panier", 20) == ("Panier", False)
    assert F.shorten("Anticonstitutionnellement", 10) == ("Anticonst…", True)  # one word longer than the room
    for limit in range(len("Afficher") + 2, len(LONG)):
        short, cut = F.shorten(LONG, limit)
        assert cut and len(short) <= limit
        _whole_words([short], LONG)
    assert text_in(LocalizedText(en="Pay"), "fr") == "Pay"
