"""Wide survey exports read as they are (issue 25, §1): one row per respondent, a column per
question, in the layouts Qualtrics (3 header rows, and its legacy 2), SurveyMonkey (2 header
rows, US dates), Typeform, Google Forms and a plain wide file write. The answers are real French
insurance reviews (measure only): their star rating as a CSAT question written in the tool's
choice texts, an NPS question derived from it, an effort question left blank by some, the
review as the comment of the NPS question and the insurer as embedded data. Each layout must
give the responses pandas makes by stacking the same answers (long form, written in the test),
and the same figures."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from parcours.ingest.feedback import read_feedback

CSAT_FR = {1: "Très insatisfait", 2: "Insatisfait", 3: "Ni satisfait ni insatisfait", 4: "Satisfait", 5: "Très satisfait"}
TEXTS = {"Q1": "Quelle est la probabilité que vous recommandiez votre assureur à un proche ?",
         "Q2": "Pourquoi cette note ?",
         "Q3": "Dans l'ensemble, êtes-vous satisfait de votre assureur ?",
         "Q4": "Était-il facile de déclarer un sinistre ?"}


@pytest.fixture(scope="module")
def wide(shared_data):
    df = pd.read_csv(shared_data / "customer_reviews" / "fr_insurance_reviews" / "insurance_fr.csv.gz")
    df = df.dropna(subset=["text", "date_publication"]).iloc[:240].reset_index(drop=True)
    when = pd.to_datetime(df["date_publication"], format="%d/%m/%Y") + pd.Timedelta(hours=14, minutes=7)
    rating = df["rating"].astype(int)
    return pd.DataFrame({
        "respondent": "R_" + df.index.astype(str), "when": when, "insurer": df["insurer"],
        "Q1": ((rating - 1) * 2.5).round().astype(int),  # 0–10
        "Q2": df["text"].where(df.index % 3 != 0, ""),  # a third leave no comment
        "Q3": rating.map(CSAT_FR),
        "Q4": (rating + 2).astype("Int64").where(df.index % 4 != 0),  # 3–7, a quarter left blank
    })


def long_form(w: pd.DataFrame) -> pd.DataFrame:
    """The answers stacked: one row per respondent and answered score question (pandas alone)."""
    parts = []
    for q, metric in (("Q1", "nps"), ("Q3", "csat"), ("Q4", "ces")):
        score = w[q].map({v: k for k, v in CSAT_FR.items()}) if q == "Q3" else w[q]
        part = pd.DataFrame({"customer": w["respondent"], "time": w["when"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                             "score": score, "metric": metric, "insurer": w["insurer"],
                             "comment": w["Q2"].replace("", None) if q == "Q1" else None})
        parts.append(part[part["score"].notna()])
    return pd.concat(parts, ignore_index=True)


def write(w: pd.DataFrame, layout: str, path) -> None:
    """``w`` as ``layout`` writes it (the layouts' documented header rows, our own values)."""
    q = w[["Q1", "Q2", "Q3", "Q4"]].astype(object).where(w[["Q1", "Q2", "Q3", "Q4"]].notna(), "")
    iso = w["when"].dt.strftime("%Y-%m-%d %H:%M:%S")
    if layout == "qualtrics":
        body = pd.DataFrame({"StartDate": iso, "EndDate": iso, "Status": "IP Address", "Progress": 100,
                             "RecordedDate": iso, "ResponseId": w["respondent"], "UserLanguage": "FR", **q,
                             "insurer": w["insurer"]})
        ids = [{"ImportId": "startDate", "timeZone": "Europe/Paris"}, {"ImportId": "endDate", "timeZone": "Europe/Paris"},
               {"ImportId": "status"}, {"ImportId": "progress"},
               {"ImportId": "recordedDate", "timeZone": "Europe/Paris"}, {"ImportId": "_recordId"},
               {"ImportId": "userLanguage"}, {"ImportId": "QID1"}, {"ImportId": "QID2_TEXT"}, {"ImportId": "QID3"},
               {"ImportId": "QID4"}, {"ImportId": "insurer"}]
        texts = ["Start Date", "End Date", "Response Type", "Progress", "Recorded Date", "Response ID", "User Language",
                 *TEXTS.values(), "insurer"]
        head = pd.DataFrame([texts, [json.dumps(i) for i in ids]], columns=body.columns)
        pd.concat([head, body.astype(str)], ignore_index=True).to_csv(path, index=False)
    elif layout == "qualtrics_legacy":
        names = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
                 "StartDate", "EndDate", "Finished"]
        body = pd.DataFrame({"V1": w["respondent"], "V2": "Default Response Set", "V3": "Anonymous", "V4": "",
                             "V5": "", "V6": "192.0.2.1", "V7": 0, "V8": iso, "V9": iso, "V10": 1, **q,
                             "insurer": w["insurer"]})
        head = pd.DataFrame([[*names, *TEXTS.values(), "insurer"]], columns=body.columns)
        pd.concat([head, body.astype(str)], ignore_index=True).to_csv(path, index=False)
    elif layout == "surveymonkey":
        us = w["when"].dt.strftime("%m/%d/%Y %I:%M:%S %p")
        body = pd.DataFrame({"Respondent ID": w["respondent"], "Collector ID": "4242", "Start Date": us,
                             "End Date": us, "IP Address": "192.0.2.1",
                             **{TEXTS[k]: q[k] for k in ("Q1", "Q2", "Q3", "Q4")}, "insurer": w["insurer"]})
        second = ["", "", "", "", "", "Response", "Open-Ended Response", "Response", "Response", ""]
        head = pd.DataFrame([second], columns=body.columns)
        pd.concat([head, body.astype(str)], ignore_index=True).to_csv(path, index=False)
    elif layout == "typeform":
        pd.DataFrame({"#": w["respondent"], **{TEXTS[k]: q[k] for k in ("Q1", "Q2", "Q3", "Q4")},
                      "insurer": w["insurer"], "Start Date (UTC)": iso, "Submit Date (UTC)": iso,
                      "Network ID": "abc"}).to_csv(path, index=False)
    elif layout == "google_forms":
        pd.DataFrame({"Horodateur": w["when"].dt.strftime("%d/%m/%Y %H:%M:%S"), "Adresse e-mail": w["respondent"],
                      **{TEXTS[k]: q[k] for k in ("Q1", "Q2", "Q3", "Q4")}, "insurer": w["insurer"]}
                     ).to_csv(path, index=False)
    else:  # a plain wide file: the metrics' own names
        pd.DataFrame({"customer_id": w["respondent"], "date": iso, "nps": q["Q1"], "comment": q["Q2"],
                      "csat": q["Q3"], "ces": q["Q4"], "insurer": w["insurer"]}).to_csv(path, index=False)


