"""Reading wide exports as they are (issue 25): a Qualtrics-style survey export of N
respondents (its 3 header rows, 3 score questions — NPS as choice text, CSAT, CES — a comment,
metadata) and a HubSpot-style CRM export of N records (4 milestone date columns), each read by
Parcours (``read_feedback`` / ``read_events``: recognition, questions or milestones, every check,
the accepted table materialised) against

- the **same answers or events in long CSV**, read by Parcours (what a team had to produce by
  hand before): the ratio the issue asks to keep "in the same order";
- a **hand-written DuckDB query** on the wide file (``read_csv`` + ``UNPIVOT`` + casts, counted):
  the floor.

    .venv/bin/python bench/wide_exports.py --rows 1000000

Output: ``bench/out/wide_exports.md`` and ``.json``; the figures are in docs/performance.md.
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
from parcours.ingest.feedback import read_feedback  # noqa: E402

NPS_TEXT = {0: "0 - Not at all likely", 10: "10 - Extremely likely"}


def write_survey(folder: Path, n: int) -> tuple[Path, Path]:
    wide, long = folder / f"qualtrics_{n}.csv", folder / f"qualtrics_{n}_long.csv"
    if wide.exists() and long.exists():
        return wide, long
    rng = np.random.default_rng(1)
    when = (pd.Timestamp("2026-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 180 * 86400, n)), unit="s"))
    iso = pd.Series(when).dt.strftime("%Y-%m-%d %H:%M:%S")
    nps = rng.integers(0, 11, n)
    csat = rng.integers(1, 6, n).astype(float)
    csat[rng.random(n) < 0.1] = np.nan  # some skip a question
    ces = rng.integers(1, 8, n).astype(float)
    ces[rng.random(n) < 0.3] = np.nan
    comment = np.where(rng.random(n) < 0.4, rng.choice(["Great service", "Too slow", "Delivery late", "Kind staff"], n), "")
    ids = pd.Series(np.arange(n)).astype(str).radd("R_")
    body = pd.DataFrame({
        "StartDate": iso, "EndDate": iso, "Status": "IP Address", "IPAddress": "192.0.2.1", "Progress": 100,
        "RecordedDate": iso, "ResponseId": ids, "UserLanguage": "EN",
        "Q1": pd.Series(nps).map(lambda v: NPS_TEXT.get(v, str(v))), "Q2": comment,
        "Q3": pd.Series(csat).map(lambda v: "" if np.isnan(v) else str(int(v))),
        "Q4": pd.Series(ces).map(lambda v: "" if np.isnan(v) else str(int(v))),
        "plan": rng.choice(["basic", "gold"], n)})
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Recorded Date", "Response ID",
             "User Language", "How likely are you to recommend us to a friend?", "Why?",
             "Overall, how satisfied are you?", "How easy was it to get help?", "plan"]
    imports = [json.dumps({"ImportId": c}) for c in body.columns]
    pd.concat([pd.DataFrame([texts, imports], columns=body.columns), body], ignore_index=True).to_csv(wide, index=False)
    parts = [pd.DataFrame({"customer": ids, "time": iso, "score": nps.astype(float), "metric": "nps",
                           "comment": comment, "plan": body["plan"]})]
    for values, metric in ((csat, "csat"), (ces, "ces")):
        keep = ~np.isnan(values)
        parts.append(pd.DataFrame({"customer": ids[keep], "time": iso[keep], "score": values[keep], "metric": metric,
                                   "comment": "", "plan": body["plan"][keep]}))
    pd.concat(parts, ignore_index=True).to_csv(long, index=False)
    return wide, long


def write_crm(folder: Path, n: int) -> tuple[Path, Path]:
    wide, long = folder / f"hubspot_{n}.csv", folder / f"hubspot_{n}_long.csv"
    if wide.exists() and long.exists():
        return wide, long
    rng = np.random.default_rng(2)
    created = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365 * 86400, n), unit="s")
    steps = {"createdate": created}
    at = pd.Series(created)
    reach = np.ones(n, bool)
    for name, p in (("hs_lifecyclestage_lead_date", 0.9), ("hs_lifecyclestage_marketingqualifiedlead_date", 0.5),
                    ("hs_lifecyclestage_customer_date", 0.3)):
        reach &= rng.random(n) < p
        at = at + pd.to_timedelta(rng.integers(3600, 30 * 86400, n), unit="s")
        steps[name] = at.where(reach)
    df = pd.DataFrame({"hs_object_id": np.arange(n), **{k: pd.Series(v).dt.strftime("%Y-%m-%d %H:%M:%S")
                                                          for k, v in steps.items()},
                       "hs_analytics_source": rng.choice(["ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL"], n)})
    df.to_csv(wide, index=False)
    events = {"createdate": "created", "hs_lifecyclestage_lead_date": "lead",
              "hs_lifecyclestage_marketingqualifiedlead_date": "mql", "hs_lifecyclestage_customer_date": "customer"}
    long_df = df.melt(id_vars=["hs_object_id", "hs_analytics_source"], value_vars=list(events), var_name="event",
                      value_name="time").dropna(subset=["time"])
    long_df["event"] = long_df["event"].map(events)
    long_df.rename(columns={"hs_object_id": "customer_id"}).to_csv(long, index=False)
    return wide, long


def floor_survey(path: Path) -> float:
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(f"""CREATE TEMP TABLE t AS
        WITH w AS (SELECT * FROM read_csv('{path}', all_varchar=true, skip=3, header=false,
                   names=['StartDate','EndDate','Status','IPAddress','Progress','RecordedDate','ResponseId',
                          'UserLanguage','Q1','Q2','Q3','Q4','plan']))
        SELECT ResponseId, strptime(RecordedDate, '%Y-%m-%d %H:%M:%S') AS ts,
               try_cast(regexp_extract(answer, '^(\\d+)', 1) AS DOUBLE) AS score, question, plan,
               CASE WHEN question = 'Q1' THEN nullif(Q2, '') END AS comment
        FROM (UNPIVOT w ON Q1, Q3, Q4 INTO NAME question VALUE answer) WHERE answer <> ''""")
    con.execute("SELECT count(*), count(score) FROM t").fetchall()
    return time.perf_counter() - t0


def floor_crm(path: Path) -> float:
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(f"""CREATE TEMP TABLE t AS
        SELECT hs_object_id, event, try_cast(stamp AS TIMESTAMP) AS ts, hs_analytics_source
        FROM (UNPIVOT (SELECT * FROM read_csv('{path}', all_varchar=true))
              ON createdate, hs_lifecyclestage_lead_date, hs_lifecyclestage_marketingqualifiedlead_date,
                 hs_lifecyclestage_customer_date INTO NAME event VALUE stamp)""")
    con.execute("SELECT count(*), count(ts) FROM t").fetchall()
    return time.perf_counter() - t0


def timed(fn) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = fn()
    return time.perf_counter() - t0, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=ROOT / "bench/data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out")
    args = ap.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    sw, sl = write_survey(args.data, args.rows)
    cw, cl = write_crm(args.data, args.rows)
    cases = {
        "Qualtrics export (3 header rows, 3 score questions)": (
            lambda: read_feedback(sw).report.accepted,
            lambda: read_feedback(sl, columns={"customer": "customer", "time": "time", "score": "score",
                                               "metric": "metric", "comment": "comment"}).report.accepted,
            lambda: floor_survey(sw)),
        "HubSpot export (4 milestone columns)": (
            lambda: read_events(cw).report.accepted,
            lambda: read_events(cl, columns={"customer": "customer_id", "time": "time", "event": "event"}).report.accepted,
            lambda: floor_crm(cw)),
    }
    res = {"date": dt.date.today().isoformat(), "rows": args.rows,
           "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", "cases": {}}
    for name, (wide, long, floor) in cases.items():
        w = [timed(wide) for _ in range(args.repeat)]
        lg = [timed(long) for _ in range(args.repeat)]
        fl = [floor() for _ in range(args.repeat)]
        res["cases"][name] = {"wide_s": min(t for t, _ in w), "rows": w[0][1], "long_s": min(t for t, _ in lg),
                              "long_rows": lg[0][1], "floor_s": min(fl)}
        print(name, res["cases"][name], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "wide_exports.json").write_text(json.dumps(res, indent=2))
    lines = [f"Reading wide exports of {args.rows:,} rows — {res['date']}, {res['machine']} "
             f"(bench/wide_exports.py; best of {args.repeat})", "",
             "| export | rows made | as exported (s) | same rows in long CSV (s) | × long | hand-written DuckDB UNPIVOT (s) | × floor |",
             "|---|---|---|---|---|---|---|"]
    for name, r in res["cases"].items():
        lines.append(f"| {name} | {r['rows']:,} | {r['wide_s']:.2f} | {r['long_s']:.2f} | {r['wide_s'] / r['long_s']:.2f} "
                     f"| {r['floor_s']:.2f} | {r['wide_s'] / r['floor_s']:.2f} |")
    (args.out / "wide_exports.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
