"""The floor: the benchmark's figures computed by hand-written DuckDB SQL on the Parquet file.

    python bench/duckdb_floor.py LOG.parquet --map MAP.yaml [--json OUT.json]

What an expert would write for this log and map, with DuckDB's defaults (all threads, no
memory limit set): each part is one self-contained query that reads the Parquet file,
maps event names to touchpoints with a join on a small table built from the map, and
orders each customer's events by (timestamp, position in the file):

- transitions: directly-follows pairs with count, journeys, mean and median seconds
  (``lead`` over the customer's ordered events);
- variants: the ordered list of touchpoints per customer, then ``GROUP BY`` the list. Of
  the straightforward forms (``string_agg``/``list`` with ``ORDER BY ts, rn``, or a
  ``row_number`` window first), the fastest measured here is the window then
  ``list(hash(touchpoint) ORDER BY step)``, so that is the floor;
- funnel: journeys reaching the 5 stages in the designed order (each entry after the
  previous one), by chained joins on each journey's first qualifying entry; the order key
  is (timestamp in µs, file row) packed into one HUGEINT, so no sort is needed;
- durations: first entry per stage -> next stage's first entry, and first -> last event of
  each journey, each with count, mean, min, quartiles, p90, max (``quantile_cont``, the
  same interpolation as parcours).

Prints the timings and writes (``--json``) the figures the benchmark compares with
parcours' ``analysis.json``.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()
C_START = time.process_time()

import argparse  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import duckdb  # noqa: E402
import yaml  # noqa: E402

T_IMPORT = time.perf_counter() - T_START

EV = "ev"  # the view every part reads: one row per event, touchpoint mapped, straight from Parquet

TRANSITIONS = f"""
SELECT tp AS "from", nxt AS "to", count(*) AS count, count(DISTINCT c) AS journeys,
       avg(dt) AS mean_seconds, quantile_cont(dt, 0.5) AS median_seconds
FROM (SELECT c, tp, lead(tp) OVER w AS nxt, (epoch_us(lead(ts) OVER w) - epoch_us(ts)) / 1e6 AS dt
      FROM {EV} WINDOW w AS (PARTITION BY c ORDER BY ts, rn))
WHERE nxt IS NOT NULL
GROUP BY ALL
ORDER BY count DESC, "from", "to"
"""

VARIANTS = f"""
SELECT count(*) AS variants, sum(journeys) AS journeys, max(journeys) AS top_journeys
FROM (SELECT path, count(*) AS journeys
      FROM (SELECT list(hash(tp) ORDER BY step) AS path
            FROM (SELECT c, tp, row_number() OVER (PARTITION BY c ORDER BY ts, rn) AS step FROM {EV})
            GROUP BY c)
      GROUP BY path)
"""


def funnel_sql(n_stages: int) -> str:
    ctes = [f"s AS MATERIALIZED (SELECT c, epoch_us(ts)::HUGEINT * 1099511627776 + rn AS k, rank FROM {EV} "
            "WHERE rank IS NOT NULL)",
            "f1 AS (SELECT c, min(k) AS k FROM s WHERE rank = 1 GROUP BY c)"]
    for i in range(2, n_stages + 1):
        ctes.append(f"f{i} AS (SELECT s.c, min(s.k) AS k FROM s JOIN f{i - 1} p ON s.c = p.c AND s.k > p.k "
                    f"WHERE s.rank = {i} GROUP BY s.c)")
    cols = ", ".join(f"(SELECT count(*) FROM f{i}) AS reached_{i}" for i in range(1, n_stages + 1))
    return "WITH " + ",\n     ".join(ctes) + f"\nSELECT {cols}"


STATS = "count(sec) AS count, avg(sec) AS mean, min(sec) AS min, quantile_cont(sec, [0.25, 0.5, 0.75, 0.9]) AS q, max(sec) AS max"

STAGE_DURATIONS = f"""
WITH fe AS (SELECT c, stage, min(epoch_us(ts)::HUGEINT * 1099511627776 + rn) AS k, min(epoch_us(ts)) AS t
            FROM {EV} WHERE stage IS NOT NULL GROUP BY c, stage),
     nx AS (SELECT stage, (lead(t) OVER (PARTITION BY c ORDER BY k) - t) / 1e6 AS sec FROM fe)
