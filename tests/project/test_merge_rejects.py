"""A file's unsplittable CSV lines are counted and quarantined when the app's collected rows join
it (issue 23, §1: "partial input is never silently dropped").

``project.merge.union_by_roles`` puts a project's file beside the events POSTed to
``/api/v1/projects/{id}/events`` (or the answers to its survey links). It used to take only the
rows the CSV reader accepted: a short line of the help-desk log vanished from "read" and from the
quarantine as soon as one event was collected. The joined table now carries the file's rejected
lines (``RawInput.all_rows``), and reading it quarantines them once, at their rows, as reading
the file alone does.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from parcours.engine.connection import connect
from parcours.ingest import read_events
from parcours.ingest.feedback import read_feedback
from parcours.ingest.roles import EVENT_ROLES, FEEDBACK_ROLES
from parcours.project.merge import union_by_roles

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"
REVIEWS = "customer_reviews/en_trustpilot_pet_insurance/pet_insurance_en.csv.gz"  # comments over several lines
COLLECTED_ROLES = {"customer": "customer", "event": "event", "time": "time", "channel": "channel", "value": "value"}
BATCH = [{"id": f"x{i}", "customer": "Case 99001", "event": name, "time": f"2014-01-05T10:0{i}:00+01:00",
          "channel": "web"} for i, name in enumerate(["Insert ticket", "Assign seriousness", "Closed"])]


def with_bad_lines(src: Path, dest: Path) -> Path:
    """The help-desk log with a short line as data row 5000 and an unparseable time at row 6000."""
    lines = gzip.decompress(src.read_bytes()).splitlines(keepends=True)
    lines.insert(5000, b"Case 9999,Closed,2012-10-09T14:50:17+00:00\r\n")
    fields = lines[6000].split(b",")
    fields[2] = b"not a time"
    lines[6000] = b",".join(fields)
    dest.write_bytes(b"".join(lines))
    return dest


@pytest.fixture
def helpdesk_bad(shared_data, tmp_path) -> Path:
    return with_bad_lines(shared_data / HELPDESK, tmp_path / "helpdesk_bad.csv")


def collected() -> pa.Table:
    """The batch as the store hands it over (``store.collect.event_rows``: text columns)."""
    rows = [{"event_id": e["id"], "customer": e["customer"], "time": e["time"], "event": e["event"],
             "channel": e["channel"], "value": None} for e in BATCH]
    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in rows[0]]))


def test_collected_events_beside_a_file_keep_its_rejected_line(helpdesk_bad):
    alone = read_events(helpdesk_bad, max_bad_rows="100%").report
    assert (alone.read, alone.quarantined) == (21_349, 2)
    table, roles = union_by_roles(connect(None), helpdesk_bad, {}, {}, collected(), COLLECTED_ROLES, spec=EVENT_ROLES)
    joined = read_events(table, columns=roles, max_bad_rows="100%").report
    assert (joined.read, joined.accepted, joined.quarantined) == (21_349 + 3, alone.accepted + 3, 2)  # was 21_348 + 3
    assert joined.quarantine_rows == alone.quarantine_rows  # same file, rows, reasons, values and line text
    assert [(q["row"], q["reason"].split(": ")[0], q["line_text"]) for q in joined.quarantine_rows] == [
        (5000, "missing columns", "Case 9999,Closed,2012-10-09T14:50:17+00:00"),
        (6000, "unparseable time in column 'time:timestamp'", None)]


def test_the_stored_projects_analysis_counts_its_files_bad_line(helpdesk_bad, tmp_path):
    """The web app's path: a file in the project's data (its map's source), events POSTed to the
    collection API, the project's log as its analyses read it."""
    from parcours.model import JourneyMap
    from parcours.project import Project
    from parcours.store import connect as open_store
    from parcours.store import create_project, create_workspace
    from parcours.store.collect import store_events

    store = open_store(f"sqlite:///{tmp_path / 'app.db'}")
    store.migrate()
    try:
        pid = create_project(store, create_workspace(store, "Support").id, "Tickets").id
        folder = tmp_path / "data" / str(pid)
        folder.mkdir(parents=True)
        shutil.copyfile(helpdesk_bad, folder / helpdesk_bad.name)
        assert store_events(store, pid, BATCH)["stored"] == 3
        m = JourneyMap(source={"path": helpdesk_bad.name})
        report = Project.stored(store, tmp_path / "data", pid, map=m).event_log().report
    finally:
        store.close()
    assert (report.read, report.accepted, report.quarantined) == (21_352, 21_350, 2)  # was 21_351 = 21_350 + 1
    assert [(q["file"], q["row"], q["reason"].split(": ")[0]) for q in report.quarantine_rows] == [
        ("helpdesk_bad.csv", 5000, "missing columns"), ("helpdesk_bad.csv", 6000, "unparseable time in column 'time:timestamp'")]


def test_survey_answers_beside_a_feedback_file_keep_its_rejected_line(shared_data, tmp_path):
    """Answers join a feedback file the same way (written to Parquet, as ``project.stored`` does)."""
    lines = gzip.decompress((shared_data / REVIEWS).read_bytes()).splitlines(keepends=True)
    lines.insert(1, b"tp-pet-short,en,insurance_pet\n")  # data row 1: 3 fields of 9
    p = tmp_path / "reviews.csv"
    p.write_bytes(b"".join(lines))
    columns = {"customer": "id", "time": "published", "score": "rating", "comment": "text", "language": "language"}
    alone = read_feedback(p, columns=columns, metric="csat", max_bad_rows="100%").report
    answers = pa.table({"customer_id": ["c1", "c2"], "answered_at": ["2026-03-01T10:00:00+00:00"] * 2,
                        "metric": ["csat", "csat"], "score": [5, 1], "comment": ["great", None],
                        "touchpoint": ["claim", "claim"], "language": ["en", "en"]})
    con = connect(None)
    table, roles = union_by_roles(con, p, {}, columns, answers,
                                  {"customer": "customer_id", "time": "answered_at", "metric": "metric", "score": "score",
                                   "comment": "comment", "touchpoint": "touchpoint", "language": "language"},
                                  spec=FEEDBACK_ROLES)
    out = tmp_path / "feedback.parquet"
    con.to_parquet(table, str(out))
    joined = read_feedback(out, columns=roles, metric="csat", max_bad_rows="100%").report
    assert (joined.read, joined.accepted) == (alone.read + 2, alone.accepted + 2)
    assert [(q["row"], q["reason"], q["line_text"]) for q in joined.quarantine_rows if q["row"] == 1] == [
        (1, "missing columns: Expected Number of Columns: 9 Found: 3", "tp-pet-short,en,insurance_pet")]
    assert joined.quarantined == alone.quarantined
