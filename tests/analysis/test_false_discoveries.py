"""compare controls the false discovery rate: Benjamini–Hochberg against a published example and
a brute-force reference, compare.json's raw and adjusted p-values and test count, and what the
CLI and the report say."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pandas as pd
import pytest

from parcours.analysis import significance as S


def reference_bh(p: list[float | None]) -> list[float | None]:
    """q_i = min over the tests j with p_j ≥ p_i of m·p_j / rank_j (rank: 1-based position of
    p_j among the m p-values sorted ascending, ties in any order), capped at 1 — the definition
    written out in O(m²), independent of the implementation's running minimum."""
    tested = sorted(x for x in p if x is not None)
    m = len(tested)
    out = []
    for x in p:
        if x is None:
            out.append(None)
            continue
        out.append(min(1.0, min(m * tested[j] / (j + 1) for j in range(m) if tested[j] >= x)))
    return out


def step_up_rejections(p: list[float], alpha: float) -> set[int]:
    """Benjamini & Hochberg's (1995) step-up rule: reject the k smallest, k the largest i with
    p_(i) ≤ i·α/m."""
    order = sorted(range(len(p)), key=lambda i: p[i])
    k = max((i + 1 for i, j in enumerate(order) if p[j] <= (i + 1) * alpha / len(p)), default=0)
    return set(order[:k])


def test_the_published_example():
    # Benjamini & Hochberg (1995), section 4: 15 p-values; at q* = 0.05 the procedure rejects
    # the four smallest (Bonferroni only the three smallest).
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
         0.7590, 1.0000]
    q = S.benjamini_hochberg(p)
    assert [i for i, x in enumerate(q) if x <= 0.05] == [0, 1, 2, 3]
    assert q[3] == pytest.approx(15 * 0.0095 / 4)
    assert q[4] == pytest.approx(15 * 0.0201 / 5)  # 0.0603: above 0.05, not rejected
    assert q[5] == pytest.approx(15 * 0.0298 / 7)  # 0.0278·15/6 = 0.0695, but p_(7) gives less: 0.0639


@pytest.mark.parametrize("seed", range(20))
def test_against_the_definition_and_the_step_up_rule(seed):
    rng = random.Random(seed)
    m = rng.randint(1, 80)
    # a mixture: true effects (small p), nulls (uniform), ties and untestable rows (None)
    p = [rng.choice([rng.random() ** 4, rng.random(), 0.04, None]) for _ in range(m)]
    q = S.benjamini_hochberg(p)
    assert [x is None for x in q] == [x is None for x in p]
    for a, b in zip(q, reference_bh(p)):
        assert (a is None and b is None) or a == pytest.approx(b, rel=1e-12)
    idx = [i for i, x in enumerate(p) if x is not None]
    for alpha in (0.01, 0.05, 0.2):
        rejected = {idx[i] for i in step_up_rejections([p[i] for i in idx], alpha)}
        assert {i for i, x in enumerate(q) if x is not None and x <= alpha} == rejected
    assert all(x is None or x >= y * (1 - 1e-12) for x, y in zip(q, p))  # never below the raw p


def test_no_tests_and_one_test():
    assert S.benjamini_hochberg([]) == []
    assert S.benjamini_hochberg([None, 0.03]) == [None, 0.03]


# --- compare -----------------------------------------------------------------------------

def compared(tmp_path):
    from tests.analysis.test_compare import MAP, journeys

    from parcours.project.compare import compare

    rows = journeys(3, 1500, 1, 0.6, 2.0) + journeys(103, 1500, 3, 0.45, 6.0)
    path = tmp_path / "events.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return compare(path, MAP, before="2026-01-01..2026-01-31", after="2026-03-01..2026-03-31"), path


def test_compare_json_carries_raw_and_adjusted_p_and_the_test_count(tmp_path):
    result, _ = compared(tmp_path)
    d = result.data
    rows = d["rows"]
    assert d["tests"] == sum(r["p_value"] is not None for r in rows) >= 8
    assert d["correction"] == "benjamini-hochberg" and d["alpha"] == 0.05
    q = reference_bh([r["p_value"] for r in rows])
    for r, expected in zip(rows, q, strict=True):
        assert (r["p_adjusted"] is None) if expected is None else r["p_adjusted"] == pytest.approx(expected)
        assert r["significant"] == (expected is not None and expected <= 0.05)
    assert any(r["significant"] for r in rows)
    # a raw p below 0.05 is not enough: some row is significant raw but not adjusted, or the
    # adjusted values are strictly larger for every non-minimal row
    assert all(r["p_adjusted"] >= r["p_value"] for r in rows if r["p_value"] is not None)
    assert "p_adjusted" in result.table.column_names


