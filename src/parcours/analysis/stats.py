"""The distribution statistics used for every duration, so all figures share one definition.

Quantiles are continuous (linear interpolation between the two nearest values), as in
pandas' default and DuckDB's ``quantile_cont``.
"""

from __future__ import annotations

import ibis.expr.types as ir

STATS = ("count", "mean", "min", "p25", "median", "p75", "p90", "max")


def stat_aggs(col: ir.NumericColumn) -> dict[str, ir.Scalar]:
    """count, mean, min, p25, median, p75, p90 and max of ``col`` (nulls ignored)."""
    return {
        "count": col.count(),
        "mean": col.mean(),
        "min": col.min().cast("float64"),
        "p25": col.quantile(0.25),
        "median": col.quantile(0.5),
        "p75": col.quantile(0.75),
        "p90": col.quantile(0.9),
        "max": col.max().cast("float64"),
    }


def seconds(us: ir.IntegerValue) -> ir.FloatingValue:
    """Integer microseconds -> float seconds."""
    return us.cast("float64") / 1_000_000
