"""Dates as people write them (issue 25, §2): the help-desk log's ISO times rewritten as US,
European and French exports write them read to the same instants; ambiguous and mixed columns
stop with the row and the fix; Excel serial dates; survey answers dated day first (the French
insurance reviews' own column)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from parcours.errors import InputError, OptionError
from parcours.ingest import read_events
from parcours.ingest.feedback import read_feedback
from parcours.model import map_from_dict
from parcours.model.specs import AnalysisSpec

FRENCH_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"]


@pytest.fixture(scope="module")
def helpdesk(shared_data):
    df = pd.read_csv(shared_data / "helpdesk_tickets" / "helpdesk_events.csv.gz")
    df = df.iloc[:4000][["case:concept:name", "concept:name", "time:timestamp"]]
    df.columns = ["ticket", "step", "time"]
    return df.assign(instant=pd.to_datetime(df["time"], utc=True))


def _written(df, how) -> pd.DataFrame:
    return df.assign(time=[how(t) for t in df["instant"]])[["ticket", "step", "time"]]


STYLES = {
    "us_12h": lambda t: t.strftime("%m/%d/%Y %I:%M:%S %p"),          # SurveyMonkey, US exports
    "eu": lambda t: t.strftime("%d/%m/%Y %H:%M:%S"),                  # a French CRM export
    "eu_dots_2digit_year": lambda t: t.strftime("%d.%m.%y %H:%M:%S"),
    "french_months": lambda t: f"{t.day}{'er' if t.day == 1 else ''} {FRENCH_MONTHS[t.month - 1]} {t.year} "
                               f"à {t.strftime('%H:%M:%S')}",
    "english_months": lambda t: t.strftime("%B %d, %Y %I:%M:%S %p"),
}


@pytest.mark.parametrize("style", list(STYLES))
def test_written_dates_read_to_the_same_instants(helpdesk, tmp_path, style):
    path = tmp_path / f"{style}.csv"
    _written(helpdesk, STYLES[style]).to_csv(path, index=False)
    log = read_events(path, columns={"customer": "ticket", "event": "step", "time": "time"})
    assert (log.report.read, log.report.accepted) == (len(helpdesk), len(helpdesk))
    got = log.con.execute(log.table.order_by("_seq"))["_ts"]  # row for row, in the file's order
    assert got.dt.tz_convert("UTC").reset_index(drop=True).equals(helpdesk["instant"].reset_index(drop=True))
    if style in ("us_12h", "eu", "eu_dots_2digit_year"):
        said = " ".join(log.report.notes)
        assert ("month first" if style == "us_12h" else "day first") in said, said


def test_the_same_figures_through_the_cli(helpdesk, tmp_path):
    """`parcours analyze` on the ISO file and on the US 12-hour export: the same analysis."""
    iso, us = tmp_path / "iso.csv", tmp_path / "us.csv"
    helpdesk[["ticket", "step", "time"]].to_csv(iso, index=False)
    _written(helpdesk, STYLES["us_12h"]).to_csv(us, index=False)
    out = {}
    for name, path in (("iso", iso), ("us", us)):
        proc = subprocess.run([sys.executable, "-m", "parcours", "analyze", str(path), "--out", str(tmp_path / name),
                               "--columns", "customer=ticket,event=step,time=time", "--no-cache"],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        data = json.loads((tmp_path / name / "analysis.json").read_text())
        out[name] = {k: v for k, v in data.items() if k not in ("input", "run", "meta", "files")}
    assert out["iso"] == out["us"]


def test_ambiguous_dates_stop_and_say_how_to_choose(tmp_path):
    path = tmp_path / "ambiguous.csv"
    path.write_text("customer,time,event\nc1,03/01/2026 10:02,a\nc1,04/02/2026 11:00,b\nc2,05/05/2026,c\n")
    with pytest.raises(InputError) as e:
        read_events(path)
    assert "ambiguous" in e.value.message and "row 1" in e.value.message and "'03/01/2026 10:02'" in e.value.message
    assert "--date-format eu" in e.value.hint and "--date-format us" in e.value.hint
    day_first = read_events(path, date_format="eu").to_pandas()["time"]
    month_first = read_events(path, date_format="us").to_pandas()["time"]
    assert day_first.dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2026-01-03 10:02", "2026-02-04 11:00", "2026-05-05 00:00"]
    assert month_first.dt.strftime("%Y-%m-%d").tolist() == ["2026-03-01", "2026-04-02", "2026-05-05"]


def test_a_column_in_both_orders_is_refused_naming_both_rows(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("customer,time,event\nc1,2026-01-02T10:00:00Z,a\nc1,31/01/2026,b\nc2,01/31/2026,c\n")
    with pytest.raises(InputError, match=r"mixes day-first and month-first dates \(row 2: '31/01/2026'.*row 3: '01/31/2026'"):
        read_events(path)


def test_iso_rows_stay_iso_and_unreadable_rows_are_quarantined_once(tmp_path):
    path = tmp_path / "partly.csv"
    rows = ["c1,2026-03-01T09:00:00+01:00,a", "c1,13/03/2026 10:00,b", "c1,mardi 31 mars 2026 18h30,c", "c2,someday,d"]
    path.write_text("customer,time,event\n" + "\n".join(rows) + "\n")
    log = read_events(path, max_bad_rows=1)
    r = log.report
    assert (r.read, r.accepted, r.quarantined) == (4, 3, 1)
    assert [q["row"] for q in r.quarantine_rows] == [4] and "someday" in r.quarantine_rows[0]["reason"]
    assert log.to_pandas()["time"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2026-03-01 08:00", "2026-03-13 10:00", "2026-03-31 18:30"]


def test_a_strftime_pattern_and_a_time_zone(tmp_path):
    path = tmp_path / "pattern.csv"
    path.write_text("customer,time,event\nc1,2026|07|01 10h00,a\nc1,2026|12|01 10h00,b\n")
    t = read_events(path, date_format="%Y|%m|%d %Hh%M", timezone="Europe/Paris").to_pandas()["time"]
    assert t.dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2026-07-01 08:00", "2026-12-01 09:00"]
    with pytest.raises(InputError):  # the default reads neither
        read_events(path, max_bad_rows=0)


def test_excel_serial_dates(tmp_path):
    serials = [46082.42, 46083.0, 46090.999988426]
    path = tmp_path / "excel.csv"
    path.write_text("customer,time,event\n" + "".join(f"c1,{s},e{i}\n" for i, s in enumerate(serials)))
    log = read_events(path)
    want = pd.Timestamp("1899-12-30", tz="UTC") + pd.to_timedelta(np.array(serials) * 86400, unit="s")
    got = log.to_pandas()["time"]
    assert (abs(got.reset_index(drop=True) - pd.Series(want)) < pd.Timedelta(milliseconds=1)).all()
    assert any("Excel serial dates" in n for n in log.report.notes)
    epoch = read_events(path, time_unit="s").to_pandas()["time"]  # as epoch seconds when said so
    assert epoch.dt.year.tolist() == [1970, 1970, 1970]


def test_bad_date_formats_are_refused_before_reading(tmp_path):
    with pytest.raises(OptionError, match="unknown date format 'dmy'"):
        AnalysisSpec(date_format="dmy")
    assert AnalysisSpec(date_format="EU").date_format == "eu"
    with pytest.raises(Exception, match="date_format"):
        map_from_dict({"stages": [{"id": "a"}], "source": {"date_format": "sometimes"}})


def test_survey_answers_dated_day_first(shared_data, tmp_path):
    """The French insurance reviews as exported, dated dd/mm/yyyy (06/09/2021): read day first,
    detected, each date the one pandas reads with dayfirst."""
    df = pd.read_csv(shared_data / "customer_reviews" / "fr_insurance_reviews" / "insurance_fr.csv.gz")
    df = df.dropna(subset=["text", "date_publication"]).iloc[:3000]
    path = tmp_path / "avis.csv"
    df[["id", "rating", "text", "date_publication"]].to_csv(path, index=False)
    log = read_feedback(path, columns={"respondent": "id", "score": "rating", "comment": "text",
                                       "time": "date_publication"}, metric="csat", scale="1-5")
    assert log.report.accepted == len(df)
    got = log.con.execute(log.table.order_by("_seq"))
    want = pd.to_datetime(df["date_publication"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d").tolist()
    assert got["_ts"].dt.strftime("%Y-%m-%d").tolist() == want
    assert any("day first" in n for n in log.report.notes)