SELECT stage, {STATS} FROM nx WHERE sec IS NOT NULL GROUP BY stage ORDER BY stage
"""

JOURNEY_DURATIONS = f"""
SELECT {STATS}
FROM (SELECT (epoch_us(max(ts)) - epoch_us(min(ts))) / 1e6 AS sec FROM {EV} GROUP BY c)
"""


def map_rows(path: Path) -> tuple[list[tuple[str, str, str | None, int | None]], list[str]]:
    """(event, touchpoint, stage, stage rank) per event name of the map, and the stage ids."""
    m = yaml.safe_load(path.read_text(encoding="utf-8"))
    stages = [s["id"] for s in m.get("stages", [])]
    rank = {s: i for i, s in enumerate(stages, start=1)}
    rows = []
    for tp in m.get("touchpoints", []):
        match = tp.get("match") or {"event": tp["id"]}
        if match.get("where"):
            raise SystemExit(f"the floor handles plain event names only ({tp['id']} has 'where')")
        names = match["event"] if isinstance(match["event"], list) else [match["event"]]
        for name in names:
            if any(ch in name for ch in "*?["):
                raise SystemExit(f"the floor handles plain event names only ({tp['id']}: {name!r})")
            rows.append((name, tp["id"], tp.get("stage"), rank.get(tp.get("stage"))))
    return rows, stages


def setup(con: duckdb.DuckDBPyConnection, log: Path, rows: list[tuple]) -> None:
    """The view every part reads (``ev``): the Parquet file's events with their touchpoint,
    stage and rank from the map (``rows``, from ``map_rows``), joined on the event name."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TEMP TABLE tpmap (event VARCHAR PRIMARY KEY, tp VARCHAR, stage VARCHAR, rank INTEGER)")
    con.executemany("INSERT INTO tpmap VALUES (?, ?, ?, ?)", rows)
    path = str(log).replace("'", "''")
    con.execute(f"""CREATE TEMP VIEW {EV} AS
        SELECT e.customer_id AS c, e.timestamp AS ts, e.file_row_number AS rn,
               coalesce(m.tp, e.event) AS tp, m.stage, m.rank
        FROM read_parquet('{path}', file_row_number = true) e LEFT JOIN tpmap m ON e.event = m.event""")


def part_queries(n_stages: int) -> dict[str, list[str]]:
    """The queries of each part the benchmark compares with parcours, by its name there."""
    return {"transitions": [TRANSITIONS], "variants": [VARIANTS],
            **({"funnel": [funnel_sql(n_stages)], "durations": [STAGE_DURATIONS, JOURNEY_DURATIONS]}
               if n_stages else {"durations": [JOURNEY_DURATIONS]})}


def stats_record(row: tuple) -> dict:
    count, mean, mn, q, mx = row
    return {"count": int(count), "mean": mean, "min": mn, "p25": q[0] if q else None, "median": q[1] if q else None,
            "p75": q[2] if q else None, "p90": q[3] if q else None, "max": mx}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log", type=Path, help="Parquet file (customer_id, timestamp, event, channel)")
    ap.add_argument("--map", type=Path, default=None, help="journey map YAML (default: map.yaml next to the log)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures and timings here")
    a = ap.parse_args()

    timings: dict[str, dict[str, float]] = {"import": {"wall": T_IMPORT, "cpu": time.process_time() - C_START}}

    def timed(name: str, fn):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        timings[name] = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c}
        return out

    rows, stages = map_rows(a.map or a.log.parent / "map.yaml")
    con = duckdb.connect()

    timed("setup", lambda: setup(con, a.log, rows))
    tr = timed("transitions", lambda: con.execute(TRANSITIONS).fetchall())
    va = timed("variants", lambda: con.execute(VARIANTS).fetchone())
    fu = timed("funnel", lambda: con.execute(funnel_sql(len(stages))).fetchone()) if stages else []
    sd = timed("stage durations", lambda: con.execute(STAGE_DURATIONS).fetchall()) if stages else []
    jd = timed("journey durations", lambda: con.execute(JOURNEY_DURATIONS).fetchone())
    total = {"wall": time.perf_counter() - T_START, "cpu": time.process_time() - C_START}

    figures = {
        "transitions_total": sum(r[2] for r in tr),
        "transition_pairs": len(tr),
        "transitions_top": [{"from": r[0], "to": r[1], "count": r[2], "journeys": r[3], "mean_seconds": r[4],
                             "median_seconds": r[5]} for r in tr[:5]],
        "variants": int(va[0]),
        "variant_journeys": int(va[1]),
        "variant_top_journeys": int(va[2]),
        "funnel": [int(x) for x in fu],
        "stage_durations": {r[0]: stats_record(r[1:]) for r in sd},
        "journey_duration": stats_record(jd),
    }
    print(f"DuckDB floor: {a.log.name}, total {total['wall']:.2f} s wall, {total['cpu']:.2f} s CPU")
    for name, t in timings.items():
        print(f"  {name:<20} {t['wall']:7.2f} s wall {t['cpu']:7.2f} s CPU")
    print(f"  transitions {figures['transitions_total']:,} in {figures['transition_pairs']} pairs; "
          f"variants {figures['variants']:,}; funnel {figures['funnel']}; "
          f"journey duration median {figures['journey_duration']['median']}")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"log": str(a.log), "duckdb": duckdb.__version__, "timings": timings,
                                      "total": total, "figures": figures}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
