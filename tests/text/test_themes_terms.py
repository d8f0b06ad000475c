"""Themes are made of the customers' words: never of the placeholders the text features write
for numbers, links and mentions, nor of pronouns (issue 24, §3: a theme named "num" led the
irritants of French insurance reviews)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from parcours.text.themes import Comment, domain_words, find_themes, names, terms_of


def test_numbers_links_and_mentions_are_not_terms():
    terms, _ = terms_of("Remboursé après 3 mois, voir https://exemple.fr et @assureur : 45 jours d'attente")
    assert not {t for t in terms if {"num", "url", "user"} & set(t.split())}
    assert {"remboursé", "attente"} <= terms   # the words around them stay
    assert not terms & {"mois", "jour", "après"}   # units of time name nothing to act on (waiting is an aspect)


def test_no_theme_of_placeholders_or_pronouns_on_real_reviews(shared_data):
    df = pd.read_csv(shared_data / "customer_reviews" / "fr_insurance_reviews" / "insurance_fr.csv.gz")
    df = df.dropna(subset=["text"]).drop_duplicates("text").sample(3000, random_state=4)
    comments = [Comment(text=t, label="negative" if r <= 2 else "positive" if r >= 4 else "neutral",
                        sentiment=None, detractor=r <= 2) for t, r in zip(df.text, df.rating)]
    themes, _ = find_themes(comments)
    assert themes, "no theme found in 3,000 reviews"
    words = {w for t in themes for term in [t["theme"], *t["key_terms"]] for w in term.split()}
    assert not words & {"num", "url", "user", "ils", "elles", "leurs"}, sorted(words)


def _comments(df: pd.DataFrame) -> list[Comment]:
    return [Comment(text=t, label="negative" if r <= 2 else "positive" if r >= 4 else "neutral",
                    sentiment=None, detractor=r <= 2) for t, r in zip(df.text, df.rating)]


def test_names_and_domain_words_are_found():
    comments = [Comment(text=f"Très déçu. J'ai appelé Zorgo Assurances {i} fois, zorgo ne répond jamais.", label="negative",
                        sentiment=None, detractor=True) for i in range(4)]
    comments += [Comment(text="Mon assurance chez Zorgo est parfaite, merci Zorgo.", label="positive", sentiment=None,
                         detractor=False) for _ in range(4)]
    assert names(comments, 3) >= {"zorgo"}  # written with a capital 7 times of 8 inside a sentence
    for c in comments:
        c.terms = terms_of(c.text)[0]
    df = Counter(t for c in comments for t in c.terms)
    assert "assurance" in domain_words(comments, df, 3)   # in every negative and positive comment
    assert "parfaite" not in domain_words(comments, df, 3)


def test_themes_are_not_time_words_domain_words_nor_brand_names(shared_data):
    """Before: the irritants of French insurance reviews were "mois après", "jours après", "ans",
    "jour", "rien", "contrat d'assurance" (issue 24, §3)."""
    for folder, name_column in (("fr_insurance_reviews/insurance_fr.csv.gz", "insurer"),
                                ("en_trustpilot_pet_insurance/pet_insurance_en.csv.gz", "company")):
        df = pd.read_csv(shared_data / "customer_reviews" / folder).dropna(subset=["text"]).drop_duplicates("text")
        df = df.sample(6000, random_state=1)
        themes, _ = find_themes(_comments(df))
        words = {w for t in themes for term in [t["theme"], *t["key_terms"]] for w in term.split()}
        brands = {w.lower() for n in df[name_column].dropna().unique() for w in n.replace("-", " ").split()}
        brands -= {"direct", "de", "du", "la", "le", "pet", "the"}  # a brand's common words may be customers' too
        assert len([t for t in themes if t["kind"] == "irritant"]) >= 5
        assert not words & brands, sorted(words & brands)
        assert not words & {"mois", "jour", "an", "ans", "année", "month", "year", "day", "rien", "jamais", "nothing",
                            "never", "company"}, sorted(words)
        # the domain's words: in no theme's name, and no theme's term alone (a phrase may hold one)
        named = {w for t in themes for w in t["theme"].split()} | {k for t in themes for k in t["key_terms"] if " " not in k}
        assert not named & {"assurance", "insurance", "pet"}, sorted(named)


def test_irritants_hold_between_two_random_halves(shared_data):
    """The top five irritants of French insurance reviews: at least four the same in two random
    halves of the reviews (measured: 4 or 5 over three splits; English pet insurance 3 to 5)."""
    df = pd.read_csv(shared_data / "customer_reviews" / "fr_insurance_reviews" / "insurance_fr.csv.gz")
    df = df.dropna(subset=["text"]).drop_duplicates("text")
    half = np.random.default_rng(0).permutation(len(df)) % 2
    tops = []
    for h in (0, 1):
        themes, _ = find_themes(_comments(df[half == h]))
        tops.append([t["key_terms"][0] for t in themes if t["kind"] == "irritant"][:5])
    assert len(set(tops[0]) & set(tops[1])) >= 4, tops
