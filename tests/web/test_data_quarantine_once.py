"""The web's validation reads CSV with the same ingest code as the CLI: a malformed line is one
quarantined row there too, in the report, the downloadable quarantine and the preview's count
of lines the parser could not split (issue 23, item 1a)."""

from __future__ import annotations

import io

import pandas as pd

from tests.ingest.test_quarantine_once import FOUR
from tests.web.test_data import client_for, upload, world  # noqa: F401 - the fixture reused


def test_validation_counts_each_bad_line_once(store, world):  # noqa: F811 - the fixture
    c, h = client_for(store, world, "alice")
    pa = world["pa"].id
    sid = upload(c, h, pa, "four.csv", FOUR.encode()).json()["id"]
    p = c.get(f"/api/v1/projects/{pa}/data/{sid}/preview").json()
    assert p["unsplittable_lines"] == 2  # the short line and the long one, not 1 + 2 + ... entries
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    assert r.status_code == 422, r.text  # 3 of 4 rows bad: past the bad-row limit (issue 23), with its report
    rep = r.json()["detail"]["report"]
    assert (rep["read"], rep["accepted"], rep["quarantined"]) == (4, 1, 3)  # was 6 = 1 + 5
    assert [p["row"] for p in rep["first_problems"]] == [2, 3, 4]
    q = pd.read_csv(io.StringIO(c.get(r.json()["detail"]["quarantine_url"]).text), dtype=str)
    assert list(q["row"]) == ["2", "3", "4"]
    assert list(q["reason"])[:2] == ["missing columns: Expected Number of Columns: 5 Found: 3",
                                     "too many columns: Expected Number of Columns: 5 Found: 7"]
    page = c.get(f"/projects/{pa}/data/{sid}").text
    assert "Rows read <strong>4</strong> = accepted <strong>1</strong>" in page
