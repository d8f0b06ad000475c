"""The map's KPIs measured: value (in the target's unit), target and status, against pandas on
the demo, and every reason a KPI cannot be measured; the report's words for them."""

from __future__ import annotations

import pandas as pd
import pytest

import parcours
from parcours.analysis.kpis import measure_kpis
from parcours.model import map_from_dict
from parcours.report.kpis import cell, stage_cells


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from parcours.demo import write_demo

    files = write_demo(tmp_path_factory.mktemp("demo"), customers=1500, seed=4)
    m = parcours.load_map(files.map_path)
    data = parcours.analyze(files.events_path, m, feedback=str(files.feedback_path)).data
    events = pd.read_csv(files.events_path, dtype=str, keep_default_na=False)
    return m, data, events


def by_id(rows):
    return {r["kpi"]: r for r in rows}


def test_demo_kpis_against_pandas(demo):
    m, data, ev = demo
    k = by_id(measure_kpis(data, m, "en"))
    journeys = ev["customer_id"].nunique()
    # support_phone: support_contact events on the phone, share of all journeys, in % (lower is better)
    phone = ev[(ev.event == "support_contact") & (ev.channel == "phone")]["customer_id"].nunique()
    r = k["support_phone_rate"]
    assert r["value"] == pytest.approx(100 * phone / journeys) and r["unit"] == "%" and r["n"] == journeys
    assert r["status"] == ("met" if 100 * phone / journeys <= 5 else "not_met") and r["stage"] == "post_purchase"
    # checkout: journeys with checkout_start or delivery_fees_shown that have an order_paid, in %
    with_tp = set(ev[ev.event.isin(["checkout_start", "delivery_fees_shown"])]["customer_id"])
    paid = set(ev[ev.event == "order_paid"]["customer_id"])
    r = k["checkout_conversion"]
    assert r["value"] == pytest.approx(100 * len(with_tp & paid) / len(with_tp)) and r["n"] == len(with_tp)
    assert r["status"] == ("met" if r["value"] >= 70 else "not_met")
    # the purchase stage's conversion (on to the next stage) and the median delivery time in days
    stage = {s["stage"]: s for s in data["stages"]}["purchase"]
    assert k["purchase_conversion"]["value"] == pytest.approx(100 * stage["converted"] / stage["reached"])
    dur = next(r for r in data["stage_durations"] if r["stage"] == "post_purchase" and r["measure"] == "to_next_stage")
    r = k["delivery_time"]
    assert r["value"] == pytest.approx(dur["median"] / 86400) and r["direction"] == "lower"
    assert r["status"] == ("met" if dur["median"] <= 4 * 86400 else "not_met")
    nps = next(x for x in data["feedback"]["by_stage"] if x["stage"] == "advocacy" and x["metric"] == "nps")
    assert k["nps"]["value"] == pytest.approx(nps["value"]) and k["nps"]["n"] == nps["responses"]
    assert [r["kpi"] for r in measure_kpis(data, m)] == [x.id for x in m.kpis]  # every KPI, in the map's order


MAP = {"stages": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
       "touchpoints": [{"id": "view", "stage": "a"}, {"id": "pay", "stage": "b"}], "goals": [{"id": "pay"}]}


def kpis_of(data, *kpis, lang="en"):
    return by_id(measure_kpis(data, map_from_dict({**MAP, "kpis": list(kpis)}), lang))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "e.csv"
    rows = []
    for i in range(10):
        rows.append({"customer_id": f"c{i}", "event": "view", "timestamp": f"2026-01-01T10:{i:02d}:00Z"})
        if i < 4:
            rows.append({"customer_id": f"c{i}", "event": "pay", "timestamp": f"2026-01-01T12:{i:02d}:00Z"})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path, parcours.analyze(path, map_from_dict(MAP)).data


def test_status_units_and_directions(small):
    _, data = small
    k = kpis_of(data,
                {"id": "c", "name": "conv", "stage": "a", "metric": "conversion", "target": 35, "unit": "%"},
                {"id": "c_frac", "name": "conv", "stage": "a", "metric": "conversion", "target": 0.5},
                {"id": "reach", "name": "n", "stage": "b", "metric": "reached", "target": 5},
                {"id": "exit", "name": "exit", "touchpoint": "view", "metric": "exit_rate", "target": 70, "unit": "%",
                 "direction": "lower"},
                {"id": "dur", "name": "d", "stage": "a", "metric": "duration_median", "target": 2, "unit": "h",
                 "direction": "lower"},
                {"id": "none", "name": "no target", "metric": "conversion"})
    assert (k["c"]["value"], k["c"]["status"]) == (pytest.approx(40.0), "met")  # 4 of 10 on to b
    assert (k["c_frac"]["value"], k["c_frac"]["status"]) == (pytest.approx(0.4), "not_met")
    assert (k["reach"]["value"], k["reach"]["status"]) == (4, "not_met")  # 4 journeys, target 5
    assert (k["exit"]["value"], k["exit"]["status"]) == (pytest.approx(60.0), "met")  # 6 of 10 end on view
    assert (k["dur"]["value"], k["dur"]["status"]) == (pytest.approx(2.0), "met")  # two hours, at most 2 h
    assert (k["none"]["value"], k["none"]["status"], k["none"]["reason"]) == (pytest.approx(0.4), None, None)