# time zone each layout's dates are in (Qualtrics: its export's; Typeform: UTC; others: none given)
ZONE = {"qualtrics": "Europe/Paris", "typeform": "UTC"}
LAYOUTS = ["qualtrics", "qualtrics_legacy", "surveymonkey", "typeform", "google_forms", "plain"]


def responses(log) -> pd.DataFrame:
    t = log.con.execute(log.table)
    out = pd.DataFrame({"customer": t["_customer"], "time": t["_ts"].dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M"),
                        "score": t["_score"].astype(float), "metric": t["_metric"],
                        "comment": t["_comment"].where(t["_comment"].notna(), None), "insurer": t["insurer"]})
    return out.sort_values(["customer", "metric"]).reset_index(drop=True)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_gives_the_stacked_answers(wide, layout, tmp_path):
    path = tmp_path / f"{layout}.csv"
    write(wide, layout, path)
    got = read_feedback(path)
    stacked = long_form(wide)
    long = tmp_path / "long.csv"
    stacked.to_csv(long, index=False)
    want = read_feedback(long, columns={"customer": "customer", "time": "time", "score": "score", "metric": "metric",
                                        "comment": "comment"}, timezone=ZONE.get(layout))
    blank_respondents = int((wide[["Q1", "Q3", "Q4"]].isna() | (wide[["Q1", "Q3", "Q4"]] == "")).all(axis=1).sum())
    assert blank_respondents == 0
    assert (got.report.read, got.report.accepted, got.report.quarantined) == (len(stacked), len(stacked), 0)
    a, b = responses(got), responses(want)
    pd.testing.assert_frame_equal(a, b)
    assert got.survey is not None and [q.kind for q in got.survey.questions] == ["nps", "comment", "csat", "ces"]
    assert got.survey.respondents == len(wide)


def test_the_figures_are_those_of_the_long_form(wide, tmp_path):
    from parcours.project.feedback import feedback

    write(wide, "qualtrics", tmp_path / "export.csv")
    stacked = long_form(wide)
    stacked.to_csv(tmp_path / "long.csv", index=False)
    got = feedback(tmp_path / "export.csv", text_model="shipped").data["overall_by_metric"]
    want = feedback(tmp_path / "long.csv", timezone="Europe/Paris", text_model="shipped").data["overall_by_metric"]
    assert got == want
    # and against pandas: the NPS is the promoters' share minus the detractors'
    nps = stacked[stacked["metric"] == "nps"]["score"]
    row = next(r for r in got if r["metric"] == "nps")
    assert row["responses"] == len(nps)
    assert row["value"] == pytest.approx(100 * ((nps >= 9).mean() - (nps <= 6).mean()))
    csat = stacked[stacked["metric"] == "csat"]["score"]
    assert next(r for r in got if r["metric"] == "csat")["value"] == pytest.approx(100 * (csat >= 4).mean())


