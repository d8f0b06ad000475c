"""Learning from the team's scores, measured: adapted on half of a set's scored comments, read
on the other half, against the shipped model and the lexicon peers on the same texts.

Runs with Parcours alone (peers where installed, in a throwaway environment: never
dependencies). The sets are ../shared/data/customer_reviews (no licence stated: measured here,
never trained into shipped weights; the adapted models are not kept).

    .venv/bin/python bench/sentiment/adapt.py                  # the table
    .venv/bin/python bench/sentiment/adapt.py --speed 100000   # + time for 100k comments

A set's halves: CRC-32 of the text even (scored, adapted on) or odd (read). Labels: 1–2★
negative, 3★ neutral, 4–5★ positive; OpeNER: its derived document polarity (positive and
mostly_positive, negative and mostly_negative; mixed as neutral; none left out).
Figures: balanced accuracy of negative vs positive (the mean of the two recalls, neutral texts
left out, a text read positive when P(positive) ≥ P(negative), peers when their score ≥ 0) and
the 3-class macro-F1. Learning curve: adapted on n scored comments drawn from the scored half.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from parcours.text import adapt as A  # noqa: E402
from parcours.text import features as F  # noqa: E402
from parcours.text import sentiment as S  # noqa: E402

LABEL = {"negative": 0, "neutral": 1, "positive": 2}


def stars(r: pd.Series) -> pd.Series:
    return pd.Series(np.where(r <= 2, "negative", np.where(r == 3, "neutral", "positive")), index=r.index)


def sets(shared: Path) -> list[tuple[str, str, pd.DataFrame]]:
    cr = shared / "data/customer_reviews"
    out = []
    fr = pd.read_csv(cr / "fr_insurance_reviews/insurance_fr.csv.gz").dropna(subset=["text"])
    out.append(("fr", "insurance reviews (FR)", fr.assign(label=stars(fr["rating"]))))
    pet = pd.read_csv(cr / "en_trustpilot_pet_insurance/pet_insurance_en.csv.gz").dropna(subset=["text"])
    out.append(("en", "pet insurance reviews (EN, Trustpilot)", pet.assign(label=stars(pet["rating"]))))
    op = pd.read_csv(cr / "opener_hotel_attraction_reviews/opener_reviews.csv.gz").dropna(subset=["text"])
    op = op[op["label"] != "none"]
    op = op.assign(label=op["label"].map({"positive": "positive", "mostly_positive": "positive",
                                          "negative": "negative", "mostly_negative": "negative", "mixed": "neutral"}))
    for lang in ("fr", "en", "de", "es"):
        out.append((lang, f"hotel & attraction reviews ({lang.upper()}, OpeNER)", op[op["language"] == lang]))
    return [(lang, name, df.drop_duplicates("text").reset_index(drop=True)) for lang, name, df in out]


def figures(y: np.ndarray, p: np.ndarray) -> dict:
    b = A.balanced_accuracy(y, p)
    return {"balanced_accuracy": b["value"], "ci": [b["ci_low"], b["ci_high"]], "n_polar": b["n"],
            "macro_f1": A.macro_f1(y, p), "n": int(len(y))}


def peers(texts: list[str], lang: str) -> dict[str, np.ndarray]:
    out = {}
    try:
        from textblob import TextBlob

        if lang == "en":
            out["TextBlob"] = np.array([TextBlob(t).sentiment.polarity for t in texts])
        elif lang == "fr":
            from textblob_fr import PatternAnalyzer, PatternTagger

            kw = {"pos_tagger": PatternTagger(), "analyzer": PatternAnalyzer()}
            out["textblob-fr"] = np.array([TextBlob(t, **kw).sentiment[0] for t in texts])
        elif lang == "de":
            from textblob_de import TextBlobDE

            out["textblob-de"] = np.array([TextBlobDE(t).sentiment.polarity for t in texts])
    except ImportError:
        pass
    if lang == "en":
        try:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            v = SentimentIntensityAnalyzer()
            out["VADER"] = np.array([v.polarity_scores(t)["compound"] for t in texts])
        except ImportError:
            pass
    return out


def peer_proba(s: np.ndarray, neutral: float) -> np.ndarray:
    """A peer's score as class probabilities: neutral within ±``neutral``, else its sign."""
    p = np.stack([(s <= -neutral), (np.abs(s) < neutral), (s >= neutral)], axis=1).astype(float)
    p[:, 2] += (s >= 0) * 1e-9  # negative vs positive: the sign of the score
    p[:, 0] += (s < 0) * 1e-9
    return p


