"""The shipped sentiment models on real labelled text they were never trained on.

bench/sentiment/train.py holds out the texts whose CRC-32 ≡ 0 (mod 5) — Babelio reviews in
French, airline tweets in English — and trains on the rest. Here the same rule picks the
held-out texts, and the figures are computed with plain Python, not with the training code.
"""

from __future__ import annotations

import zlib

import pandas as pd
import pytest

from parcours.text import language, sentiment

LABELS = {-1: "negative", 0: "neutral", 1: "positive"}


def held_out(texts: pd.Series) -> pd.Series:
    return texts.map(lambda t: zlib.crc32(t.encode("utf-8")) % 5 == 0)


def macro_f1(truth: list[str], pred: list[str]) -> float:
    f1s = []
    for c in sorted(set(truth)):
        tp = sum(t == c and p == c for t, p in zip(truth, pred))
        fp = sum(t != c and p == c for t, p in zip(truth, pred))
        fn = sum(t == c and p != c for t, p in zip(truth, pred))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


def text_labels(texts: list[str], lang: str) -> tuple[list[str], list[float]]:
    scores = sentiment.text_scores(texts, [lang] * len(texts))
    m = sentiment.model(lang)
    proba = m.probabilities(texts)
    return [("negative", "neutral", "positive")[row.argmax()] for row in proba], list(scores)


@pytest.fixture(scope="module")
def babelio(shared_data):
    df = pd.read_json(shared_data / "french_book_reviews" / "babelio_reviews.jsonl.gz", lines=True)
    df = df[df.reader_review.str.strip().str.len() > 0].drop_duplicates("reader_review")
    return df[held_out(df.reader_review)]


def test_french_positive_negative_accuracy_on_held_out_babelio(babelio):
    texts = babelio.reader_review.tolist()
    pred, scores = text_labels(texts, "fr")
    truth = [LABELS[v] for v in babelio.label]
    polar = [i for i, t in enumerate(truth) if t != "neutral"]
    # positive vs negative: the sign of P(positive) - P(negative)
    pn_pred = ["positive" if scores[i] >= 0 else "negative" for i in polar]
    pn_truth = [truth[i] for i in polar]
    accuracy = sum(p == t for p, t in zip(pn_pred, pn_truth)) / len(polar)
    recall = {c: sum(p == t == c for p, t in zip(pn_pred, pn_truth)) / pn_truth.count(c) for c in ("positive", "negative")}
    balanced = sum(recall.values()) / 2
    # Spearman: Pearson correlation of the ranks (ties averaged)
    rho = pd.Series(scores).rank().corr(babelio.rating.reset_index(drop=True).rank())
    print(f"\nFR held-out Babelio: n={len(texts)}, pos/neg accuracy {accuracy:.3f}, balanced {balanced:.3f}, "
          f"3-class macro-F1 {macro_f1(truth, pred):.3f}, Spearman with rating {rho:.3f}")
    assert accuracy > 0.85                      # the target
    assert balanced > 0.60 and recall["negative"] > 0.35  # not by calling everything positive
    assert rho > 0.30                           # textblob-fr: 0.16 on the same texts (bench/out/sentiment.md)


def test_english_macro_f1_on_held_out_airline_tweets(airline_tweets):
    df = airline_tweets[held_out(airline_tweets.text)]
    pred, _ = text_labels(df.text.tolist(), "en")
    truth = df.sentiment.tolist()
    f1 = macro_f1(truth, pred)
    accuracy = sum(p == t for p, t in zip(pred, truth)) / len(truth)
    print(f"\nEN held-out airline tweets: n={len(truth)}, accuracy {accuracy:.3f}, macro-F1 {f1:.3f}")
    assert f1 > 0.65 and accuracy > 0.7         # VADER: macro-F1 0.46, accuracy 0.49 (the anchor)


def test_language_detection_on_real_text(babelio, airline_tweets):
    fr = babelio.reader_review[babelio.reader_review.str.len() >= 20].tolist()
    en = airline_tweets.text.head(2000).tolist()
    fr_ok = sum(language.detect_one(t)[0] == "fr" for t in fr) / len(fr)
    en_ok = sum(language.detect_one(t)[0] == "en" for t in en) / len(en)
    print(f"\nlanguage: French reviews {fr_ok:.3f}, English tweets {en_ok:.3f}")
    assert fr_ok > 0.97 and en_ok > 0.97


def test_english_out_of_domain_on_pet_insurance_reviews(shared_data):
    """Issue 24's bar for a shipped model: ≥ 0.80 balanced accuracy (1–2★ vs 4–5★, text only) on
    customer reviews of a domain it never saw (measured only: no licence stated)."""
    df = pd.read_csv(shared_data / "customer_reviews" / "en_trustpilot_pet_insurance" / "pet_insurance_en.csv.gz")
    df = df.dropna(subset=["text"]).drop_duplicates("text").sample(8000, random_state=0)
    df = df[df.rating != 3]
    scores = pd.Series(sentiment.text_scores(df.text.tolist(), ["en"] * len(df)), index=df.index)
    negative, positive = df.rating <= 2, df.rating >= 4
    balanced = ((scores[negative] < 0).mean() + (scores[positive] >= 0).mean()) / 2
    print(f"\nEN pet-insurance reviews (out of domain): n={len(df)}, balanced accuracy {balanced:.3f}")
    assert balanced >= 0.80   # the shipped model before: 0.783; VADER 0.755 (bench/sentiment/adapt.py)
