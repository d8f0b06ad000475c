"""Themes are made of the customers' words: never of the placeholders the text features write
for numbers, links and mentions, nor of pronouns (issue 24, §3: a theme named "num" led the
irritants of French insurance reviews)."""

from __future__ import annotations

import pandas as pd

from parcours.text.themes import Comment, find_themes, terms_of


def test_numbers_links_and_mentions_are_not_terms():
    terms, _ = terms_of("Remboursé après 3 mois, voir https://exemple.fr et @assureur : 45 jours d'attente")
    assert not {t for t in terms if {"num", "url", "user"} & set(t.split())}
    assert "mois" in terms and "jour attente" in terms   # the words around them stay


def test_no_theme_of_placeholders_or_pronouns_on_real_reviews(shared_data):
    df = pd.read_csv(shared_data / "customer_reviews" / "fr_insurance_reviews" / "insurance_fr.csv.gz")
    df = df.dropna(subset=["text"]).drop_duplicates("text").sample(3000, random_state=4)
    comments = [Comment(text=t, label="negative" if r <= 2 else "positive" if r >= 4 else "neutral",
                        sentiment=None, detractor=r <= 2) for t, r in zip(df.text, df.rating)]
    themes, _ = find_themes(comments)
    assert themes, "no theme found in 3,000 reviews"
    words = {w for t in themes for term in [t["theme"], *t["key_terms"]] for w in term.split()}
    assert not words & {"num", "url", "user", "ils", "elles", "leurs"}, sorted(words)
