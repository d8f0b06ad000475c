"""The web app in its user's language, in Debian's Chromium against a real ``parcours serve --demo``
(issue 23, §3): a French browser gets every page's chrome in French, not one text of the English
catalogue; an English browser the reverse; a user's choice on the account page beats the
browser's. The live map has one segment selector, and after choosing a segment its line names it.
Screenshots of the project list, the editor and the live map in both languages go to /tmp/shots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parcours.web import i18n
from tests.web.one_time import own_password
from tests.web.test_serve import serve_demo, stop

SHOTS = Path("/tmp/shots")
PAGES = ["/", "/account", "/projects/1/edit", "/projects/1/versions", "/projects/1/surveys",
         "/projects/1/discussion", "/workspaces/1/members", "/admin/accounts"]
LOCALES = {"fr": "fr-FR", "en": "en-US"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, base, email, one_time = serve_demo(tmp_path_factory.mktemp("serve-i18n"))
    try:
        yield base, email, own_password(base, email, one_time)
    finally:
        stop(proc)


def _texts(entries: dict) -> list[str]:
    return [form for entry in entries.values() for form in (entry.values() if isinstance(entry, dict) else [entry])]


def _has(text: str, piece: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(piece) + r"(?!\w)", text) is not None


def _fragments(lang: str) -> set[str]:
    """The texts of ``lang``'s catalogue, cut at their placeholders, tags and punctuation, that the
    other language never writes (pieces of three letters or more; languages named in themselves,
    as the language choosers show them, are left out)."""
    mine = {k: v for k, v in i18n.catalogue(lang).items() if not k.startswith("data.")}  # data.*: H11's pages
    other = "\n".join(_texts(i18n.catalogue("en" if lang == "fr" else "fr"))) + "\n" + "\n".join(i18n.NAMES.values())
    out = set()
    for form in _texts(mine):
        for piece in re.split(r"\{[^}]*\}|<[^>]*>|[…()·:;,.?!—\"“”]", form):
            piece = piece.strip(" -–'\u202f\xa0")
            short = re.fullmatch(r"[a-z]{1,3}", piece)  # "and", "or": words a map's names may hold
            if len(re.sub(r"\W", "", piece)) >= 3 and not short and not _has(other, piece):
                out.add(piece)
    return out


def _map_texts() -> list[str]:
    """Every text of the demo map, longest first: the team's words, in the map's languages."""
    import yaml

    from parcours.demo import _MAP_YAML

    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(yaml.safe_load(_MAP_YAML))
    return sorted(set(found), key=len, reverse=True)


def _words_of(text: str, pieces: set[str]) -> list[str]:
    """The pieces found in a page's text, once the team's words are out of it (people's emails,
    the map's names and texts, which are in the map's language)."""
    text = re.sub(r"\S+@\S+", " ", text)
    for words in _map_texts():
        text = text.replace(words, " ")
    return sorted(p for p in pieces if _has(text, p))


def _log_in(context, base: str, email: str, password: str):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return page, errors


def _live_map(page, base: str, query: str = "") -> None:
    page.goto(f"{base}/projects/1{query}")
    page.wait_for_selector("#live-scope", timeout=60_000)
    page.wait_for_function("() => !document.getElementById('progress')", timeout=180_000)  # measured


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_speaks_the_browsers_language(server, browser, lang):
    base, email, password = server
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": 1366, "height": 900})
    page, errors = _log_in(context, base, email, password)
    foreign = _fragments("en" if lang == "fr" else "fr")
    assert len(foreign) > 300
    seen = {}
    for path in [*PAGES, "/projects/1"]:
        if path == "/projects/1":
            _live_map(page, base)
        else:
            page.goto(base + path)
        assert page.get_attribute("html", "lang") == lang, path
        # The live map: the app's bar (the report's own words are the report's labels, tests/report)
        text = page.inner_text(".app-bar" if path == "/projects/1" else "body")
        seen[path] = _words_of(text, foreign)
    assert seen == {path: [] for path in seen}
    mine = i18n.catalogue(lang)
    page.goto(base + "/")
    page.wait_for_selector("#workspaces li")
    assert mine["projects.title"] in page.inner_text("h1")
    page.screenshot(path=str(SHOTS / f"projects-{lang}.png"), full_page=True)
    page.goto(base + "/projects/1/edit")
    page.wait_for_selector("#live-summary strong", timeout=120_000)
    assert page.inner_text("#add-actions > summary") == mine["editor.add.actions"]
    assert page.inner_text("#add-opportunities > summary") == mine["editor.add.opportunities"]
    page.screenshot(path=str(SHOTS / f"editor-{lang}.png"), full_page=False)
    _live_map(page, base)
    page.screenshot(path=str(SHOTS / f"live-map-{lang}.png"), full_page=False)
    assert errors == []
    context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_live_map_has_one_segment_selector_and_names_the_filter(server, browser, lang):
    base, email, password = server
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": 1366, "height": 900})
    page, errors = _log_in(context, base, email, password)
    _live_map(page, base)
    segment_selects = page.eval_on_selector_all(
        "select", "els => els.filter(s => [...s.options].some(o => o.value === 'new_customers')).map(s => s.id)")
    assert segment_selects == ["f-segment"]
    assert page.locator("#group").count() == 0  # the report's own picker is left out
    everyone = i18n.catalogue(lang)["filters.all"]
    assert everyone in page.inner_text("#live-scope")
    name = {"fr": "Nouveaux clients", "en": "New customers"}[lang]
    page.select_option("#f-segment", "new_customers")
    page.fill("#f-from", "2024-01-01")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"segment=new_customers"))
    page.wait_for_selector("#live-scope")
    page.wait_for_function("() => !document.getElementById('progress')", timeout=180_000)
    scope = page.inner_text("#live-scope")
    since = {"fr": "depuis le 1er janv. 2024", "en": "from 1 Jan 2024"}[lang]
    assert name in scope and since in scope and everyone not in scope
    assert page.get_attribute("html", "lang") == lang  # the report too, in the user's language
    page.screenshot(path=str(SHOTS / f"live-map-segment-{lang}.png"), full_page=False)
    assert errors == []
    context.close()


def test_a_users_choice_beats_the_browsers(server, browser):
    base, email, password = server
    context = browser.new_context(locale="en-US")
    page, errors = _log_in(context, base, email, password)
    page.goto(base + "/account")
    assert page.inner_text("h1") == "Your account"
    assert page.inner_text("#language-choice option[value='']") == "Your browser's (English)"
    page.select_option("#language-choice", "fr")
    with page.expect_navigation():
        page.click("#language button[type=submit]")
    assert page.get_attribute("html", "lang") == "fr" and page.inner_text("h1") == "Votre compte"
    page.goto(base + "/projects/1/versions")
    assert page.inner_text("h1") == "Versions de la carte"
    page.goto(base + "/account")
    page.select_option("#language-choice", "")  # back to the browser's
    with page.expect_navigation():
        page.click("#language button[type=submit]")
    assert page.inner_text("h1") == "Your account"
    assert errors == []
    context.close()
