"""The Python façade: load_map, read_events, analyze, and result tables in every form."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pyarrow as pa

import parcours
from parcours.demo import write_demo


def test_facade_on_the_demo(tmp_path):
    files = write_demo(tmp_path, customers=300, seed=3)
    m = parcours.load_map(files.map_path)
    log = parcours.read_events(files.events_path, columns=dict(m.source.columns))
    assert log.report.read == log.report.accepted == files.events
    result = parcours.analyze(log, m)
    assert result.summary["events"] == files.events
    t = result["transitions"]
    pdf, pldf, arrow = t.to_pandas(), t.to_polars(), t.to_arrow()
    assert len(pdf) == pldf.height == arrow.num_rows == len(t) > 0
    assert isinstance(arrow, pa.Table)
    assert pdf["count"].sum() == files.events - result.summary["journeys"]
    assert "<table" in t._repr_html_() and "Parcours analysis" in result._repr_html_()
    assert [s["stage"] for s in result.data["stages"]] == m.stage_ids()
    # Every figure reconciles: touchpoint events = events; starts = journeys.
    assert sum(r["events"] for r in result.data["touchpoints"]) == files.events
    assert sum(r["journeys"] for r in result.data["starts"]) == result.summary["journeys"]
    written = result.save(tmp_path / "out")
    assert (tmp_path / "out" / "analysis.json").exists() and "stages.csv" in written


def test_table_of_an_engine_as_input(tmp_path, shared_data):
    db = tmp_path / "events.ddb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE tickets AS SELECT * FROM read_csv(?)",
                    [str(shared_data / "helpdesk_tickets/helpdesk_events.csv.gz")])
    p = subprocess.run([sys.executable, "-m", "parcours", "analyze", "table:tickets", "--engine", f"duckdb:///{db}",
                        "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    direct = parcours.analyze(shared_data / "helpdesk_tickets/helpdesk_events.csv.gz")
    import json

    via_table = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert via_table["summary"] == json.loads(json.dumps(direct.data["summary"]))
    assert via_table["variants"]["top"] == json.loads(json.dumps(direct.data["variants"]["top"]))


def test_a_table_of_a_real_connection_is_read_where_it_lives(tmp_path, shared_data):
    import ibis

    con = ibis.duckdb.connect()
    con.read_csv(str(shared_data / "pm_running_example/running-example.csv"), table_name="running")
    result = parcours.analyze(con.table("running"))
    assert result.summary["events"] == 42 and result.summary["journeys"] == 6


def test_unknown_engine_table_is_a_clear_error(tmp_path):
    p = subprocess.run([sys.executable, "-m", "parcours", "analyze", "table:nope", "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert p.returncode == 3 and "table 'nope' not found" in p.stderr and "Traceback" not in p.stderr


def test_a_postgresql_table_is_copied_to_duckdb_and_analysed(tmp_path, shared_data, postgres_url):
    """A table of an engine Parcours does not analyse on (here a real PostgreSQL) is streamed
    into DuckDB: same figures as the file itself, and the report says so."""
    import json

    import ibis
    import pandas as pd

    path = shared_data / "helpdesk_tickets/helpdesk_events.csv.gz"
    pg = ibis.connect(postgres_url)
    name = f"parcours_test_{os.getpid()}"
    pg.create_table(name, ibis.memtable(pd.read_csv(path, dtype=str, keep_default_na=False)), overwrite=True)
    try:
        p = subprocess.run([sys.executable, "-m", "parcours", "analyze", f"table:{name}", "--engine", postgres_url,
                            "--out", str(tmp_path / "out")], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    finally:
        pg.drop_table(name)
    via_pg = json.loads((tmp_path / "out" / "analysis.json").read_text())
    direct = json.loads(json.dumps(parcours.analyze(path).data))
    for key in ("summary", "transitions", "starts", "ends", "variants", "touchpoints"):
        assert via_pg[key] == direct[key], key
    assert any("copied to DuckDB" in n for n in via_pg["input"]["notes"])
    assert via_pg["input"]["read"] == via_pg["input"]["accepted"] == 21348
