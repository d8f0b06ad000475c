"""Results cached by a fingerprint of data + map + options; results independent of threads."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

import parcours
import importlib
from parcours.cli.app import app
from parcours.demo import write_demo
from parcours.engine.connection import connect
from parcours.model import map_from_dict

analyze_module = importlib.import_module("parcours.project.analyze")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("cache_demo"), customers=800, seed=3)


def no_engine(*_a, **_k):
    raise AssertionError("the events were read again: the cache was not used")


def test_second_run_comes_from_the_cache(demo, tmp_path, monkeypatch):
    first = parcours.analyze(demo.events_path, demo.map_path, cache=tmp_path, top=5)
    assert first.cached_from is None
    monkeypatch.setattr(analyze_module, "read_events", no_engine)
    again = parcours.analyze(demo.events_path, demo.map_path, cache=tmp_path, top=5)
    assert again.cached_from is not None and again.cached_from.parent == tmp_path
    assert again.data == json.loads(first.to_json())
    assert again.table_names() == first.table_names()
    for name in first.table_names():
        assert again[name].to_arrow().equals(first[name].to_arrow()), name
    assert again.quarantine.equals(first.quarantine)


def test_each_input_is_in_the_fingerprint(demo, tmp_path, monkeypatch):
    """Another option, another map, or the file written again: computed again."""
    base = parcours.analyze(demo.events_path, demo.map_path, cache=tmp_path)
    other_option = parcours.analyze(demo.events_path, demo.map_path, cache=tmp_path, collapse_loops=True)
    assert other_option.cached_from is None
    raw = parcours.load_map(demo.map_path).model_dump(mode="json", exclude_none=True)
    raw["touchpoints"][0]["name"] = "Another name"
    renamed = map_from_dict(raw)
    assert parcours.analyze(demo.events_path, renamed, cache=tmp_path).cached_from is None
    # The same bytes written again (new modification time): read again, same figures.
    copy = tmp_path / "events.csv"
    copy.write_bytes(demo.events_path.read_bytes())
    first_copy = parcours.analyze(copy, demo.map_path, cache=tmp_path)
    assert first_copy.cached_from is None and first_copy.data["summary"] == base.data["summary"]
    stat = copy.stat()
    text = copy.read_text().replace("web", "wab", 1)  # same size, same time, other content
    copy.write_text(text)
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert parcours.analyze(copy, demo.map_path, cache=tmp_path).cached_from is None
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 5


def test_damaged_entry_is_computed_again(demo, tmp_path):
    first = parcours.analyze(demo.events_path, demo.map_path, cache=tmp_path)
    entry = next(p for p in tmp_path.iterdir() if p.is_dir())
    (entry / "0.arrow").write_bytes(b"not arrow")
    again = parcours.analyze(demo.events_path, demo.map_path, cache=tmp_path)
    assert again.cached_from is None and again.data["summary"] == first.data["summary"]
    assert parcours.analyze(demo.events_path, demo.map_path, cache=tmp_path).cached_from == entry


def test_cli_uses_the_cache_and_no_cache_computes(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("PARCOURS_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    args = ["analyze", str(demo.events_path), "--map", str(demo.map_path), "--no-report", "--lang", "en"]
    r1 = runner.invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert r1.exit_code == 0, r1.output and "from the cache" not in r1.output
    r2 = runner.invoke(app, [*args, "--out", str(tmp_path / "b")])
    assert r2.exit_code == 0 and "results from the cache" in r2.output
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
    monkeypatch.setattr(analyze_module, "read_events", no_engine)
    r3 = runner.invoke(app, [*args, "--out", str(tmp_path / "c"), "--no-cache"])
    assert r3.exit_code != 0 and "the cache was not used" in str(r3.exception)


def test_tables_are_never_cached(demo, tmp_path):
    con = connect(None)
    table = con.read_csv(str(demo.events_path))
    assert parcours.analyze(table, demo.map_path, cache=tmp_path).cached_from is None
    assert parcours.analyze(table, demo.map_path, cache=tmp_path).cached_from is None
    assert not any(tmp_path.iterdir())


def test_results_do_not_depend_on_the_thread_count(tmp_path, monkeypatch):
    """The same log analysed with 1 and 4 DuckDB threads: the whole result is identical
    (a log of several row groups, so that the threads really split the work)."""
    files = write_demo(tmp_path, customers=12_000, seed=9)
    results = []
    for threads in ("1", "4"):
        monkeypatch.setenv("PARCOURS_THREADS", threads)
        r = parcours.analyze(files.events_path, files.map_path, feedback=files.feedback_path, by="segment")
        results.append(r)
    one, four = results
    assert one.data["summary"]["events"] > 122_880  # more than one row group
    assert one.to_json() == four.to_json()
    for name in one.table_names():
        assert one[name].to_arrow().equals(four[name].to_arrow()), name


def test_threads_option_reaches_the_engine(monkeypatch):
    monkeypatch.setenv("PARCOURS_THREADS", "3")
    con = connect(None)
    assert con.con.execute("SELECT current_setting('threads')").fetchone()[0] == 3


def test_a_bad_memory_limit_is_named(demo, tmp_path):
    r = CliRunner().invoke(app, ["analyze", str(demo.events_path), "--out", str(tmp_path), "--memory-limit", "lots"])
    assert r.exit_code != 0
    assert "memory limit 'lots' (--memory-limit or PARCOURS_MEMORY_LIMIT) is not a size" in r.output
    assert "e.g. 4GB" in r.output


def test_engine_options_last_the_command_only(demo, tmp_path, monkeypatch):
    """--threads and --memory-limit do not stay behind in the process' environment."""
    monkeypatch.delenv("PARCOURS_THREADS", raising=False)
    monkeypatch.setenv("PARCOURS_MEMORY_LIMIT", "900MB")
    r = CliRunner().invoke(app, ["analyze", str(demo.events_path), "--out", str(tmp_path), "--no-cache",
                                 "--threads", "1", "--memory-limit", "1GB"])
    assert r.exit_code == 0, r.output
    assert "PARCOURS_THREADS" not in os.environ and os.environ["PARCOURS_MEMORY_LIMIT"] == "900MB"