def measure(lang: str, df: pd.DataFrame, curve: list[int]) -> dict:
    even = df["text"].map(lambda t: zlib.crc32(t.encode("utf-8")) % 2 == 0).to_numpy()
    y = df["label"].map(LABEL).to_numpy()
    x = F.matrix(df["text"].tolist(), [lang] * len(df))
    train, test = np.flatnonzero(even), np.flatnonzero(~even)
    res: dict = {"texts": int(len(df)), "scored_half": int(len(train)), "read_half": int(len(test))}
    started = time.perf_counter()
    learnt = A.learn(x.take(train), [df["label"].iloc[i] for i in train], [lang] * len(train))[lang]
    res["learn_seconds"] = time.perf_counter() - started
    res["used"] = learnt.used
    res["cross_validated"] = learnt.adapted
    model = learnt.model
    xt, yt = x.take(test), y[test]
    if model is not None:
        res["adapted (read half)"] = figures(yt, model.probabilities(xt))
    shipped = S.model(lang)
    if shipped is not None:
        res["shipped (read half)"] = figures(yt, shipped.probabilities(xt))
    for name, score in peers(df["text"].iloc[test].tolist(), lang).items():
        res[f"{name} (read half)"] = figures(yt, peer_proba(score, 0.05 if name == "VADER" else 0.1))
    res["curve"] = {}
    rng = np.random.default_rng(0)
    for n in curve:
        if n > len(train):
            continue
        pick = np.sort(rng.choice(train, n, replace=False))
        lexicon = (shipped.lexicon_weight, shipped.negation_weight) if shipped is not None else (0.0, 0.0)
        xp, yp = x.take(pick), y[pick]  # as a run learns (text.adapt.learn): the penalty by cross-validation
        l2, _ = A.cross_validate(xp, yp, A.folds(n, np.random.default_rng(A.SEED)), language=lang, lexicon=lexicon)
        m = A.train(xp, yp, language=lang, lexicon=lexicon, l2=l2)
        res["curve"][n] = figures(yt, m.probabilities(xt))["balanced_accuracy"]
    if "domain" in df and df["domain"].nunique() > 1:  # OpeNER: hotels and tourist attractions
        res["by_domain"] = {}
        for domain in sorted(df["domain"].unique()):
            sel = (df["domain"].to_numpy()[test] == domain)
            xd, yd = xt.take(np.flatnonzero(sel)), yt[sel]
            res["by_domain"][domain] = {
                "adapted": figures(yd, model.probabilities(xd)) if model is not None else None,
                "shipped": figures(yd, shipped.probabilities(xd)) if shipped is not None else None}
    return res


