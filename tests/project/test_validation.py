"""``parcours.project.validation``: how a source's validation ends, as a value, on small real CSV
files read by DuckDB and a real app database (SQLite and PostgreSQL); the background job
(``submit``, ``settle``, ``find``) through a real ``Jobs`` pool; and the source's description and
removal (``parcours.project.sources``)."""

from __future__ import annotations

import threading

import pytest

from parcours.errors import OptionError
from parcours.project.jobs import Jobs
from parcours.project.sources import Mapping, SourceFileMissing, delete_source, describe_source, preview, shown
from parcours.project.validation import KINDS, Outcome, find, outcome, settle, submit
from parcours.store import sources
from parcours.store.errors import NotFound
from parcours.store.users import create_user
from parcours.store.workspaces import create_project, create_workspace
from tests.store.conftest import backend, empty_url, store  # noqa: F401 - fixtures reused

HEADER = "customer_id,timestamp,event\n"


@pytest.fixture
def place(store, tmp_path):  # noqa: F811
    user = create_user(store, "ada@example.org", "Ada", "ada-password-1")
    pid = create_project(store, create_workspace(store, "Support").id, "Tickets").id
    folder = tmp_path / "data" / str(pid)
    folder.mkdir(parents=True)
    return {"store": store, "user": user.id, "pid": pid, "folder": folder}


def source(place, name: str, text: str):
    """A CSV in the project's folder, recorded as an events source (as an upload leaves it)."""
    path = place["folder"] / name
    path.write_text(text)
    return sources.add(place["store"], place["pid"], name=name, original_name=name, kind="events", format="csv",
                       size=path.stat().st_size, uploaded_by=place["user"], columns='{"roles": null, "options": {}}')


def validated(place, row, body: Mapping | None = None) -> Outcome:
    return outcome(place["folder"], row, body or Mapping(), place["store"], place["user"])


def test_ok_quarantines_the_bad_rows_and_keeps_the_roles(place):
    good = "".join(f"c{i},2026-01-02T09:{i % 60:02d}:00Z,visit\n" for i in range(99))  # 1 bad of 101: within 1%
    row = source(place, "e.csv", HEADER + "c1,2026-01-01T10:00:00Z,visit\nc1,never,buy\n" + good)
    done = validated(place, row)
    assert (done.kind, done.error) == ("ok", None)
    p = done.payload
    assert (p["read"], p["accepted"], p["quarantined"]) == (101, 100, 1)
    assert p["first_problems"] == [{"row": 2, "reason": p["first_problems"][0]["reason"]}]
    assert "never" in p["first_problems"][0]["reason"]
    assert p["quarantine_url"] == f"/api/v1/projects/{place['pid']}/data/{row.id}/quarantine.csv"
    assert (place["folder"] / "e.csv.quarantine.csv").is_file()
    kept = sources.current(place["store"], place["pid"], "events")
    assert kept is not None and kept.id == row.id
    assert describe_source(kept) == {
        "id": row.id, "name": "e.csv", "original_name": "e.csv", "kind": "events", "format": "csv",
        "size": row.size, "created_at": row.created_at.isoformat(), "mapped": True,
        "columns": {"customer": "customer_id", "time": "timestamp", "event": "event"}, "options": {},
        "upload_notes": [], "report": sources.report(kept), "quarantine_url": p["quarantine_url"]}


def test_no_usable_row_is_too_many_bad_rows_with_its_report(place):
    row = source(place, "e.csv", HEADER + "c1,yesterday,visit\nc2,soon,buy\n")
    done = validated(place, row)
    assert done.kind == "too_many_bad_rows" and "2 of 2 rows cannot be used" in done.payload["message"]
    assert (done.payload["report"]["read"], done.payload["report"]["quarantined"]) == (2, 2)
    assert done.payload["quarantine_url"] == f"/api/v1/projects/{place['pid']}/data/{row.id}/quarantine.csv"
    assert (place["folder"] / "e.csv.quarantine.csv").is_file()  # it still says why, row by row
    assert sources.current(place["store"], place["pid"], "events") is None
    assert describe_source(sources.get(place["store"], place["pid"], row.id))["mapped"] is False


def test_past_the_row_budget_is_over_budget(place, monkeypatch):
    monkeypatch.setenv("PARCOURS_VALIDATE_MAX_ROWS", "2")
    row = source(place, "e.csv", HEADER + "".join(f"c{i},2026-01-01T10:00:0{i}Z,visit\n" for i in range(3)))
    done = validated(place, row)
    assert done.kind == "over_budget" and "it holds 3 rows" in done.payload["message"]
    assert "PARCOURS_VALIDATE_MAX_ROWS=2" in done.payload["hint"]
    assert sources.current(place["store"], place["pid"], "events") is None


