"""Survey-tool exports read as they are (issue 25, §1): a Qualtrics CSV export — its two header
rows under the column names (question texts, import ids) and its time zone — written from the
French insurance reviews (measure only) as Qualtrics writes an export, reads to the answers the
same reviews give in long form."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from parcours.ingest.feedback import read_feedback

COLUMNS = {"customer": "ResponseId", "score": "Q1", "comment": "Q2", "time": "RecordedDate"}


@pytest.fixture(scope="module")
def reviews(shared_data):
    df = pd.read_csv(shared_data / "customer_reviews" / "fr_insurance_reviews" / "insurance_fr.csv.gz")
    df = df.dropna(subset=["text", "date_publication"]).iloc[:150].reset_index(drop=True)
    recorded = pd.to_datetime(df["date_publication"], format="%d/%m/%Y") + pd.Timedelta(hours=10, minutes=2)
    return df.assign(recorded=recorded.dt.strftime("%Y-%m-%d %H:%M:%S"))


def qualtrics(df: pd.DataFrame, path, zone="Europe/Paris") -> None:
    """The layout of a Qualtrics CSV export (its documented three header rows), our own values."""
    body = pd.DataFrame({
        "StartDate": df["recorded"], "EndDate": df["recorded"], "Status": "IP Address", "IPAddress": "192.0.2.1",
        "Progress": 100, "Duration (in seconds)": 42, "Finished": "True", "RecordedDate": df["recorded"],
        "ResponseId": "R_" + df.index.astype(str), "UserLanguage": "FR", "Q1": df["rating"], "Q2": df["text"]})
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)", "Finished",
             "Recorded Date", "Response ID", "User Language",
             "Dans l'ensemble, êtes-vous satisfait de votre assureur ? (1 à 5)", "Pourquoi ?"]
    ids = [{"ImportId": "startDate", "timeZone": zone}, {"ImportId": "endDate", "timeZone": zone},
           {"ImportId": "status"}, {"ImportId": "ipAddress"}, {"ImportId": "progress"}, {"ImportId": "duration"},
           {"ImportId": "finished"}, {"ImportId": "recordedDate", "timeZone": zone}, {"ImportId": "_recordId"},
           {"ImportId": "userLanguage"}, {"ImportId": "QID1"}, {"ImportId": "QID2_TEXT"}]
    head = pd.DataFrame([texts, [json.dumps(i) for i in ids]], columns=body.columns)
    pd.concat([head, body.astype(str)], ignore_index=True).to_csv(path, index=False)


def test_a_qualtrics_export_reads_to_the_answers_of_the_long_form(reviews, tmp_path):
    """Before: its two header rows were quarantined as bad answers, and 2 of 150 is past the 1%
    limit: the file was refused."""
    qualtrics(reviews, tmp_path / "export.csv")
    long = tmp_path / "long.csv"
    reviews.assign(ResponseId="R_" + reviews.index.astype(str), Q1=reviews["rating"], Q2=reviews["text"],
                   RecordedDate=reviews["recorded"])[["ResponseId", "Q1", "Q2", "RecordedDate"]].to_csv(long, index=False)
    got = read_feedback(tmp_path / "export.csv", columns=COLUMNS, metric="csat", scale="1-5")
    want = read_feedback(long, columns=COLUMNS, metric="csat", scale="1-5", timezone="Europe/Paris")
    assert (got.report.read, got.report.accepted, got.report.quarantined) == (150, 150, 0)
    a = got.con.execute(got.table.order_by("_seq")).reset_index(drop=True)
    b = want.con.execute(want.table.order_by("_seq")).reset_index(drop=True)
    for col in ("_customer", "_score", "_comment", "_ts"):
        assert a[col].equals(b[col]), col
    assert any("Qualtrics export" in n and "Europe/Paris" in n for n in got.report.notes)
    # read in the export's zone: 10:02 in Paris is 08:02 or 09:02 UTC
    assert set(a["_ts"].dt.tz_convert("UTC").dt.strftime("%H:%M")) <= {"08:02", "09:02"}


def test_the_cli_reads_it_and_a_given_zone_wins(reviews, tmp_path):
    qualtrics(reviews, tmp_path / "export.csv", zone="America/Denver")
    proc = subprocess.run([sys.executable, "-m", "parcours", "feedback", str(tmp_path / "export.csv"), "--out",
                           str(tmp_path / "out"), "--metric", "csat", "--scale", "1-5", "--text-model", "shipped",
                           "--columns", ",".join(f"{k}={v}" for k, v in COLUMNS.items())],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "out" / "feedback.json").read_text())
    assert (data["input"]["read"], data["input"]["accepted"]) == (150, 150)
    given = read_feedback(tmp_path / "export.csv", columns=COLUMNS, metric="csat", scale="1-5", timezone="UTC")
    ts = given.con.execute(given.table)["_ts"].dt.strftime("%H:%M")
    assert set(ts) == {"10:02"}


def test_a_file_whose_second_row_is_an_answer_is_not_taken_for_an_export(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text('id,note,avis\n1,5,"{""ImportId"": ""QID1""} est un texte"\n2,4,bien\n3,1,nul\n')
    log = read_feedback(path, columns={"customer": "id", "score": "note", "comment": "avis"}, metric="csat",
                        scale="1-5")
    assert log.report.accepted == 3 and not any("Qualtrics" in n for n in log.report.notes)


def test_an_unknown_role_is_refused_not_ignored(tmp_path):
    """The CLI refused --columns respondent=…; read_feedback from Python ignored it without a word."""
    from parcours.errors import OptionError
    from parcours.ingest import read_events

    path = tmp_path / "a.csv"
    path.write_text("id,note,avis\n1,5,bien\n")
    with pytest.raises(OptionError, match="unknown role 'respondent'.*\n.*roles are: customer, time, score"):
        read_feedback(path, columns={"respondent": "id", "score": "note"}, metric="csat", scale="1-5")
    with pytest.raises(OptionError, match="unknown role 'buyer'"):
        read_events(path, columns={"buyer": "id"})
