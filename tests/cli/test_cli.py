"""The CLI as a user runs it: exit codes, messages, files written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest


def parcours(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "parcours", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={"COLUMNS": "120", "PATH": "/usr/bin:/bin", "NO_COLOR": "1", **(env or {})})


def test_version_and_help():
    assert parcours("--version").stdout.startswith("parcours ")
    out = parcours("--help").stdout
    for cmd in ("analyze", "demo", "validate", "schema"):
        assert cmd in out


def test_analyze_writes_json_and_tables(shared_data, tmp_path):
    p = parcours("analyze", shared_data / "helpdesk_tickets/helpdesk_events.csv.gz", "--out", tmp_path)
    assert p.returncode == 0, p.stderr
    data = json.loads((tmp_path / "analysis.json").read_text())
    assert data["summary"]["events"] == 21348 and data["summary"]["quarantined_rows"] == 0
    for name in ("transitions", "starts", "ends", "variants", "touchpoints", "unmapped"):
        assert (tmp_path / f"{name}.csv").exists()
    assert "Rows read 21,348 = accepted 21,348 + quarantined 0" in p.stderr
    assert "Detected XES columns" in p.stderr
    assert "…" not in p.stderr and "\r" not in p.stderr  # no progress animation when piped


def test_progress_shows_on_a_terminal(shared_data, tmp_path):
    import shutil

    if not shutil.which("script"):
        pytest.skip("util-linux 'script' is needed to give the command a terminal")
    log = tmp_path / "tty.log"
    # --no-cache: another test may have analysed this file already (a cached result shows no steps)
    cmd = f"{sys.executable} -m parcours analyze {shared_data / 'helpdesk_tickets/helpdesk.xes.gz'} --out {tmp_path / 'o'} --no-cache"
    # A terminal that animates: whatever the test process' environment says (a worker may have
    # TERM=dumb or colour settings that make Rich print no live status).
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "PARCOURS_PROGRESS")}
    env["TERM"] = "xterm-256color"
    subprocess.run(["script", "-qc", cmd, str(log)], capture_output=True, check=True, env=env)
    text = log.read_text(errors="replace")
    # The status is redrawn 12.5 times a second: a step shorter than that may never be drawn,
    # but reading and some analysis step always are.
    assert "reading" in text and "analysing: " in text, text[:3000]


def test_progress_as_timed_lines_in_a_log(shared_data, tmp_path):
    """``PARCOURS_PROGRESS=lines``: one line per step with the time elapsed, when piped."""
    import os
    import re

    log = shared_data / "helpdesk_tickets" / "helpdesk_events.csv.gz"
    env = {**os.environ, "PARCOURS_PROGRESS": "lines"}
    r = subprocess.run([sys.executable, "-m", "parcours", "analyze", str(log), "--out", str(tmp_path / "o"), "--no-cache"],
                       capture_output=True, text=True, env=env, check=True)
    steps = re.findall(r"^\[\s*([0-9.]+) s\] (.+)$", r.stderr, flags=re.M)
    names = [name.split(" (")[0] for _, name in steps]
    assert names[0] == "reading" and "preparing" in names and "analysing: transitions" in names
    assert len(names) == len(set(names))  # "reading (n rows so far)" repeats are folded
    times = [float(t) for t, _ in steps]
    assert times == sorted(times)
    quiet = subprocess.run([sys.executable, "-m", "parcours", "analyze", str(log), "--out", str(tmp_path / "p")],
                           capture_output=True, text=True, check=True)
    assert not re.search(r"^\[\s*[0-9.]+ s\]", quiet.stderr, flags=re.M)


def test_too_many_bad_rows_exit_code_and_quarantine_file(tmp_path):
    src = tmp_path / "ev.csv"
    src.write_text("customer_id,timestamp,event\nc1,2026-01-01T10:00:00Z,a\nc1,nope,b\n", encoding="utf-8")
    p = parcours("analyze", src, "--out", tmp_path / "out")
    assert p.returncode == 4
    assert "1 of 2 rows cannot be used" in p.stderr and "row 2" in p.stderr
    assert "unparseable time" in (tmp_path / "out" / "quarantine.csv").read_text()


@pytest.mark.parametrize("content,code,words", [
    ("", 3, "the file is empty"),
    ("a,b\n1,2\n", 3, "cannot tell which column"),
])
def test_bad_inputs_exit_codes(tmp_path, content, code, words):
    src = tmp_path / "ev.csv"
    src.write_text(content, encoding="utf-8")
    p = parcours("analyze", src, "--out", tmp_path / "out")
    assert p.returncode == code, p.stderr
    assert words in p.stderr and "Traceback" not in p.stderr


def test_truncated_xes_is_an_error(shared_data, tmp_path):
    raw = (shared_data / "helpdesk_tickets/helpdesk.xes.gz").read_bytes()
    import gzip

    text = gzip.decompress(raw)
    bad = tmp_path / "cut.xes"
    bad.write_bytes(text[: len(text) // 3])
    p = parcours("analyze", bad, "--out", tmp_path / "out")
    assert p.returncode == 3 and "truncated or malformed at line" in p.stderr


def test_validate_and_schema(tmp_path):
    good = tmp_path / "m.yaml"
    good.write_text("stages:\n  - id: a\n    name: A\ntouchpoints:\n  - id: t\n    stage: a\n", encoding="utf-8")
    p = parcours("validate", good)
    assert p.returncode == 0 and "valid journey map" in p.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("stages:\n  - id: a\n    name: A\ntouchpoints:\n  - id: t\n    stage: b\n", encoding="utf-8")
    p = parcours("validate", bad)
    assert p.returncode == 2 and "line 6, touchpoints[0].stage: unknown stage 'b'" in p.stderr
    p = parcours("schema")
    assert p.returncode == 0 and json.loads(p.stdout)["title"] == "Parcours journey map"


def test_bad_option_values(tmp_path, shared_data):
    src = shared_data / "pm_running_example/running-example.csv"
    p = parcours("analyze", src, "--out", tmp_path, "--max-bad-rows", "lots")
    assert p.returncode == 2 and "max-bad-rows" in p.stderr
    p = parcours("analyze", src, "--out", tmp_path, "--columns", "customer")
    assert p.returncode == 2 and "role=column" in p.stderr
    p = parcours("analyze", src, "--out", tmp_path, "--journey-gap", "soon")
    assert p.returncode == 2 and "not a duration" in p.stderr


def test_closing_line_names_every_file_written(tmp_path):
    """The report included (the line once listed analysis.json and the CSVs only)."""
    (tmp_path / "events.csv").write_text("customer_id,timestamp,event\nc1,2026-01-01 10:00:00,visit\n"
                                         "c1,2026-01-01 10:05:00,buy\nc2,2026-01-02 09:00:00,visit\n", encoding="utf-8")
    (tmp_path / "map.yaml").write_text("stages:\n  - {id: browse, name: Browse}\n  - {id: pay, name: Pay}\n"
                                       "touchpoints:\n  - {id: visit, stage: browse}\n  - {id: buy, stage: pay}\n",
                                       encoding="utf-8")
    p = parcours("analyze", tmp_path / "events.csv", "--map", tmp_path / "map.yaml", "--out", tmp_path / "out")
    assert p.returncode == 0, p.stderr
    listed = re.search(r"Wrote (\d+) files to .*? \((.*)\)", " ".join(p.stderr.split()))
    names = listed.group(2).split(", ")
    assert names[:2] == ["analysis.json", "report.html"]
    assert int(listed.group(1)) == len(names) and set(names) == {f.name for f in (tmp_path / "out").iterdir()}


def test_events_from_the_maps_source_path(shared_data, tmp_path):
    """Without EVENTS, the map's source.path is read, relative to the map file."""
    log = shared_data / "helpdesk_tickets/helpdesk_events.csv.gz"
    maps = tmp_path / "maps"
    maps.mkdir()
    rel = log.resolve().relative_to(tmp_path.anchor)
    (maps / "map.yaml").write_text(f"source:\n  path: {'../' * (len(maps.parts) - 1)}{rel}\n", encoding="utf-8")
    p = parcours("analyze", "--map", maps / "map.yaml", "--out", tmp_path / "out")
    assert p.returncode == 0, p.stderr
    assert json.loads((tmp_path / "out" / "analysis.json").read_text())["summary"]["events"] == 21348
    (maps / "bare.yaml").write_text("name: no source\n", encoding="utf-8")
    p = parcours("analyze", "--map", maps / "bare.yaml", "--out", tmp_path / "out2")
    assert p.returncode == 2 and "no events to analyse" in p.stderr and "source" in p.stderr


