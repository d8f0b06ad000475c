"""A malformed CSV line is one quarantined row, counted once (issue 23, item 1a).

DuckDB's reader writes one reject entry per error, not per line: a line of 3 fields under a
header of 5 gives two ("Found: 3", "Found: 4"), a line with two extra fields two more. Counted
as they came, they made "read" larger than the file and listed a line several times. Here
"read" is the file's records, every bad record is quarantined once with all its reasons, and
``--max-bad-rows`` judges the true count. The property test at the end counts the records of a
corrupted real log with Python's csv module, independently of DuckDB.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.errors import TooManyBadRows
from parcours.ingest import read_events
from parcours.ingest.feedback import read_feedback

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"
RUNNING = "pm_running_example/running-example.csv"

# The file: 1 good line, 1 short, 1 with extra fields, 1 with an unclosed quote.
FOUR = ("customer,time,event,channel,amount\n"
        "c1,2026-03-01T10:00:00Z,visit,web,1\n"
        "c2,2026-03-01T10:01:00Z,visit\n"                  # row 2: 3 fields of 5
        "c3,2026-03-01T10:02:00Z,visit,web,1,x,y\n"        # row 3: 7 fields of 5
        "c4,\"2026-03-01T10:03:00Z,visit,web,1\n")         # row 4: an unclosed quote


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "parcours", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={"COLUMNS": "120", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


def quarantine_csv(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "quarantine.csv").read_text(encoding="utf-8"))))


def test_the_four_line_file_reads_four_rows_each_bad_one_once(tmp_path):
    p = tmp_path / "four.csv"
    p.write_text(FOUR, encoding="utf-8")
    r = read_events(p, max_bad_rows="100%").report
    assert (r.read, r.accepted, r.quarantined) == (4, 1, 3)
    reasons = {q["row"]: q["reason"] for q in r.quarantine_rows}
    assert [q["row"] for q in r.quarantine_rows] == [2, 3, 4]
    # one reason per kind of error, with the line's true number of fields
    assert reasons[2] == "missing columns: Expected Number of Columns: 5 Found: 3"
    assert reasons[3] == "too many columns: Expected Number of Columns: 5 Found: 7"
    assert reasons[4].startswith("unparseable time in column 'time'")
    texts = {q["row"]: q["line_text"] for q in r.quarantine_rows}
    assert texts[2] == "c2,2026-03-01T10:01:00Z,visit" and texts[3] == "c3,2026-03-01T10:02:00Z,visit,web,1,x,y"
    # the threshold counts lines: 3 bad lines pass a limit of 3 and fail one of 2
    assert read_events(p, max_bad_rows="3").report.quarantined == 3
    with pytest.raises(TooManyBadRows, match="3 of 4 rows"):
        read_events(p, max_bad_rows="2")


def test_on_spark_the_file_is_read_and_counted_by_duckdb_the_same(spark, tmp_path):
    p = tmp_path / "four.csv"
    p.write_text(FOUR, encoding="utf-8")
    log = read_events(p, max_bad_rows="100%", con=spark)
    assert log.con.name == "pyspark" and log.table.count().execute() == 1
    r = log.report
    assert (r.read, r.accepted, r.quarantined) == (4, 1, 3)
    assert [q["row"] for q in r.quarantine_rows] == [2, 3, 4]


def test_rows_after_a_bad_line_keep_their_number(tmp_path):
    # Counting a line's rejects twice shifted every later row's number by one more.
    p = tmp_path / "shift.csv"
    p.write_text("customer,time,event\n"
                 "c1,2026-03-01T10:00:00Z,\"multi\nline\"\n"   # row 1 spans two lines
                 "c2,2026-03-01T10:01:00Z\n"                    # row 2: short
                 "c3,2026-03-01T10:02:00Z,a,b,c\n"              # row 3: two extra fields
                 "c4,not a time,visit\n", encoding="utf-8")     # row 4: bad time
    r = read_events(p, max_bad_rows="100%").report
    assert (r.read, r.accepted, r.quarantined) == (4, 1, 3)
    assert [(q["row"], q["reason"].split(":")[0]) for q in r.quarantine_rows] == [
        (2, "missing columns"), (3, "too many columns"), (4, "unparseable time in column 'time'")]


def test_a_line_with_several_kinds_of_error_is_one_row_with_all_its_reasons(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes(b"customer,time,event\n"
                  b"c1,2026-03-01T10:00:00Z,visit\n"
                  b"c2,\xff,\xfe,x\n")  # two fields not UTF-8, and one field too many
    r = read_events(p, max_bad_rows="100%").report
    assert (r.read, r.accepted, r.quarantined) == (2, 1, 1)
    (q,) = r.quarantine_rows
    assert q["row"] == 2
    assert q["reason"].count("invalid encoding") == 1 and "too many columns: Expected Number of Columns: 3 Found: 4" in q["reason"]


def _with_short_line(src: Path, dest: Path, at: int, short: bytes) -> int:
    """Copy ``src`` with ``short`` inserted as data row ``at`` (its line ending kept); the file's record count."""
    lines = gzip.decompress(src.read_bytes()).splitlines(keepends=True) if src.suffix == ".gz" \
        else src.read_bytes().splitlines(keepends=True)
    ending = b"\r\n" if lines[0].endswith(b"\r\n") else b"\n"
    lines.insert(at, short + ending)
    dest.write_bytes(b"".join(lines))
    return len(lines) - 1


