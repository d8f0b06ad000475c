"""The web app's catalogues and how a request's language is chosen (parcours.web.i18n): both
catalogues hold the same keys with the same placeholders, every key a template names exists,
plural forms follow each language's rule, and Accept-Language is read as browsers send it."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from parcours.web import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
# t("key") and js_texts("key", "key"...) with a literal key; t("prefix." ~ x) names a family of keys.
_LITERAL = re.compile(r'''\bt\(\s*"([\w.]+)"\s*[,)]''')
_JS = re.compile(r'''js_texts\(([^)]*)\)''')
_FAMILY = re.compile(r'''\bt\(\s*"([\w.]+\.)"\s*~''')


def _fields(entry: object) -> set[str]:
    forms = entry.values() if isinstance(entry, dict) else [entry]
    return {f for form in forms for _, f, _, _ in string.Formatter().parse(form) if f}


def _templates() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.html"))}


def test_both_catalogues_hold_the_same_keys_and_placeholders():
    en, fr = i18n.catalogue("en"), i18n.catalogue("fr")
    assert sorted(set(en) ^ set(fr)) == []
    differ = {k: (_fields(en[k]), _fields(fr[k])) for k in en if _fields(en[k]) != _fields(fr[k])}
    assert differ == {}
    plural = {k for k, v in en.items() if isinstance(v, dict)}
    assert plural == {k for k, v in fr.items() if isinstance(v, dict)}
    assert all(set(en[k]) == set(fr[k]) == {"one", "other"} for k in plural)


def test_every_key_a_template_names_is_in_the_catalogue():
    en = i18n.catalogue("en")
    named, families = set(), set()
    for name, text in _templates().items():
        named |= {(name, k) for k in _LITERAL.findall(text)}
        for args in _JS.findall(text):
            named |= {(name, k) for k in re.findall(r'"([\w.]+)"', args)}
        families |= {(name, f) for f in _FAMILY.findall(text)}
    assert len(named) > 300  # every page's chrome goes through t()
    assert sorted((n, k) for n, k in named if k not in en) == []
    assert sorted((n, f) for n, f in families if not any(k.startswith(f) for k in en)) == []


def test_french_texts_are_french():
    """No French entry left as the English one, but for words both languages write alike."""
    en, fr = i18n.catalogue("en"), i18n.catalogue("fr")
    alike = {"nav.versions", "nav.discussion", "discussion.heading", "admin.title", "versions.version",
             "versions.message", "surveys.question", "field.description", "field.segment", "field.frustrations",
             "editor.conditions", "editor.yaml_import", "filters.segment", "admin.sessions", "choice.lane.support",
             "discussion.title", "versions.title", "editor.kind.personas",
             "editor.kind.actions", "versions.kind.segments", "discussion.thread.project", "js.error_status",
             "editor.rule_where", "editor.fact_segment", "surveys.action",
             "source.question_kind.nps", "source.question_kind.csat", "source.question_kind.ces"}  # NPS (0–10)…
    same = sorted(k for k in en if en[k] == fr[k] and k not in alike)
    assert same == []


@pytest.mark.parametrize(("lang", "n", "said"), [
    ("en", 0, "0 rows"), ("en", 1, "1 row"), ("en", 2, "2 rows"),
    ("fr", 0, "0 ligne"), ("fr", 1, "1 ligne"), ("fr", 1.5, "1.5 ligne"), ("fr", 2, "2 lignes"),
])
def test_plural_forms_follow_the_language(lang, n, said):
    assert i18n.text(lang, "rows", n=n) == said


def test_articles_follow_the_word():
    """The typos of issue 23 ("Add a action", "Add a opportunity") cannot come back: each kind has
    its own sentence."""
    en, fr = i18n.catalogue("en"), i18n.catalogue("fr")
    assert en["editor.add.actions"] == "Add an action" and en["editor.add.opportunities"] == "Add an opportunity"
    assert en["editor.add.stages"] == "Add a stage" and en["editor.add.kpis"] == "Add a KPI"
    assert fr["editor.add.actions"] == "Ajouter une action" and fr["editor.add.personas"] == "Ajouter un persona"
    assert not [v for v in en.values() if isinstance(v, str) and re.search(r"\ba [aeio]", v)]


def test_page_texts_are_escaped_unless_they_are_the_apps_markup():
    assert i18n.html("en", "app.members_of", name="<b>X</b>") == "Members of &lt;b&gt;X&lt;/b&gt;"
    assert str(i18n.html("fr", "account.tokens_help_html")).startswith("Un jeton permet à un script d'utiliser l'<a href=")
    assert i18n.text("fr", "app.members_of", name="<b>X</b>") == "Membres de <b>X</b>"  # plain text, for the API
    with pytest.raises(KeyError):
        i18n.text("fr", "no.such.key")


@pytest.mark.parametrize(("header", "lang"), [
    ("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"),
    ("en-US,en;q=0.9,fr;q=0.8", "en"),
    ("de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "fr"),
    ("en;q=0.2, FR-ca;q=0.8", "fr"),
    ("fr;q=0, en", "en"),
    ("*", None), ("", None), (None, None), ("de", None), ("fr;q=oops", None),
])
def test_the_browsers_language(header, lang):
    assert i18n.best_of(header) == lang


def test_outside_a_request_pages_are_english():
    assert i18n.asked() is None and i18n.current() == "en"
