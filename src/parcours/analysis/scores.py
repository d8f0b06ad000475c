"""NPS, CSAT and CES from counts, with 95% confidence intervals (pure Python, no engine).

- **NPS** (0–10): % promoters (9–10) minus % detractors (0–6), on −100..100. Interval: the
  *adjusted Wald* interval of Rocks (2016): add 3/4 of a response to promoters and to
  detractors (3 responses in all), then the normal interval of a difference of two shares of
  one trinomial. It keeps a usable width on small or extreme groups, where the plain Wald
  interval collapses to a point. When the adjusted interval misses the estimate itself (only
  in tiny groups), it is extended to it, so that the interval always contains the estimate.
- **CSAT** (1–5, or a declared scale MIN–MAX): % of answers in the top two points of the
  scale (score ≥ MAX − 1: 4 and 5 of 5). Interval: Wilson's score interval.
- **CES** (1–7, or a declared scale): the mean. Interval: Student's t on the mean; none for a
  single response.

A group with fewer than ``MIN_RESPONSES`` answers is flagged ``small`` (its figure is shown,
not hidden, but should not be read as stable).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from parcours.model.metrics import METRICS, SCALES

Z95 = 1.959963984540054
MIN_RESPONSES = 30
__all__ = ["METRICS", "MIN_RESPONSES", "SCALES", "Counts", "figure", "nps_interval", "t975", "wilson"]

# Student's t, two-sided 95% (0.975 quantile), for 1..30 degrees of freedom.
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042]


def t975(df: int) -> float:
    """0.975 quantile of Student's t with ``df`` degrees of freedom.

    Exact to 3 decimals up to 30; beyond, the Cornish–Fisher expansion (error < 0.001).

    >>> t975(10), round(t975(120), 3)
    (2.228, 1.98)
    """
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= 30:
        return _T975[df - 1]
    z = Z95
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of the share k/n (as shares, 0..1)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    # min/max: at k = 0 or k = n the bound equals the share up to rounding; keep it inside.
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def nps_interval(promoters: int, detractors: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Adjusted-Wald interval of the NPS, on −100..100, always containing the estimate."""
    if n <= 0:
        raise ValueError("n must be positive")
    m = n + 3
    p, d = (promoters + 0.75) / m, (detractors + 0.75) / m
    centre = p - d
    half = z * math.sqrt(max(p + d - centre * centre, 0.0) / m)
    est = (promoters - detractors) / n
    low, high = min(centre - half, est), max(centre + half, est)
    return max(-100.0, 100 * low), min(100.0, 100 * high)


@dataclass(frozen=True)
class Counts:
    """What a group's answers reduce to, for any of the three metrics."""

    responses: int
    promoters: int = 0  # NPS 9–10
    detractors: int = 0  # NPS 0–6
    top: int = 0  # CSAT: answers in the top two points
    total: float = 0.0  # CES: sum of scores
    total_sq: float = 0.0  # CES: sum of squared scores


def figure(metric: str, c: Counts, *, min_responses: int = MIN_RESPONSES) -> dict[str, float | int | bool | None]:
    """``value``, ``responses``, ``ci_low``, ``ci_high``, ``small`` for one group."""
    n = c.responses
    out: dict[str, float | int | bool | None] = {"value": None, "responses": n, "ci_low": None, "ci_high": None,
                                                 "small": n < min_responses}
    if n == 0:
        return out
    if metric == "nps":
        out["value"] = 100 * (c.promoters - c.detractors) / n
        out["ci_low"], out["ci_high"] = nps_interval(c.promoters, c.detractors, n)
        out["promoters"], out["passives"], out["detractors"] = c.promoters, n - c.promoters - c.detractors, c.detractors
    elif metric == "csat":
        out["value"] = 100 * c.top / n
        lo, hi = wilson(c.top, n)
        out["ci_low"], out["ci_high"] = 100 * lo, 100 * hi
        out["satisfied"] = c.top
    elif metric == "ces":
        mean = c.total / n
        out["value"] = mean
        out["sd"] = None
        if n > 1:
            var = max((c.total_sq - n * mean * mean) / (n - 1), 0.0)
            out["sd"] = math.sqrt(var)
            half = t975(n - 1) * math.sqrt(var / n)
            out["ci_low"], out["ci_high"] = mean - half, mean + half
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return out
