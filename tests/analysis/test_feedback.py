"""Feedback: reading, quarantine, attachment to journeys, figures — against plain pandas."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from parcours.analysis.scores import wilson
from parcours.errors import ColumnRoleError, OptionError, TooManyBadRows
from parcours.ingest.feedback import read_feedback
from parcours.model import map_from_dict
from parcours.project.feedback import feedback

BOOKS = "french_book_reviews/babelio_reviews.jsonl.gz"

MAP = map_from_dict({
    "stages": [{"id": "discover", "name": {"fr": "Découverte", "en": "Awareness"}},
               {"id": "buy", "name": {"fr": "Achat", "en": "Purchase"}}],
    "touchpoints": [{"id": "ad", "stage": "discover", "match": {"event": "ad_click"}},
                    {"id": "product", "stage": "discover", "match": {"event": "product_*"}},
                    {"id": "checkout", "stage": "buy", "match": {"event": ["cart", "pay"]}}],
    "segments": [{"id": "app", "where": {"channel": "app"}}],
})


def test_real_rated_reviews_as_csat_on_a_declared_scale(shared_data):
    """Babelio ratings (0.5-5, half steps) read as CSAT on a 0.5-5 scale: the 3 ratings of 5.5
    are quarantined, the rest counted; CSAT = share of ratings within one point of the top."""
    path = shared_data / BOOKS
    df = pd.read_json(path, lines=True)
    r = feedback(path, metric="csat", scale="0.5-5")
    inp = r.data["input"]
    assert inp["read"] == len(df) == inp["accepted"] + inp["quarantined"]
    assert inp["quarantined"] == int((df["rating"] > 5).sum()) == 3
    assert inp["columns"]["score"] == "rating" and inp["columns"]["comment"] == "reader_review"
    ok = df[df["rating"] <= 5]
    top = int((ok["rating"] >= 4).sum())
    o = r.data["overall"]
    assert (o["metric"], o["responses"]) == ("csat", len(ok))
    assert o["value"] == pytest.approx(100 * top / len(ok))
    low, high = wilson(top, len(ok))
    assert (o["ci_low"], o["ci_high"]) == pytest.approx((100 * low, 100 * high))
    responses = r.tables["feedback_responses"]
    assert responses.num_rows == len(df)  # every input row, in input order
    assert responses.column("reader_review").to_pylist() == df["reader_review"].tolist()
    reasons = responses.column("quarantine_reason").to_pylist()
    assert [i for i, x in enumerate(reasons) if x] == df.index[df["rating"] > 5].tolist()


def _journeys(tmp_path):
    """Events of 3 customers and survey answers, some explicitly placed, some not."""
    t0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    ev = pd.DataFrame([
        ("c1", t0, "ad_click", "web"), ("c1", t0 + dt.timedelta(minutes=5), "product_view", "web"),
        ("c1", t0 + dt.timedelta(minutes=5), "cart", "web"),  # same instant: the later in file order wins
        ("c1", t0 + dt.timedelta(days=1), "pay", "web"),
        ("c2", t0, "product_zoom", "app"), ("c2", t0 + dt.timedelta(hours=2), "newsletter_open", "email"),
        ("c3", t0, "ad_click", "web"),
    ], columns=["customer_id", "timestamp", "event", "channel"])
    ev_path = tmp_path / "events.csv"
    ev.to_csv(ev_path, index=False)
    fb = pd.DataFrame([
        ("c1", t0 + dt.timedelta(minutes=6), 9, None, "Super conseil"),     # -> checkout (cart, same instant)
        ("c1", t0 + dt.timedelta(days=2), 2, None, "Frais de livraison"),    # -> checkout (pay)
        ("c1", t0 + dt.timedelta(days=40), 10, None, None),                 # too late: unattached
        ("c2", t0 + dt.timedelta(hours=3), 6, None, None),                  # -> newsletter_open (unmapped)
        ("c2", t0 + dt.timedelta(hours=3), 8, "Achat", None),               # given: stage named in French
        ("c3", t0 - dt.timedelta(hours=1), 7, None, None),                  # before any event: unattached
        ("c9", t0, 10, None, "Client inconnu"),                             # no journey: unattached
    ], columns=["customer_id", "created_at", "score", "stage", "comment"])
    fb["created_at"] = fb["created_at"].map(lambda x: x.isoformat())
    fb_path = tmp_path / "answers.csv"
    fb.to_csv(fb_path, index=False)
    return ev, ev_path, fb, fb_path


def test_attachment_to_journeys_matches_pandas_merge_asof(tmp_path):
    ev, ev_path, fb, fb_path = _journeys(tmp_path)
    r = feedback(fb_path, MAP, events=ev_path, metric="nps")
    got = {k: [x if isinstance(x, str) else None for x in v]
           for k, v in r.tables["feedback_responses"].to_pydict().items()}
    # Independent: the last event at or before each answer, within 7 days, per customer.
    e = ev.assign(order=range(len(ev))).sort_values(["timestamp", "order"])
    tp = {"ad_click": "ad", "product_view": "product", "product_zoom": "product", "cart": "checkout", "pay": "checkout"}
    e["tp"] = e["event"].map(lambda x: tp.get(x, x))
    f = fb.assign(t=pd.to_datetime(fb["created_at"], utc=True), i=range(len(fb))).sort_values("t")
    m = pd.merge_asof(f, e, left_on="t", right_on="timestamp", by="customer_id", tolerance=pd.Timedelta(days=7))
    m = m.sort_values("i")
    expected_tp = [None if isinstance(s, str) else (t if isinstance(t, str) else None)
                   for s, t in zip(m["stage"], m["tp"], strict=True)]
    assert got["touchpoint"] == expected_tp
    assert got["attached"] == ["journey", "journey", None, "journey", "given", None, None]
    assert got["stage"][4] == "Achat" and got["stage_parcours"][4] == "buy"  # its French name
    assert r.data["attachment"] == {"given": 1, "journey": 3, "unattached": 3, "window_seconds": 7 * 86400}
    assert sum(t is not None for t in expected_tp) == 3  # the pandas side placed 3 answers by journey
    by_stage = {x["stage"]: x for x in r.data["by_stage"]}
    assert by_stage["buy"]["responses"] == 3  # two answers on checkout + the one naming Achat
    assert by_stage["buy"]["value"] == pytest.approx(100 * (1 - 1) / 3)  # one 9, one 8, one 2


def test_segment_and_period_breakdowns(tmp_path):
    _, ev_path, fb, fb_path = _journeys(tmp_path)
    r = feedback(fb_path, MAP, events=ev_path, metric="nps", by_segment=True, by_period="month")
    seg = r.data["by_segment"]
    assert [(s["segment"], s["responses"]) for s in seg] == [("app", 2)]  # c2's journey is on the app
    assert sum(p["responses"] for p in r.data["by_period"]) == r.data["overall"]["responses"] == len(fb)
    months = pd.to_datetime(fb["created_at"], utc=True).dt.strftime("%Y-%m-01").value_counts().to_dict()
    assert {p["period"]: p["responses"] for p in r.data["by_period"]} == months


def test_bad_feedback_inputs_are_clear(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("who,when\nc1,2026-01-01\n", encoding="utf-8")
    with pytest.raises(ColumnRoleError, match="no score and no comment column"):
        read_feedback(p)
    p.write_text("customer,rating\nc1,9\n", encoding="utf-8")
    with pytest.raises(OptionError, match="which metric"):
        read_feedback(p)
    with pytest.raises(OptionError, match="NPS is defined on 0–10"):
        read_feedback(p, metric="nps", scale="1-5")
    p.write_text("customer,score,metric,stage\nc1,9,nps,\nc2,4,csat,Checkout\nc3,x,ces,\nc4,3,effort,\nc5,6,csat,Nowhere\n",
                 encoding="utf-8")
    with pytest.raises(TooManyBadRows) as e:
        read_feedback(p, MAP)
    reasons = {q["row"]: q["reason"] for q in e.value.report.quarantine_rows}
    assert "not a number" in reasons[3] and "unknown metric" in reasons[4] and "CSAT score out of its scale" in reasons[5]
    assert "unknown stage in column 'stage': Checkout" in reasons[2] and "the map's stages: buy, discover" in reasons[2]
    log = read_feedback(p, MAP, max_bad_rows="100%")
    assert (log.report.read, log.report.accepted, log.report.quarantined) == (5, 1, 4)


def test_cli_feedback_and_analyze_feedback(tmp_path):
    ev, ev_path, fb, fb_path = _journeys(tmp_path)
    (tmp_path / "map.yaml").write_text(json.dumps(MAP.model_dump(mode="json", by_alias=True, exclude_defaults=True)))
    run = [sys.executable, "-m", "parcours"]
    p = subprocess.run([*run, "feedback", fb_path, "--map", tmp_path / "map.yaml", "--events", ev_path, "--metric", "nps",
                        "--out", tmp_path / "fb"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    alone = json.loads((tmp_path / "fb" / "feedback.json").read_text())
    p = subprocess.run([*run, "analyze", ev_path, "--map", tmp_path / "map.yaml", "--feedback", fb_path,
                        "--metric", "nps", "--out", tmp_path / "an"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    inside = json.loads((tmp_path / "an" / "analysis.json").read_text())["feedback"]
    for key in ("overall", "by_stage", "by_touchpoint", "attachment"):
        assert inside[key] == alone[key], key
    assert (tmp_path / "an" / "feedback_responses.csv").exists()
    p = subprocess.run([*run, "feedback", fb_path, "--metric", "happiness", "--out", tmp_path / "x"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "unknown metric" in p.stderr and "Traceback" not in p.stderr
    # Too many bad answers inside an analysis: exit 4, and the answers' quarantine keeps its own name.
    p = subprocess.run([*run, "analyze", ev_path, "--map", tmp_path / "map.yaml", "--feedback", fb_path,
                        "--metric", "csat", "--out", tmp_path / "bad"], capture_output=True, text=True)
    assert p.returncode == 4 and "feedback rows cannot be used" in p.stderr
    assert (tmp_path / "bad" / "feedback_quarantine.csv").exists() and not (tmp_path / "bad" / "quarantine.csv").exists()


def test_nps_by_group_against_pandas_on_generated_answers(tmp_path):
    rng = np.random.default_rng(3)
    n = 2000
    df = pd.DataFrame({"customer": [f"c{i}" for i in range(n)],
                       "stage": rng.choice(["discover", "buy", ""], n),
                       "score": rng.integers(0, 11, n)})
    path = tmp_path / "nps.csv"
    df.to_csv(path, index=False)
    r = feedback(path, MAP, metric="nps")
    for rec in r.data["by_stage"]:
        s = df.loc[df["stage"] == rec["stage"], "score"]
        assert rec["responses"] == len(s)
        assert rec["value"] == pytest.approx(100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert r.data["overall"]["value"] == pytest.approx(100 * ((df.score >= 9).mean() - (df.score <= 6).mean()))


def test_emotion_curve_on_one_scale(tmp_path):
    """NPS and CES answers on the same stages: each put on 0-100 and weighted by answers."""
    m = map_from_dict({"stages": [{"id": "discover", "name": "Awareness", "emotion": 1},
                                  {"id": "buy", "name": "Purchase", "emotion": -2},
                                  {"id": "after", "name": "After-sales"}]})
    rng = np.random.default_rng(4)
    rows = [("nps", int(x), "discover") for x in rng.integers(0, 11, 120)]
    rows += [("ces", int(x), "discover") for x in rng.integers(1, 8, 60)]
    rows += [("nps", int(x), "buy") for x in rng.integers(0, 11, 40)]
    df = pd.DataFrame(rows, columns=["metric", "score", "stage"])
    path = tmp_path / "mixed.csv"
    df.to_csv(path, index=False)
    curve = feedback(path, m).data["emotion_curve"]
    assert [p["stage"] for p in curve] == ["discover", "buy", "after"]  # the designed order, all stages
    d = df[df.stage == "discover"]
    nps = d[d.metric == "nps"].score
    ces = d[d.metric == "ces"].score
    nps_sat = (100 * ((nps >= 9).mean() - (nps <= 6).mean()) + 100) / 2
    ces_sat = (7 - ces.mean()) / 6 * 100
    want = (nps_sat * len(nps) + ces_sat * len(ces)) / (len(nps) + len(ces))
    assert curve[0]["satisfaction"] == pytest.approx(want)
    assert curve[0]["ci_low"] <= curve[0]["satisfaction"] <= curve[0]["ci_high"]
    assert curve[0]["responses"] == 180 and curve[0]["metrics"] == ["ces", "nps"]
    assert (curve[0]["declared"], curve[1]["declared"], curve[2]["declared"]) == (75.0, 0.0, None)
    assert curve[2]["satisfaction"] is None and curve[2]["small"]  # no answer: shown, empty
