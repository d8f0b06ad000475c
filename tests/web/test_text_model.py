"""The web app learns the project's text sentiment from its scored comments (issue 24, §1):
per project, again when answers arrive, the figure on the live map beside the emotion curve."""

from __future__ import annotations

import html
import re

import pandas as pd

from parcours.project.ratelimit import Rate, RateLimiter

from tests.web.test_analyses import backend, demo_project, measured  # noqa: F401 - fixtures reused
from tests.web.test_api import world  # noqa: F401 - fixture reused


def _scored(analysis: dict) -> int:
    return sum(x["scored"] for x in analysis["feedback"]["text_model"]["languages"])


def _french(analysis: dict) -> dict:
    return next(x for x in analysis["feedback"]["text_model"]["languages"] if x["language"] == "fr")


def _caption(c, pid: int) -> str | None:
    page = html.unescape(c.get(f"/projects/{pid}", headers={"Accept": "text/html"}).text)
    shown = re.search(r"Sentiment des commentaires en français\u202f: ([^,]+), exactitude équilibrée (\d,\d\d) \[", page)
    return (shown.group(1), shown.group(2)) if shown else None


def test_the_live_map_adapts_to_the_projects_scored_comments_when_answers_arrive(demo_project, shared_data):  # noqa: F811
    c, h, pid, files = demo_project
    url = f"/api/v1/projects/{pid}/analysis"
    before = measured(c, url)["analysis"]
    # Independently: every scored comment of the project's answers, counted with pandas.
    fb = pd.read_csv(files.feedback_path)
    commented = fb[fb["comment"].fillna("").str.strip() != ""]
    assert _scored(before) == len(commented)
    fr = _french(before)
    assert fr["scored"] < 100 and fr["used"] == "shipped" and fr["reason"] == "too_few"
    assert _caption(c, pid)[0] == "modèle fourni"

    # Real French reviews arrive through a survey link, 1–2★ as detractors, 4–5★ as promoters.
    reviews = pd.read_csv(shared_data / "customer_reviews/fr_insurance_reviews/insurance_fr.csv.gz")
    reviews = reviews[reviews["rating"] != 3].dropna(subset=["text"]).drop_duplicates("text")
    reviews = reviews[reviews["text"].str.len().between(40, 1500)].sample(160, random_state=2)
    link = c.post(f"/api/v1/projects/{pid}/surveys", json={"touchpoint": "order_confirmation", "metric": "nps",
                                                           "lang": "fr"}, headers=h)
    assert link.status_code == 201, link.text
    token = link.json()["token"]
    # the answers come from a survey tool's batch: the link's rate limit is raised for them
    c.app.state.survey_limiter = RateLimiter(Rate(1000, 60.0), Rate(1000, 60.0))
    for i, (text, stars) in enumerate(zip(reviews["text"], reviews["rating"])):
        r = c.post(f"/api/v1/surveys/{token}/answers", json={"submission_id": f"r{i}", "score": 1 if stars <= 2 else 10,
                                                            "comment": text})
        assert r.status_code == 201, r.text
    assert c.get(url).status_code == 202  # new answers: measured, and learnt, again
    after = measured(c, url)["analysis"]
    assert _scored(after) == len(commented) + len(reviews)
    fr = _french(after)
    assert fr["used"] == "adapted" and fr["scored"] >= 100
    value = fr["adapted"]["balanced_accuracy"]["value"]
    assert value > fr["baseline"]["balanced_accuracy"]["value"]
    assert _caption(c, pid) == ("modèle adapté à vos commentaires notés", f"{value:.2f}".replace(".", ","))
