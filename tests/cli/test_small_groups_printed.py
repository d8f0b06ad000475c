"""The CLI's tables show the n each figure rests on and flag small groups (issue 23, §2): the
frictions (score beside its journeys), the opportunities (the value's n: journeys or answers),
the side-by-side scores of ``--by segment`` (answers), in the printed language (``small`` /
``petit effectif``). Run with CliRunner on the demo; every expected cell is written here from
analysis.json's counts and the documented thresholds (30 journeys; ``min_responses`` answers)."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from parcours.cli.app import app
from parcours.cli.output import out as console
from parcours.demo import write_demo

NNBSP = "\u202f"
MIN_JOURNEYS = 30  # frictions and rate opportunities, as documented
SMALL = {"en": "(small)", "fr": "(petit effectif)"}
UNITS = {"en": ("journeys", "answers", "answer"), "fr": ("parcours", "réponses", "réponse")}
TARGETS = """kpis:
- {id: tracking_satisfaction, name: Suivi, touchpoint: delivery_tracking, metric: satisfaction, target: 95}
- {id: checkout_satisfaction, name: Livraison, touchpoint: checkout, metric: satisfaction, target: 95}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo with satisfaction targets: a small segment's satisfaction gaps are opportunities
    (small ones: a handful of answers)."""
    files = write_demo(tmp_path_factory.mktemp("printed"), customers=400, seed=7)
    text = files.map_path.read_text(encoding="utf-8")
    files.map_path.write_text(text.replace("\nkpis:\n", "\n" + TARGETS), encoding="utf-8")
    return files


def run(monkeypatch, *args) -> str:
    monkeypatch.setattr(console, "_width", 600)  # one line a row: cells are not wrapped
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r.stdout


def number(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", NNBSP if lang == "fr" else ",")


def table(printed: str, title: str) -> list[list[str]]:
    """The rows of the table titled ``title``, as lists of cells (a long cell's wrapped lines
    joined: Rich wraps French text at its narrow no-break spaces)."""
    lines = printed.splitlines()
    start = next(i for i, line in enumerate(lines) if title in line)
    rows: list[list[str]] = []
    for line in lines[start + 1:]:
        if line.startswith("└"):
            break
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            if rows and not cells[0]:
                rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
            else:
                rows.append(cells)
    return rows


def with_n(n: int, small: bool, lang: str, unit: str | None = None) -> str:
    text = number(n, lang)
    if unit is not None:
        journeys, answers, answer = UNITS[lang]
        text += " " + (journeys if unit == "journeys" else answer if n == 1 else answers)
    return text + (f" {SMALL[lang]}" if small else "")


def check_frictions_and_opportunities(printed: str, data: dict, lang: str) -> tuple[int, int]:
    """Each printed friction and opportunity row against analysis.json; (small rows seen, rows)."""
    title = {"en": ("Frictions: the", "Opportunities: the"), "fr": ("Frictions : les", "Opportunités : les")}[lang]
    frictions = table(printed, title[0])
    assert len(frictions) == min(5, len(data["frictions"]))
    seen = 0
    for row, f in zip(frictions, data["frictions"]):
        small = f["journeys"] < MIN_JOURNEYS
        score = f"{f['score']:.2f}".replace(".", "," if lang == "fr" else ".")
        assert row[0] == str(f["rank"]) and row[2] == score and row[3] == with_n(f["journeys"], small, lang), row
        assert SMALL[lang] not in row[1]  # the flag is beside the n, not in the name
        seen += small
    least = data["options"]["min_responses"]
    opportunities = table(printed, title[1]) if data["opportunities"] else []
    assert len(opportunities) == min(5, len(data["opportunities"]))
    for row, o in zip(opportunities, data["opportunities"]):
        satisfaction = o["indicator"] == "satisfaction"
        small = o["n"] < (least if satisfaction else MIN_JOURNEYS)
        assert row[0] == str(o["rank"]), row
        assert row[2] == with_n(o["n"], small, lang, "answers" if satisfaction else "journeys"), row
        seen += small
    return seen, len(frictions) + len(opportunities)


def test_frictions_and_opportunities_show_n_and_flag_small_groups(demo, monkeypatch, tmp_path):
    small = 0
    for lang, extra in (("en", []), ("fr", []), ("fr", ["--segment", "gold_members"]),
                        ("en", ["--segment", "gold_members"])):
        out = tmp_path / f"{lang}{len(extra)}"
        printed = run(monkeypatch, "analyze", demo.events_path, "--map", demo.map_path, "--feedback",
                      demo.feedback_path, "--out", out, "--no-report", "--no-cache", "--lang", lang, *extra)
        data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
        seen, rows = check_frictions_and_opportunities(printed, data, lang)
        assert rows
        small += seen
        if extra:  # 39 journeys in the segment: small touchpoints and a handful of answers, all flagged
            assert seen == rows, printed
        assert (SMALL[lang] in printed) == bool(seen)
        assert SMALL["fr" if lang == "en" else "en"] not in printed
    assert small


def test_side_by_side_scores_show_their_answers(demo, monkeypatch, tmp_path):
    for lang in ("en", "fr"):
        out = tmp_path / lang
        printed = run(monkeypatch, "analyze", demo.events_path, "--map", demo.map_path, "--feedback",
                      demo.feedback_path, "--by", "segment", "--out", out, "--no-report", "--no-cache", "--lang", lang)
        with open(out / "breakdown_summary.csv", encoding="utf-8") as f:
            groups = list(csv.DictReader(f))
        least = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["options"]["min_responses"]
        rows = {r[0]: r[1:] for r in table(printed, "breakdown_summary.csv")}
        for metric in ("NPS", "CSAT", "CES"):
            for cell, g in zip(rows[metric], groups, strict=True):
                n = int(g[f"{metric.lower()}_responses"] or 0)
                if not g[metric.lower()]:  # no answer in the group: no figure, nothing to rest on
                    assert cell == "–" and n == 0
                else:
                    assert cell.endswith(f", n={with_n(n, n < least, lang)}"), (metric, cell)


def test_feedback_figures_show_n_and_flag_small_groups(demo, monkeypatch, tmp_path):
    for lang in ("en", "fr"):
        printed = run(monkeypatch, "feedback", demo.feedback_path, "--map", demo.map_path, "--events",
                      demo.events_path, "--out", tmp_path / lang, "--lang", lang, "--min-responses", "10")
        data = json.loads((tmp_path / lang / "feedback.json").read_text(encoding="utf-8"))
        rows = table(printed, "95")
        figures = data["overall_by_metric"] + data["by_stage"]
        assert len(rows) == len(figures)
        for row, r in zip(rows, figures):
            assert row[0] == r["metric"].upper()
            assert row[2].endswith(f", n={with_n(r['responses'], r['responses'] < 10, lang)}"), row
        assert any(r["responses"] < 10 for r in figures) and any(r["responses"] >= 10 for r in figures)
