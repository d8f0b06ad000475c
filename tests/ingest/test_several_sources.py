"""Several sources, one journey (issue 25, §4): the real Olist marketing funnel — qualified leads
joined to their closed deals on ``mql_id`` in the map (no hand-written SQL), read as milestones —
and web visits of some of the same leads, declared as two sources of one map. The journeys are
their union per customer (pandas), each source is counted (read = accepted + quarantined), its
name is a column the rules read, and bad input is said naming file and row."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from parcours.errors import InputError
from parcours.ingest import read_events

FUNNEL = "olist_marketing_funnel"


@pytest.fixture(scope="module")
def olist(shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("several")
    leads = pd.read_csv(shared_data / FUNNEL / "olist_marketing_qualified_leads_dataset.csv.gz").iloc[:3000]
    deals = pd.read_csv(shared_data / FUNNEL / "olist_closed_deals_dataset.csv.gz")
    leads.to_csv(folder / "leads.csv", index=False)
    deals.to_csv(folder / "deals.csv", index=False)
    # web visits: the landing page each lead came from, a day before first contact, for every other lead
    some = leads.iloc[::2]
    web = pd.DataFrame({"visitor": some["mql_id"], "page": "landing",
                        "ts": (pd.to_datetime(some["first_contact_date"]) - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d"),
                        "landing_page_id": some["landing_page_id"]})
    web.loc[web.index[3], "ts"] = "not a date"  # one bad row
    web.to_csv(folder / "web.csv", index=False)
    m = {"name": "Seller acquisition",
         "source": {"sources": [
             {"name": "web", "path": "web.csv", "columns": {"customer": "visitor", "time": "ts", "event": "page"}},
             {"name": "crm", "path": "leads.csv", "join": {"path": "deals.csv", "key": "mql_id"},
              "milestones": {"lead": "first_contact_date", "won": "won_date"}, "columns": {"customer": "mql_id"}}]},
         "stages": [{"id": "visit", "name": "Visit"}, {"id": "lead", "name": "Lead"}, {"id": "won", "name": "Won"}],
         "touchpoints": [
             {"id": "landing", "stage": "visit", "name": "Landing page", "match": {"where": {"source": "web"}}},
             {"id": "contact", "stage": "lead", "name": "First contact", "match": {"event": "lead"}},
             {"id": "deal", "stage": "won", "name": "Deal won", "match": {"event": "won", "where": {"source": "crm"}}}]}
    (folder / "map.yaml").write_text(yaml.safe_dump(m, sort_keys=False), encoding="utf-8")
    won = leads.merge(deals[["mql_id", "won_date"]], on="mql_id", how="inner")
    return folder, leads, web, won


def test_the_journeys_are_the_union_of_the_sources(olist):
    folder, leads, web, won = olist
    out = folder / "out"
    proc = subprocess.run([sys.executable, "-m", "parcours", "analyze", "--map", str(folder / "map.yaml"), "--out",
                           str(out), "--max-bad-rows", "5"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "analysis.json").read_text())
    sources = {s["name"]: s for s in data["input"]["sources"]}
    assert (sources["web"]["read"], sources["web"]["accepted"], sources["web"]["quarantined"]) == (len(web), len(web) - 1, 1)
    crm_events = len(leads) + len(won)
    assert (sources["crm"]["read"], sources["crm"]["accepted"]) == (crm_events, crm_events)
    assert data["input"]["read"] == len(web) + crm_events and data["input"]["quarantined"] == 1
    assert data["summary"]["customers"] == len(set(leads["mql_id"]) | set(web["visitor"]))
    stages = {s["stage"]: s["journeys"] for s in data["stages"]}
    assert stages == {"visit": len(web) - 1, "lead": len(leads), "won": len(won)}
    q = pd.read_csv(out / "quarantine.csv")
    assert q[["file", "row"]].values.tolist() == [["web.csv", 4]]
    assert "source web (web.csv): rows read" in proc.stderr and "joined with deals.csv on mql_id" in proc.stderr


def test_the_source_column_is_a_breakdown(olist):
    folder, leads, web, won = olist
    from parcours.model import load_map
    from parcours.project.map_source import source_path

    parts = source_path(load_map(folder / "map.yaml"), folder / "map.yaml")
    log = read_events(parts, max_bad_rows="5")
    got = log.con.execute(log.table)["source"].value_counts().to_dict()
    assert got == {"web": len(web) - 1, "crm": len(leads) + len(won)}
    seqs = log.con.execute(log.table)["_seq"]
    assert seqs.is_unique


def test_a_join_key_seen_twice_is_refused_with_its_rows(olist, tmp_path):
    folder, leads, web, won = olist
    deals = pd.read_csv(folder / "deals.csv")
    twice = pd.concat([deals, deals.iloc[[5]]], ignore_index=True)
    twice.to_csv(tmp_path / "deals.csv", index=False)
    with pytest.raises(InputError, match=rf"deals.csv: the join key 'mql_id' holds '{deals['mql_id'][5]}' on 2 rows "
                                         rf"\(rows 6 and {len(deals) + 1}…\)"):
        read_events(folder / "leads.csv", join={"path": tmp_path / "deals.csv", "key": "mql_id"},
                    milestones="lead=first_contact_date,won=won_date", columns={"customer": "mql_id"})
    from parcours.errors import ColumnRoleError

    with pytest.raises(ColumnRoleError, match="the join key 'lead' is not a column"):
        read_events(folder / "leads.csv", join={"path": folder / "deals.csv", "key": "lead=mql_id"})


def test_a_map_with_path_and_sources_is_refused(tmp_path):
    from parcours.model import map_from_dict

    with pytest.raises(Exception, match="either path or sources"):
        map_from_dict({"name": "x", "source": {"path": "a.csv", "sources": [{"name": "a", "path": "a.csv"}]}})
    with pytest.raises(Exception, match="the name 'a' is given twice"):
        map_from_dict({"name": "x", "source": {"sources": [{"name": "a", "path": "a.csv"}, {"name": "a", "path": "b.csv"}]}})
