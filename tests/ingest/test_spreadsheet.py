"""Spreadsheets read as they are (issue 25, §3): an ``.xlsx`` workbook written the way
spreadsheet programs write it (openpyxl: dates as date cells, numbers as numbers) reads to the
rows of the same data in CSV; ``--sheet`` chooses the sheet; a damaged workbook or a zip bomb is
refused before anything is decompressed."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import pytest

from parcours.errors import InputError
from parcours.ingest import read_events
from parcours.ingest.feedback import read_feedback

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"


@pytest.fixture(scope="module")
def tickets(shared_data):
    df = pd.read_csv(shared_data / HELPDESK).iloc[:2000]
    return df[["case:concept:name", "concept:name", "time:timestamp", "org:resource"]].rename(
        columns={"case:concept:name": "ticket", "concept:name": "activity", "time:timestamp": "when",
                 "org:resource": "agent"})


def workbook(path, sheets: dict[str, pd.DataFrame]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([None if pd.isna(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v) for v in row])
    wb.save(path)


def test_a_workbook_reads_to_the_rows_of_its_csv(tickets, tmp_path):
    when = pd.to_datetime(tickets["when"], utc=True).dt.tz_localize(None)
    workbook(tmp_path / "tickets.xlsx", {"Export": tickets.assign(when=when)})
    tickets.to_csv(tmp_path / "tickets.csv", index=False)
    roles = {"customer": "ticket", "event": "activity", "time": "when"}
    got = read_events(tmp_path / "tickets.xlsx", columns=roles)
    want = read_events(tmp_path / "tickets.csv", columns=roles)
    assert (got.report.read, got.report.accepted) == (len(tickets), len(tickets))
    a = got.con.execute(got.table.order_by("_seq")).reset_index(drop=True)
    b = want.con.execute(want.table.order_by("_seq")).reset_index(drop=True)
    for col in ("_customer", "_event", "_ts", "agent"):
        assert a[col].astype(str).equals(b[col].astype(str)), col
    assert "sheet 'Export' read" in got.report.notes[0]


def test_the_sheet_is_chosen_by_name_or_number(tickets, tmp_path):
    path = tmp_path / "book.xlsx"
    notes = pd.DataFrame({"about": ["this sheet is a note"]})
    workbook(path, {"Notes": notes, "Tickets": tickets.assign(when=pd.to_datetime(tickets["when"], utc=True)
                                                               .dt.tz_localize(None))})
    roles = {"customer": "ticket", "event": "activity", "time": "when"}
    assert read_events(path, columns=roles, sheet="Tickets").report.accepted == len(tickets)
    assert read_events(path, columns=roles, sheet="2").report.accepted == len(tickets)
    with pytest.raises(InputError, match="no sheet named 'Tickets2'.*\n.*sheets are: Notes, Tickets"):
        read_events(path, columns=roles, sheet="Tickets2")
    with pytest.raises(InputError, match="no sheet number 3"):
        read_events(path, columns=roles, sheet="3")
    proc = subprocess.run([sys.executable, "-m", "parcours", "analyze", str(path), "--sheet", "Tickets", "--columns",
                           "customer=ticket,event=activity,time=when", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert data["input"]["accepted"] == len(tickets)
    assert data["summary"]["journeys"] == tickets["ticket"].nunique()


def test_a_survey_workbook_gives_the_responses_of_its_csv(tmp_path):
    df = pd.DataFrame({"customer_id": ["c1", "c2", "c3"], "date": pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-03"]),
                       "nps": [9, 4, None], "csat": [5, 2, 4], "comment": ["bien", "lent", None]})
    workbook(tmp_path / "survey.xlsx", {"Sheet1": df})
    df.to_csv(tmp_path / "survey.csv", index=False)
    a, b = read_feedback(tmp_path / "survey.xlsx"), read_feedback(tmp_path / "survey.csv")
    assert a.report.accepted == b.report.accepted == 5
    cols = ["_customer", "_ts", "_score", "_metric", "_comment"]
    assert a.con.execute(a.table.order_by("_seq"))[cols].equals(b.con.execute(b.table.order_by("_seq"))[cols])


def test_excel_serial_dates_left_as_numbers_are_read_as_dates(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["customer_id", "event", "day"])
    ws.append(["c1", "visit", 46082])  # 2026-03-01, a number cell with no date format
    ws.append(["c1", "order", 46083])
    wb.save(tmp_path / "serial.xlsx")
    log = read_events(tmp_path / "serial.xlsx", columns={"time": "day"})
    got = log.con.execute(log.table.order_by("_seq"))["_ts"].dt.strftime("%Y-%m-%d").tolist()
    assert got == ["2026-03-01", "2026-03-02"]
    assert any("Excel serial dates" in n for n in log.report.notes)


def test_a_damaged_workbook_and_a_zip_bomb_are_refused(tmp_path, monkeypatch):
    fake = tmp_path / "export.xlsx"
    fake.write_text("customer_id,event,time\nc1,a,2026-01-01\n")
    with pytest.raises(InputError, match="export.xlsx: not a readable .xlsx workbook.*\n.*export the sheet as CSV"):
        read_events(fake)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * (50 << 20) + "</a>")  # 50 MB of one character
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(InputError, match="its part xl/worksheets/sheet1.xml expands .* times .*zip bomb"):
        read_events(bomb)
    monkeypatch.setenv("PARCOURS_MAX_XLSX_BYTES", "1000")
    with pytest.raises(InputError, match="expands to .* bytes, more than the 1,000 allowed"):
        read_events(bomb)
    csv = tmp_path / "plain.csv"
    csv.write_text("customer_id,event,time\nc1,a,2026-01-01\n")
    from parcours.errors import OptionError

    with pytest.raises(OptionError, match="--sheet 'x': plain.csv is not a spreadsheet"):
        read_events(csv, sheet="x")
