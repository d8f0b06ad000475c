"""The data pages in the browser's language, in Debian's Chromium against a real ``parcours serve
--demo`` (issue 23, §3-4): the Data page and a source's page hold no text of the other language's
catalogue; an upload whose columns cannot be told apart is said the web's way when it is
validated (the column-mapping form, not the CLI's ``--columns``), in the page's language, by
the page's own script; choosing the source says so once, in that language too."""

from __future__ import annotations

import re

import pytest

from parcours.web import i18n
from tests.web.test_i18n_browser import LOCALES, _has, _log_in, _texts, _words_of
from tests.web.test_serve import serve_demo, stop

ODD = b"who,when,what\nc1,2026-01-05T10:00:00Z,visit\nc2,2026-01-05T11:00:00Z,buy\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, base, email, password = serve_demo(tmp_path_factory.mktemp("serve-i18n-data"))
    try:
        yield base, email, password
    finally:
        stop(proc)


def _foreign(lang: str) -> set[str]:
    """Pieces of the other language's catalogue that ``lang`` never writes (as
    ``tests/web/test_i18n_browser._fragments``, the data pages' keys included)."""
    theirs = i18n.catalogue("en" if lang == "fr" else "fr")
    mine = "\n".join(_texts(i18n.catalogue(lang))) + "\n" + "\n".join(i18n.NAMES.values())
    out = set()
    for form in _texts(theirs):
        for piece in re.split(r"\{[^}]*\}|<[^>]*>|[…()·:;,.?!—\"“”]", form):
            piece = piece.strip(" -–'\u202f\xa0")
            short = re.fullmatch(r"[a-z]{1,3}", piece)
            if len(re.sub(r"\W", "", piece)) >= 3 and not short and not _has(mine, piece):
                out.add(piece)
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_data_pages_speak_the_browsers_language(server, browser, lang):
    base, email, password = server
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": 1366, "height": 900})
    page, errors = _log_in(context, base, email, password)
    foreign, words = _foreign(lang), i18n.catalogue(lang)
    page.goto(base + "/projects/1/data")
    assert page.get_attribute("html", "lang") == lang
    assert _words_of(page.inner_text("body"), foreign) == []
    # An upload through the page's form: its columns cannot be told apart.
    page.set_input_files("#file", files=[{"name": f"odd-{lang}.csv", "mimeType": "text/csv", "buffer": ODD}])
    page.click("#send")
    page.wait_for_selector("#mapping", timeout=60_000)
    roles = ", ".join(words[f"source.role.{r}"] for r in ("customer", "time", "event"))
    assert i18n.text(lang, "source.missing", roles=roles) in page.inner_text("body")
    assert _words_of(page.inner_text("body"), foreign) == []
    # Validated as it is: the script says what is missing and where to choose it, in the page's language.
    page.click("#validate")
    page.wait_for_selector("#validate-error p", timeout=60_000)
    said = page.inner_text("#validate-error")
    names = words["columns.and"].join(words[f"column.{r}"] for r in ("customer", "time", "event"))
    assert i18n.text(lang, "columns.missing", source=f"odd-{lang}.csv", roles=names) in said
    assert i18n.text(lang, "data.js.how_to_fix", hint=i18n.text(lang, "columns.missing_hint", roles=names,
                                                                 url="/projects/1/data")) in said
    assert "--columns" not in said and _words_of(said, foreign) == []
    # The columns chosen in the form: validated, then chosen for the live map, which says so once.
    for role, column in (("customer", "who"), ("time", "when"), ("event", "what")):
        page.select_option(f"#role-{role}", column)
    page.click("#validate")
    page.wait_for_selector("p.totals", timeout=60_000)
    page.click("#use")
    page.wait_for_selector("p.flash", timeout=60_000)
    flash = page.inner_text("p.flash")
    assert flash.startswith(i18n.text(lang, "data.flash.chosen_instead", name=f"odd-{lang}.csv",
                                      kind=words["data.kind_of.events"], before="").rstrip(". "))
    assert _words_of(page.inner_text("body"), foreign) == []
    page.reload()
    assert page.locator("p.flash").count() == 0
    assert errors == []
    context.close()
