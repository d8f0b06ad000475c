"""Learning from the team's own scores (issue 24, §1), end to end on real customer reviews.

French insurance reviews (../shared/data/customer_reviews, used to measure only): half of them
keep their star rating as a CSAT score, the other half lose it, as reviews without a score
would. Parcours adapts its text model to the scored half and labels the other half; the test
measures those labels against the hidden ratings with its own code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parcours.model import map_from_dict
from parcours.project.feedback import feedback
from parcours.text import adapt as A

REVIEWS = "customer_reviews/fr_insurance_reviews/insurance_fr.csv.gz"
MAP = map_from_dict({"language": "fr", "stages": [{"id": "contrat", "name": "Contrat"}]})


def reviews(shared: Path, n: int, seed: int) -> pd.DataFrame:
    df = pd.read_csv(shared / REVIEWS).dropna(subset=["text"]).drop_duplicates("text")
    return df.sample(n, random_state=seed).reset_index(drop=True)


def half_scored(shared: Path, tmp: Path, n: int = 3000, seed: int = 3) -> tuple[Path, pd.DataFrame]:
    df = reviews(shared, n, seed)
    scored = np.arange(len(df)) % 2 == 0
    out = pd.DataFrame({"client": df["id"], "note": np.where(scored, df["rating"], np.nan), "avis": df["text"],
                        "etoiles": df["rating"]})
    path = tmp / "avis.csv"
    out.to_csv(path, index=False)
    return path, out


def balanced_accuracy(stars: pd.Series, text_score: pd.Series) -> float:
    """1–2★ vs 4–5★: the mean of the two recalls, a text read positive when its score is ≥ 0."""
    neg, pos = stars <= 2, stars >= 4
    return ((text_score[neg] < 0).mean() + (text_score[pos] >= 0).mean()) / 2


@pytest.fixture(scope="module")
def run(tmp_path_factory, shared_data):
    tmp = tmp_path_factory.mktemp("adapt")
    path, df = half_scored(shared_data, tmp)
    r = feedback(path, MAP, metric="csat", columns={"customer": "client", "score": "note", "comment": "avis"})
    r.save(tmp / "out")
    resp = pd.read_csv(tmp / "out" / "feedback_responses.csv")
    return tmp, df, r, resp


def test_adapted_on_the_scored_half_labels_the_other_half(run):
    """The issue's bar: ≥ 0.85 balanced accuracy when adapted on half of a set's scored
    comments and measured on the other half (the shipped French model reads them at ~0.5)."""
    _tmp, df, r, resp = run
    fr = next(x for x in r.data["text_model"]["languages"] if x["language"] == "fr")
    assert fr["used"] == "adapted" and fr["reason"] == "adapted"
    unscored = resp[resp["note"].isna()]
    assert len(unscored) == len(df) // 2
    measured = balanced_accuracy(unscored["etoiles"], unscored["sentiment_text_score"])
    assert measured >= 0.85
    # The figure the run reports (cross-validated on the scored half) is what the other half shows.
    cv = fr["adapted"]["balanced_accuracy"]
    assert abs(cv["value"] - measured) < 0.04
    assert cv["ci_low"] < cv["value"] < cv["ci_high"]
    # Its n: the scored French comments rated 1–2★ or 4–5★.
    scored_fr = resp[resp["note"].notna() & (resp["language"] == "fr")]
    assert cv["n"] == int((scored_fr["etoiles"] != 3).sum())
    assert fr["scored"] == len(scored_fr)
    assert fr["labels"] == {"negative": int((scored_fr["etoiles"] <= 2).sum()),
                            "neutral": int((scored_fr["etoiles"] == 3).sum()),
                            "positive": int((scored_fr["etoiles"] >= 4).sum())}
    # The shipped model's figure on the same comments, recomputed here from its text scores.
    shipped = fr["baseline"]["balanced_accuracy"]
    from parcours.text import sentiment as S

    p = S.model("fr").probabilities(scored_fr["avis"].tolist())
    assert shipped["value"] == pytest.approx(balanced_accuracy(scored_fr["etoiles"].reset_index(drop=True),
                                                               pd.Series(p[:, 2] - p[:, 0])), abs=1e-9)
    assert cv["value"] > shipped["value"]  # the shipped model reads them at ~0.85 (0.53 before the lexicon)


def test_scored_comments_are_read_by_the_fold_model_that_did_not_see_them(run):
    """A scored comment's text score comes from a model that was not trained on it: read this
    way, the scored half agrees with its own stars no better than the unscored half does."""
    _tmp, _df, _r, resp = run
    scored = resp[resp["note"].notna()]
    unscored = resp[resp["note"].isna()]
    on_scored = balanced_accuracy(scored["etoiles"], scored["sentiment_text_score"])
    assert abs(on_scored - balanced_accuracy(unscored["etoiles"], unscored["sentiment_text_score"])) < 0.04
    # trained on them, a model would read its own training comments almost perfectly
    assert on_scored < 0.97


def test_no_response_is_dropped(run):
    """Responses = labelled + unlabelled with a reason, recomputed from the responses table."""
    _tmp, df, r, resp = run
    v = r.data["verbatims"]
    u = v["unlabelled"]
    assert v["labelled"] + u["no_comment"] + u["no_language"] + sum(u["no_text_model"].values()) == len(df)
    assert v["labelled"] == int(resp["sentiment_label"].notna().sum())
    assert u["no_comment"] == int((resp["avis"].fillna("").str.strip() == "").sum())


def test_same_comments_same_model(run, tmp_path):
    """Seeded: a second run gives the same figures and the same text scores."""
    tmp, _df, r, resp = run
    again = feedback(tmp / "avis.csv", MAP, metric="csat", columns={"customer": "client", "score": "note",
                                                                     "comment": "avis"})
    assert again.data["text_model"] == r.data["text_model"]
    again.save(tmp_path / "again")
    other = pd.read_csv(tmp_path / "again" / "feedback_responses.csv")
    assert other["sentiment_text_score"].tolist() == resp["sentiment_text_score"].tolist()


def test_the_saved_model_scores_other_comments_the_same(run, tmp_path):
    """``--text-model R/text_models`` applies the adapted model to a file without scores (the
    reviews, tickets and chats): each comment gets the text score it had in the first run."""
    tmp, df, _r, resp = run
    assert (tmp / "out" / "text_models" / "sentiment_fr.npz").is_file()
    unscored = df[df["note"].isna()].drop(columns=["note"])
    unscored.to_csv(tmp_path / "reviews.csv", index=False)
    out = tmp_path / "r"
    proc = subprocess.run([sys.executable, "-m", "parcours", "feedback", str(tmp_path / "reviews.csv"), "--out", str(out),
                           "--columns", "customer=client,comment=avis", "--text-model", str(tmp / "out" / "text_models"),
                           "--lang", "en"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Text sentiment, fr: model given (--text-model)" in proc.stderr
    got = pd.read_csv(out / "feedback_responses.csv")
    before = resp[resp["note"].isna()].set_index("client")["sentiment_text_score"]
    after = got.set_index("client")["sentiment_text_score"]
    assert after.round(9).to_dict() == before.loc[after.index].round(9).to_dict()
    data = json.loads((out / "feedback.json").read_text())
    assert data["text_model"]["mode"] == "given"


def test_a_bad_text_model_folder_is_refused_naming_it(run, tmp_path):
    tmp, _df, _r, _resp = run
    bad = tmp_path / "models"
    bad.mkdir()
    (bad / "sentiment_fr.npz").write_bytes(b"not a model")
    for folder, says in ((tmp_path / "nowhere", "no such folder"), (tmp_path, "no sentiment_<language>.npz"),
                         (bad, "not a text model Parcours wrote")):
        proc = subprocess.run([sys.executable, "-m", "parcours", "feedback", str(tmp / "avis.csv"), "--out",
                               str(tmp_path / "o"), "--metric", "csat", "--columns", "score=note,comment=avis",
                               "--text-model", str(folder)], capture_output=True, text=True)
        assert proc.returncode != 0 and says in proc.stderr, proc.stderr
        assert str(folder) in proc.stderr


def test_too_few_scored_comments_keep_the_shipped_model_and_say_so(tmp_path, shared_data):
    df = reviews(shared_data, A.MIN_SCORED - 1, seed=5)
    pd.DataFrame({"note": df["rating"], "avis": df["text"]}).to_csv(tmp_path / "few.csv", index=False)
    r = feedback(tmp_path / "few.csv", MAP, metric="csat", columns={"score": "note", "comment": "avis"})
    fr = next(x for x in r.data["text_model"]["languages"] if x["language"] == "fr")
    assert fr["used"] == "shipped" and fr["reason"] == "too_few" and fr["adapted"] is None
    assert fr["scored"] < A.MIN_SCORED
    assert r.text_models == {}
    assert str(A.MIN_SCORED) in fr["reason_text"]


def test_a_language_without_shipped_model_is_learnt_from_its_scores(tmp_path, shared_data):
    """Comments in a language Parcours ships no model for (German hotel reviews declared Italian
    in the file's language column, used as given): an adapted model when there are enough
    scores; the comments without a score are then labelled, else named as unlabelled."""
    opener = pd.read_csv(shared_data / "customer_reviews/opener_hotel_attraction_reviews/opener_reviews.csv.gz")
    de = opener[(opener["language"] == "de") & opener["label"].isin(["positive", "negative", "mostly_positive",
                                                                       "mostly_negative"])]
    de = de.drop_duplicates("text").sample(frac=1, random_state=0).reset_index(drop=True)
    stars = np.where(de["label"].str.endswith("positive"), 5, 1)
    scored = np.arange(len(de)) % 4 != 0
    pd.DataFrame({"note": np.where(scored, stars, np.nan), "avis": de["text"], "langue": "it"}).to_csv(
        tmp_path / "de.csv", index=False)
    r = feedback(tmp_path / "de.csv", MAP, metric="csat", columns={"score": "note", "comment": "avis", "language": "langue"})
    d = next(x for x in r.data["text_model"]["languages"] if x["language"] == "it")
    assert d["used"] == "adapted" and d["reason"] == "adapted_only" and d["baseline"] is None
    assert d["adapted"]["balanced_accuracy"]["ci_low"] > 0.5  # better than chance, measured on its own n
    assert set(r.text_models) == {"it"}
    assert r.data["verbatims"]["labelled"] == len(de)
    # the same file with adaptation off: the unscored comments get no label, named
    off = feedback(tmp_path / "de.csv", MAP, metric="csat", text_model="shipped",
                   columns={"score": "note", "comment": "avis", "language": "langue"})
    u = off.data["verbatims"]["unlabelled"]
    assert u["no_text_model"] == {"it": int((~scored).sum())}
    assert off.data["verbatims"]["labelled"] + sum(u["no_text_model"].values()) == len(de)


def test_parts_measured_with_the_models_of_the_whole(run):
    """``parcours compare`` measures each period with the models learnt on all the answers: a
    part measured with them reads each comment as the whole run did."""
    import dataclasses

    from parcours.ingest.feedback import read_feedback
    from parcours.project.feedback import measure, text_models_for

    tmp, _df, r, resp = run
    log = read_feedback(tmp / "avis.csv", MAP, metric="csat", columns={"customer": "client", "score": "note",
                                                                        "comment": "avis"})
    models = text_models_for(log)
    assert models.summary() == r.data["text_model"]
    part = dataclasses.replace(log, table=log.table.filter(log.table._seq % 3 == 0))
    got = measure(part, MAP, text_model=models)
    rows = got.tables["feedback_responses"].to_pandas()
    rows = rows[rows["quarantine_reason"].isna() & rows["sentiment_text_score"].notna()]
    assert 0 < len(rows) < len(resp)
    whole = resp.set_index("client")["sentiment_text_score"]
    assert rows.set_index("client")["sentiment_text_score"].round(9).to_dict() == \
        whole.loc[rows["client"]].round(9).to_dict()


def test_a_folder_holds_the_models_of_its_last_run(run, tmp_path):
    """Saved again without adapted models (``text_model="shipped"``), a results folder no longer
    holds the earlier run's: ``--text-model R`` never applies a model R's figures did not use."""
    tmp, _df, r, _resp = run
    out = tmp_path / "r"
    r.save(out)
    assert (out / "text_models" / "sentiment_fr.npz").is_file()
    shipped = feedback(tmp / "avis.csv", MAP, metric="csat", text_model="shipped",
                       columns={"customer": "client", "score": "note", "comment": "avis"})
    assert shipped.text_models == {}
    assert not any(name.startswith("text_models/") for name in shipped.save(out))
    assert not (out / "text_models").exists()


@pytest.mark.parametrize("lang, expected", [
    ("en", "Text sentiment, en: shipped model; 1 scored comment: too few to measure it"),
    ("fr", "Sentiment du texte, en : modèle fourni ; 1 commentaire noté : trop peu pour le mesurer"),
])
def test_one_scored_comment_is_said_in_the_singular(capsys, lang, expected):
    from parcours.cli.feedback import print_text_model

    tm = {"min_scored": 100, "min_per_side": 20,
          "languages": [{"language": "en", "scored": 1, "used": "shipped", "reason": "too_few",
                         "adapted": None, "baseline": {"balanced_accuracy": {"value": None}}}]}
    print_text_model(tm, lang)
    assert expected in capsys.readouterr().err.replace("\n", " ")


def _opener_halves(shared: Path, lang: str):
    """OpeNER reviews of a language: adapted on the half whose CRC-32 is even, read on the other."""
    import zlib

    from parcours.text import features as F

    df = pd.read_csv(shared / "customer_reviews/opener_hotel_attraction_reviews/opener_reviews.csv.gz")
    df = df[(df.language == lang) & (df.label != "none")].dropna(subset=["text"]).drop_duplicates("text")
    label = df.label.map({"positive": "positive", "mostly_positive": "positive", "negative": "negative",
                          "mostly_negative": "negative", "mixed": "neutral"}).to_numpy()
    even = np.array([zlib.crc32(t.encode("utf-8")) % 2 == 0 for t in df.text])
    x = F.matrix(df.text.tolist(), [lang] * len(df))
    train, read = np.flatnonzero(even), np.flatnonzero(~even)
    learnt = A.learn(x.take(train), list(label[train]), [lang] * len(train))[lang]
    return learnt, x.take(read), label[read], df.domain.to_numpy()[read]


def _balanced(p: np.ndarray, truth: np.ndarray) -> float:
    positive = p[:, 2] >= p[:, 0]
    return (np.mean(~positive[truth == "negative"]) + np.mean(positive[truth == "positive"])) / 2


def test_the_penalty_is_chosen_by_cross_validation_on_few_comments(shared_data):
    """Spanish hotel & attraction reviews (OpeNER, 735 polar texts on the read half). With the
    penalty fixed at 1e-4 the adapted model read 0.745; chosen from L2_GRID by the
    cross-validation, 0.781 (measured)."""
    learnt, x, truth, _ = _opener_halves(shared_data, "es")
    assert learnt.used == "adapted" and learnt.model.meta["l2"] in A.L2_GRID
    assert _balanced(learnt.model.probabilities(x), truth) >= 0.77


@pytest.mark.parametrize("lang", ["de", "es"])
def test_german_and_spanish_adapted_read_hotel_reviews_above_085(shared_data, lang):
    """Issue 24's bar for an adapted model (≥ 0.85 on the other half) where the labels carry the
    review's opinion: OpeNER's hotel reviews (annotators marked 12–16 opinion expressions per 100
    words; measured 0.889 German, 0.923 Spanish). Its tourist-attraction labels often rest on
    one negative expression in a glowing review: every model tried reads them at 0.71–0.74
    (docs/concepts/figures.md)."""
    learnt, x, truth, domain = _opener_halves(shared_data, lang)
    hotel = np.flatnonzero(domain == "hotel")
    assert learnt.used == "adapted"
    assert _balanced(learnt.model.probabilities(x.take(hotel)), truth[hotel]) >= 0.85


def test_a_model_whose_buckets_do_not_fit_is_refused_on_loading(tmp_path):
    """A model is read by looking each hashed bucket up in a table of 2^20 rows: a file with a
    bucket outside it (or weights of another shape) is refused when loaded, naming the file,
    instead of failing later on the first comment."""
    from parcours.errors import InputError
    from parcours.text import features as F
    from parcours.text import sentiment as S

    good = S.model("fr")
    for name, indices, weights in (("outside", np.array([1, F.DIMENSION]), np.zeros((2, 3))),
                                   ("shape", np.array([1, 2]), np.zeros((3, 3)))):
        folder = tmp_path / name
        S.Model("fr", indices, weights, good.intercept, {"language": "fr"}).save(folder / "sentiment_fr.npz")
        with pytest.raises(InputError, match="sentiment_fr.npz: not a text model Parcours wrote"):
            A.load_folder(folder)
    S.Model("fr", good.indices[:5], good.weights[:5], good.intercept, {}).save(tmp_path / "ok" / "sentiment_fr.npz")
    assert A.load_folder(tmp_path / "ok")["fr"].probabilities(["très bien"]).shape == (1, 3)
