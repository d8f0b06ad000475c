"""Background jobs of the web app: a failing job says why, in the words the CLI would use."""

from __future__ import annotations

import duckdb

from parcours.project.jobs import Jobs


def test_a_job_out_of_duckdb_memory_says_how_to_raise_the_limit():
    def analysis(_job):
        con = duckdb.connect()
        con.execute("SET memory_limit = '1MB'")
        con.execute("SELECT list(range) FROM range(10000000)").fetchall()  # a real out-of-memory

    job = Jobs().submit(1, ("oom",), analysis).wait()
    assert job.state == "failed"
    assert job.error["message"].startswith("the engine ran out of memory (Out of Memory Error")
    assert "PARCOURS_MEMORY_LIMIT" in job.error["hint"]


def test_any_other_failure_keeps_its_type_and_text():
    def analysis(_job):
        raise ValueError("boom")

    job = Jobs().submit(1, ("other",), analysis).wait()
    assert job.error == {"message": "ValueError: boom", "hint": None}
