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
    log = read_feedback(path, columns={"customer": "id", "score": "rating", "comment": "text",
                                       "time": "date_publication"}, metric="csat", scale="1-5")
    assert log.report.accepted == len(df)
    got = log.con.execute(log.table.order_by("_seq"))
    want = pd.to_datetime(df["date_publication"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d").tolist()
    assert got["_ts"].dt.strftime("%Y-%m-%d").tolist() == want
    assert any("day first" in n for n in log.report.notes)


@pytest.mark.parametrize("written, date_format, want", [
    # DuckDB's own cast reads 31/12/26 as the year 31: a day-and-month date is never taken for ISO
    (["31/12/26 10:00", "01/02/26 10:00"], None, ["2026-12-31 10:00", "2026-02-01 10:00"]),
    (["01/02/26 10:00", "03/04/26 11:00"], "eu", ["2026-02-01 10:00", "2026-04-03 11:00"]),
    (["3/1/26", "1-2-26"], "us", ["2026-03-01 00:00", "2026-01-02 00:00"]),
    (["12:30 AM 01/31/2026", "12:30 PM 01/31/2026"], "%I:%M %p %m/%d/%Y", ["2026-01-31 00:30", "2026-01-31 12:30"]),
    (["Sunday, 1 March 2026", "jeu. 5 mars 2026"], None, ["2026-03-01 00:00", "2026-03-05 00:00"]),
    (["Sunday 1 March 2026", "Thursday 5 March 2026"], "%A %d %B %Y", ["2026-03-01 00:00", "2026-03-05 00:00"]),
])
def test_two_digit_years_weekdays_and_user_patterns(tmp_path, written, date_format, want):
    path = tmp_path / "d.csv"
    path.write_text("customer,time,event\n" + "".join(f'c1,"{w}",e{i}\n' for i, w in enumerate(written)))
    t = read_events(path, date_format=date_format, max_bad_rows=0).to_pandas()["time"]
    assert t.dt.strftime("%Y-%m-%d %H:%M").tolist() == sorted(want)  # events come in time order


def test_a_pattern_with_an_offset_reads_instants_whatever_the_time_zone(tmp_path):
    path = tmp_path / "z.csv"
    path.write_text("customer,time,event\nc1,31/01/2026 10:02 +0100,a\nc1,01/07/2026 10:02 -0400,b\n")
    for tz in (None, "America/New_York"):
        log = read_events(path, date_format="%d/%m/%Y %H:%M %z", timezone=tz)
        assert log.to_pandas()["time"].dt.tz_convert("UTC").dt.strftime("%H:%M").tolist() == ["09:02", "14:02"]
        assert not any("no UTC offset" in n for n in log.report.notes)


def test_one_impossible_date_is_quarantined_not_a_vote(tmp_path):
    """31/13/2026 is no date either way: quarantined, not counted as a month-first date."""
    path = tmp_path / "one_bad.csv"
    path.write_text("customer,time,event\n" + "".join(f"c1,{d:02d}/12/2026 10:00,e\n" for d in range(13, 31))
                    + "c1,31/13/2026,e\n")
    r = read_events(path, max_bad_rows=1).report
    assert (r.read, r.accepted, r.quarantined) == (19, 18, 1) and r.quarantine_rows[0]["row"] == 19


def test_a_pattern_parcours_cannot_read_is_refused_before_reading(tmp_path):
    for bad in ("%Q", "%d/%m/%", "%"):
        with pytest.raises(OptionError, match="date format"):
            AnalysisSpec(date_format=bad)
    path = tmp_path / "e.csv"
    path.write_text("customer,time,event\nc1,2026-01-01T10:00:00Z,a\n")
    proc = subprocess.run([sys.executable, "-m", "parcours", "analyze", str(path), "--out", str(tmp_path / "o"),
                           "--date-format", "%Q"], capture_output=True, text=True)
    assert proc.returncode == 2 and "%Q is no date directive" in proc.stderr and "Traceback" not in proc.stderr