def _limit(con) -> str:
    return con.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def _as_duckdb_says(size: str) -> str:
    import duckdb

    with duckdb.connect() as scratch:
        scratch.execute(f"SET memory_limit = '{size}'")
        return scratch.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_default_memory_limit_is_sized_to_the_log(demo, monkeypatch):
    """The default limit shrinks to what a small log needs; a limit the user set is kept."""
    from parcours.engine import connection
    from parcours.ingest import read_events

    monkeypatch.delenv("PARCOURS_MEMORY_LIMIT", raising=False)
    con = connect(None)
    assert _limit(con) == _as_duckdb_says(connection._default_memory_limit())
    log = read_events(demo.events_path, con=con)
    want = min(connection._memory_cap_mb(), max(connection.FIT_MIN_MB,
                                                log.report.accepted * connection.FIT_BYTES_PER_EVENT // 2**20))
    assert _limit(con) == _as_duckdb_says(f"{want}MB")
    assert connection.fit_memory_limit(con, 10**8) == f"{connection._memory_cap_mb()}MB"  # a large log: the cap
    assert connection.fit_memory_limit(con, 10) == f"{connection._memory_cap_mb()}MB"  # never lowered again
    monkeypatch.setenv("PARCOURS_MEMORY_LIMIT", "900MB")
    chosen = connect(None)
    read_events(demo.events_path, con=chosen)
    assert _limit(chosen) == _as_duckdb_says("900MB")


def test_running_out_of_memory_is_a_clear_error(demo, tmp_path):
    r = CliRunner().invoke(app, ["analyze", str(demo.events_path), "--out", str(tmp_path), "--no-cache",
                                 "--memory-limit", "1MB"])
    assert r.exit_code == 5, r.output
    assert "Error: the engine ran out of memory (Out of Memory Error" in r.output
    assert "--memory-limit (e.g. 4GB)" in r.output and "Traceback" not in r.output