def test_an_unknown_role_is_unusable_with_its_error(place):
    row = source(place, "e.csv", HEADER + "c1,2026-01-01T10:00:00Z,visit\n")
    done = validated(place, row, Mapping(columns={"buyer": "customer_id"}))
    assert done.kind == "unusable" and isinstance(done.error, OptionError)
    assert done.payload == {"message": "unknown role 'buyer' for events", "hint": done.error.hint}
    assert "customer" in done.payload["hint"]


def test_a_missing_file_is_missing_for_validation_and_preview(place):
    row = source(place, "e.csv", HEADER + "c1,2026-01-01T10:00:00Z,visit\n")
    (place["folder"] / "e.csv").unlink()
    done = validated(place, row)
    expected = {"message": "the file of e.csv is missing from the project's data",
                "hint": "delete this source and upload the file again"}
    assert (done.kind, done.payload) == ("missing", expected)
    with pytest.raises(SourceFileMissing) as e:
        preview(place["folder"], row, place["store"])
    assert shown(e.value, row) == expected


def test_every_kind_is_declared():
    assert KINDS == ("ok", "too_many_bad_rows", "over_budget", "unusable", "missing")


def test_a_table_urls_password_is_never_shown(place):
    row = sources.add(place["store"], place["pid"], name="table-t", original_name="t", kind="events", format="table",
                      size=0, uploaded_by=place["user"],
                      columns='{"roles": null, "options": {}, "url": "postgresql://ada:S3cretPass@db.example/x"}')
    said = shown(OptionError("cannot open postgresql://ada:S3cretPass@db.example/x (S3cretPass refused)",
                             hint="check S3cretPass"), row)
    assert said == {"message": "cannot open postgresql://ada:***@db.example/x (*** refused)", "hint": "check ***"}


def test_submit_runs_in_the_background_and_find_knows_its_source(place):
    row = source(place, "e.csv", HEADER + "c1,2026-01-01T10:00:00Z,visit\n")
    jobs = Jobs(workers=1)
    try:
        job = submit(jobs, place["folder"], row, Mapping(), place["store"], place["user"])
        assert settle(job, 60) is job and job.state == "done", job.error
        assert job.result.kind == "ok" and job.result.payload["accepted"] == 1
        assert find(jobs, job.id, place["pid"], row.id) is job
        assert find(jobs, job.id, place["pid"], row.id + 1) is None
        assert find(jobs, job.id, place["pid"] + 1, row.id) is None
        assert find(jobs, "no-such-job", place["pid"], row.id) is None
    finally:
        jobs.shutdown()


def test_a_cancelled_validation_ends_over_budget_and_keeps_nothing(place):
    """The validation waits in the queue behind another job, is cancelled there, then runs: it
    stops at once and says so."""
    row = source(place, "e.csv", HEADER + "c1,2026-01-01T10:00:00Z,visit\n")
    jobs, release = Jobs(workers=1), threading.Event()
    try:
        jobs.submit(place["pid"], ("blocker",), lambda job: release.wait(60))
        job = submit(jobs, place["folder"], row, Mapping(), place["store"], place["user"])
        assert settle(job, 0.2).state == "queued"
        job.watch.cancel()
        release.set()
        assert settle(job, 60).state == "done"
        assert job.result.kind == "over_budget" and "cancelled" in job.result.payload["message"]
        assert sources.current(place["store"], place["pid"], "events") is None
    finally:
        release.set()
        jobs.shutdown()


def test_delete_source_removes_the_row_its_file_and_its_quarantine(place):
    row = source(place, "e.csv", HEADER + "c1,2026-01-01T10:00:00Z,visit\nc1,2026-01-01T11:00:00Z,buy\n")
    assert validated(place, row).kind == "ok"
    other = source(place, "f.csv", HEADER + "c1,2026-01-01T10:00:00Z,visit\n")
    assert sorted(p.name for p in place["folder"].iterdir()) == ["e.csv", "e.csv.quarantine.csv", "f.csv"]
    gone = delete_source(place["store"], place["folder"], place["pid"], row.id, place["user"])
    assert gone.id == row.id
    assert sorted(p.name for p in place["folder"].iterdir()) == ["f.csv"]
    assert [r.id for r in sources.list_sources(place["store"], place["pid"])] == [other.id]
    with pytest.raises(NotFound):
        delete_source(place["store"], place["folder"], place["pid"], row.id, place["user"])
