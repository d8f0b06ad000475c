"""Every analysis gives the same results on DuckDB and on Spark.

One local Spark session per test process (the ``spark`` fixture); each test runs the same
call on both engines and compares the whole result: every figure of ``analysis.json``
(counts exact, durations and rates within float tolerance) and every table, row by row.
Only where the input came from differs (the Spark run's note that DuckDB read the file).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pyarrow as pa
import pytest

import parcours
from parcours.demo import write_demo
from parcours.project.compare import compare
from parcours.project.feedback import feedback

SPARK = "spark"


def differences(a: Any, b: Any, path: str = "", out: list[str] | None = None) -> list[str]:
    """Where two JSON-like values differ: exact for everything but floats (relative 1e-9)."""
    out = [] if out is None else out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only on {'duckdb' if k in a else 'spark'}")
            else:
                differences(a[k], b[k], f"{path}/{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items on duckdb, {len(b)} on spark")
        for i, (x, y) in enumerate(zip(a, b)):
            differences(x, y, f"{path}[{i}]", out)
    elif isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
            out.append(f"{path}: {a!r} on duckdb, {b!r} on spark")
    elif a != b:
        out.append(f"{path}: {a!r} on duckdb, {b!r} on spark")
    return out


def same_input(duck: dict, spark: dict) -> None:
    """The input block: the same counts and detection; Spark's notes add the hand-over."""
    d, s = duck.pop("input"), spark.pop("input")
    assert s["notes"] == d["notes"] + ["file read and checked by DuckDB, then analysed on pyspark"]
    assert differences({k: v for k, v in d.items() if k != "notes"}, {k: v for k, v in s.items() if k != "notes"}) == []


def assert_same_tables(duck: dict[str, pa.Table], spark: dict[str, pa.Table]) -> None:
    assert sorted(duck) == sorted(spark)
    for name in duck:
        assert duck[name].schema.names == spark[name].schema.names, name
        assert differences(duck[name].to_pylist(), spark[name].to_pylist(), name) == []


def assert_same_result(duck: Any, spark: Any) -> None:
    d, s = json.loads(duck.to_json()), json.loads(spark.to_json())
    if "input" in d:
        same_input(d, s)
    problems = differences(d, s)
    assert problems == [], "\n".join(problems[:30])
    assert_same_tables({n: duck[n].to_arrow() for n in duck.table_names()},
                       {n: spark[n].to_arrow() for n in spark.table_names()})


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("spark_demo"), customers=1500, seed=11)


def test_full_analysis_with_feedback_and_breakdown(spark, demo):
    """Every analysis of the demo map (stages, goals, segments, pain points), the survey
    answers attached to journeys, and a breakdown by a column (new or returning customers)."""
    args = dict(feedback=demo.feedback_path, by="customer_type")
    duck = parcours.analyze(demo.events_path, demo.map_path, **args)
    on_spark = parcours.analyze(demo.events_path, demo.map_path, engine=SPARK, **args)
    assert on_spark.data["summary"]["events"] > 10_000 and on_spark.data["feedback"]["overall"]
    assert len(on_spark.data["breakdown"]["groups"]) == 2
    assert_same_result(duck, on_spark)


def test_filters_loops_and_window(spark, demo):
    """A segment and a period filter, loops collapsed, a conversion window."""
    m = parcours.load_map(demo.map_path)
    args = dict(segment=m.segments[0].id, period="2026-02-01..2026-05-31", collapse_loops=True,
                conversion_window="14d", top=7)
    duck = parcours.analyze(demo.events_path, m, **args)
    on_spark = parcours.analyze(demo.events_path, m, engine=SPARK, **args)
    assert 0 < on_spark.data["summary"]["journeys"] < duck.data["input"]["accepted"]
    assert_same_result(duck, on_spark)


@pytest.mark.parametrize(("chosen", "segment"), [("funnel,durations", None), ("funnel,stage_transitions", "app_users")])
def test_analyses_asked_for_alone(spark, demo, chosen, segment):
    """``--analyses``: the funnel from visit starts (inline, or derived once on a segment), the
    visits read inline with only the columns their one reader names."""
    duck = parcours.analyze(demo.events_path, demo.map_path, analyses=chosen, segment=segment)
    on_spark = parcours.analyze(demo.events_path, demo.map_path, analyses=chosen, segment=segment, engine=SPARK)
    assert set(chosen.replace("funnel", "stages").replace("durations", "stage_durations").split(",")) <= set(on_spark.data)
    assert_same_result(duck, on_spark)


