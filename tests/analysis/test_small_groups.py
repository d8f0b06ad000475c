"""No ranking on a handful of answers (issue 23, §2): opportunities carry n and an interval and
are ranked by the impact's lower confidence bound, small groups after the others; frictions
count feedback and themes only with ``min_responses`` answers, small touchpoints last.

The expected opportunities are rebuilt here in plain Python from the analysis' own touchpoint
rows, breakdown groups and emotion per touchpoint, following docs/concepts/figures.md
(Wilson's interval written out from its textbook formula, z from the normal quantile).
"""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import ibis
import pandas as pd
import pytest

import parcours
from parcours.demo import write_demo
from parcours.ingest import read_events
from parcours.model import map_from_dict

Z = NormalDist().inv_cdf(0.975)
MIN_JOURNEYS = 30  # as documented


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's score interval (Wilson 1927; Newcombe 1998, method 3), kept around k/n."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def test_wilson_as_written_here_gives_the_textbook_values():
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)  # Newcombe (1998), table I
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo with its surveys, by segment: at this size the satisfaction of the web product
    page rests on one NPS answer, and used to be the first opportunity."""
    files = write_demo(tmp_path_factory.mktemp("small"), customers=4000, seed=7)
    m = parcours.load_map(files.map_path)
    return m, parcours.analyze(files.events_path, m, feedback=files.feedback_path, by="segment").data


def _quantile(values: list[float], q: float) -> float:
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def expected_opportunities(data: dict, m) -> list[dict]:
    least = data["feedback"]["min_responses"]
    friction = {f["touchpoint"]: f for f in data["frictions"]}
    rows = {r["touchpoint"]: r for r in data["touchpoints"] if r["touchpoint"] in friction}
    emotion = {p["touchpoint"]: p for p in data["feedback"]["emotion_by_touchpoint"] if p["satisfaction"] is not None}
    measures = {"exit_rate": {}, "repeat_rate": {}, "satisfaction": {}}
    for tp, r in rows.items():
        for ind, k in (("exit_rate", r["exits"]), ("repeat_rate", r["repeat_journeys"])):
            measures[ind][tp] = (r[ind], *wilson(k, r["journeys"]), r["journeys"])
        if tp in emotion:
            e = emotion[tp]
            measures["satisfaction"][tp] = (e["satisfaction"], e["ci_low"], e["ci_high"], e["responses"])
    threshold = {"exit_rate": MIN_JOURNEYS, "repeat_rate": MIN_JOURNEYS, "satisfaction": least}
    lower = {"exit_rate": True, "repeat_rate": True, "satisfaction": False}
    best = {}
    for g in data["breakdown"]["groups"]:
        for r in g["touchpoints"]:
            if r["journeys"] >= MIN_JOURNEYS:
                for ind in ("exit_rate", "repeat_rate"):
                    if (r["touchpoint"], ind) not in best or r[ind] < best[(r["touchpoint"], ind)][0]:
                        best[(r["touchpoint"], ind)] = (r[ind], f"segment:{g['group']}")
    targets = {(k.touchpoint, k.metric): k.target for k in m.kpis if k.touchpoint and k.target is not None}
    out = []
    for ind, values in measures.items():
        big = [v[0] for tp, v in values.items() if rows[tp]["journeys"] >= MIN_JOURNEYS and v[3] >= threshold[ind]]
        quartile = _quantile(big, 0.25 if lower[ind] else 0.75)
        for tp, (value, low, high, n) in values.items():
            ref, kind = (targets[(tp, ind)], "target") if (tp, ind) in targets else best.get((tp, ind), (quartile, "map_quartile"))
            gap = value - ref if lower[ind] else ref - value
            if gap <= 0:
                continue
            gap_low = low - ref if lower[ind] else ref - high
            scale = 100 if ind == "satisfaction" else 1
            out.append({"touchpoint": tp, "indicator": ind, "n": n, "value_low": low, "value_high": high,
                        "reference": ref, "reference_kind": kind, "gap_low": gap_low,
                        "impact_low": friction[tp]["journeys"] * gap_low / scale, "small": n < threshold[ind],
                        "friction_rank": friction[tp]["rank"]})
    out.sort(key=lambda o: (o["small"], -o["impact_low"], o["friction_rank"], o["indicator"]))
    return out


def test_the_first_opportunity_rests_on_enough_answers(demo):
    m, data = demo
    least = data["feedback"]["min_responses"]
    emotion = {p["touchpoint"]: p for p in data["feedback"]["emotion_by_touchpoint"]}
    assert emotion["product_page_web"]["responses"] < least  # the case of the issue: one answer
    first = data["opportunities"][0]
    rests_on = emotion[first["touchpoint"]]["responses"] if first["indicator"] == "satisfaction" else first["journeys"]
    assert rests_on >= (least if first["indicator"] == "satisfaction" else MIN_JOURNEYS)
    assert first["n"] == rests_on and not first["small"]
    flags = [o["small"] for o in data["opportunities"]]
    assert flags == sorted(flags)  # no small group above one that is not
    few = [o for o in data["opportunities"] if o["indicator"] == "satisfaction" and o["n"] < least]
    assert few and all(o["small"] for o in few)


def test_opportunities_n_intervals_bounds_and_order_match_an_independent_computation(demo):
    m, data = demo
    want = expected_opportunities(data, m)
    keys = ("touchpoint", "indicator", "n", "value_low", "value_high", "reference", "reference_kind", "gap_low",
            "impact_low", "small")
    got = [{k: o[k] for k in keys} for o in data["opportunities"]]
    assert len(got) == len(want) > 10
    for g, w in zip(got, want, strict=True):
        assert g == {k: pytest.approx(w[k], abs=1e-9) if isinstance(w[k], float) else w[k] for k in keys}
    assert [o["rank"] for o in data["opportunities"]] == list(range(1, len(got) + 1))
    for o in data["opportunities"]:  # impact and its lower bound on the same scale
        assert o["impact_low"] <= o["impact"] and o["gap_low"] <= o["gap"]


def test_demo_frictions_count_no_feedback_or_themes_from_a_few_answers(demo):
    m, data = demo
    least = data["feedback"]["min_responses"]
    answers: dict[str, dict[str, int]] = {}
    for r in data["feedback"]["by_touchpoint"]:
        answers.setdefault(r["touchpoint"], {})[r["metric"]] = r["responses"]
    comments = {r["touchpoint"]: r["comments"] for r in data["feedback"]["verbatims"]["by_touchpoint"]}
    held = 0
    for f in data["frictions"]:
        tp = f["touchpoint"]
        counted = {mt for mt, n in answers.get(tp, {}).items() if n >= least}
        assert set(f["feedback"]) == counted
        assert ("feedback" in f["signals"]) == bool(counted)
        assert ("feedback" in f["small_signals"]) == (bool(answers.get(tp)) and not counted)
        assert ("themes" in f["signals"]) == (comments.get(tp, 0) >= least)
        assert f["answers"] == answers.get(tp, {})
        held += bool(f["small_signals"])
    assert held  # the demo has touchpoints with a handful of answers


def _log(paths: list[list[str]]) -> parcours.ingest.EventLog:
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [{"customer_id": f"c{j}", "event": e, "timestamp": t0 + dt.timedelta(days=j, minutes=5 * i)}
            for j, path in enumerate(paths) for i, e in enumerate(path)]
    return read_events(ibis.memtable(pd.DataFrame(rows)))


MAP = {
    "language": "en",
    "stages": [{"id": "s1", "name": "Browse"}, {"id": "s2", "name": "Pay"}],
    "touchpoints": [{"id": "view", "stage": "s1"}, {"id": "pay", "name": "Payment", "stage": "s2"},
                    {"id": "rare", "name": "Rare page", "stage": "s2"}, {"id": "done", "stage": "s2"}],
    "goals": [{"id": "paid", "match": {"event": "done"}}],
}


@pytest.mark.parametrize("given", [5, 29, 30])
def test_a_friction_counts_feedback_only_from_min_responses_answers(tmp_path, given):
    """40 journeys pay (half then finish), ``given`` NPS answers of 0 placed on pay, each with
    an irritant comment: under 30 answers neither signal counts and both are named."""
    m = map_from_dict(MAP)
    log = _log([["view", "pay", "done"] if j % 2 else ["view", "pay"] for j in range(40)])
    answers = pd.DataFrame({"customer_id": [f"c{j}" for j in range(given)], "touchpoint": ["pay"] * given,
                            "score": [0] * given, "comment": ["Hidden delivery fees, awful."] * given})
    answers.to_csv(tmp_path / "a.csv", index=False)
    data = parcours.analyze(log, m, feedback=tmp_path / "a.csv", feedback_metric="nps").data
    pay = next(f for f in data["frictions"] if f["touchpoint"] == "pay")
    if given < 30:
        assert "feedback" not in pay["signals"] and "themes" not in pay["signals"]
        assert pay["small_signals"] == ["feedback", "themes"] and pay["feedback"] == {}
        assert pay["score"] == pytest.approx((0.35 * 0.5 + 0.15 * 0.0 + 0.15 * pay["signals"]["wait"]) / 0.65)
        assert f"too few answers to count: NPS {given} (under 30)" in pay["explanation"]
    else:
        assert pay["signals"]["feedback"] == pytest.approx(1.0) and pay["small_signals"] == []
        assert "themes" in pay["signals"] and "too few" not in pay["explanation"]
    assert pay["answers"] == {"nps": given} and pay["comments"] == given


def test_a_small_touchpoint_never_ranks_above_one_that_is_not():
    """'rare' is reached by 5 journeys that all end there: the worst score, ranked last."""
    m = map_from_dict(MAP)
    paths = [["view", "pay", "done"] if j % 4 else ["view", "pay"] for j in range(60)] + [["view", "rare"]] * 5
    frictions = parcours.analyze(_log(paths), m).data["frictions"]
    rare = next(f for f in frictions if f["touchpoint"] == "rare")
    assert rare["small"] and rare["score"] == max(f["score"] for f in frictions)
    assert frictions[-1]["touchpoint"] == "rare" and rare["rank"] == len(frictions)
    assert all(not f["small"] for f in frictions[:-1])