def test_segments_command_writes_and_prints_the_matrix(shared_data, tmp_path):
    src = shared_data / "helpdesk_tickets/helpdesk_events.csv.gz"
    (tmp_path / "map.yaml").write_text("goals: [{id: closed, match: {event: Closed}}]\n", encoding="utf-8")
    p = parcours("segments", src, "--map", tmp_path / "map.yaml", "--by", "buyer", "--every", "quarter",
                 "--columns", "customer=customer,time=time:timestamp,event=concept:name", "--out", tmp_path / "out")
    assert p.returncode == 0, p.stderr
    data = json.loads((tmp_path / "out/segments.json").read_text())
    s = data["segments"]
    assert s["labels"] == ["prospect", "first_time", "repeat"] and s["periods"][0]["period"].endswith(("Q1", "Q2", "Q3", "Q4"))
    assert "Moves between consecutive periods" in p.stdout and "(inactive)" in p.stdout
    for name in ("segment_counts", "segment_movements", "segment_membership"):
        assert (tmp_path / f"out/{name}.csv").exists()
    assert data["input"]["read"] == 21348
    bad = parcours("segments", src, "--every", "fortnight", "--out", tmp_path / "bad")
    assert bad.returncode == 2 and "--every 'fortnight'" in bad.stderr and "week, month, quarter, year" in bad.stderr