def test_no_effect_gives_few_discoveries(tmp_path):
    """Both sides drawn alike, many times: the share of runs with any false discovery is about
    the level (at most 5% expected: all hypotheses are null here), where raw p < 0.05 would make
    one in most runs."""
    from tests.analysis.test_compare import run

    any_discovery = any_raw = 0
    for seed in range(6):
        result, _ = run(tmp_path, p_after=0.6, delay_after=2.0, seed=seed)
        any_discovery += any(r["significant"] for r in result.data["rows"])
        any_raw += any(r["p_value"] is not None and r["p_value"] < 0.05 for r in result.data["rows"])
    assert any_discovery <= 1 and any_raw >= any_discovery


def test_cli_says_how_many_tests_and_prints_percentages_durations_and_names(tmp_path):
    from tests.analysis.test_compare import MAP

    from parcours.report import formats as F

    m = MAP.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    m["touchpoints"][0]["name"] = "Page produit"
    m["analysis"] = {"lang": "fr"}
    (tmp_path / "map.yaml").write_text(json.dumps(m))
    _, path = compared(tmp_path)
    p = subprocess.run([sys.executable, "-m", "parcours", "compare", path, "--map", tmp_path / "map.yaml",
                        "--before", "2026-01-01..2026-01-31", "--after", "2026-03-01..2026-03-31",
                        "--out", tmp_path / "out"], capture_output=True, text=True, env={**__import__("os").environ,
                                                                                         "COLUMNS": "200"})
    assert p.returncode == 0, p.stderr
    d = json.loads((tmp_path / "out" / "compare.json").read_text())
    said = p.stdout + p.stderr
    assert f"{d['tests']} tests, taux de fausses découvertes (FDR) contrôlé à 5{F.NBSP}% (Benjamini–Hochberg)" in said
    sig = [r for r in d["rows"] if r["significant"]]
    assert sig
    for r in sig:
        if r["indicator"] in ("conversion", "reach", "exit_rate"):
            assert F.pct(r["before"], "fr", 1) in p.stdout and F.pct(r["after"], "fr", 1) in p.stdout
        if r["indicator"].startswith("duration"):
            assert F.duration(r["before"], "fr") in p.stdout and F.duration(r["after"], "fr") in p.stdout
    assert "e+0" not in p.stdout and "0.8" not in p.stdout  # no raw fractions or seconds
    assert "Page produit" in p.stdout or not any(r["item"] == "view" for r in sig)
    tp_rows = [r for r in d["rows"] if r["level"] == "touchpoint"]
    assert tp_rows and all(r["name"] == ("Page produit" if r["item"] == "view" else r["item"]) for r in tp_rows)


def test_before_after_view(tmp_path):
    """The report's table: a raw and an adjusted p column and the sentence with the test count;
    a compare.json written before the correction still renders, saying it had none."""
    from parcours.report.before_after import before_after
    from parcours.report.labels import labels

    result, _ = compared(tmp_path)
    d = json.loads(json.dumps(result.data, default=str))
    ba = before_after(d, "en", labels("en"))
    assert ba["adjusted"] and f"{d['tests']} tests, false discovery rate (FDR) controlled at 5% (Benjamini–Hochberg)" \
        in ba["caption"]
    assert ba["significant"] == sum(r["significant"] for r in d["rows"])
    first = min((r for r in d["rows"] if r["p_value"] is not None), key=lambda r: r["p_value"])
    assert ba["rows"][0]["q"] == ("< 0.001" if first["p_adjusted"] < 0.001 else f"{first['p_adjusted']:.3f}")
    old = {k: v for k, v in d.items() if k not in ("tests", "correction")}
    old["rows"] = [{k: v for k, v in r.items() if k != "p_adjusted"} for r in d["rows"]]
    ba_old = before_after(old, "fr", labels("fr"))
    assert not ba_old["adjusted"] and "sans correction pour les tests multiples" in ba_old["caption"]
