"""The ``kpis`` analysis is a built-in one (issue 23, §2): every run on a map with KPIs writes
them to analysis.json and kpis.csv, ``--analyses kpis`` gives the full run's KPIs, and a map
without KPIs writes none. Values against plain pandas on a small log."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import parcours
from parcours.analysis import registry
from parcours.model import map_from_dict
from parcours.model.io import dump_map
from tests.cli.test_cli import parcours as parcours_cli  # the CLI as a user runs it

MAP = {"stages": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
       "touchpoints": [{"id": "view", "stage": "a"}, {"id": "pay", "stage": "b"}], "goals": [{"id": "pay"}]}
KPIS = [{"id": "conv", "name": {"fr": "Passage", "en": "On to B"}, "stage": "a", "metric": "conversion",
         "target": 35, "unit": "%"},
        {"id": "time", "name": "Time to B", "stage": "a", "metric": "duration_median", "target": 1, "unit": "h",
         "direction": "lower"},
        {"id": "paid", "name": "Paid", "touchpoint": "pay", "metric": "reached", "target": 5},
        {"id": "nps", "name": "NPS", "stage": "b", "metric": "nps", "target": 30}]


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    """10 journeys viewing; 4 of them pay, i × 10 minutes later."""
    path = tmp_path_factory.mktemp("kpis") / "e.csv"
    rows = []
    for i in range(10):
        rows.append({"customer_id": f"c{i}", "event": "view", "timestamp": "2026-01-01T10:00:00Z"})
        if i < 4:
            rows.append({"customer_id": f"c{i}", "event": "pay", "timestamp": f"2026-01-01T10:{10 * (i + 1):02d}:00Z"})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def expected(path):
    """The KPIs computed with pandas from the log alone."""
    ev = pd.read_csv(path, parse_dates=["timestamp"])
    first = ev.groupby(["customer_id", "event"])["timestamp"].min().unstack()
    journeys = len(first)
    reached_b = first["pay"].notna()
    conv = 100 * reached_b.sum() / first["view"].notna().sum()
    hours = ((first["pay"] - first["view"]).dropna().dt.total_seconds() / 3600).median()
    paid = int(reached_b.sum())
    return {"conv": (conv, "met" if conv >= 35 else "not_met", None, journeys),
            "time": (hours, "met" if hours <= 1 else "not_met", None, paid),
            "paid": (paid, "met" if paid >= 5 else "not_met", None, journeys),
            "nps": (None, "not_measurable", "no_feedback", None)}


def test_kpis_is_registered_after_what_it_reads():
    a = registry.get("kpis")
    assert a.feedback and a.tables == (registry.Table("kpis"),) and a.cost == "results"
    order = [x.name for x in registry.analyses()]
    assert all(order.index(n) < order.index("kpis") for n in a.needs)
    assert set(a.needs) == {"touchpoints", "funnel", "durations"}  # the results it reads


def test_every_run_writes_the_kpis(log):
    m = map_from_dict({**MAP, "kpis": KPIS})
    result = parcours.analyze(log, m, lang="en")
    got = {r["kpi"]: (r["value"], r["status"], r["reason"], r["n"]) for r in result.data["kpis"]}
    want = expected(log)
    assert set(got) == set(want) and [r["kpi"] for r in result.data["kpis"]] == [k["id"] for k in KPIS]
    for k, (value, status, reason, n) in want.items():
        assert got[k][1:] == (status, reason, n), k
        assert got[k][0] == (None if value is None else pytest.approx(value)), k
    assert result["kpis"].to_arrow().to_pylist() == result.data["kpis"]
    assert result.data["kpis"][0]["name"] == "On to B"


def test_analyses_kpis_gives_the_full_runs(log):
    m = map_from_dict({**MAP, "kpis": KPIS})
    full = parcours.analyze(log, m).data
    sub = parcours.analyze(log, m, analyses="kpis").data
    assert sub["kpis"] == full["kpis"]
    assert not any(r["reason"] == "not_computed" for r in sub["kpis"])


def test_cli_writes_kpis_csv_and_none_without_kpis(log, tmp_path):
    with_kpis, without = tmp_path / "with.yaml", tmp_path / "without.yaml"
    with_kpis.write_text(dump_map(map_from_dict({**MAP, "kpis": KPIS})), encoding="utf-8")
    without.write_text(dump_map(map_from_dict(MAP)), encoding="utf-8")
    for path, out in ((with_kpis, tmp_path / "r1"), (without, tmp_path / "r2")):
        p = parcours_cli("analyze", log, "--map", path, "--out", out, "--no-report")
        assert p.returncode == 0, p.stderr
    data = json.loads((tmp_path / "r1" / "analysis.json").read_text(encoding="utf-8"))
    csv = pd.read_csv(tmp_path / "r1" / "kpis.csv", keep_default_na=False, na_values=[""])
    assert list(csv["kpi"]) == [r["kpi"] for r in data["kpis"]]
    assert list(csv["status"]) == [r["status"] for r in data["kpis"]]
    assert csv["value"].tolist()[:3] == pytest.approx([r["value"] for r in data["kpis"]][:3])
    assert "kpis" not in json.loads((tmp_path / "r2" / "analysis.json").read_text(encoding="utf-8"))
    assert not (tmp_path / "r2" / "kpis.csv").exists()


def test_kpis_alone_on_a_map_without_stages_is_the_full_runs(tmp_path):
    """--analyses kpis needs the funnel and durations; on a map without stages that is no reason
    to refuse (it said "--analyses funnel,durations: the journey map declares no stages"): only
    analyses named read stages. A funnel named on such a map is still refused."""
    import json

    import pyarrow.csv as pacsv

    import parcours
    from parcours.demo import demo_events
    from parcours.errors import OptionError
    from parcours.model import map_from_dict

    pacsv.write_csv(demo_events(customers=300, seed=3), tmp_path / "e.csv")
    m = map_from_dict({"touchpoints": [{"id": "cart", "match": {"event": "add_to_cart"}}],
                       "kpis": [{"id": "k", "name": "Exit at cart", "touchpoint": "cart", "metric": "exit_rate",
                                 "target": 0.2, "direction": "lower"}]})
    full = json.loads(parcours.analyze(tmp_path / "e.csv", m).to_json())
    alone = json.loads(parcours.analyze(tmp_path / "e.csv", m, analyses="kpis").to_json())
    assert alone["kpis"] == full["kpis"] and full["kpis"][0]["status"] in ("met", "not_met")
    with pytest.raises(OptionError, match="--analyses funnel: the journey map declares no stages"):
        parcours.analyze(tmp_path / "e.csv", m, analyses="funnel,kpis")
