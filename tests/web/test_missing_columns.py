"""The web says how to name a column it cannot tell apart the web's way (issue 23, §4): the
project's data source has no column the analysis can take for a required role; the live map's
answer names the column-mapping form (the Data tab), not the CLI's --columns, in the asker's
language, with the roles as data. On SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from parcours.store.maps import save_map
from tests.web.test_api import client_for, world  # noqa: F401 - fixture reused

MAP = "language: fr\nsource: {path: events.csv}\nstages: [{id: buy, name: Achat}]\ntouchpoints: [{id: cart, stage: buy}]\n"


@pytest.fixture
def unreadable(store, world, tmp_path):  # noqa: F811
    """Project A: a map whose source file has none of the columns the roles need."""
    pid = world["pa"].id
    save_map(store, pid, MAP, world["alice"].id, base=None)
    c, h = client_for(store, "alice", data_dir=tmp_path)
    folder = c.app.state.live.folder(pid)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "events.csv").write_text("who,what,note\n1,cart,x\n2,cart,y\n", encoding="utf-8")
    return c, pid


def test_the_live_map_names_the_column_mapping_form(unreadable):
    c, pid = unreadable
    r = c.get(f"/api/v1/projects/{pid}/analysis?wait=true")
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert detail["missing"] == ["customer", "time", "event"]
    assert detail["message"] == "events.csv: cannot tell which column is the customer and the time and the event"
    assert detail["hint"] == ("say which column is the customer and the time and the event: in the column-mapping "
                              f"form of the data source, on the Data tab (/projects/{pid}/data), or in the map's "
                              "source.columns, in the Map editor")
    assert "--columns" not in r.text
    french = c.get(f"/api/v1/projects/{pid}/analysis?wait=true", headers={"Accept-Language": "fr"}).json()["detail"]
    assert french["hint"].startswith("indiquez quelle colonne est le client et l'horodatage et l'événement\u202f: dans le "
                                     "formulaire de correspondance des colonnes de la source, onglet Données")
    fr = {"Accept-Language": "fr"}
    r = c.get(f"/api/v1/projects/{pid}/analysis", headers=fr)
    if r.status_code == 202:  # measured again in the background: the page's script polls the job
        poll, deadline = r.json()["poll"], time.monotonic() + 60
        while (job := c.get(poll, headers=fr).json())["state"] not in ("failed", "done"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert job["error"] == french
    else:
        assert r.status_code == 409 and r.json()["detail"] == french
