"""Explanations are written from the results' data when shown (issue 23, §3): a results folder
analysed in French reports in English with no French friction or opportunity sentence, and
the other way round."""

from __future__ import annotations

import html
import json

import pytest
from typer.testing import CliRunner

import parcours
from parcours.cli.app import app
from parcours.demo import write_demo
from parcours.report.explain import explain_friction, explain_opportunity
from parcours.report.grid import MEASURED_OPPORTUNITIES, MEASURED_PAINS

# The fixed words of each language's sentences (report/explain.py), none shared by the other.
WORDS = {
    "fr": ("des parcours qui atteignent", "de ses parcours y reviennent", "en moyenne pour y arriver",
           "des commentaires de détracteurs", "Taux de sortie à", "Taux de répétition à", "Satisfaction à",
           "meilleur quart de la carte", "parcours (au moins"),
    "en": ("of journeys that reach", "of its journeys come back", "on average to get there", "of detractor comments",
           "Exit rate at", "Repeat rate at", "Satisfaction at", "best quarter of the map", "journeys (at least"),
}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """The demo analysed with its surveys, once in each language, each saved as a results folder."""
    root = tmp_path_factory.mktemp("explain_lang")
    files = write_demo(root, customers=1500, seed=7)
    m = parcours.load_map(files.map_path)
    folders = {}
    for lang in ("fr", "en"):
        result = parcours.analyze(files.events_path, m, feedback=files.feedback_path, by="segment", lang=lang)
        result.save(root / lang)
        folders[lang] = root / lang
    return files, m, folders


@pytest.mark.parametrize(("analysed_in", "shown_in"), [("fr", "en"), ("en", "fr")])
def test_report_writes_the_explanations_in_the_language_asked(analysed, tmp_path, analysed_in, shown_in):
    files, m, folders = analysed
    data = json.loads((folders[analysed_in] / "analysis.json").read_text(encoding="utf-8"))
    stored = [x["explanation"] for k in ("frictions", "opportunities") for x in data[k]]
    assert any(w in s for s in stored for w in WORDS[analysed_in])  # the results do speak the other language
    out = tmp_path / "report.html"
    r = CliRunner().invoke(app, ["report", "--map", str(files.map_path), "--results", str(folders[analysed_in]),
                                 "--out", str(out), "--lang", shown_in])
    assert r.exit_code == 0, r.output
    page = html.unescape(out.read_text(encoding="utf-8"))
    assert [w for w in WORDS[analysed_in] if w in page] == []
    assert [s for s in stored if s in page] == []
    shown = ([explain_friction(f, m, shown_in) for f in data["frictions"][:MEASURED_PAINS]]
             + [explain_opportunity(o, m, shown_in) for o in data["opportunities"][:MEASURED_OPPORTUNITIES]])
    assert shown and all(s in page for s in shown)
    assert any(w in page for w in WORDS[shown_in])


def test_a_results_sentence_is_the_one_the_report_writes_in_the_same_language(analysed):
    """``explanation`` in analysis.json is the same function's sentence, in the analysis' language."""
    _, m, folders = analysed
    for lang, folder in folders.items():
        data = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
        assert [f["explanation"] for f in data["frictions"]] == [explain_friction(f, m, lang) for f in data["frictions"]]
        assert [o["explanation"] for o in data["opportunities"]] == [
            explain_opportunity(o, m, lang) for o in data["opportunities"]]


def test_french_reasons_are_joined_with_a_narrow_space_before_the_semicolon(analysed):
    """French typography: a narrow no-break space before ';' (the CLI's 'Pourquoi' column had none)."""
    _, m, folders = analysed
    for lang, folder in folders.items():
        data = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
        joined = [f["explanation"] for f in data["frictions"] if ";" in f["explanation"]]
        assert joined, "no friction with several reasons: the test proves nothing"
        if lang == "fr":
            assert all(s.count(";") == s.count("\u202f;") for s in joined), joined[:2]
        else:
            assert all("\u202f;" not in s for s in joined)
