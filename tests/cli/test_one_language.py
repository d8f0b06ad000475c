"""One language at a time in what the CLI prints (issue 23, §3): the summaries of analyze,
feedback and segments follow ``--lang``, else the map's ``analysis.lang``, else its language
(segments has no ``--lang``), with that language's number and date formats, and name stages,
touchpoints and segments from the map in it."""

from __future__ import annotations

import csv
import re
import subprocess
import sys

import pytest

from parcours.cli.labels import WORDS, words
from parcours.demo import write_demo
from parcours.model import load_map
from parcours.model.journey_map import text_in
from parcours.project.texts import catalogue
from parcours.report import formats as F

NNBSP = "\u202f"


def parcours(*args):
    """The command as a user runs it; a wide terminal, so that table cells are not wrapped."""
    p = subprocess.run([sys.executable, "-m", "parcours", *map(str, args)], capture_output=True, text=True,
                       env={"COLUMNS": "250", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert p.returncode == 0, p.stderr
    return p


def fragments(lang: str) -> set[str]:
    """The fixed pieces of text of ``lang``'s words (placeholders and markup taken out) that the
    other language never says: any of them printed in the other language is a mixed output."""
    def pieces(lang_: str) -> set[str]:
        out = set()
        for text in WORDS[lang_].values():
            for piece in re.split(r"\{[^}]*\}|\[/?\w*\]|[()\\;:,\n]", text):
                if len(piece.strip()) >= 4:
                    out.add(piece.strip())
        return out

    other = "en" if lang == "fr" else "fr"
    said_by_other = " ".join(WORDS[other].values())
    return {p for p in pieces(lang) if p not in said_by_other}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("one_language")
    files = write_demo(root, customers=600, seed=5)
    printed = {}
    for lang in ("en", "fr"):
        printed[lang] = parcours("analyze", files.events_path, "--map", files.map_path, "--feedback", files.feedback_path,
                                 "--by", "segment", "--out", root / lang, "--no-report", "--no-cache", "--lang", lang)
    return files, load_map(files.map_path), root, printed


def test_words_exist_in_both_languages():
    assert set(WORDS["fr"]) == set(WORDS["en"])
    assert words("de") is WORDS["en"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_analyze_prints_one_language(demo, lang):
    _files, m, root, printed = demo
    out, err = printed[lang].stdout, printed[lang].stderr
    other = "en" if lang == "fr" else "fr"
    foreign = sorted(f for f in fragments(other) if f in out)
    assert foreign == [], foreign  # no heading or label of the other language
    W = words(lang)
    for key in ("summary", "funnel", "events", "journey_duration", "top_friction"):
        assert W[key] in out, key
    assert W["rows_read"].split(" {")[0] in err
    # how the columns were found: the first line, in lang too, the roles named in it
    given = ", ".join(f"{catalogue(lang)[f'source.role.{r}']}={c}" for r, c in
                      (("customer", "customer_id"), ("time", "timestamp"), ("event", "event"), ("channel", "channel"),
                       ("value", "amount")))
    assert err.splitlines()[0] == catalogue(lang)["source.columns_given"].format(roles=given)
    # the language's number, share and duration formats
    if lang == "fr":
        assert re.search(rf"\d{NNBSP}\d{{3}}\b", out) and not re.search(r"\d,\d{3}\b", out)
        assert re.search(rf"\d,\d{NNBSP}j\b", out) and f"{NNBSP}%" in out
        assert re.search(r"\d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? 2026", out)
    else:
        assert re.search(r"\d,\d{3}\b", out) and not re.search(rf"\d{NNBSP}\d", out)
        assert re.search(rf"\d\.\d{NNBSP}d\b", out) and not re.search(rf"\d{NNBSP}%", out)
        assert re.search(r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 2026", out)
    # stages, frictions, the side-by-side groups and their top friction: names from the map, in lang
    for s in m.stages:
        assert text_in(s.name, lang) in out
    rows = list(csv.DictReader((root / lang / "breakdown_summary.csv").open(encoding="utf-8")))
    side = out.split(W["side_by_side"].split(" {")[0], 1)[1]
    for r in rows:
        assert text_in(m.segment(r["group"]).name, lang) in side, r["group"]
        if r["top_friction"]:
            assert text_in(m.touchpoint(r["top_friction"]).name, lang) in side, r["top_friction"]
    ids = [t.id for t in m.touchpoints if "_" in t.id] + [s.id for s in m.segments]
    assert [i for i in ids if i in out] == []  # ids are not names


def test_feedback_and_segments_print_one_language(demo, tmp_path):
    files, m, _root, _printed = demo
    english = files.map_path.with_name("english.yaml")  # the same map, saying analysis: {lang: en}
    english.write_text(files.map_path.read_text(encoding="utf-8") + "\nanalysis:\n  lang: en\n", encoding="utf-8")
    for lang in ("en", "fr"):
        other = "en" if lang == "fr" else "fr"
        fb = parcours("feedback", files.feedback_path, "--map", files.map_path, "--events", files.events_path,
                      "--out", tmp_path / f"fb_{lang}", "--lang", lang)
        seg = parcours("segments", files.events_path, "--map", english if lang == "en" else files.map_path,
                       "--by", "segment", "--out", tmp_path / f"seg_{lang}")  # the map's language
        for p in (fb, seg):
            assert sorted(f for f in fragments(other) if f in p.stdout) == [], p.stdout
        assert fb.stderr.splitlines()[0].startswith(catalogue(lang)["source.detected"].split(" {")[0]), fb.stderr
        W = words(lang)
        assert W["feedback"] in fb.stdout and W["themes"] in fb.stdout
        assert W["active_per_segment"].split(" (")[0] in seg.stdout
        for s in m.segments:  # the map's segments by their names, not their ids
            assert text_in(s.name, lang) in seg.stdout and s.id not in seg.stdout
        n = F.number(1234.5, lang, 1)  # the interval's bounds are written as the language writes decimals
        decimal = n[-2]
        assert re.search(rf"\[\d+{re.escape(decimal)}\d", fb.stdout), fb.stdout
