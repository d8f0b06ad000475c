"""One customer across ids (issue 25, §5): the real help-desk log written as a Segment export —
each ticket's first events anonymous (``anonymousId`` only), the rest identified (``userId`` too),
some tickets never identified, one device shared by two users — gives back each ticket's whole
journey (pandas), the never-identified ones as their own journeys, and the conflict said with
its row."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from parcours.ingest import read_events

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"


@pytest.fixture(scope="module")
def segment(shared_data, tmp_path_factory):
    df = pd.read_csv(shared_data / HELPDESK).iloc[:3000]
    df = df.rename(columns={"case:concept:name": "case", "concept:name": "event", "time:timestamp": "timestamp"})
    df = df.sort_values(["case", "timestamp"], kind="stable").reset_index(drop=True)
    position = df.groupby("case").cumcount()
    cases = df["case"].unique()
    never = set(cases[::10])  # one ticket in ten is never identified
    anonymous = (position < 2) | df["case"].isin(never)  # the first two events of each ticket are anonymous
    out = pd.DataFrame({"type": "track", "anonymousId": "dev-" + df["case"].astype(str),
                        "userId": ("user-" + df["case"].astype(str)).astype(object).where(~anonymous, None),
                        "event": df["event"], "timestamp": df["timestamp"]})
    path = tmp_path_factory.mktemp("segment") / "tracks.jsonl"
    with open(path, "w") as f:
        for rec in out.to_dict("records"):
            f.write(json.dumps(rec) + "\n")
    return df, out, never, path


def test_anonymous_events_join_the_customer_they_become(segment):
    df, out, never, path = segment
    log = read_events(path)
    assert (log.report.read, log.report.accepted, log.report.quarantined) == (len(df), len(df), 0)
    got = log.con.execute(log.table.order_by("_seq"))
    # a ticket is identified when one of its events has a userId (not the never-identified ones,
    # nor those cut to two events by the sample)
    known = set(out.loc[out["userId"].notna(), "anonymousId"].str.removeprefix("dev-"))
    alone = df["case"].astype(str).map(lambda c: c not in known)
    want = np.where(alone, "anonymous:dev-" + df["case"].astype(str), "user-" + df["case"].astype(str))
    assert got["_customer"].tolist() == list(want)
    identified = df[~alone]
    before = int((identified.groupby("case").cumcount() < 2).sum())
    note = next(n for n in log.report.notes if "one customer across ids" in n)
    assert (f"{identified['case'].nunique()} anonymous ids in 'anonymousId' joined" in note
            and f"({before} events before identification" in note)
    assert f"{df.loc[alone, 'case'].nunique()} anonymous ids never identified kept as their own journeys" in note
    assert df.loc[alone, "case"].nunique() >= len(never)


def test_a_device_seen_with_two_users_is_said_with_its_row(segment, tmp_path):
    df, out, never, path = segment
    shared = out.copy()
    first = shared.index[shared["userId"].notna()][0]
    device = shared.loc[first, "anonymousId"]
    later = shared.index[(shared["userId"].notna()) & (shared["anonymousId"] != device)][0]
    shared.loc[later, "anonymousId"] = device  # another user on the same device
    p = tmp_path / "shared.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in shared.to_dict("records")))
    log = read_events(p)
    note = next(n for n in log.report.notes if "seen with several customers" in n)
    assert f"e.g. {device}: {shared.loc[first, 'userId']}, then {shared.loc[later, 'userId']} at row {later + 1}" in note
    got = log.con.execute(log.table.order_by("_seq"))["_customer"]
    anonymous_of_device = shared.index[(shared["anonymousId"] == device) & shared["userId"].isna()]
    assert set(got[anonymous_of_device]) == {shared.loc[first, "userId"]}  # they join the first


def test_stitching_is_chosen_or_refused_from_the_cli(segment, tmp_path):
    df, out, never, path = segment
    run = [sys.executable, "-m", "parcours", "analyze", str(path), "--out"]
    proc = subprocess.run([*run, str(tmp_path / "apart"), "--stitch", "none", "--max-bad-rows", "100%"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    apart = json.loads((tmp_path / "apart" / "analysis.json").read_text())
    assert apart["input"]["quarantined"] == int(out["userId"].isna().sum())  # the old way: anonymous rows left out
    proc = subprocess.run([*run, str(tmp_path / "joined")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    joined = json.loads((tmp_path / "joined" / "analysis.json").read_text())
    assert joined["summary"]["customers"] == df["case"].nunique()
    bad = subprocess.run([*run, str(tmp_path / "x"), "--stitch", "anonymousId"], capture_output=True, text=True)
    assert bad.returncode == 2 and "give the anonymous id column and the known id column" in bad.stderr
    bad = subprocess.run([*run, str(tmp_path / "x"), "--stitch", "device,userId"], capture_output=True, text=True)
    assert bad.returncode == 3 and "--stitch names column 'device'" in bad.stderr


def test_an_id_table_joins_web_ids_to_the_crm_customer(shared_data, tmp_path):
    """A web log with its visitor ids only, and an id table (visitor id ↔ e-mail, as a CRM
    exports it) with one visitor given two e-mails: events take the table's customer, the
    visitors it does not hold stay their own journeys, the conflict is said at its row in the
    table."""
    df = pd.read_csv(shared_data / HELPDESK).iloc[:2000]
    web = pd.DataFrame({"visitor_id": "v-" + df["case:concept:name"].str.extract(r"(\d+)")[0],
                        "event": df["concept:name"], "ts": df["time:timestamp"]})
    web.to_csv(tmp_path / "web.csv", index=False)
    visitors = list(dict.fromkeys(web["visitor_id"]))
    known = visitors[: int(len(visitors) * 0.8)]
    ids = pd.DataFrame({"visitor_id": known, "email": [f"{v[2:]}@example.org" for v in known]})
    ids = pd.concat([ids, pd.DataFrame({"visitor_id": [known[3]], "email": ["other@example.org"]})], ignore_index=True)
    ids.to_csv(tmp_path / "ids.csv", index=False)
    log = read_events(tmp_path / "web.csv", columns={"time": "ts"},
                      stitch=("visitor_id", "email", str(tmp_path / "ids.csv")))
    got = log.con.execute(log.table.order_by("_seq"))["_customer"].tolist()
    table = dict(zip(ids["visitor_id"][: len(known)], ids["email"][: len(known)]))  # the first e-mail wins
    assert got == [table.get(v, f"anonymous:{v}") for v in web["visitor_id"]]
    note = next(n for n in log.report.notes if "seen with several customers" in n)
    assert f"ids.csv: 1 anonymous ids in 'visitor_id'" in note and f"then other@example.org at row {len(ids)}" in note
    from parcours.errors import ColumnRoleError

    ids[["visitor_id"]].to_csv(tmp_path / "bad_ids.csv", index=False)
    with pytest.raises(ColumnRoleError, match="bad_ids.csv: the id table has no column 'email'"):
        read_events(tmp_path / "web.csv", columns={"time": "ts"}, stitch=("visitor_id", "email", str(tmp_path / "bad_ids.csv")))
