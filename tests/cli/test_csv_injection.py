"""CSV formula injection (issue 21), as a user runs the commands: events, a map and survey answers
whose customer ids, event names, stage names and comments start with ``=``, ``+``, ``-`` or ``@``
(bad rows too). Every CSV written for people is read back with Python's csv module: no text cell
starts a formula, numbers (negative ones too) are written as numbers, while analysis.json,
feedback.json and the exported Parquet tables keep the raw values."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ENV = {"COLUMNS": "120", "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": os.environ.get("HOME", "/tmp")}
LINK = '=HYPERLINK("http://evil.example","x")'
CMD = "=cmd|' /C calc'!A0"
THANKS = '=HYPERLINK("http://evil.example","merci")'


def q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


EVENTS = "\n".join([
    "customer_id,timestamp,event,amount",
    f"{q(CMD)},2026-01-01T10:00:00Z,{q(LINK)},-12.5",
    f"{q(CMD)},2026-01-01T10:05:00Z,+add,3",
    "-1+2,2026-01-01T11:00:00Z,-minus,-1",
    "-1+2,2026-01-01T11:10:00Z,@SUM(A1),2",
    "@c4,2026-01-02T09:00:00Z,view,-7",
    f"@c4,2026-01-02T09:03:00Z,{q(LINK)},1",
    "plain,2026-01-02T10:00:00Z,view,1",
    "plain,2026-01-02T10:01:00Z,buy,1",
]) + "\n"
BAD_ROW = "=bad,not a time,@bad,1\n"  # quarantined: its customer and event are shown in quarantine.csv
MAP = """name: '=HYPERLINK("http://evil.example","map")'
stages:
  - {id: s1, name: "=1+1 stage", emotion: -2}
  - {id: s2, name: "-2 stage"}
touchpoints:
  - {id: view, stage: s1, name: "@view"}
  - {id: buy, stage: s2, name: "+buy"}