def test_helpdesk_log_with_one_short_line(shared_data, tmp_path):
    p = tmp_path / "helpdesk_short.csv"
    n = _with_short_line(shared_data / HELPDESK, p, 5000, b"Case 9999,Closed,2012-10-09T14:50:17+00:00")
    assert n == 21_349
    # one bad line passes --max-bad-rows 1: it was counted 10 times
    r = read_events(p, max_bad_rows="1").report
    assert (r.read, r.accepted, r.quarantined) == (21_349, 21_348, 1)
    (q,) = r.quarantine_rows
    assert (q["row"], q["reason"], q["line_text"]) == (
        5000, "missing columns: Expected Number of Columns: 13 Found: 3", "Case 9999,Closed,2012-10-09T14:50:17+00:00")


def test_running_example_with_one_short_row_in_the_cli(shared_data, tmp_path):
    p = tmp_path / "running.csv"
    assert _with_short_line(shared_data / RUNNING, p, 10, b"42,decide,Sara") == 43
    out = tmp_path / "out"
    run = cli("analyze", p, "--out", out, "--max-bad-rows", "1")
    assert run.returncode == 0, run.stderr
    assert "Rows read 43 = accepted 42 + quarantined 1" in run.stderr  # was "48 = 42 + 6"
    data = json.loads((out / "analysis.json").read_text())
    assert (data["input"]["read"], data["input"]["accepted"], data["input"]["quarantined"]) == (43, 42, 1)
    rows = quarantine_csv(out)
    assert [(q["row"], q["reason"], q["line_text"]) for q in rows] == [
        ("10", "missing columns: Expected Number of Columns: 9 Found: 3", "42,decide,Sara")]


def test_feedback_counts_a_bad_line_once(tmp_path):
    p = tmp_path / "answers.csv"
    p.write_text("customer,time,metric,score,comment,channel\n"
                 "c1,2026-03-01T10:00:00Z,nps,9,great,web\n"
                 "c2,2026-03-01T10:01:00Z,nps\n"              # 3 fields of 6: three reject entries
                 "c3,2026-03-01T10:02:00Z,nps,3,slow,web\n", encoding="utf-8")
    r = read_feedback(p, max_bad_rows="1").report
    assert (r.read, r.accepted, r.quarantined) == (3, 2, 1)
    assert [(q["row"], q["reason"]) for q in r.quarantine_rows] == [
        (2, "missing columns: Expected Number of Columns: 6 Found: 3")]


# --- property: for random corruptions of a real log, read = records = accepted + quarantined ---

SAMPLE_ROWS = 300
FIELDS = 13  # the help-desk log's columns; the time is the third


@pytest.fixture(scope="module")
def helpdesk_sample(shared_data) -> list[bytes]:
    """The header and the first rows of the real help-desk log, CRLF line endings as in the file."""
    return gzip.decompress((shared_data / HELPDESK).read_bytes()).splitlines(keepends=True)[:SAMPLE_ROWS + 1]


def corrupt(fields: list[str], kind: str, rnd: random.Random) -> list[str]:
    out = list(fields)
    if kind == "short":
        return out[:rnd.randrange(1, FIELDS)]
    if kind == "extra":
        return out + [f"extra {i}" for i in range(rnd.randrange(1, 4))]
    if kind == "bad time":
        out[2] = rnd.choice(["not a time", "2012-13-45T10:00:00+00:00", "yesterday"])
        return out
    at = rnd.randrange(FIELDS)  # "unclosed quote": a quote opens a field and never closes
    out[at] = '"' + out[at]
    return out


def records(data: bytes) -> list[list[str]]:
    """The data records, counted by Python's csv module. The sample quotes no field, so a stray
    quote is a character of its field and each line is one record (the dialect DuckDB sniffs too)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), quoting=csv.QUOTE_NONE))
    return rows[1:]


def usable(rec: list[str]) -> bool:
    """Independent judgement of a record: all fields there, customer and event given, an ISO time."""
    if len(rec) != FIELDS or not rec[0].strip() or not rec[1].strip():
        return False
    try:
        datetime.fromisoformat(rec[2].strip())
    except ValueError:
        return False
    return True


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1),
       damage=st.lists(st.tuples(st.integers(0, SAMPLE_ROWS - 1),
                                 st.sampled_from(["short", "extra", "bad time", "unclosed quote"])),
                       min_size=1, max_size=12, unique_by=lambda d: d[0]))  # one corruption per row
def test_random_corruptions_of_a_real_log_are_counted_once(helpdesk_sample, tmp_path, seed, damage):
    rnd = random.Random(seed)
    lines = list(helpdesk_sample)
    for row, kind in damage:
        text = lines[row + 1].decode("utf-8").rstrip("\r\n")
        lines[row + 1] = (",".join(corrupt(text.split(","), kind, rnd)) + "\r\n").encode("utf-8")
    data = b"".join(lines)
    p = tmp_path / f"helpdesk_{seed}.csv"
    p.write_bytes(data)
    recs = records(data)
    bad = [i + 1 for i, rec in enumerate(recs) if not usable(rec)]
    r = read_events(p, max_bad_rows="100%").report
    assert r.read == len(recs) == SAMPLE_ROWS
    assert r.read == r.accepted + r.quarantined
    rows = [q["row"] for q in r.quarantine_rows]
    assert rows == bad  # each bad line exactly once, in file order, at its own row
    assert r.accepted == len(recs) - len(bad)
