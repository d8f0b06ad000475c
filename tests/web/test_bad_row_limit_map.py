"""The project's bad-row limit is a setting of its map (issue 23): ``analysis: {max_bad_rows:
60%}`` lets the web app's validation accept an upload with 50 bad rows of 100, which the
default limit (1%) refuses with the CLI's message; over HTTP, on SQLite and PostgreSQL. The
bad rows are counted here with pandas, not taken from the report."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from parcours.errors import MapError
from parcours.model import map_from_text
from parcours.store.maps import save_map
from tests.web.test_data import client_for, upload, world  # noqa: F401 - the fixture reused
from tests.web.test_data_in_use import HALF_BAD


def bad_rows(text: str) -> int:
    """Rows whose time does not parse: the only fault of HALF_BAD's rows."""
    df = pd.read_csv(io.StringIO(text), dtype=str)
    return int(pd.to_datetime(df["timestamp"], utc=True, errors="coerce", format="ISO8601").isna().sum())


def validate(c, h, pid: int, name: str):
    sid = upload(c, h, pid, name, HALF_BAD.encode()).json()["id"]
    return c.post(f"/api/v1/projects/{pid}/data/{sid}/mapping", json={"columns": {}}, headers=h)


def test_the_maps_max_bad_rows_is_the_uploads_limit(store, world):  # noqa: F811 - the fixture
    c, h = client_for(store, world, "alice")
    pa, alice = world["pa"].id, world["alice"].id
    bad, rows = bad_rows(HALF_BAD), len(HALF_BAD.splitlines()) - 1
    assert (bad, rows) == (50, 100)  # the file is what the test says it is
    # no map: the default limit, 1%
    r = validate(c, h, pa, "first.csv")
    assert r.status_code == 422, r.text
    assert "(more than --max-bad-rows 1%)" in r.json()["detail"]["message"]
    # the map allows 60%: the same file is validated, its bad rows quarantined
    v1 = save_map(store, pa, "name: Achat\nanalysis:\n  max_bad_rows: 60%\n", alice, base=None)
    r = validate(c, h, pa, "second.csv")
    assert r.status_code == 200, r.text
    assert (r.json()["read"], r.json()["accepted"], r.json()["quarantined"]) == (rows, rows - bad, bad)
    # a limit under the share of bad rows (as a count this time) refuses it again, with that limit in the message
    save_map(store, pa, f"name: Achat\nanalysis:\n  max_bad_rows: {bad - 1}\n", alice, base=v1.id)
    r = validate(c, h, pa, "third.csv")
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["message"].startswith(
        f"third.csv: {bad} of {rows} rows cannot be used (more than --max-bad-rows {bad - 1}); first: row 2:")


@pytest.mark.parametrize(("value", "words"), [
    ("lots", "'lots' is neither a count nor a share"),
    ("150%", "'150%' is neither a count nor a share"),
    ("-3", "must not be negative"),
    ("2.5", "a count must be a whole number"),
    ("true", "is neither a count nor a share"),
])
def test_a_bad_limit_in_the_map_is_a_map_error_at_its_line(value, words):
    with pytest.raises(MapError) as e:
        map_from_text(f"name: x\nanalysis:\n  max_bad_rows: {value}\n", source="map.yaml")
    assert "line 3, analysis.max_bad_rows" in str(e.value) and words in str(e.value)


def test_a_map_error_is_refused_by_the_app_before_any_upload_reads_it(store, world):  # noqa: F811
    with pytest.raises(MapError):
        save_map(store, world["pa"].id, "name: x\nanalysis: {max_bad_rows: lots}\n", world["alice"].id, base=None)
