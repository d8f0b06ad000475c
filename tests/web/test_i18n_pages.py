"""The language of the app's pages over HTTP, on SQLite and PostgreSQL (issue 23, §3): chosen per
user through the API (the account page's choice), else the browser's Accept-Language; the live
map's report follows it when the URL asks for no language."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from parcours.store.preferences import language
from parcours.web import i18n
from tests.web.test_analyses import demo_project, measured  # noqa: F401 - fixtures reused
from tests.web.test_api import client_for, world  # noqa: F401 - fixture reused

API = "/api/v1/me/preferences"
FR, EN = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}, {"Accept-Language": "en-GB,en;q=0.9"}
HTML = {"Accept": "text/html"}


def test_the_language_is_chosen_through_the_api(store, world):  # noqa: F811
    c, h = client_for(store, "alice")
    assert c.get(API, headers=FR).json() == {"language": None, "browser": "fr"}
    assert c.get(API).json() == {"language": None, "browser": "en"}  # no Accept-Language: English
    r = c.put(API, json={"language": "fr"}, headers=h)
    assert r.status_code == 200 and r.json() == {"language": "fr", "browser": "en"}
    assert language(store, world["alice"].id) == "fr" and language(store, world["bob"].id) is None
    r = c.put(API, json={"language": "de"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"] == (
        "language 'de' is not one the app's pages are written in "
        "(how to fix: choose one of fr, en, or none to follow the browser)")
    assert c.put(API, json={"language": "en", "theme": "dark"}, headers=h).status_code == 422  # extra fields refused
    assert c.put(API, json={"language": "en"}).status_code == 403  # no CSRF token
    assert c.put(API, json={"language": None}, headers=h).json()["language"] is None
    anonymous, _ = client_for(store)
    assert anonymous.get(API).status_code == 401 and anonymous.put(API, json={"language": "fr"}).status_code == 401


def test_pages_follow_the_users_choice_over_the_browsers(store, world):  # noqa: F811
    c, h = client_for(store, "alice")
    home = c.get("/", headers=FR)
    assert '<html lang="fr">' in home.text and "<h1>Projets</h1>" in home.text
    assert "<h1>Projects</h1>" in c.get("/", headers=EN).text
    c.put(API, json={"language": "fr"}, headers=h)
    for headers in (EN, {}):
        account = c.get("/account", headers=headers).text
        assert '<html lang="fr">' in account and "<h1>Votre compte</h1>" in account
        assert '<option value="fr" lang="fr" selected>Français</option>' in account
    bob, _ = client_for(store, "bob")  # Bob chose nothing: his browser's
    assert "<h1>Your account</h1>" in bob.get("/account", headers=EN).text
    assert "Celle de votre navigateur (Français)" in bob.get("/account", headers=FR).text


def test_the_log_in_page_follows_the_browser(store, world):  # noqa: F811
    c, _ = client_for(store)
    page = c.get("/login", headers=FR).text
    assert '<html lang="fr">' in page and "<h1>Connexion</h1>" in page and "Mot de passe" in page
    token = page.split('name="csrf" value="')[1].split('"')[0]
    r = c.post("/login", headers=FR, data={"csrf": token, "next": "/", "email": "alice@example.org", "password": "nope"})
    assert r.status_code == 401 and "Échec de la connexion\u202f: e-mail ou mot de passe incorrect." in r.text
    assert "<h1>Log in</h1>" in c.get("/login", headers=EN).text


def test_the_live_map_speaks_the_users_language(demo_project):  # noqa: F811
    c, h, pid, _files = demo_project
    for query in ("", "?lang=fr", "?segment=gold_members&period=..2026-03-31"):
        measured(c, f"/api/v1/projects/{pid}/analysis{query}")
    c.put(API, json={"language": "en"}, headers=h)  # a French map, an English user
    english = c.get(f"/projects/{pid}", headers=HTML).text
    assert '<html lang="en">' in english and "Customer journey map" in english
    assert '<div class="app-bar" lang="en">' in english and "Shown: <strong>All customers</strong>" in english
    asked = c.get(f"/projects/{pid}?lang=fr", headers=HTML).text  # the URL's language wins for the report
    assert '<html lang="fr">' in asked and "Carte du parcours client" in asked
    assert '<div class="app-bar" lang="en">' in asked  # the page's own bar stays the user's
    assert 'id="group"' not in english  # one segment selector: the bar's
    gold = c.get(f"/projects/{pid}?segment=gold_members&period_to=2026-03-31", headers=HTML).text
    assert "Shown: <strong>Gold members</strong> · until 31 Mar 2026" in gold and 'id="group"' not in gold
    c.put(API, json={"language": "fr"}, headers=h)
    gold = c.get(f"/projects/{pid}?segment=gold_members&period_to=2026-03-31", headers=HTML).text
    assert "Affiché\u202f: <strong>Clients Or</strong> · jusqu&#39;au 31 mars 2026" in gold


def test_the_middleware_gives_each_request_its_language():
    async def said(request):
        return PlainTextResponse(f"{i18n.asked()} {i18n.current()}")

    app = Starlette(routes=[Route("/", said)])
    app.add_middleware(i18n.Language)
    c = TestClient(app)
    assert c.get("/", headers=FR).text == "fr fr"
    assert c.get("/", headers={"Accept-Language": "de"}).text == "None en"
    assert i18n.asked() is None  # nothing left behind


def test_error_pages_and_editor_fragments_follow_the_language(store, world):  # noqa: F811
    c, h = client_for(store, "alice")
    missing = c.get("/projects/999999/edit", headers={**HTML, **FR})
    assert missing.status_code == 404 and '<html lang="fr">' in missing.text and "Retour aux projets" in missing.text
    check = c.post(f"/projects/{world['pa'].id}/edit/check", data={"yaml": "stages: [{id: a}]"},
                   headers={**FR, **h, "HX-Request": "true"})
    assert "problème" in check.text and "dans la carte" in check.text  # the fragment's chrome in French
