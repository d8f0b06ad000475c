"""Friction ranking: the documented score, recomputed here from the analysis' own tables."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

import parcours
from parcours.ingest import read_events
from parcours.model import map_from_dict

WEIGHTS = {"exit": 0.35, "repeat": 0.15, "wait": 0.15, "feedback": 0.20, "themes": 0.15}  # as documented


def expected_scores(data: dict, tp_ids: set[str], responses: pd.DataFrame | None = None) -> dict[str, float]:
    rows = {r["touchpoint"]: r for r in data["touchpoints"] if r["touchpoint"] in tp_ids and r["journeys"]}
    tot, cnt = {}, {}
    for t in data["transitions"]:
        if t["from"] != t["to"] and t["to"] in rows:
            tot[t["to"]] = tot.get(t["to"], 0) + t["count"] * t["mean_seconds"]
            cnt[t["to"]] = cnt.get(t["to"], 0) + t["count"]
    wait = {k: tot[k] / cnt[k] for k in tot}
    ranks = {k: (sum(x < v for x in wait.values()) / (len(wait) - 1) if len(wait) > 1 else 0.0) for k, v in wait.items()}
    fb = {}
    for r in (data.get("feedback") or {}).get("by_touchpoint", []):
        fb.setdefault(r["touchpoint"], []).append((100 - r["value"]) / 200)  # NPS only in these tests
    # themes: share of the touchpoint's comments in an irritant theme, from the responses' own rows
    comments, irritant = {}, {}
    kinds = {t["theme"]: t["kind"] for t in (data.get("feedback") or {}).get("themes", [])}
    for r in ([] if responses is None else responses.to_dict("records")):
        if r["touchpoint"] in rows and isinstance(r["comment"], str) and r["comment"].strip():
            comments[r["touchpoint"]] = comments.get(r["touchpoint"], 0) + 1
            irritant[r["touchpoint"]] = irritant.get(r["touchpoint"], 0) + (kinds.get(r["theme"]) == "irritant")
    out = {}
    for tp, r in rows.items():
        s = {"exit": r["exit_rate"], "repeat": r["repeat_rate"]}
        if tp in ranks:
            s["wait"] = ranks[tp]
        if tp in fb:
            s["feedback"] = sum(fb[tp]) / len(fb[tp])
        if tp in comments:
            s["themes"] = irritant[tp] / comments[tp]
        out[tp] = sum(WEIGHTS[k] * v for k, v in s.items()) / sum(WEIGHTS[k] for k in s)
    return out


def test_demo_frictions_follow_the_documented_score(tmp_path):
    from parcours.demo import write_demo

    files = write_demo(tmp_path, customers=2000, seed=3)
    m = parcours.load_map(files.map_path)
    data = parcours.analyze(files.events_path, m).data
    want = expected_scores(data, {t.id for t in m.touchpoints})
    got = {f["touchpoint"]: f["score"] for f in data["frictions"]}
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], abs=1e-12), k
    scores = [f["score"] for f in data["frictions"]]
    order = [(f["small"], -f["score"]) for f in data["frictions"]]  # by score, small touchpoints after the others
    assert order == sorted(order) and [f["rank"] for f in data["frictions"]] == list(range(1, len(scores) + 1))
    top = data["frictions"][0]
    row = next(r for r in data["touchpoints"] if r["touchpoint"] == top["touchpoint"])
    first = top["drivers"][0]
    if first == "exit":  # the explanation carries the table's own figure
        assert f"{row['exit_rate']:.0%}".replace("%", "\u202f%") in top["explanation"]
    assert all(c >= 0 for c in top["contributions"].values())
    assert sum(top["contributions"].values()) == pytest.approx(top["score"])


def test_feedback_signal_and_declared_items(tmp_path):
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for j in range(40):
        path = ["view", "pay"] if j % 2 else ["view", "pay", "pay"]
        rows += [{"customer_id": f"c{j}", "event": e, "timestamp": t0 + dt.timedelta(days=j, minutes=5 * i)}
                 for i, e in enumerate(path)]
    m = map_from_dict({
        "language": "en",
        "stages": [{"id": "s1", "name": "Browse"}, {"id": "s2", "name": "Pay"}],
        "touchpoints": [{"id": "view", "stage": "s1"}, {"id": "pay", "name": "Payment", "stage": "s2"}],
        "goals": [{"id": "none_reached", "match": {"event": "never"}}],
        "pain_points": [{"id": "fees", "name": "Hidden fees", "touchpoint": "pay", "severity": "high"}],
        "actions": [{"id": "show_fees", "name": "Show fees early", "touchpoint": "pay", "owner": "E-commerce",
                     "status": "in_progress"}],
    })
    answers = pd.DataFrame({"customer_id": [f"c{j}" for j in range(40)],
                            "touchpoint": ["pay"] * 40, "score": [0] * 30 + [10] * 10})
    fb_path = tmp_path / "answers.csv"
    answers.to_csv(fb_path, index=False)
    data = parcours.analyze(read_events(ibis.memtable(pd.DataFrame(rows))), m, feedback=fb_path,
                            feedback_metric="nps").data
    want = expected_scores(data, {"view", "pay"})
    got = {f["touchpoint"]: f for f in data["frictions"]}
    assert {k: f["score"] for k, f in got.items()} == pytest.approx(want)
    pay = got["pay"]
    assert pay["signals"]["feedback"] == pytest.approx((100 - (-50)) / 200)  # NPS -50: 10 promoters, 30 detractors
    assert pay["drivers"] == ["exit", "feedback", "repeat"]  # every journey ends at pay; NPS -50; half repeat
    assert pay["explanation"] == ("100% of journeys that reach Payment end there without reaching a goal; NPS -50; "
                                  "50% of its journeys come back to it")
    assert got["view"]["score"] == 0 and got["view"]["drivers"] == []
    assert pay["declared"]["pain_points"] == [{"id": "fees", "name": "Hidden fees", "severity": "high"}]
    assert pay["declared"]["actions"][0]["owner"] == "E-commerce"
    assert not pay["small"] and got["view"]["journeys"] == 40


def test_themes_signal_names_the_irritant(tmp_path):
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for j in range(60):
        rows += [{"customer_id": f"c{j}", "event": e, "timestamp": t0 + dt.timedelta(days=j, minutes=5 * i)}
                 for i, e in enumerate(["view", "pay", "done"] if j % 3 else ["view", "pay"])]
    m = map_from_dict({
        "language": "en",
        "stages": [{"id": "s1", "name": "Browse"}, {"id": "s2", "name": "Pay"}],
        "touchpoints": [{"id": "view", "stage": "s1"}, {"id": "pay", "name": "Payment", "stage": "s2"},
                        {"id": "done", "stage": "s2"}],
        "goals": [{"id": "paid", "match": {"event": "done"}}],
    })
    bad = ["Hidden delivery fees at checkout, awful.", "The delivery fees are a rip off, terrible.",
           "Delivery fees way too high, never again."]
    good = ["Quick and easy, great service!", "Great prices, love it.", "Easy checkout, great."]
    answers = pd.DataFrame({
        "customer_id": [f"c{j}" for j in range(60)], "touchpoint": ["pay"] * 60,
        "score": [2 if j % 2 else 10 for j in range(60)],
        "comment": [bad[j % 3] if j % 2 else good[j % 3] for j in range(60)],
    })
    fb_path = tmp_path / "answers.csv"
    answers.to_csv(fb_path, index=False)
    from parcours.project.feedback import feedback as measure_feedback

    responses = measure_feedback(fb_path, m, metric="nps").tables["feedback_responses"].to_pandas()
    data = parcours.analyze(read_events(ibis.memtable(pd.DataFrame(rows))), m, feedback=fb_path,
                            feedback_metric="nps").data
    want = expected_scores(data, {"view", "pay", "done"}, responses)
    got = {f["touchpoint"]: f for f in data["frictions"]}
    assert {k: f["score"] for k, f in got.items()} == pytest.approx(want)
    pay = got["pay"]
    irritants = [t for t in data["feedback"]["themes"] if t["kind"] == "irritant"]
    assert irritants and "fees" in irritants[0]["theme"]
    assert pay["signals"]["themes"] == pytest.approx((responses["theme"] == irritants[0]["theme"]).sum() / 60)
    assert pay["top_irritant"] == irritants[0]["theme"]
    assert pay["drivers"] == ["exit", "feedback", "themes"]  # a third end there; NPS 0; half the comments irritants
    assert f"theme '{irritants[0]['theme']}' in 100% of detractor comments" in pay["explanation"]
