"""Aspects of the customer relationship a CX lead can act on (issue 24, §3), on real reviews.

The figures of ``feedback_aspects.csv`` are recomputed here with pandas from the responses
table (each response's aspects and label) and a Wilson interval written in the test; the top
complaints of French insurance reviews are checked for what they are and for stability between
two random halves.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from parcours.model import map_from_dict
from parcours.project.feedback import feedback
from parcours.text.aspects import ASPECTS, aspects_of

MAP = map_from_dict({"language": "fr", "stages": [{"id": "contrat", "name": "Contrat"}]})
REVIEWS = "customer_reviews/fr_insurance_reviews/insurance_fr.csv.gz"


@pytest.mark.parametrize("text, lang, expected", [
    ("Remboursement toujours pas reçu, impossible de joindre quelqu'un au téléphone", "fr",
     {"claims", "contact", "delivery"}),  # "toujours pas": waiting
    ("Tarifs qui augmentent chaque année, je résilie mon contrat", "fr", {"price", "contract"}),
    ("Conseillère très aimable et compétente", "fr", {"staff"}),
    ("Je cherche encore une police moins contraignante", "fr", set()),  # chercher ≠ cher, police ≠ poli
    ("The rep was rude and I was on hold for an hour", "en", {"staff", "contact"}),
    ("I appreciate the appointment reminder", "en", set()),  # appreciate, appointment ≠ app
    ("My claim was denied and the fees went up", "en", {"claims", "price"}),
    ("Die Lieferung kam zu spät, der Preis ist zu hoch", "de", {"delivery", "price"}),
    ("El personal fue muy amable", "es", {"staff"}),
    ("Nooit bereikbaar via de telefoon", "nl", {"contact"}),
    ("Trop cher", "it", set()),  # a language without stems: no aspect
])
def test_aspects_of_a_comment(text, lang, expected):
    assert set(aspects_of(text, lang)) == expected


@pytest.fixture(scope="module")
def run(tmp_path_factory, shared_data):
    tmp = tmp_path_factory.mktemp("aspects")
    df = pd.read_csv(shared_data / REVIEWS).dropna(subset=["text"]).drop_duplicates("text")
    df = df.sample(2500, random_state=11)
    when = pd.to_datetime(df["date_publication"], dayfirst=True, errors="coerce").dt.strftime("%Y-%m-%d")
    pd.DataFrame({"note": df["rating"], "avis": df["text"], "date": when}).to_csv(
        tmp / "avis.csv", index=False)
    r = feedback(tmp / "avis.csv", MAP, metric="csat", timezone="Europe/Paris",
                 columns={"score": "note", "comment": "avis", "time": "date"})
    r.save(tmp / "out")
    return (pd.read_csv(tmp / "out" / "feedback_responses.csv"), pd.read_csv(tmp / "out" / "feedback_aspects.csv"), r)


def _wilson(k: int, n: int) -> tuple[float, float]:
    z, p = 1.96, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def test_the_aspects_table_reconciles_with_the_responses(run):
    resp, table, r = run
    commented = resp[resp["avis"].fillna("").str.strip() != ""]
    per = commented.assign(aspect=commented["aspects"].fillna("").str.split(" | ", regex=False)).explode("aspect")
    per = per[per["aspect"] != ""]
    expected = []
    for key, g in per.groupby("aspect"):
        labelled = g["sentiment_label"].notna()
        negative = int((g["sentiment_label"] == "negative").sum())
        low, high = _wilson(len(g), len(commented))
        nlow, nhigh = _wilson(negative, int(labelled.sum()))
        expected.append({"aspect": key, "name": ASPECTS[key]["name"]["fr"], "comments": len(g),
                         "share_of_comments": len(g) / len(commented), "share_ci_low": low, "share_ci_high": high,
                         "labelled": int(labelled.sum()), "negative": negative,
                         "negative_share": negative / labelled.sum(), "negative_ci_low": nlow, "negative_ci_high": nhigh})
    want = pd.DataFrame(expected).sort_values(["comments", "aspect"], ascending=[False, True]).reset_index(drop=True)
    got = table[want.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-9)
    assert r.data["verbatims"]["comments_with_an_aspect"] == int(commented["aspects"].notna().sum())
    # each aspect's comments per month add up to its comments with a time
    for a in r.data["aspects"]:
        assert sum(p["comments"] for p in a["by_period"]) == a["comments"]
        assert len(a["quotes"]) == min(3, a["comments"])


def test_top_complaints_of_insurance_reviews_are_recognisable_and_stable(shared_data):
    """The aspects most 1–2★ reviews speak of, on two random halves: the same top four (the
    docs show them with their shares)."""
    df = pd.read_csv(shared_data / REVIEWS).dropna(subset=["text"]).drop_duplicates("text")
    complaints = df[df["rating"] <= 2].reset_index(drop=True)
    half = np.random.default_rng(0).permutation(len(complaints)) % 2 == 0
    tops = []
    for side in (complaints[half], complaints[~half]):
        counts = pd.Series([a for t in side["text"] for a in aspects_of(t, "fr")]).value_counts()
        tops.append(list(counts.index[:4]))
    assert set(tops[0]) == set(tops[1])
    assert {"claims", "contact"} <= set(tops[0])   # claims and refunds, reaching someone: what insurers hear


def test_no_aspect_is_a_brand_or_the_domain(shared_data):
    """Aspects are the relationship's: none of the 56 insurers' names of these French reviews
    speaks of an aspect in French, nor does the domain's own word in any language."""
    df = pd.read_csv(shared_data / REVIEWS, usecols=["insurer"])
    for name in df["insurer"].dropna().unique():
        assert aspects_of(name, "fr") == [], name
    for word in ("assurance", "assureur", "insurance", "insurer", "Versicherung", "seguro", "verzekering"):
        for lang in ("fr", "en", "de", "es", "nl"):
            assert aspects_of(word, lang) == [], (word, lang)


