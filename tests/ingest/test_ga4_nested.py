"""GA4's BigQuery export as it is (issue 25, §6): nested ``event_params`` and
``user_properties`` read as columns ``params.KEY`` / ``user.KEY`` usable in match rules and
segments. The real help-desk log written in GA4's export shape (its resource as the page, its
case number as the session id, a decimal parameter, a user property) must give, through the
CLI, the touchpoint counts pandas computes from the flat log."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from parcours.ingest import read_events

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"
VALUE = pa.struct([("string_value", pa.string()), ("int_value", pa.int64()), ("float_value", pa.float64()),
                   ("double_value", pa.float64())])
PARAMS = pa.list_(pa.struct([("key", pa.string()), ("value", VALUE)]))
USER = pa.list_(pa.struct([("key", pa.string()), ("value", pa.struct([
    ("string_value", pa.string()), ("int_value", pa.int64()), ("float_value", pa.float64()),
    ("double_value", pa.float64()), ("set_timestamp_micros", pa.int64())]))]))


def v(s=None, i=None, d=None) -> dict:
    return {"string_value": s, "int_value": i, "float_value": None, "double_value": d}


@pytest.fixture(scope="module")
def ga4(shared_data, tmp_path_factory):
    df = pd.read_csv(shared_data / HELPDESK).iloc[:4000]
    df = df.rename(columns={"case:concept:name": "case", "concept:name": "activity", "time:timestamp": "ts",
                            "org:resource": "resource"})
    micros = (pd.to_datetime(df["ts"], utc=True).astype("int64") // 1000).astype("int64")
    session = df["case"].str.extract(r"(\d+)")[0].astype("int64")
    params = [[{"key": "page_location", "value": v(s=f"https://help.example/{r}")},
               {"key": "ga_session_id", "value": v(i=int(sid))},
               {"key": "engagement_score", "value": v(d=float(k % 7) / 2)}]
              for r, sid, k in zip(df["resource"], session, range(len(df)))]
    user = [[{"key": "plan", "value": {**v(s="gold" if sid % 3 == 0 else "basic"), "set_timestamp_micros": 0}}]
            for sid in session]
    table = pa.table({"event_date": ["20260301"] * len(df), "event_timestamp": pa.array(micros, pa.int64()),
                      "event_name": df["activity"], "event_params": pa.array(params, PARAMS),
                      "user_pseudo_id": df["case"], "user_properties": pa.array(user, USER),
                      "platform": ["WEB"] * len(df)})
    path = tmp_path_factory.mktemp("ga4") / "events_20260301.parquet"
    pq.write_table(table, path)
    return df.assign(session=session, page="https://help.example/" + df["resource"].astype(str)), path


def test_nested_parameters_are_columns_of_their_type(ga4):
    df, path = ga4
    log = read_events(path)
    got = log.con.execute(log.table.order_by("_seq"))
    assert got["params.page_location"].tolist() == df["page"].tolist()
    assert got["params.ga_session_id"].tolist() == df["session"].tolist() and str(got["params.ga_session_id"].dtype) == "int64"
    assert got["params.engagement_score"].tolist() == [float(k % 7) / 2 for k in range(len(df))]
    assert got["user.plan"].tolist() == ["gold" if s % 3 == 0 else "basic" for s in df["session"]]
    assert any("event_params are read as 3 columns params.KEY" in n for n in log.report.notes)


def test_match_rules_and_segments_read_them(ga4, tmp_path):
    df, path = ga4
    top = df["resource"].value_counts().index[0]
    (tmp_path / "map.yaml").write_text(json.dumps({
        "name": "GA4 help desk",
        "stages": [{"id": "help", "name": "Help"}],
        "touchpoints": [{"id": "top_agent", "stage": "help", "name": "Top agent",
                         "match": {"where": {"params.page_location": {"glob": f"*/{top}"}}}}],
        "segments": [{"id": "gold", "name": "Gold", "where": {"user.plan": "gold"}}]}), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "parcours", "analyze", str(path), "--map", str(tmp_path / "map.yaml"),
                           "--segment", "gold", "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "analysis.json").read_text())
    gold = df[df["session"] % 3 == 0]
    row = next(t for t in data["touchpoints"] if t["touchpoint"] == "top_agent")
    assert row["events"] == int((gold["resource"] == top).sum())
    assert data["summary"]["customers"] == gold["case"].nunique()
