"""``stats_table``: the one definition of every duration's statistics, against pandas."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from parcours.analysis.stats import STATS, stats_table


def _pandas(s: pd.Series) -> dict:
    s = s.dropna()
    return {"count": len(s), "mean": s.mean(), "min": s.min(), "p25": s.quantile(0.25), "median": s.quantile(0.5),
            "p75": s.quantile(0.75), "p90": s.quantile(0.9), "max": s.max()}


def _same(got: dict, want: dict) -> None:
    assert got["count"] == want["count"]
    for k in STATS[1:]:
        if pd.isna(want[k]):
            assert got[k] is None or pd.isna(got[k]), k
        else:
            assert got[k] == pytest.approx(want[k]), k


def test_per_group_whole_table_and_no_values():
    df = pd.DataFrame({"g": list("aaaaabbbc"), "x": [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, None]})
    con = ibis.duckdb.connect()
    t = con.create_table("t", df)
    got = stats_table(t, "x", g="g").to_pyarrow().to_pylist()
    assert [r["g"] for r in sorted(got, key=lambda r: r["g"])] == ["a", "b", "c"]
    assert list(got[0]) == ["g", *STATS]
    for r in got:
        _same(r, _pandas(df.loc[df.g == r["g"], "x"]))  # "c": no value, count 0 and the rest empty
    named = stats_table(t, "x", grp=t.g.upper()).to_pyarrow().to_pylist()
    assert sorted(r["grp"] for r in named) == ["A", "B", "C"]
    _same(stats_table(t, "x").to_pyarrow().to_pylist()[0], _pandas(df.x))
    _same(stats_table(t.filter(t.x > 100), "x").to_pyarrow().to_pylist()[0], _pandas(df.x[df.x > 100]))
