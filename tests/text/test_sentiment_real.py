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
    # Book reviews are not customer feedback: the lexicon that makes the model hold on complaints
    # (insurance reviews 0.86, below) reads more of these long plot summaries as negative
    # (accuracy 0.873 → 0.715 on an 88% positive set; balanced accuracy 0.662 → 0.656).
    assert accuracy > 0.65
    assert balanced > 0.62 and recall["negative"] > 0.35  # not by calling everything positive
    assert rho > 0.20                           # textblob-fr: 0.16 on the same texts (bench/out/sentiment.md)


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


@pytest.mark.parametrize("lang, path", [
    ("fr", "fr_insurance_reviews/insurance_fr.csv.gz"),
    ("en", "en_trustpilot_pet_insurance/pet_insurance_en.csv.gz"),
])
def test_shipped_models_out_of_domain_on_insurance_reviews(shared_data, lang, path):
    """Issue 24's bar for a shipped model: ≥ 0.80 balanced accuracy (1–2★ vs 4–5★, text only) on
    customer reviews of a domain it never saw (measured only: no licence stated); and a 1★
    complaint is seldom read as neutral."""
    df = pd.read_csv(shared_data / "customer_reviews" / path)
    df = df.dropna(subset=["text"]).drop_duplicates("text").sample(8000, random_state=1)
    scores = pd.Series(sentiment.text_scores(df.text.tolist(), [lang] * len(df)), index=df.index)
    negative, positive = df.rating <= 2, df.rating >= 4
    balanced = ((scores[negative] < 0).mean() + (scores[positive] >= 0).mean()) / 2
    one_star_neutral = (scores[df.rating == 1].abs() <= sentiment.THRESHOLD).mean()
    print(f"\n{lang} insurance reviews (out of domain): n={int((negative | positive).sum())}, "
          f"balanced accuracy {balanced:.3f}, 1★ read neutral {one_star_neutral:.3f}")
    assert balanced >= 0.80   # French before the lexicon: 0.529 (textblob-fr 0.688); English 0.866 (VADER 0.755)
    assert one_star_neutral <= 0.12  # measured on the whole sets: 7.5% French, 3.8% English (bench/sentiment/adapt.py)


@pytest.fixture(scope="module")
def hotels(shared_data):
    df = pd.read_csv(shared_data / "customer_reviews" / "opener_hotel_attraction_reviews" / "opener_reviews.csv.gz")
    y = df.label.map({"negative": -1, "mostly_negative": -1, "positive": 1, "mostly_positive": 1})
    return df.assign(y=y).dropna(subset=["text", "y"])


@pytest.mark.parametrize("lang", ["de", "es"])
def test_german_and_spanish_models_read_hotel_reviews(hotels, lang):
    """German and Spanish have shipped models (subtitles + lexicon), measured on hotel reviews
    (the set their two lexicon weights were chosen on: a floor, not an out-of-domain figure)
    against the lexicon alone, computed here: the model does better than counting words."""
    from parcours.text import features, lexicon

    d = hotels[hotels.language == lang]
    scores = sentiment.text_scores(d.text.tolist(), [lang] * len(d))
    y = d.y.to_numpy()

    def balanced(s):
        return ((s[y < 0] < 0).mean() + (s[y > 0] >= 0).mean()) / 2

    words_only = pd.Series([lexicon.polarity(features.tokens(t), lexicon.of(lang)) for t in d.text]).to_numpy()
    model, lex = balanced(scores), balanced(words_only)
    print(f"\n{lang} hotel reviews: n={len(d)}, model {model:.3f}, lexicon alone {lex:.3f}")
    assert sentiment.model(lang) is not None and model >= 0.65 and model > lex


def test_function_words_never_take_another_language_for_french_or_english(shared_data, hotels):
    """The fast path of language detection (function words) on real texts in five languages:
    it never says French or English of a German, Spanish or Dutch text (by the set's language, or
    by py3langid where a set holds texts in another language), and decides most French and English reviews (what makes detection fast)."""
    xed = pd.read_csv(shared_data / "sentiment_training" / "multilingual_xed_subtitle_emotions"
                      / "xed_subtitles_fr_nl_de_es_en.csv.gz").dropna(subset=["text"])
    insurance = pd.read_csv(shared_data / "customer_reviews" / "fr_insurance_reviews" / "insurance_fr.csv.gz")
    pet = pd.read_csv(shared_data / "customer_reviews" / "en_trustpilot_pet_insurance" / "pet_insurance_en.csv.gz")
    sets = {("fr", "insurance"): insurance.text.dropna().sample(3000, random_state=3),
            ("en", "pet insurance"): pet.text.dropna().sample(3000, random_state=3)}
    for lang in ("de", "es", "fr", "en"):
        sets[(lang, "hotels")] = hotels[hotels.language == lang].text
    for lang in ("nl", "de", "es"):
        sets[(lang, "subtitles")] = xed[xed.language == lang].text
    decided = {}
    for (lang, name), texts in sets.items():
        said = [language._by_function_words(t) for t in texts]
        # wrong: neither the set's language nor py3langid's reading (a few reviews of the German
        # and Spanish hotel sets are written in English)
        wrong = [(t, s) for t, s in zip(texts, said) if s is not None and s != lang
                 and language._identifier().rank(t[:language.HEAD])[0][0] != s]
        assert not wrong, (lang, name, wrong[:3])
        decided[(lang, name)] = sum(s is not None for s in said) / len(said)
    print("\nfunction words decide:", {f"{k[0]} {k[1]}": round(v, 2) for k, v in decided.items()})
    assert decided[("fr", "insurance")] > 0.85 and decided[("en", "pet insurance")] > 0.4