def test_why_a_kpi_is_not_measurable(small, tmp_path):
    path, data = small
    k = kpis_of(data,
                {"id": "typo", "name": "x", "stage": "a", "metric": "convertion", "target": 1},
                {"id": "nps", "name": "x", "stage": "a", "metric": "nps", "target": 30},
                {"id": "last", "name": "x", "stage": "b", "metric": "conversion", "target": 10},
                {"id": "here", "name": "x", "stage": "a", "metric": "exit_rate", "target": 10},
                {"id": "unit", "name": "x", "stage": "a", "metric": "duration_median", "target": 1, "unit": "fortnight"})
    assert {i: (r["status"], r["reason"]) for i, r in k.items()} == {
        "typo": ("not_measurable", "unknown_metric"), "nps": ("not_measurable", "no_feedback"),
        "last": ("not_measurable", "no_value"), "here": ("not_measurable", "not_here"),
        "unit": ("not_measurable", "unknown_unit")}
    only = parcours.analyze(path, map_from_dict(MAP), analyses=["transitions"]).data
    k = kpis_of(only, {"id": "c", "name": "x", "stage": "a", "metric": "conversion", "target": 1})
    assert (k["c"]["status"], k["c"]["reason"]) == ("not_measurable", "not_computed")
    few = {**data, "feedback": {"by_stage": [{"stage": "a", "metric": "nps", "value": 50.0, "responses": 12,
                                              "small": True}], "min_responses": 30}}
    k = kpis_of(few, {"id": "nps", "name": "x", "stage": "a", "metric": "nps", "target": 30})
    assert (k["nps"]["value"], k["nps"]["status"], k["nps"]["reason"]) == (50.0, "not_measurable", "few_answers")
    assert cell(k["nps"], "en", 30)["why"] == "only 12 answers, fewer than the 30 needed"
    assert cell(k["nps"], "fr", 30)["why"] == "12 réponses seulement, moins que les 30 nécessaires"


def test_report_cells_show_value_target_and_status(demo):
    m, data, _ = demo
    cells = {c["kpi"]: c for s in m.stages for c in stage_cells(data, m, s.id, "fr")}
    assert set(cells) == {k.id for k in m.kpis}  # touchpoint KPIs in their touchpoint's stage
    r = by_id(measure_kpis(data, m, "fr"))["delivery_time"]
    c = cells["delivery_time"]
    assert c["target"] == "≤ 4\u202fj" and c["value"].endswith("\u202fj")  # days in French, at most 4
    assert c["status_text"] == {"met": "atteint", "not_met": "non atteint"}[r["status"]]
    assert c["text"] == f"{c['value']} · objectif ≤ 4\u202fj · {c['status_text']}"
    en = {c["kpi"]: c for s in m.stages for c in stage_cells(data, m, s.id, "en")}
    assert en["delivery_time"]["target"] == "≤ 4\u202fd" and en["nps"]["name"] == "NPS"
    assert en["checkout_conversion"]["name"] == "Orders paid after delivery options"  # the map's English name


@pytest.fixture
def kpis_registered():
    """The ``kpis`` analysis in the registry: the built-in one once builtin.py registers it,
    else registered here for the test, the way an extension would."""
    from parcours.analysis import registry

    ours = "kpis" not in registry.names()
    if ours:
        registry.register(registry.Analysis("kpis", "parcours.analysis.kpis_derive:derive", feedback=True,
                                            cost="results", tables=(registry.Table("kpis"),)))
    yield
    if ours:
        registry.unregister("kpis")


def test_the_analysis_writes_kpis_and_their_table(kpis_registered, small):
    path, _ = small
    m = map_from_dict({**MAP, "kpis": [{"id": "c", "name": {"fr": "Conversion", "en": "Conversion rate"}, "stage": "a",
                                        "metric": "conversion", "target": 35, "unit": "%"}]})
    result = parcours.analyze(path, m, lang="en")
    assert result.data["kpis"] == measure_kpis(result.data, m, "en")
    assert result.data["kpis"][0]["status"] == "met" and result.data["kpis"][0]["name"] == "Conversion rate"
    assert result["kpis"].to_arrow().to_pylist() == result.data["kpis"]


def test_a_map_without_kpis_writes_none(kpis_registered, small):
    path, _ = small
    result = parcours.analyze(path, map_from_dict(MAP))
    assert "kpis" not in result.data and "kpis" not in result.table_names()
