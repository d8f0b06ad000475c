"""Survey answers and events pushed to the API join the live analyses (SQLite and PostgreSQL):
the NPS moves by exactly what the answers add, the collected events add their customers."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.web.test_analyses import demo_project, measured  # noqa: F401 - fixture reused
from tests.web.test_api import world  # noqa: F401 - fixture reused


def test_survey_answers_and_collected_events_join_the_live_analysis(demo_project, store, world):  # noqa: F811
    """Answers to a survey link move the NPS by exactly what they add; events pushed to the
    collection API add their customers and events; both measured again at once."""
    from parcours.store.tokens import create_token

    c, h, pid, files = demo_project
    url = f"/api/v1/projects/{pid}/analysis"
    before = measured(c, url)["analysis"]
    link = c.post(f"/api/v1/projects/{pid}/surveys", json={"touchpoint": "order_confirmation", "metric": "nps", "lang": "fr"},
                  headers=h)
    assert link.status_code == 201, link.text
    token = link.json()["token"]
    for i, score in enumerate([0, 0, 3, 10]):
        r = c.post(f"/api/v1/surveys/{token}/answers", json={"submission_id": f"s{i}", "score": score,
                                                            "customer_ref": "C000001", "comment": "Livraison lente"})
        assert r.status_code == 201, r.text
    c.post(f"/api/v1/surveys/{token}/answers", json={"submission_id": "s0", "score": 0})  # sent twice: once
    assert c.get(url).status_code == 202  # new answers: measured again
    after = measured(c, url)["analysis"]
    # Independently: the NPS over the file's NPS answers plus the four new ones.
    fb = pd.read_csv(files.feedback_path)
    scores = [*fb.loc[fb["metric"] == "nps", "score"].tolist(), 0, 0, 3, 10]
    nps = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
    assert after["feedback"]["overall"]["responses"] == before["feedback"]["overall"]["responses"] + 4 == len(scores)
    assert after["feedback"]["overall"]["value"] == pytest.approx(nps)
    assert after["feedback"]["overall"]["value"] < before["feedback"]["overall"]["value"]

    _, bearer = create_token(store, world["alice"].id, "crm")
    batch = [{"id": f"x{i}", "customer": "NEW-1", "event": name, "time": f"2026-03-02T10:0{i}:00+01:00",
              "channel": "web"} for i, name in enumerate(["home_view", "product_view", "add_to_cart"])]
    r = c.post(f"/api/v1/projects/{pid}/events", json={"events": batch}, headers={"Authorization": f"Bearer {bearer}"})
    assert r.status_code == 200 and r.json()["stored"] == 3, r.text
    assert c.get(url).status_code == 202
    joined = measured(c, url)["analysis"]
    assert joined["summary"]["events"] == after["summary"]["events"] + 3
    assert joined["summary"]["customers"] == after["summary"]["customers"] + 1
    assert joined["feedback"]["overall"]["value"] == pytest.approx(nps)