def speed(shared: Path, n: int) -> dict:
    """Seconds for ``n`` French comments (the insurance reviews repeated), half with a score,
    through what a run does: language, features and learning (:func:`parcours.analysis.
    verbatims.learn`), then the text score of every comment; VADER on the same texts when
    installed (a lexicon: no learning)."""
    from parcours.analysis import verbatims as V

    df = pd.read_csv(shared / "data/customer_reviews/fr_insurance_reviews/insurance_fr.csv.gz").dropna(subset=["text"])
    reps = n // len(df) + 1
    texts, ratings = (df["text"].tolist() * reps)[:n], (df["rating"].tolist() * reps)[:n]
    records = [{"seq": i, "comment": t, "score": float(r) if i % 2 == 0 else None, "metric": "csat" if i % 2 == 0 else None,
                "language": None, "stage": None, "touchpoint": None} for i, (t, r) in enumerate(zip(texts, ratings))]
    out = {"comments": n, "scored": (n + 1) // 2}
    t0 = time.perf_counter()
    models = V.learn(records, {"csat": [1, 5]})
    t1 = time.perf_counter()
    languages = [models.language_of[i] for i in range(n)]
    models.text_scores(list(range(n)), texts, languages)
    t2 = time.perf_counter()
    out.update(learn_seconds=t1 - t0, read_seconds=t2 - t1, total_seconds=t2 - t0,
               adapted=models.languages["fr"].used == "adapted")
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        v = SentimentIntensityAnalyzer()
        t3 = time.perf_counter()
        for t in texts:
            v.polarity_scores(t)
        out["vader_seconds"] = time.perf_counter() - t3
    except ImportError:
        pass
    return out


BANDS = [0.0, 0.1, 0.2, 1 / 3, 0.5, 0.6]


def band(shared: Path) -> dict:
    """The neutral band of a comment without a score: the text decides negative below −t,
    positive above t (t = ``sentiment.THRESHOLD``). The 3-class macro-F1 of that rule with the
    shipped models for each t of ``BANDS``, on every set (whole), the share of 1★ reviews it
    reads neutral, and the t with the best mean macro-F1 on the OpeNER sets (the tuning set)."""
    out: dict = {"bands": BANDS, "sets": {}}
    for lang, name, df in sets(shared):
        y = df["label"].map(LABEL).to_numpy()
        s = S.text_scores(df["text"].tolist(), [lang] * len(df))
        rec = {"lang": lang, "n": int(len(df)), "macro_f1": {}, "one_star_neutral": {}}
        for t in BANDS:
            pred = np.where(s < -t, 0, np.where(s > t, 2, 1))
            rec["macro_f1"][f"{t:.2f}"] = A.macro_f1(y, np.eye(3)[pred])
            if "rating" in df:
                rec["one_star_neutral"][f"{t:.2f}"] = float(np.mean(np.abs(s[df["rating"].to_numpy() == 1]) <= t))
        out["sets"][name] = rec
    tuning = [r for n, r in out["sets"].items() if "OpeNER" in n]
    out["best_on_tuning"] = max(BANDS, key=lambda t: np.mean([r["macro_f1"][f"{t:.2f}"] for r in tuning]))
    out["product"] = S.THRESHOLD
    return out


def markdown(results: dict) -> str:
    lines = [f"Text sentiment adapted to a team's scores — {results['date']}, {results['machine']} "
             "(bench/sentiment/adapt.py)", "",
             "Balanced accuracy, negative vs positive, on the half *not* adapted on (n = its polar texts); "
             "3-class macro-F1 in brackets.", "",
             "| set | lang | n | adapted on the other half | shipped model | peers | cross-validated (scored half) |",
             "|---|---|---|---|---|---|---|"]

    def cell(f: dict | None) -> str:
        if not f or f.get("balanced_accuracy") is None:
            return "–"
        return f"{f['balanced_accuracy']:.3f} ({f['macro_f1']:.2f})"

    for name, r in results["sets"].items():
        peer = ", ".join(f"{k.split(' (')[0]} {cell(v)}" for k, v in r.items()
                         if k.endswith("(read half)") and not k.startswith(("adapted", "shipped")))
        cv = r.get("cross_validated") or {}
        cvb = (cv.get("balanced_accuracy") or {}).get("value")
        lines.append(f"| {name} | {r['lang']} | {r['adapted (read half)']['n_polar'] if 'adapted (read half)' in r else '–'} "
                     f"| {cell(r.get('adapted (read half)'))} | {cell(r.get('shipped (read half)'))} | {peer or '–'} "
                     f"| {f'{cvb:.3f}' if cvb is not None else '–'} |")
    lines += ["", "Learning curve: balanced accuracy on the read half, adapted on n scored comments:", "",
              "| set | " + " | ".join(str(n) for n in results["curve_sizes"]) + " |",
              "|---|" + "---|" * len(results["curve_sizes"])]
    for name, r in results["sets"].items():
        lines.append(f"| {name} | " + " | ".join(
            f"{r['curve'][n]:.3f}" if n in r["curve"] else "–" for n in results["curve_sizes"]) + " |")
    domains = [(name, d, r) for name, res in results["sets"].items() for d, r in res.get("by_domain", {}).items()]
    if domains:
        lines += ["", "By domain (OpeNER, read half): balanced accuracy adapted / shipped (n = polar texts):", "",
                  "| set | domain | n | adapted | shipped |", "|---|---|---|---|---|"]
        for name, d, r in domains:
            a, s_ = r["adapted"], r["shipped"]
            lines.append(f"| {name} | {d} | {(a or s_)['n_polar']} | {a['balanced_accuracy']:.3f} | "
                         f"{s_['balanced_accuracy']:.3f} |" if a else
                         f"| {name} | {d} | {s_['n_polar']} | – | {s_['balanced_accuracy']:.3f} |")
    if results.get("band"):
        b = results["band"]
        lines += ["", "Neutral band (a comment without a score: negative below −t, positive above t), shipped models, "
                      f"3-class macro-F1 (1★ read neutral); best mean on the OpeNER sets: t = {b['best_on_tuning']:.2f} "
                      f"(Parcours: {b['product']:.2f}):", "",
                  "| set | " + " | ".join(f"t = {t:.2f}" for t in b["bands"]) + " |", "|---|" + "---|" * len(b["bands"])]
        for name, r in b["sets"].items():
            lines.append(f"| {name} | " + " | ".join(
                f"{r['macro_f1'][f'{t:.2f}']:.3f}" + (f" ({r['one_star_neutral'][f'{t:.2f}']:.1%})"
                                                      if r["one_star_neutral"] else "") for t in b["bands"]) + " |")
    if "speed" in results:
        s = results["speed"]
        vader = f"; VADER on the same texts {s['vader_seconds']:.1f} s" if "vader_seconds" in s else ""
        lines += ["", f"Speed, {s['comments']:,} French comments ({s['scored']:,} with a score): language, features "
                      f"and learning (5 folds + final) {s['learn_seconds']:.1f} s, then the text score of every comment "
                      f"{s['read_seconds']:.1f} s; total {s['total_seconds']:.1f} s{vader}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out")
    ap.add_argument("--speed", type=int, default=0, help="also time this many comments")
    args = ap.parse_args()
    curve = [50, 100, 200, 400, 800, 1600, 3200]
    results: dict = {"date": dt.date.today().isoformat(),
                     "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "curve_sizes": curve, "sets": {}}
    for lang, name, df in sets(args.shared):
        print(f"{name}: {len(df):,} texts", flush=True)
        r = measure(lang, df, curve)
        r["lang"] = lang
        results["sets"][name] = r
        print("  " + ", ".join(f"{k}: {v['balanced_accuracy']:.3f}" for k, v in r.items()
                               if k.endswith("(read half)") and v["balanced_accuracy"] is not None), flush=True)
    results["band"] = band(args.shared)
    print(f"neutral band: best on the tuning sets {results['band']['best_on_tuning']:.2f}", flush=True)
    if args.speed:
        results["speed"] = speed(args.shared, args.speed)
        print(results["speed"], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sentiment_adapt.json").write_text(json.dumps(results, indent=2, default=str))
    (args.out / "sentiment_adapt.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