def test_each_stage_names_what_its_negative_comments_speak_of(tmp_path, shared_data):
    """``by_stage``'s top aspect, recomputed with pandas from the responses: among a stage's
    negative comments, the aspect most of them speak of (ties: the aspects' order), its count,
    share and Wilson interval."""
    df = pd.read_csv(shared_data / REVIEWS).dropna(subset=["text", "product"]).drop_duplicates("text")
    products = df["product"].value_counts().index[:3].tolist()
    df = df[df["product"].isin(products)].sample(1500, random_state=5)
    ids = {p: f"s{i}" for i, p in enumerate(products)}
    m = map_from_dict({"language": "fr", "stages": [{"id": ids[p], "name": str(p)} for p in products]})
    pd.DataFrame({"note": df["rating"], "avis": df["text"], "etape": df["product"].map(ids)}).to_csv(
        tmp_path / "avis.csv", index=False)
    r = feedback(tmp_path / "avis.csv", m, metric="csat", columns={"score": "note", "comment": "avis", "stage": "etape"})
    r.save(tmp_path / "out")
    resp = pd.read_csv(tmp_path / "out" / "feedback_responses.csv")
    order = list(ASPECTS)
    got = {row["stage"]: row for row in r.data["verbatims"]["by_stage"]}
    assert set(got) == set(ids.values())
    for stage, g in resp.groupby("etape"):
        negative = g[g["sentiment_label"] == "negative"]
        counts = negative["aspects"].dropna().str.split(" | ", regex=False).explode().value_counts()
        top = min(counts.index, key=lambda a: (-counts[a], order.index(a)))
        low, high = _wilson(int(counts[top]), len(negative))
        row = got[stage]
        assert (row["top_aspect"], row["top_aspect_negative_comments"]) == (top, int(counts[top]))
        assert row["top_aspect_name"] == ASPECTS[top]["name"]["fr"]
        assert row["top_aspect_share_of_negative_comments"] == pytest.approx(counts[top] / len(negative))
        # the test's Wilson uses z = 1.96, the product's the exact 97.5% quantile
        assert (row["top_aspect_ci_low"], row["top_aspect_ci_high"]) == pytest.approx((low, high), abs=1e-5)


def test_a_friction_says_what_its_negative_comments_speak_of():
    from parcours.report.explain import explain_friction

    m = map_from_dict({"language": "fr", "stages": [{"id": "s", "name": "S"}],
                       "touchpoints": [{"id": "tp", "stage": "s", "name": "Service client"}]})
    record = {"touchpoint": "tp", "name": "Service client", "signals": {"exit": 0.4}, "drivers": ["exit"],
              "min_responses": 30, "answers": {}, "feedback": {}, "small_signals": [], "comments": 80,
              "top_aspect": {"aspect": "contact", "negative_comments": 21, "of_negative": 50, "share": 0.42,
                             "ci_low": 0.29, "ci_high": 0.56}}
    fr, en = explain_friction(record, m, "fr"), explain_friction(record, m, "en")
    assert "ses commentaires négatifs parlent surtout de contact et joignabilité : 21 sur 50 (42" in fr
    assert "its negative comments speak most of contact and reachability: 21 of 50 (42%, 95% interval 29%–56%)" in en
    assert "contact" not in explain_friction({**record, "top_aspect": None}, m, "en")
