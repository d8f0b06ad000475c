"""The live map's report speaks the map's ``analysis.lang`` (over its ``language``), as
``parcours report`` does (tests/cli/test_report_lang.py)."""

from __future__ import annotations

from parcours.demo import _MAP_YAML
from tests.web.test_analyses import backend, demo_project, measured  # noqa: F401 - fixtures reused
from tests.web.test_api import world  # noqa: F401 - fixture reused


def test_the_live_map_speaks_the_maps_analysis_lang(demo_project):  # noqa: F811
    c, h, pid, _files = demo_project
    assert "language: fr" in _MAP_YAML
    measured(c, f"/api/v1/projects/{pid}/analysis")
    french = c.get(f"/projects/{pid}", headers={"Accept": "text/html"})
    assert french.status_code == 200 and '<html lang="fr">' in french.text and "Carte du parcours client" in french.text
    assert c.post(f"/api/v1/projects/{pid}/map/versions", json={"yaml": _MAP_YAML + "\nanalysis:\n  lang: en\n",
                                                                "base": 1}, headers=h).status_code == 201
    measured(c, f"/api/v1/projects/{pid}/analysis")
    english = c.get(f"/projects/{pid}", headers={"Accept": "text/html"})
    assert english.status_code == 200 and '<html lang="en">' in english.text
    assert "Customer journey map" in english.text and "Carte du parcours client" not in english.text
