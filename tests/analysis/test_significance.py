"""Significance tests: false-positive rate under no effect, power under an injected effect,
and agreement with textbook values."""

from __future__ import annotations

import math
import random

import pytest

from parcours.analysis import significance as S


def test_mann_whitney_against_a_textbook_example():
    # a = [1, 2, 5] has ranks 1, 2, 5 among a + b = [3, 4, 6, 7]: R = 8, U = 8 - 3*4/2 = 2;
    # normal approximation: z = (2 - 6) / sqrt(3*4*8/12) = -1.4142, p = 0.1573.
    assert S.mann_whitney([1, 2, 5], [3, 4, 6, 7]) == pytest.approx(0.1573, abs=1e-4)
    # With ties: equal values share their mean rank, and the variance shrinks accordingly.
    # [1, 1, 2] vs [1, 3, 3]: ranks 2, 2, 4 (R = 8, U = 2), tie term 24 + 6: z = -2.5 / sqrt(4.5), p = 0.2386.
    assert S.mann_whitney([1, 1, 2], [1, 3, 3]) == pytest.approx(0.2386, abs=1e-4)


def test_proportions_against_a_textbook_example():
    # 45/100 vs 60/100: pooled 0.525, z = 0.15 / sqrt(0.525*0.475*0.02) = 2.1239, p = 0.0337.
    assert S.proportions(45, 100, 60, 100) == pytest.approx(0.0337, abs=1e-4)


@pytest.mark.parametrize("kind", ["proportions", "nps", "means", "mann_whitney"])
def test_false_positives_near_alpha_and_effects_found(kind):
    rng = random.Random(5)

    def draw(shift: float, n: int) -> list[float]:
        if kind == "mann_whitney":
            return [rng.expovariate(1 / (3600 * (1 + shift))) for _ in range(n)]
        if kind == "means":
            return [min(7, max(1, round(rng.gauss(4 + 2 * shift, 1.5)))) for _ in range(n)]
        if kind == "nps":
            return [rng.choices([10, 8, 3], weights=[40 + 100 * shift, 30, 30 - 100 * shift])[0] for _ in range(n)]
        return [float(rng.random() < 0.4 + shift) for _ in range(n)]

    def p_value(a: list[float], b: list[float]) -> float:
        if kind == "mann_whitney":
            return S.mann_whitney(a, b)
        if kind == "means":
            def mv(x):
                m = sum(x) / len(x)
                return m, sum((v - m) ** 2 for v in x) / (len(x) - 1)
            (m1, v1), (m2, v2) = mv(a), mv(b)
            return S.means(len(a), m1, v1, len(b), m2, v2)
        if kind == "nps":
            return S.nps(sum(x >= 9 for x in a), sum(x <= 6 for x in a), len(a),
                         sum(x >= 9 for x in b), sum(x <= 6 for x in b), len(b))
        return S.proportions(int(sum(a)), len(a), int(sum(b)), len(b))

    n, reps = 300, 400
    false_pos = sum(p_value(draw(0, n), draw(0, n)) < S.ALPHA for _ in range(reps)) / reps
    assert 0.02 <= false_pos <= 0.085, false_pos  # 5% expected; binomial noise over 400 runs
    effect = {"proportions": 0.15, "nps": 0.15, "means": 0.25, "mann_whitney": 0.5}[kind]
    found = sum(p_value(draw(0, n), draw(effect, n)) < S.ALPHA for _ in range(100)) / 100
    assert found >= 0.9, found  # e.g. 40% -> 55%, or durations 1.5x longer, on 300 per group


def test_tiny_groups_are_not_called_different_by_a_zero_variance():
    """One promoter then one detractor (seen on the demo's compare: 'NPS 100 → -100, n 1 / 1,
    p < 0.001'): each group alone has no variance, so a per-group variance made p = 0. Under the
    null both groups share one trinomial: the pooled variance, computed here by hand."""
    a, b = 1 / 2, 1 / 2  # promoters and detractors over the two answers
    z = -2 / ((a + b - (a - b) ** 2) * 2) ** 0.5
    assert S.nps(1, 0, 1, 0, 1, 1) == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert S.nps(1, 0, 1, 0, 1, 1) > S.ALPHA
    # false positives stay near alpha on small groups too (10 answers each, 2,000 draws)
    rng = random.Random(7)
    calls = 0
    for _ in range(2000):
        g = [[rng.choices([10, 8, 3], weights=[40, 30, 30])[0] for _ in range(10)] for _ in range(2)]
        counts = [(sum(x >= 9 for x in s), sum(x <= 6 for x in s), len(s)) for s in g]
        calls += S.nps(*counts[0], *counts[1]) < S.ALPHA
    assert calls / 2000 <= 0.08, calls / 2000
