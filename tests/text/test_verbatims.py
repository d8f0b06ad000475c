"""Verbatims through ``parcours.feedback``: every row kept, sentiment beside the score, themes.

Expected values are recomputed here with pandas from the written tables and the input.
"""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

from parcours.project.feedback import feedback
from parcours.model import map_from_dict

MAP = map_from_dict({
    "language": "fr",
    "stages": [{"id": "achat", "name": "Achat"}, {"id": "livraison", "name": "Livraison"}],
    "touchpoints": [{"id": "panier", "stage": "achat"}, {"id": "colis", "stage": "livraison"}],
})

NEG = ["Les frais de livraison sont scandaleux, je suis déçu.", "Frais de livraison beaucoup trop chers, nul.",
       "Encore des frais de livraison cachés, inadmissible !", "Colis arrivé en retard et abîmé, très déçu.",
       "Service client injoignable, aucune réponse, honteux."]
POS = ["Livraison rapide, très contente, merci !", "Super accueil en magasin, vendeuse adorable.",
       "Produit parfait, livraison rapide, je recommande.", "Excellent rapport qualité prix, ravie.",
       "Commande simple et rapide, parfait."]


def survey(n: int = 400, seed: int = 1) -> pd.DataFrame:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        bad = rnd.random() < 0.4
        rows.append({"id": i, "score": rnd.randint(0, 5) if bad else rnd.randint(8, 10),
                     "avis": rnd.choice(NEG if bad else POS) if rnd.random() < 0.9 else "",
                     "touchpoint": rnd.choice(["panier", "colis"]), "note_interne": f"x{i}"})
    rows.append({"id": n, "score": 0, "avis": "Parfait, super, je recommande, génial !", "touchpoint": "colis",
                 "note_interne": "ironie"})
    rows.append({"id": n + 1, "score": 42, "avis": "hors échelle", "touchpoint": "colis", "note_interne": "bad"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    d = tmp_path_factory.mktemp("verb")
    df = survey()
    df.to_csv(d / "nps.csv", index=False)
    r = feedback(d / "nps.csv", MAP, metric="nps", columns={"comment": "avis"})
    r.save(d / "out")
    return df, r, pd.read_csv(d / "out" / "feedback_responses.csv", keep_default_na=False, na_values=[""])


def test_every_row_and_column_kept_with_the_four_added(result):
    df, r, resp = result
    assert len(resp) == len(df)
    assert list(resp.columns[: len(df.columns)]) == list(df.columns)
    assert resp["id"].tolist() == df["id"].tolist()
    for col in ("language", "sentiment_label", "sentiment_score", "theme"):
        assert col in resp.columns
    bad = resp[resp["id"] == len(df) - 1].iloc[0]
    assert pd.isna(bad["sentiment_label"]) and "scale" in bad["quarantine_reason"]
    ok = resp[resp["quarantine_reason"].isna()]
    assert ok["sentiment_label"].notna().all()  # every accepted row has a score, so a sentiment
    commented = ok[ok["avis"].notna()]
    assert (commented["language"] == "fr").mean() > 0.95
    assert ok.loc[ok["avis"].isna(), "sentiment_source"].eq("score").all()


def test_sentiment_never_contradicts_an_extreme_score(result):
    df, r, resp = result
    ok = resp[resp["quarantine_reason"].isna()]
    assert not ((ok["score"] == 0) & (ok["sentiment_label"] == "positive")).any()
    assert not ((ok["score"] == 10) & (ok["sentiment_label"] == "negative")).any()
    irony = ok[ok["note_interne"] == "ironie"].iloc[0]
    assert irony["sentiment_text_score"] > 0.3 and irony["sentiment_flag"] == "text contradicts score"
    # the combination as documented: mean of the text score and the score put on -1..1
    both = ok[ok["sentiment_source"] == "text+score"]
    want = (both["sentiment_text_score"] + (2 * both["score"] / 10 - 1)) / 2
    assert both["sentiment_score"].to_numpy() == pytest.approx(want.to_numpy())
    flagged = ok["sentiment_flag"].notna().sum()
    assert r.data["verbatims"]["contradictions"] == flagged


def _has(text: str, term: str) -> bool:
    words = re.findall(r"\w+", text.lower())
    return all(any(w == t or w == t + "s" or w == t + "x" or w.rstrip("sx") == t.rstrip("sx") for w in words)
               for t in term.lower().split() if t not in ("de", "du", "des", "la", "le"))


def test_injected_irritant_is_found_and_its_figures_reconcile(result):
    df, r, resp = result
    themes = r.data["themes"]
    irritant = next(t for t in themes if t["kind"] == "irritant" and "livraison" in t["theme"] and "frais" in t["theme"])
    members = resp[resp["theme"] == irritant["theme"]]
    assert irritant["size"] == len(members) > 0
    assert (members["sentiment_label"] == "negative").all()
    assert all(any(_has(c, k) for k in irritant["key_terms"]) for c in members["avis"])
    # every negative comment that mentions the fees is in the theme (first-ranked irritant wins)
    fees = resp[(resp["sentiment_label"] == "negative") & resp["avis"].fillna("").str.contains("rais de livraison")]
    if themes.index(irritant) == 0:
        assert set(fees["id"]) == set(members["id"])
    detractor_comments = resp[(resp["score"] <= 6) & resp["avis"].notna() & resp["quarantine_reason"].isna()]
    assert irritant["share_of_detractor_comments"] == pytest.approx((members["score"] <= 6).sum() / len(detractor_comments))
    assert irritant["mean_score"] == pytest.approx(members["score"].mean())
    where = members.groupby("touchpoint").size().sort_values(ascending=False).to_dict()
    assert {x["touchpoint"]: x["comments"] for x in irritant["touchpoints"]} == where
    assert len(irritant["quotes"]) == 3 and all(q in set(members["avis"]) for q in irritant["quotes"])
    delight = [t for t in themes if t["kind"] == "delight"]
    assert delight and all((resp[resp["theme"] == t["theme"]]["sentiment_label"] == "positive").all() for t in delight)


def test_emotion_per_touchpoint_and_themes_in_frictions_input(result):
    df, r, resp = result
    points = {p["touchpoint"]: p for p in r.data["emotion_by_touchpoint"]}
    for tp, nps in ((x["touchpoint"], x["value"]) for x in r.data["by_touchpoint"]):
        assert points[tp]["satisfaction"] == pytest.approx((nps + 100) / 2)  # one metric, no unscored comment
    by_tp = {x["touchpoint"]: x for x in r.data["verbatims"]["by_touchpoint"]}
    kinds = {t["theme"]: t["kind"] for t in r.data["themes"]}
    ok = resp[resp["quarantine_reason"].isna() & resp["avis"].notna()]
    for tp, g in ok.groupby("touchpoint"):
        irritant = g["theme"].map(kinds).eq("irritant").sum()
        assert by_tp[tp]["comments"] == len(g) and by_tp[tp]["irritant_comments"] == irritant
        assert by_tp[tp]["irritant_share"] == pytest.approx(irritant / len(g))
