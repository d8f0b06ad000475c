"""Significance tests for before/after comparisons (pure Python, two-sided, normal approximations).

- **Proportions** (conversion, exit rate, CSAT): the two-proportion z-test with pooled variance.
- **NPS**: the z-test of a difference of two NPS, with the variance of a difference of two
  shares of one trinomial, (p + d − (p − d)²)/n, pooled over both groups as the null
  hypothesis has it (one distribution of promoters and detractors): two groups of one
  answer each, a promoter and a detractor, are not "significantly" different.
- **Means** (CES): Welch's z-test (unequal variances; the normal approximation of Welch's t,
  fit for the group sizes where a figure is not flagged small).
- **Durations** (stage durations): the Mann–Whitney U test (normal approximation with the
  correction for ties): it compares whole distributions, so a few very long journeys do not
  decide it, unlike a test of means.

Each returns the p-value. A comparison makes many tests at once (~50 for a map of a few
stages and touchpoints): at p < 0.05 each, a few would be called significant by chance alone.
:func:`benjamini_hochberg` adjusts the p-values of one comparison together, so that a
difference is called significant when its adjusted p-value (``q``) is below ``ALPHA`` (0.05):
among the differences called significant, at most 5 % are expected to be chance (the false
discovery rate, Benjamini & Hochberg 1995, valid for independent or positively dependent tests).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

ALPHA = 0.05


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """The Benjamini–Hochberg adjusted p-values, in the order given (None stays None and is
    not counted as a test): with the m p-values sorted, p₍ᵢ₎ becomes min over j ≥ i of
    m·p₍ⱼ₎/j, capped at 1. A test is a discovery at false discovery rate α when its adjusted
    p-value is ≤ α, exactly the tests the step-up rule rejects.

    >>> benjamini_hochberg([0.01, 0.04, None, 0.03])
    [0.03, 0.04, None, 0.04]
    """
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    out: list[float | None] = [None] * len(p_values)
    running = 1.0
    for rank in range(m, 0, -1):  # from the largest p down: the running minimum of m·p/rank
        p, i = tested[rank - 1]
        running = min(running, m * p / rank)
        out[i] = running
    return out


def _two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def proportions(k1: int, n1: int, k2: int, n2: int) -> float | None:
    """p-value that k1/n1 and k2/n2 differ; None when a group is empty or nothing varies."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return 1.0
    return _two_sided((k2 / n2 - k1 / n1) / math.sqrt(var))


def nps(p1: int, d1: int, n1: int, p2: int, d2: int, n2: int) -> float | None:
    """p-value that two NPS differ (promoters, detractors, answers of each group). The variance
    is the pooled one (under the null hypothesis both groups share the shares of promoters and
    detractors); a separate variance per group is 0 for a group whose answers all agree, which
    would call one promoter against one detractor a certain difference.

    >>> round(nps(1, 0, 1, 0, 1, 1), 3)   # one promoter, then one detractor: chance can do that
    0.157
    >>> nps(5, 0, 5, 5, 0, 5)              # nothing varies
    1.0
    """
    if n1 <= 0 or n2 <= 0:
        return None
    a, b = (p1 + p2) / (n1 + n2), (d1 + d2) / (n1 + n2)
    v = max(a + b - (a - b) ** 2, 0.0) * (1 / n1 + 1 / n2)
    diff = (p2 - d2) / n2 - (p1 - d1) / n1
    if v <= 0:
        return 1.0
    return _two_sided(diff / math.sqrt(v))


def means(n1: int, mean1: float, var1: float, n2: int, mean2: float, var2: float) -> float | None:
    """Welch's z-test p-value for two means (sample variances)."""
    if n1 < 2 or n2 < 2:
        return None
    se = math.sqrt(var1 / n1 + var2 / n2)
    if se == 0:
        return 1.0 if mean1 == mean2 else 0.0
    return _two_sided((mean2 - mean1) / se)


def mann_whitney(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Mann–Whitney U p-value (normal approximation, tie-corrected)."""
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return None
    pooled = sorted([(x, 0) for x in a] + [(x, 1) for x in b])
    rank_sum_a, ties, i, n = 0.0, 0.0, 0, n1 + n2
    while i < n:
        j = i
        while j + 1 < n and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        avg = (i + j) / 2 + 1  # ranks are 1-based; equal values share their mean rank
        t = j - i + 1
        ties += t**3 - t
        rank_sum_a += avg * sum(1 for k in range(i, j + 1) if pooled[k][1] == 0)
        i = j + 1
    u = rank_sum_a - n1 * (n1 + 1) / 2
    mu = n1 * n2 / 2
    sigma2 = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0
    if sigma2 <= 0:
        return 1.0
    return _two_sided((u - mu) / math.sqrt(sigma2))