"""
FEEDBACK = "\n".join([
    "customer_id,date,score,metric,comment",
    f"{q(CMD)},2026-01-01T12:00:00Z,9,nps,{q(THANKS)}",
    '-1+2,2026-01-01T12:00:00Z,2,nps,"-trop lent, @support jamais joignable"',
    '@c4,2026-01-02T12:00:00Z,7,nps,"+ rapide et simple"',
    "plain,2026-01-02T12:00:00Z,10,nps,Parfait",
    "=bad,2026-01-02T12:00:00Z,eleven,nps,@bad",
]) + "\n"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def parcours(*args) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "parcours", *map(str, args)], capture_output=True, text=True, env=ENV)
    assert p.returncode == 0, p.stderr
    return p


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_spreadsheet_safe(path: Path) -> list[dict[str, str]]:
    """No cell of ``path`` starts a formula, except numbers (``-12.5`` is a number, not text)."""
    with path.open(encoding="utf-8", newline="") as f:
        cells = [(i, cell) for i, row in enumerate(csv.reader(f)) for cell in row]
    bad = [(i, c) for i, c in cells if c.startswith(FORMULA_START) and not is_number(c)]
    assert bad == [], f"{path.name}: cells a spreadsheet would run as formulas: {bad}"
    return rows(path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("csv-injection")
    (root / "events.csv").write_text(EVENTS + BAD_ROW, encoding="utf-8")
    (root / "ok.csv").write_text(EVENTS, encoding="utf-8")
    (root / "map.yaml").write_text(MAP, encoding="utf-8")
    (root / "fb.csv").write_text(FEEDBACK, encoding="utf-8")
    parcours("analyze", root / "events.csv", "--map", root / "map.yaml", "--feedback", root / "fb.csv",
             "--max-bad-rows", "50%", "--out", root / "analysis", "--no-report")
    parcours("export", "--map", root / "map.yaml", "--results", root / "analysis", "--out", root / "export",
             "--only", "csv,parquet")
    parcours("feedback", root / "fb.csv", "--events", root / "ok.csv", "--map", root / "map.yaml",
             "--max-bad-rows", "50%", "--out", root / "feedback")
    parcours("compare", root / "ok.csv", "--map", root / "map.yaml", "--before", "2026-01-01..2026-01-01",
             "--after", "2026-01-02..2026-01-02", "--out", root / "compare")
    parcours("segments", root / "ok.csv", "--map", root / "map.yaml", "--by", "channel_mix", "--every", "month",
             "--out", root / "segments")
    return root


def test_analyze_tables_and_quarantine_are_safe_numbers_unchanged(runs):
    out = runs / "analysis"
    csvs = sorted(out.glob("*.csv"))
    assert {c.stem for c in csvs} >= {"quarantine", "transitions", "unmapped", "stages", "touchpoints", "variants"}
    tables = {c.stem: assert_spreadsheet_safe(c) for c in csvs}
    assert [(r["customer"], r["event"], r["time"]) for r in tables["quarantine"]] == [("'=bad", "'@bad", "not a time")]
    assert {r["event"] for r in tables["unmapped"]} == {"'" + LINK, "'+add", "'-minus", "'@SUM(A1)"}
    assert {(r["from"], r["to"]) for r in tables["transitions"]} == {
        ("'-minus", "'@SUM(A1)"), ("'" + LINK, "'+add"), ("view", "'" + LINK), ("view", "buy")}
    assert [(r["stage"], r["name"]) for r in tables["stages"]] == [("s1", "'=1+1 stage"), ("s2", "'-2 stage")]
    assert "'-minus > @SUM(A1)" in {r["path"] for r in tables["variants"]}  # only the cell's start matters
    # analysis.json keeps the raw values
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert {r["event"] for r in data["unmapped"]} == {LINK, "+add", "-minus", "@SUM(A1)"}
    assert [r["name"] for r in data["stages"]] == ["=1+1 stage", "-2 stage"]


def test_export_reads_the_raw_values_back_csv_safe_once_parquet_raw(runs):
    analysis, tables = runs / "analysis", runs / "export" / "tables"
    quoted = 0
    for c in sorted(analysis.glob("*.csv")):
        exported = assert_spreadsheet_safe(tables / c.name)
        assert len(exported) == len(rows(c)), c.name
        for before, after in zip(rows(c), exported, strict=True):
            for column, cell in before.items():  # quoted once, not twice: export read the raw value back
                if cell.startswith("'"):
                    assert after[column] == cell, (c.name, column)
                    quoted += 1
    assert quoted >= 20
    unmapped = pq.read_table(tables / "unmapped.parquet").to_pylist()
    assert {r["event"] for r in unmapped} == {LINK, "+add", "-minus", "@SUM(A1)"}
    quarantine = pq.read_table(tables / "quarantine.parquet").to_pylist()
    assert [(r["customer"], r["event"]) for r in quarantine] == [("=bad", "@bad")]


def test_feedback_tables_verbatims_and_negative_scores(runs):
    out = runs / "feedback"
    tables = {c.stem: assert_spreadsheet_safe(c) for c in sorted(out.glob("*.csv"))}
    responses = {r["customer_id"]: r for r in tables["feedback_responses"]}
    assert set(responses) == {"'" + CMD, "'-1+2", "'@c4", "plain", "'=bad"}  # "=bad" with its quarantine_reason
    assert responses["'-1+2"]["comment"] == "'-trop lent, @support jamais joignable"
    assert responses["'@c4"]["comment"] == "'+ rapide et simple" and responses["plain"]["comment"] == "Parfait"
    by_touchpoint = {r["touchpoint"]: r for r in tables["feedback_by_touchpoint"]}
    # the detractor's NPS is the number -100, not text: written unquoted
    assert by_touchpoint["'@SUM(A1)"]["value"] == "-100" and float(by_touchpoint["'+add"]["ci_low"]) < 0
    assert [(r["customer"], r["row"]) for r in tables["feedback_quarantine"]] == [("'=bad", "5")]
    data = json.loads((out / "feedback.json").read_text(encoding="utf-8"))
    assert {r["touchpoint"] for r in data["by_touchpoint"]} == {"+add", LINK, "@SUM(A1)", "buy"}  # raw in JSON
    assert [r["name"] for r in data["by_stage"]] == ["-2 stage"]


def test_compare_names_are_safe(runs):
    table = assert_spreadsheet_safe(runs / "compare" / "compare.csv")
    assert {r["name"] for r in table} == {"'=1+1 stage", "'-2 stage"}
    data = json.loads((runs / "compare" / "compare.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in data["rows"]} == {"=1+1 stage", "-2 stage"}


def test_segments_membership_ids_are_safe(runs):
    table = assert_spreadsheet_safe(runs / "segments" / "segment_membership.csv")
    assert sorted(r["customer"] for r in table) == sorted(["'-1+2", "'" + CMD, "'@c4", "plain"])


def test_quarantine_kept_when_a_run_stops_is_safe(tmp_path):
    (tmp_path / "events.csv").write_text(EVENTS + BAD_ROW, encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "parcours", "analyze", tmp_path / "events.csv", "--out", tmp_path / "out"],
                       capture_output=True, text=True, env=ENV)
    assert p.returncode == 4, p.stderr  # 1 bad row of 9: more than the default --max-bad-rows 1%
    table = assert_spreadsheet_safe(tmp_path / "out" / "quarantine.csv")
    assert [(r["customer"], r["event"]) for r in table] == [("'=bad", "'@bad")]
