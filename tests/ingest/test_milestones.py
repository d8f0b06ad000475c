"""CRM exports read as they are (issue 25, §3): one row per record, a date column per milestone.
The real Olist marketing funnel (8,000 qualified leads, 842 closed deals) is joined by pandas
and written as HubSpot and Salesforce write their exports; each must give the events pandas
makes by stacking the same dates (long form, written in the test), and the lead-to-deal funnel
pandas computes."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from parcours.ingest import read_events

FUNNEL = "olist_marketing_funnel"


@pytest.fixture(scope="module")
def crm(shared_data):
    leads = pd.read_csv(shared_data / FUNNEL / "olist_marketing_qualified_leads_dataset.csv.gz")
    deals = pd.read_csv(shared_data / FUNNEL / "olist_closed_deals_dataset.csv.gz")
    return leads.merge(deals[["mql_id", "won_date", "business_segment"]], on="mql_id", how="left")


def stacked(df: pd.DataFrame) -> pd.DataFrame:
    """One event per lead and date (pandas alone)."""
    a = pd.DataFrame({"customer": df["mql_id"], "time": df["first_contact_date"], "event": "created", "origin": df["origin"]})
    b = df[df["won_date"].notna()]
    b = pd.DataFrame({"customer": b["mql_id"], "time": b["won_date"], "event": "customer", "origin": b["origin"]})
    return pd.concat([a, b], ignore_index=True)


def events(log) -> pd.DataFrame:
    t = log.con.execute(log.table)
    out = pd.DataFrame({"customer": t["_customer"], "ts": t["_ts"], "event": t["_event"], "origin": t["origin"]})
    return out.sort_values(["customer", "ts", "event"]).reset_index(drop=True)


@pytest.mark.parametrize("system", ["hubspot_api", "hubspot_screen", "salesforce"])
def test_a_crm_export_gives_the_stacked_events(crm, system, tmp_path):
    names = {"hubspot_api": ("hs_object_id", "createdate", "hs_lifecyclestage_customer_date"),
             "hubspot_screen": ("Record ID", "Create Date", "Became a Customer Date"),
             "salesforce": ("Lead ID", "CreatedDate", "ConvertedDate")}[system]
    export = crm.rename(columns=dict(zip(("mql_id", "first_contact_date", "won_date"), names)))
    export.to_csv(tmp_path / "export.csv", index=False)
    long = stacked(crm)
    long.to_csv(tmp_path / "long.csv", index=False)
    got = read_events(tmp_path / "export.csv")
    want = read_events(tmp_path / "long.csv", columns={"customer": "customer", "time": "time", "event": "event"})
    assert (got.report.read, got.report.accepted, got.report.quarantined) == (len(long), len(long), 0)
    a, b = events(got), events(want)
    if system == "salesforce":  # its names: converted, not customer
        b["event"] = b["event"].replace({"customer": "converted"})
        b = b.sort_values(["customer", "ts", "event"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    note = next(n for n in got.report.notes if "date column per milestone" in n)
    crm_name = "Salesforce" if system == "salesforce" else "HubSpot"
    assert f"({crm_name})" in note and f"({crm['won_date'].notna().sum()})" in note


def test_the_lead_to_deal_funnel_through_the_cli(crm, tmp_path):
    """Milestones named with --milestones on the export's own names; the funnel's conversion is
    the share of leads won (pandas)."""
    crm.to_csv(tmp_path / "leads.csv", index=False)
    (tmp_path / "map.yaml").write_text(
        "name: Lead to deal\nstages:\n  - {id: lead, name: Lead}\n  - {id: won, name: Won}\n"
        "touchpoints:\n  - {id: contact, stage: lead, name: First contact, match: {event: lead}}\n"
        "  - {id: deal, stage: won, name: Deal closed, match: {event: won}}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "parcours", "analyze", str(tmp_path / "leads.csv"), "--map",
                           str(tmp_path / "map.yaml"), "--milestones", "lead=first_contact_date,won=won_date",
                           "--columns", "customer=mql_id", "--out", str(tmp_path / "out"), "--analyses", "funnel"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "one event per date" in proc.stderr
    data = json.loads((tmp_path / "out" / "analysis.json").read_text())
    stages = {s["stage"]: s for s in data["stages"]}
    assert stages["lead"]["journeys"] == len(crm)
    assert stages["won"]["journeys"] == int(crm["won_date"].notna().sum())
    assert data["input"]["read"] == len(crm) + int(crm["won_date"].notna().sum())


def test_bad_crm_input_is_said_row_by_row(tmp_path):
    path = tmp_path / "hubspot.csv"
    path.write_text("Record ID,createdate,hs_lifecyclestage_lead_date,hs_lifecyclestage_customer_date,owner\n"
                    "101,2026-01-02 10:00,2026-01-02 10:00,2026-02-01,ana\n"
                    "102,,,,bo\n"
                    "103,2026-01-04,not a date,,cy\n")
    log = read_events(path, max_bad_rows="100%")
    assert [(q["row"], q["reason"]) for q in log.report.quarantine_rows] == [
        (2, "missing time (column 'createdate', 'hs_lifecyclestage_lead_date', 'hs_lifecyclestage_customer_date')"),
        (3, "unparseable time in column 'hs_lifecyclestage_lead_date': not a date (expected ISO 8601 such as "
            "2026-03-14T10:22:05+01:00, or epoch seconds/ms/µs)")]
    assert (log.report.read, log.report.accepted) == (6, 4)
    got = log.con.execute(log.table.order_by("_seq"))
    assert got["_event"].tolist() == ["created", "lead", "customer", "created"]  # equal times keep journey order
    from parcours.errors import ColumnRoleError, OptionError

    with pytest.raises(ColumnRoleError, match="milestone column 'won' does not exist"):
        read_events(path, milestones="won=won")
    nameless = tmp_path / "nameless.csv"
    nameless.write_text("who,createdate,closedate\nx,2026-01-01,2026-01-02\n")
    with pytest.raises(ColumnRoleError, match="which column identifies each record.*\n.*--columns customer=COLUMN"):
        read_events(nameless)
    with pytest.raises(OptionError, match="--columns cannot give them too"):
        read_events(path, milestones="a=createdate", columns={"event": "owner"})
    with pytest.raises(OptionError, match="write EVENT=COLUMN"):
        read_events(path, milestones="createdate")


def test_a_log_with_an_event_column_is_not_taken_for_a_crm_export(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("customer_id,event,timestamp,createdate,closedate\nc1,visit,2026-01-01,2026-01-01,2026-02-01\n")
    log = read_events(path)
    assert log.report.accepted == 1 and not any("milestone" in n for n in log.report.notes)
