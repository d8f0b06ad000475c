"""Opportunities: gaps to a target, the best segment or the map's best quarter, × journeys
(their n, intervals and order: tests/analysis/test_small_groups.py).

The expected list is rebuilt here from the analysis' own touchpoint tables, following the
documented rule (docs/concepts/figures.md#opportunities), with pandas.
"""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.demo import write_demo
from parcours.model import map_from_dict


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    files = write_demo(tmp_path_factory.mktemp("opp"), customers=3000, seed=5)
    raw = parcours.load_map(files.map_path).model_dump(mode="json", exclude_none=True)
    first = raw["touchpoints"][0]["id"]
    raw["kpis"] = [k for k in raw.get("kpis", []) if k.get("touchpoint") != first] + [
        {"id": "exit_target", "name": "Exit target", "touchpoint": first, "metric": "exit_rate", "target": 0.05,
         "direction": "lower"}]
    m = map_from_dict(raw)
    return m, parcours.analyze(files.events_path, m, by="segment").data


def expected(data: dict, m, min_journeys: int = 30) -> pd.DataFrame:
    tps = pd.DataFrame(data["touchpoints"])
    tps = tps[tps.touchpoint.isin({f["touchpoint"] for f in data["frictions"]})].set_index("touchpoint")
    seg = pd.DataFrame([{"group": g["group"], **r} for g in data["breakdown"]["groups"] for r in g["touchpoints"]])
    seg = seg[seg.journeys >= min_journeys]
    big = tps[tps.journeys >= min_journeys]
    targets = {(k.touchpoint, k.metric): k.target for k in m.kpis if k.touchpoint and k.target is not None}
    rows = []
    for tp, r in tps.iterrows():
        for ind in ("exit_rate", "repeat_rate"):
            if (tp, ind) in targets:
                ref, kind = targets[(tp, ind)], "target"
            elif len(seg[seg.touchpoint == tp]):
                best = seg[seg.touchpoint == tp].sort_values(ind, kind="stable").iloc[0]
                ref, kind = best[ind], f"segment:{best['group']}"
            else:
                ref, kind = big[ind].quantile(0.25), "map_quartile"
            if r[ind] - ref > 0:
                rows.append({"touchpoint": tp, "indicator": ind, "reference": ref, "reference_kind": kind,
                             "impact": r["journeys"] * (r[ind] - ref)})
    return pd.DataFrame(rows).sort_values("impact", ascending=False, kind="stable").reset_index(drop=True)


def test_opportunities_follow_the_documented_rule(demo):
    m, data = demo
    got = pd.DataFrame(data["opportunities"])
    want = expected(data, m)
    assert len(got) == len(want) > 0
    key = ["touchpoint", "indicator"]
    merged = want.merge(got, on=key, suffixes=("_want", "_got"))
    assert len(merged) == len(want)
    assert merged.reference_got.to_numpy() == pytest.approx(merged.reference_want.to_numpy())
    assert (merged.reference_kind_got == merged.reference_kind_want).all()
    assert merged.impact_got.to_numpy() == pytest.approx(merged.impact_want.to_numpy())
    order = list(zip(got.small, -got.impact_low, strict=True))  # by the impact's lower bound, small groups after
    assert order == sorted(order) and got["rank"].tolist() == list(range(1, len(got) + 1))


def test_a_declared_target_wins_and_owners_come_with_the_item(demo):
    m, data = demo
    first = m.touchpoints[0].id
    row = next(r for r in data["touchpoints"] if r["touchpoint"] == first)
    items = [o for o in data["opportunities"] if o["touchpoint"] == first and o["indicator"] == "exit_rate"]
    if row["exit_rate"] > 0.05:
        assert items[0]["reference_kind"] == "target" and items[0]["reference"] == 0.05
        assert items[0]["impact"] == pytest.approx(row["journeys"] * (row["exit_rate"] - 0.05))
    else:
        assert not items
    for o in data["opportunities"]:
        declared_owners = {x["owner"] for k in ("opportunities", "actions") for x in o["declared"][k] if x.get("owner")}
        assert set(o["owners"]) == declared_owners
