"""Reading dates as people write them (issue 25, §2): the same 1M events written with ISO
times, US 12-hour dates, European dates and French month names, read by ``read_events`` (all
checks, quarantine count, the accepted table materialised), against a hand-written DuckDB
query on the same CSV (``read_csv`` + ``try_strptime`` with the one right pattern, counted).

    .venv/bin/python bench/dates.py --rows 1000000

Output: ``bench/out/dates.md`` and ``.json``; the figures are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from parcours.ingest import read_events  # noqa: E402

FRENCH = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
WRITINGS = {  # how the dates are written → the one pattern a hand-written query would use
    "iso": None,
    "us_12h": "%m/%d/%Y %I:%M:%S %p",
    "eu": "%d/%m/%Y %H:%M",
    "french_months": None,  # no hand-written floor: DuckDB reads no French month name
}


def write(folder: Path, rows: int) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    start = pd.Timestamp("2025-01-01")
    seconds = np.sort(rng.integers(0, 365 * 86400, rows))
    instants = start + pd.to_timedelta(seconds, unit="s")
    customers = rng.integers(0, rows // 15, rows).astype(str)
    events = rng.choice(["visit", "cart", "order", "call", "review"], rows)
    out = {}
    stamps = pd.Series(instants)
    for name in WRITINGS:
        path = folder / f"dates_{name}_{rows}.csv"
        if not path.exists():
            if name == "iso":
                text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S")
            elif name == "us_12h":
                text = stamps.dt.strftime("%m/%d/%Y %I:%M:%S %p")
            elif name == "eu":
                text = stamps.dt.strftime("%d/%m/%Y %H:%M")
            else:
                text = (stamps.dt.day.astype(str) + " " + stamps.dt.month.map(lambda m: FRENCH[m - 1]) + " "
                        + stamps.dt.year.astype(str) + " " + stamps.dt.strftime("%H:%M"))
            pd.DataFrame({"customer": customers, "time": text, "event": events}).to_csv(path, index=False)
        out[name] = path
    return out


def floor(path: Path, pattern: str | None) -> float:
    con = duckdb.connect()
    parse = "try_cast(time AS TIMESTAMP)" if pattern is None else f"try_strptime(time, '{pattern}')"
    t0 = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE t AS SELECT customer, {parse} AS ts, event FROM read_csv('{path}', all_varchar=true)")
    con.execute("SELECT count(*), count(ts) FROM t").fetchall()
    return time.perf_counter() - t0


def parcours_read(path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    log = read_events(path)
    n = log.report.accepted
    return time.perf_counter() - t0, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=ROOT / "bench/data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out")
    args = ap.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    files = write(args.data, args.rows)
    res: dict = {"date": dt.date.today().isoformat(), "rows": args.rows,
                 "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                 "writings": {}}
    for name, path in files.items():
        pattern = WRITINGS[name]
        ours = [parcours_read(path) for _ in range(args.repeat)]
        hand = [floor(path, pattern) for _ in range(args.repeat)] if name != "french_months" else []
        res["writings"][name] = {"parcours_s": min(t for t, _ in ours), "accepted": ours[0][1],
                                 "floor_s": min(hand) if hand else None}
        print(name, res["writings"][name], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dates.json").write_text(json.dumps(res, indent=2))
    iso = res["writings"]["iso"]["parcours_s"]
    lines = [f"Reading {args.rows:,} events by the way their dates are written — {res['date']}, {res['machine']} "
             "(bench/dates.py; best of {0})".format(args.repeat), "",
             "| dates written | accepted | parcours read_events (s) | × ISO | hand-written DuckDB (s) | × floor |",
             "|---|---|---|---|---|---|"]
    for name, r in res["writings"].items():
        fl, ours = r["floor_s"], r["parcours_s"]
        floor_cell = f"{fl:.2f}" if fl else "–"
        ratio = f"{ours / fl:.2f}" if fl else "–"
        lines.append(f"| {name} | {r['accepted']:,} | {ours:.2f} | {ours / iso:.2f} | {floor_cell} | {ratio} |")
    (args.out / "dates.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
