"""Whole-result comparisons on the real logs in ../shared/data against plain pandas.

The pandas side is written here independently of the product: sort each journey by time
then input order, and count.
"""

from __future__ import annotations

import pandas as pd
import pytest

import parcours

TOP = 15
LOGS = {
    "helpdesk": "helpdesk_tickets/helpdesk_events.csv.gz",
    "wabo": "wabo_receipt_phase/receipt.csv.gz",
}


def pandas_log(path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["order"] = range(len(df))
    df["t"] = pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601")
    df = df.rename(columns={"case:concept:name": "case", "concept:name": "act"})
    return df.sort_values(["case", "t", "order"], kind="stable").reset_index(drop=True)


def expected(df: pd.DataFrame) -> dict:
    g = df.groupby("case", sort=False)
    nxt = g["act"].shift(-1)
    dt = (g["t"].shift(-1) - df["t"]).dt.total_seconds()
    pairs = pd.DataFrame({"from": df["act"], "to": nxt, "case": df["case"], "dt": dt}).dropna(subset=["to"])
    tr = pairs.groupby(["from", "to"]).agg(count=("case", "size"), journeys=("case", "nunique"),
                                           mean_seconds=("dt", "mean"), median_seconds=("dt", "median")).reset_index()
    paths = g["act"].apply(tuple)
    vc = paths.value_counts()
    ranked = sorted(vc.items(), key=lambda kv: (-kv[1], list(kv[0])))
    dur = (g["t"].max() - g["t"].min()).dt.total_seconds()
    return {
        "transitions": tr,
        "starts": g["act"].first().value_counts().to_dict(),
        "ends": g["act"].last().value_counts().to_dict(),
        "variants_count": len(vc),
        "top": [(list(p), n) for p, n in ranked[:TOP]],
        "duration": {"count": len(dur), "mean": dur.mean(), "min": dur.min(), "p25": dur.quantile(0.25),
                     "median": dur.median(), "p75": dur.quantile(0.75), "p90": dur.quantile(0.9), "max": dur.max()},
        "events": len(df), "journeys": df["case"].nunique(),
    }


def check(result, exp: dict) -> None:
    d = result.data
    assert d["summary"]["events"] == exp["events"]
    assert d["summary"]["journeys"] == exp["journeys"]
    got = pd.DataFrame(d["transitions"]).sort_values(["from", "to"]).reset_index(drop=True)
    want = exp["transitions"].sort_values(["from", "to"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[["from", "to", "count", "journeys"]], want[["from", "to", "count", "journeys"]],
                                  check_dtype=False)
    assert got["mean_seconds"].tolist() == pytest.approx(want["mean_seconds"].tolist(), rel=1e-9)
    assert got["median_seconds"].tolist() == pytest.approx(want["median_seconds"].tolist(), rel=1e-9)
    assert {r["touchpoint"]: r["journeys"] for r in d["starts"]} == exp["starts"]
    assert {r["touchpoint"]: r["journeys"] for r in d["ends"]} == exp["ends"]
    assert d["variants"]["count"] == exp["variants_count"]
    assert [(v["path"], v["journeys"]) for v in d["variants"]["top"]] == exp["top"]
    shares = sum(v["share"] for v in d["variants"]["top"]) + d["variants"]["other"]["share"]
    assert shares == pytest.approx(1.0)
    jd = d["summary"]["journey_duration_seconds"]
    assert jd["count"] == exp["duration"]["count"]
    for k in ("mean", "min", "p25", "median", "p75", "p90", "max"):
        assert jd[k] == pytest.approx(exp["duration"][k], rel=1e-9), k


@pytest.mark.parametrize("name", sorted(LOGS))
def test_csv_matches_pandas(shared_data, name):
    path = shared_data / LOGS[name]
    result = parcours.analyze(path, top=TOP)
    check(result, expected(pandas_log(path)))


@pytest.mark.parametrize("name", sorted(LOGS))
def test_xes_matches_pandas(shared_data, tmp_path, name):
    from tests.xes_writer import write_xes

    path = shared_data / LOGS[name]
    if name == "helpdesk":
        xes = shared_data / "helpdesk_tickets/helpdesk.xes.gz"  # the published XES itself
    else:  # no XES is published for WABO: write one from the CSV, same events in file order
        xes = tmp_path / "receipt.xes.gz"
        write_xes(pd.read_csv(path, dtype=str, keep_default_na=False), xes, gzip=True)
    result = parcours.analyze(xes, top=TOP)
    assert result.data["input"]["format"] == "xes"
    check(result, expected(pandas_log(path)))


def test_touchpoint_table_reconciles_with_transitions(shared_data):
    """Outgoing transitions of a touchpoint + journeys ending there = its events."""
    result = parcours.analyze(shared_data / LOGS["wabo"])
    d = result.data
    out = {}
    for t in d["transitions"]:
        out[t["from"]] = out.get(t["from"], 0) + t["count"]
    ends = {r["touchpoint"]: r["journeys"] for r in d["ends"]}
    for row in d["touchpoints"]:
        assert out.get(row["touchpoint"], 0) + ends.get(row["touchpoint"], 0) == row["events"]
        assert row["ends"] == ends.get(row["touchpoint"], 0)
    assert sum(r["events"] for r in d["touchpoints"]) == d["summary"]["events"]


def test_breakdown_by_channel_partitions_journeys(shared_data):
    path = shared_data / LOGS["wabo"]
    result = parcours.analyze(path, by="channel")
    groups = result.data["breakdown"]["groups"]
    df = pandas_log(path)
    first = df.groupby("case").first()["case:channel"].value_counts().to_dict()
    assert {g["group"]: g["summary"]["journeys"] for g in groups} == first
    assert sum(g["summary"]["events"] for g in groups) == result.data["summary"]["events"]