def test_metadata_are_attributes_usable_as_segments(wide, tmp_path):
    from parcours.project.feedback import feedback
    from parcours.model import JourneyMap

    write(wide, "surveymonkey", tmp_path / "export.csv")
    m = JourneyMap.model_validate({"name": "m", "segments": [{"id": "axa", "where": {"insurer": "AXA"}}]})
    data = feedback(tmp_path / "export.csv", m, by_segment=True, text_model="shipped").data
    row = next(r for r in data["by_segment"] if r["segment"] == "axa" and r["metric"] == "csat")
    axa = wide[wide["insurer"] == "AXA"]
    assert len(axa) >= 5
    csat = axa["Q3"].map({v: k for k, v in CSAT_FR.items()})
    assert row["responses"] == len(csat) and row["value"] == pytest.approx(100 * (csat >= 4).mean())


def test_a_bad_answer_and_an_empty_respondent_are_quarantined_once(wide, tmp_path):
    w = wide.iloc[:60].copy()
    w.loc[5, "Q3"] = "Bof"  # not a choice text of the CSAT scale
    w = w.astype({"Q1": object, "Q4": object})
    w.loc[9, ["Q1", "Q2", "Q3", "Q4"]] = [None, "", None, None]
    path = tmp_path / "export.csv"
    write(w, "qualtrics", path)
    log = read_feedback(path, max_bad_rows="100%")
    q = log.report.quarantine_rows
    assert [(r["row"], r["reason"]) for r in q] == [
        (8, "score in column 'Q3' is not a number: Bof"), (12, "no score and no comment")]
    stacked = long_form(w.assign(Q3=w["Q3"].where(w["Q3"] != "Bof")))
    assert log.report.read == log.report.accepted + len(q) == len(stacked) + 2


def test_recommend_on_five_points_is_not_taken_for_an_nps(tmp_path):
    path = tmp_path / "plain.csv"
    rows = ["id,date,Would you recommend us?,How satisfied are you?"]
    rows += [f"c{i},2026-03-{1 + i % 28:02d},{1 + i % 5},{1 + (i * 7) % 5}" for i in range(40)]
    path.write_text("\n".join(rows) + "\n")
    log = read_feedback(path)
    assert [q.column for q in log.survey.questions] == ["How satisfied are you?"]
    assert log.survey.skipped[0]["column"] == "Would you recommend us?" and log.survey.skipped[0]["found"] == "1–5"
    assert any("reads like NPS but its answers are not on 0–10 (1–5)" in n for n in log.report.notes)


def test_a_header_that_looks_like_surveymonkey_but_is_not(tmp_path):
    """Its second row is an answer: it is read as one, not left out."""
    path = tmp_path / "x.csv"
    path.write_text("Respondent ID,Collector ID,End Date,How satisfied are you?,Why?\n"
                    "1,9,2026-03-01,5,great\n2,9,2026-03-02,2,slow\n")
    log = read_feedback(path)
    assert log.report.accepted == 2 and not any("SurveyMonkey" in n for n in log.report.notes)


def test_questions_given_override_the_wording(wide, tmp_path):
    write(wide, "qualtrics", tmp_path / "export.csv")
    log = read_feedback(tmp_path / "export.csv", questions="Q3=skip,Q4=skip")
    assert [q.column for q in log.survey.questions] == ["Q1", "Q2"]
    assert log.report.accepted == int(wide["Q1"].notna().sum())
    from parcours.errors import OptionError

    with pytest.raises(OptionError, match="--questions names column 'Q9'.*\n.*columns are: .*Q1"):
        read_feedback(tmp_path / "export.csv", questions="Q9=nps")


def test_the_cli_says_what_it_chose_and_how_to_choose(wide, tmp_path):
    write(wide, "surveymonkey", tmp_path / "export.csv")
    run = [sys.executable, "-m", "parcours", "feedback", str(tmp_path / "export.csv"), "--out", str(tmp_path / "o"),
           "--text-model", "shipped"]
    proc = subprocess.run([*run, "--lang", "en"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "is a SurveyMonkey export" in proc.stderr
    assert f"question {TEXTS['Q1']} read as NPS 0–10: {len(wide)} answers" in proc.stderr
    assert f"question {TEXTS['Q2']} is a comment, attached to {TEXTS['Q1']}" in proc.stderr
    assert "--questions on the command line" in proc.stderr
    data = json.loads((tmp_path / "o" / "feedback.json").read_text())
    assert data["input"]["read"] == len(long_form(wide))
    proc = subprocess.run([*run, "--lang", "fr", "--questions", f"{TEXTS['Q3']}=skip"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "lue comme CSAT" not in proc.stderr and "lue comme NPS 0–10" in proc.stderr
    bad = subprocess.run([*run, "--questions", "Q1"], capture_output=True, text=True)
    assert bad.returncode == 2 and "write COLUMN=KIND" in bad.stderr