def test_real_log_without_map_split_by_inactivity(spark, shared_data):
    """A real process log (helpdesk tickets), no map, journeys split after 30 days."""
    log = shared_data / "helpdesk_tickets" / "helpdesk_events.csv.gz"
    duck = parcours.analyze(log, journey_gap="30d")
    on_spark = parcours.analyze(log, journey_gap="30d", engine=SPARK)
    assert on_spark.data["summary"]["journeys"] >= on_spark.data["summary"]["customers"] > 4000
    assert_same_result(duck, on_spark)


def test_spark_table_read_where_it_lives(spark, demo, tmp_path):
    """A table of the Spark engine is analysed there (not copied), with the same figures as the
    file read by DuckDB: the input order is carried in a column, so ties break alike."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    events = pacsv.read_csv(demo.events_path)
    events = events.append_column("row_order", pa.array(range(len(events)), pa.int64()))
    pq.write_table(events, tmp_path / "events.parquet")
    table = spark.read_parquet(str(tmp_path / "events.parquet"), table_name="parity_events")
    duck = parcours.analyze(tmp_path / "events.parquet", demo.map_path, fmt="parquet")
    on_spark = parcours.analyze(table, demo.map_path)
    assert on_spark.data["input"]["format"] == "table" and on_spark.data["input"]["notes"] == []
    d, s = json.loads(duck.to_json()), json.loads(on_spark.to_json())
    assert d["input"]["accepted"] == s["input"]["accepted"] == len(events)
    d.pop("input"), s.pop("input")
    assert differences(d, s) == []


def test_compare_periods(spark, demo):
    args = dict(before="2026-01-05..2026-03-31", after="2026-04-01..2026-06-30")
    duck = compare(demo.events_path, demo.map_path, **args)
    on_spark = compare(demo.events_path, demo.map_path, engine=SPARK, **args)
    d, s = duck.data, on_spark.data
    assert d["journeys"]["before"] > 0 and d["journeys"]["after"] > 0 and len(d["rows"]) > 10
    assert duck.table.equals(on_spark.table) or differences(duck.table.to_pylist(), on_spark.table.to_pylist()) == []
    assert differences(json.loads(json.dumps(d, default=str)), json.loads(json.dumps(s, default=str))) == []


def test_segment_movements(spark, demo):
    duck = parcours.segments(demo.events_path, demo.map_path, by="buyer", every="quarter")
    on_spark = parcours.segments(demo.events_path, demo.map_path, by="buyer", every="quarter", engine=SPARK)
    assert duck.data["segments"]["movements_total"]
    d, s = json.loads(json.dumps(duck.data, default=str)), json.loads(json.dumps(on_spark.data, default=str))
    d.pop("input", None), s.pop("input", None)
    assert differences(d, s) == []


def test_feedback_by_segment_and_period(spark, demo):
    args = dict(events=str(demo.events_path), by_segment=True, by_period="quarter")
    duck = feedback(demo.feedback_path, demo.map_path, **args)
    on_spark = feedback(demo.feedback_path, demo.map_path, engine=SPARK, **args)
    d, s = json.loads(json.dumps(duck.data, default=str)), json.loads(json.dumps(on_spark.data, default=str))
    for x in (d, s):
        x.pop("input", None)
    assert d["overall"] and differences(d, s) == []
    assert_same_tables(duck.tables, on_spark.tables)


def test_cli_engine_spark(spark, demo, tmp_path):
    """``parcours analyze --engine spark`` writes the same files as the default engine."""
    from typer.testing import CliRunner

    from parcours.cli.app import app

    runner = CliRunner()
    for name, extra in (("duck", []), ("spark", ["--engine", "spark"])):
        r = runner.invoke(app, ["analyze", str(demo.events_path), "--map", str(demo.map_path),
                                "--out", str(tmp_path / name), *extra])
        assert r.exit_code == 0, r.output
    files = sorted(p.name for p in (tmp_path / "duck").glob("*.csv"))
    assert "transitions.csv" in files and files == sorted(p.name for p in (tmp_path / "spark").glob("*.csv"))
    for f in files:
        assert (tmp_path / "duck" / f).read_text() == (tmp_path / "spark" / f).read_text(), f


def test_engine_urls():
    from parcours.engine.connection import is_spark_url, spark_master

    assert spark_master("pyspark://host:7077") == ("spark://host:7077", None)
    assert spark_master("spark:local[3]") == ("local[3]", None)
    assert not is_spark_url("postgres://x") and not is_spark_url("sparkling.ddb")


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_epoch_microseconds_round_trip(engine, request):
    """Integer microseconds <-> timestamps, exact before 1970 too, on both engines."""
    import datetime as dt

    import ibis

    from parcours.engine.connection import connect
    from parcours.engine.functions import epoch_us_to_timestamp, timestamp_to_epoch_us

    con = request.getfixturevalue("spark") if engine == "spark" else connect(None)
    values = [1_700_000_000_123_456, -1_234_567, -1, 0, 999_999, -86_400_000_001]
    t = con.create_table(f"epochs_{engine}", pa.table({"us": pa.array(values, pa.int64())}), overwrite=True)
    e = t.mutate(ts=epoch_us_to_timestamp(t.us))
    e = e.mutate(back=timestamp_to_epoch_us(e.ts))
    got = con.to_pyarrow(e.order_by("us")).to_pylist()
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for row in got:
        assert row["ts"] == epoch + dt.timedelta(microseconds=row["us"]), row
        assert row["back"] == row["us"]
    assert ibis.get_backend(e).name == con.name


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_wall_clock_times_in_a_zone(engine, request):
    """Naive wall-clock times read in a given zone (``--timezone``): the same instants, on
    both sides of a daylight-saving change."""
    import datetime as dt

    from parcours.engine.connection import connect
    from parcours.engine.functions import local_to_utc

    con = request.getfixturevalue("spark") if engine == "spark" else connect(None)
    walls = [dt.datetime(2026, 3, 28, 12, 0), dt.datetime(2026, 3, 29, 12, 0), dt.datetime(2026, 11, 1, 0, 30)]
    t = con.create_table(f"walls_{engine}", pa.table({"wall": pa.array(walls, pa.timestamp("us"))}), overwrite=True)
    got = con.to_pyarrow(t.mutate(utc=local_to_utc(t.wall, "Europe/Paris")).order_by("wall")).column("utc").to_pylist()
    from zoneinfo import ZoneInfo

    assert got == [w.replace(tzinfo=ZoneInfo("Europe/Paris")).astimezone(dt.UTC) for w in walls]


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_previous_and_next_non_null_values(engine, request):
    """``LAG``/``LEAD`` skipping nulls (the stage visits read them), per partition, against Python."""
    import random

    import ibis

    from parcours.engine.connection import connect
    from parcours.engine.functions import next_non_null, previous_non_null

    con = request.getfixturevalue("spark") if engine == "spark" else connect(None)
    rng = random.Random(5)
    rows = [{"g": g, "k": k, "x": rng.choice(["a", "b", None, None])} for g in range(4) for k in range(12)]
    t = con.create_table(f"nulls_{engine}", pa.Table.from_pylist(rows), overwrite=True)
    w = ibis.window(group_by="g", order_by="k")
    got = con.to_pyarrow(t.mutate(p=previous_non_null(t.x).over(w), n=next_non_null(t.x).over(w))
                         .order_by(["g", "k"])).to_pylist()
    assert [(r["g"], r["k"], r["x"]) for r in got] == [(x["g"], x["k"], x["x"]) for x in rows]
    for r in got:
        same = [x["x"] for x in rows if x["g"] == r["g"] and x["x"] is not None]
        before = [x["x"] for x in rows if x["g"] == r["g"] and x["k"] < r["k"] and x["x"] is not None]
        after = [x["x"] for x in rows if x["g"] == r["g"] and x["k"] > r["k"] and x["x"] is not None]
        assert (r["p"], r["n"]) == (before[-1] if before else None, after[0] if after else None), (r, same)


def test_period_with_no_journey(spark, demo):
    """Nothing left to count: zeros on both engines (Spark sums a condition to null on no rows)."""
    duck = parcours.analyze(demo.events_path, demo.map_path, period="2031-01-01..2031-01-31")
    on_spark = parcours.analyze(demo.events_path, demo.map_path, period="2031-01-01..2031-01-31", engine=SPARK)
    s = on_spark.data["summary"]
    assert (s["events"], s["journeys"], s["converted"]) == (0, 0, 0)
    assert_same_result(duck, on_spark)
