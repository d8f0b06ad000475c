"""The report's language follows one rule wherever a report is made: ``--lang``, else the map's
``analysis.lang``, else the map's ``language`` (parcours report, parcours export, parcours
feedback; the web app's live map: tests/web/test_live_lang.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from parcours.cli.app import app
from parcours.demo import write_demo

EN, FR = "Customer journey map", "Carte du parcours client"  # the report's title label in each language


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The (French) demo analysed once, and the same map saying ``analysis: {lang: en}``."""
    root = tmp_path_factory.mktemp("lang_demo")
    files = write_demo(root, customers=200, seed=3)
    english = root / "english.yaml"
    english.write_text(files.map_path.read_text(encoding="utf-8") + "\nanalysis:\n  lang: en\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["analyze", str(files.events_path), "--map", str(files.map_path), "--out",
                                 str(root / "results"), "--no-report", "--no-cache"])
    assert r.exit_code == 0, r.output
    return files, english, root / "results"


def run(*args: str) -> None:
    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, r.output


def test_report_follows_the_maps_analysis_lang_and_the_flag_wins(demo, tmp_path):
    files, english, results = demo
    assert "language: fr" in files.map_path.read_text(encoding="utf-8")
    run("report", "--map", str(english), "--results", str(results), "--out", str(tmp_path / "en.html"))
    run("report", "--map", str(english), "--results", str(results), "--out", str(tmp_path / "fr.html"), "--lang", "fr")
    run("report", "--map", str(files.map_path), "--results", str(results), "--out", str(tmp_path / "plain.html"))
    en, fr, plain = ((tmp_path / f"{n}.html").read_text(encoding="utf-8") for n in ("en", "fr", "plain"))
    assert '<html lang="en">' in en and EN in en and FR not in en
    assert '<html lang="fr">' in fr and FR in fr and EN not in fr
    assert '<html lang="fr">' in plain and FR in plain  # no analysis block: the map's language


def test_export_follows_the_maps_analysis_lang(demo, tmp_path):
    files, english, results = demo
    run("export", "--map", str(english), "--results", str(results), "--out", str(tmp_path / "x"), "--only", "html")
    html = (tmp_path / "x" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and EN in html


def test_feedback_names_stages_in_the_maps_analysis_lang(demo, tmp_path):
    from parcours.model import load_map

    files, english, _ = demo
    stages = load_map(english).stages
    for name, flags in (("en", []), ("fr", ["--lang", "fr"])):
        run("feedback", str(files.feedback_path), "--map", str(english), "--out", str(tmp_path / name), *flags)
        data = json.loads((tmp_path / name / "feedback.json").read_text(encoding="utf-8"))
        got = {r["stage"]: r["name"] for r in data["by_stage"]}
        assert got and got == {s.id: getattr(s.name, name) for s in stages if s.id in got}, name
