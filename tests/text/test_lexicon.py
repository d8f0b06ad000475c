"""The polarity lexicons: negations flip, phrases count once, every customer-service word is
found, and the shipped file holds what its sources say (recomputed here with pandas)."""

from __future__ import annotations

import pandas as pd
import pytest

from parcours.text import cx_words, features, lexicon


def reading(text: str, lang: str) -> float:
    return lexicon.polarity(features.tokens(text), lexicon.of(lang))


def test_negation_flips_and_phrases_count_once():
    assert reading("Conseiller très satisfait", "fr") > 0
    assert reading("Je ne suis pas satisfait", "fr") < 0
    assert reading("Toujours pas de remboursement", "fr") == lexicon.of("fr").entries[("toujours", "pas")]
    assert reading("Aucune réponse à mes courriers", "fr") < 0
    assert reading("Keine Antwort, nicht erreichbar", "de") < 0
    assert reading("Muy amable y rápido", "es") > 0
    assert reading("the agent was not helpful", "en") < 0
    assert lexicon.of("xx") is None and lexicon.of(None) is None


def test_every_customer_service_word_is_an_entry_with_its_sign():
    for lang, by_sign in cx_words.WORDS.items():
        lex = lexicon.of(lang)
        for sign, words in by_sign.items():
            for word in words.split():
                key = tuple(t.removeprefix("NEG_") for t in features.tokens(word.replace("_", " ")))
                assert lex.entries.get(key) == sign, (lang, word)


def test_languages_have_lexicons():
    assert set(lexicon.languages()) >= {"fr", "en", "de", "es", "nl"}


def test_shipped_file_holds_its_sources(shared_data):
    """French and German entries of ``models/lexicon.tsv.gz`` against the Pattern and German
    lexicons read with pandas: the mean over a form's senses, kept where |polarity| ≥ 0.1."""
    from importlib import resources

    base = shared_data / "sentiment_training" / "multilingual_sentiment_lexicons"
    src = pd.concat([pd.read_csv(base / "pattern_subjectivity_lexicon_fr_nl_en.csv.gz"),
                     pd.read_csv(base / "german_polarity_lexicon_de.csv.gz")])
    src = src[src.language.isin(["fr", "de"])].dropna(subset=["text"])
    src["text"] = src.text.astype(str).str.strip().str.lower()
    expected = src.groupby(["language", "text"]).label.mean()
    expected = expected[expected.abs() >= 0.1].round(3)
    ref = resources.files("parcours.text") / "models" / "lexicon.tsv.gz"
    with resources.as_file(ref) as path:
        shipped = pd.read_csv(path, sep="\t", header=None, names=["language", "text", "label"],
                              keep_default_na=False, quoting=3)
    shipped = shipped[shipped.language.isin(["fr", "de"])].set_index(["language", "text"]).label
    pd.testing.assert_series_equal(shipped.sort_index(), expected.sort_index(), check_names=False)
