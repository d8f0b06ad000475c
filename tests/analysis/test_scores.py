"""NPS, CSAT and CES figures and intervals: properties, independent computations, coverage."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.analysis.scores import Counts, figure, nps_interval, t975, wilson


def nps_counts(scores: list[int]) -> Counts:
    return Counts(responses=len(scores), promoters=sum(s >= 9 for s in scores), detractors=sum(s <= 6 for s in scores))


@given(st.lists(st.integers(0, 10), min_size=1, max_size=300))
def test_nps_bounds_and_interval_contains_estimate(scores):
    f = figure("nps", nps_counts(scores))
    promoters = sum(s >= 9 for s in scores) / len(scores)
    detractors = sum(s <= 6 for s in scores) / len(scores)
    assert f["value"] == pytest.approx(100 * (promoters - detractors))  # the definition, computed here
    assert -100 <= f["ci_low"] <= f["value"] <= f["ci_high"] <= 100


@given(st.lists(st.integers(0, 10), min_size=1, max_size=300).filter(lambda s: any(x <= 6 for x in s)))
def test_one_detractor_becoming_a_promoter_raises_nps_by_200_over_n(scores):
    before = figure("nps", nps_counts(scores))["value"]
    i = next(i for i, s in enumerate(scores) if s <= 6)
    after = figure("nps", nps_counts(scores[:i] + [10] + scores[i + 1:]))["value"]
    assert after - before == pytest.approx(200 / len(scores))


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_the_share(k, n):
    k = min(k, n)
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1


@given(st.lists(st.integers(1, 7), min_size=2, max_size=200))
def test_ces_mean_and_t_interval_match_an_independent_computation(scores):
    c = Counts(responses=len(scores), total=float(sum(scores)), total_sq=float(sum(s * s for s in scores)))
    f = figure("ces", c)
    n = len(scores)
    mean = sum(scores) / n
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (n - 1))
    assert f["value"] == pytest.approx(mean)
    assert f["ci_low"] == pytest.approx(mean - t975(n - 1) * sd / math.sqrt(n), abs=1e-9)
    assert f["ci_low"] <= f["value"] <= f["ci_high"]


def test_t_quantiles_against_published_values():
    # Student's t 0.975 quantiles from statistical tables (df: value).
    for df, value in {1: 12.706, 5: 2.571, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}.items():
        assert t975(df) == pytest.approx(value, abs=1.5e-3)


def test_small_groups_are_flagged_not_hidden():
    f = figure("csat", Counts(responses=5, top=4))
    assert f["small"] and f["value"] == 80.0 and f["responses"] == 5
    assert not figure("csat", Counts(responses=30, top=4))["small"]
    assert figure("nps", Counts(responses=0))["value"] is None


@pytest.mark.parametrize("metric,truth,draw", [
    # NPS with 45% promoters, 30% passives, 25% detractors: true NPS 20.
    ("nps", 20.0, lambda r: r.choices([10, 8, 3], weights=[45, 30, 25])[0]),
    # CSAT (1-5) with 70% in the top two: true CSAT 70%.
    ("csat", 70.0, lambda r: r.choices([5, 4, 3, 2], weights=[40, 30, 20, 10])[0]),
    # CES (1-7): true mean 1*.1 + 3*.3 + 5*.4 + 7*.2 = 4.4.
    ("ces", 4.4, lambda r: r.choices([1, 3, 5, 7], weights=[10, 30, 40, 20])[0]),
])
def test_intervals_cover_the_true_value_about_95_percent_of_the_time(metric, truth, draw):
    rng = random.Random(7)
    reps, n, covered = 2000, 150, 0
    for _ in range(reps):
        s = [draw(rng) for _ in range(n)]
        c = Counts(responses=n, promoters=sum(x >= 9 for x in s), detractors=sum(x <= 6 for x in s),
                   top=sum(x >= 4 for x in s), total=float(sum(s)), total_sq=float(sum(x * x for x in s)))
        f = figure(metric, c)
        covered += f["ci_low"] <= truth <= f["ci_high"]
    assert 0.93 <= covered / reps <= 0.975, covered / reps


def test_nps_interval_never_collapses_on_a_unanimous_small_group():
    low, high = nps_interval(promoters=5, detractors=0, n=5)
    assert high == 100 and low < 60  # a plain Wald interval would be [100, 100]
