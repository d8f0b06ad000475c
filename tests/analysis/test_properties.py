"""Invariants that must hold for any log (hypothesis), and map-based figures against pandas."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parcours
from parcours.ingest import read_events
from parcours.model import map_from_dict

MAP = map_from_dict({
    "stages": [{"id": "s1", "name": "One"}, {"id": "s2", "name": "Two"}, {"id": "s3", "name": "Three"}],
    "touchpoints": [
        {"id": "a", "stage": "s1"}, {"id": "b", "stage": "s1"},
        {"id": "c", "stage": "s2", "match": {"event": ["c", "c_*"]}},
        {"id": "d", "stage": "s3"},
    ],
    "goals": [{"id": "d"}],
})
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@st.composite
def logs(draw):
    rows = []
    for j in range(draw(st.integers(1, 12))):
        t = 0
        for _ in range(draw(st.integers(1, 8))):
            t += draw(st.sampled_from([0, 0, 5, 60, 3600]))  # equal times happen
            rows.append({"customer_id": f"j{j}", "event": draw(st.sampled_from(["a", "b", "c", "c_x", "d", "zz"])),
                         "timestamp": T0 + dt.timedelta(seconds=t)})
    order = draw(st.permutations(range(len(rows))))
    return pd.DataFrame([rows[i] for i in order])


def run(df, **kw):
    return parcours.analyze(read_events(ibis.memtable(df)), MAP, **kw)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_invariants(df):
    d = run(df).data
    reached = [s["reached"] for s in d["stages"]]
    assert all(x >= y for x, y in zip(reached, reached[1:], strict=False))  # ordered funnel never increases
    for s in d["stages"]:
        assert s["reached"] <= s["journeys"] <= d["summary"]["journeys"]
    out: dict[str, int] = {}
    for t in d["transitions"]:
        out[t["from"]] = out.get(t["from"], 0) + t["count"]
    ends = {r["touchpoint"]: r["journeys"] for r in d["ends"]}
    for row in d["touchpoints"]:
        assert out.get(row["touchpoint"], 0) + ends.get(row["touchpoint"], 0) == row["events"]
    v = d["variants"]
    assert sum(x["journeys"] for x in v["top"]) + v["other"]["journeys"] == d["summary"]["journeys"]
    assert sum(r["journeys"] for r in d["starts"]) == sum(r["journeys"] for r in d["ends"]) == d["summary"]["journeys"]
    assert {r["event"] for r in d["unmapped"]} <= {"zz"}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs(), st.integers(0, 5))
def test_read_equals_accepted_plus_quarantined(df, n_bad):
    df = df.astype({"timestamp": str})
    bad = pd.DataFrame({"customer_id": ["x"] * n_bad, "event": ["a"] * n_bad, "timestamp": ["garbage"] * n_bad})
    r = read_events(ibis.memtable(pd.concat([df, bad], ignore_index=True)), max_bad_rows="100%").report
    assert r.read == len(df) + n_bad == r.accepted + r.quarantined
    assert r.quarantined == n_bad


def pandas_stage_figures(df: pd.DataFrame) -> dict:
    tp = {"a": "a", "b": "b", "c": "c", "c_x": "c", "d": "d"}
    stage = {"a": "s1", "b": "s1", "c": "s2", "d": "s3"}
    rank = {"s1": 1, "s2": 2, "s3": 3}
    df = df.reset_index(drop=True).assign(order=lambda x: range(len(x)))
    df = df.sort_values(["customer_id", "timestamp", "order"], kind="stable")
    df["stage"] = df["event"].map(tp).map(stage)
    res = {"reached": [0, 0, 0], "backward": 0, "skipping": 0, "journeys_staged": 0, "to_next": {}, "any": {}}
    for _, g in df.groupby("customer_id"):
        seq = g["stage"].tolist()
        pos = 0  # ordered funnel
        for s in seq:
            if pos < 3 and s == f"s{pos + 1}":
                pos += 1
        for k in range(pos):
            res["reached"][k] += 1
        for s in {s for s in seq if isinstance(s, str)}:  # any order: journeys with an event in the stage
            res["any"][s] = res["any"].get(s, 0) + 1
        visits = [s for s in seq if isinstance(s, str)]
        visits = [s for i, s in enumerate(visits) if i == 0 or visits[i - 1] != s]
        if visits:
            res["journeys_staged"] += 1
            r = [rank[s] for s in visits]
            res["backward"] += any(b < a for a, b in zip(r, r[1:], strict=False))
            res["skipping"] += any(b > a + 1 for a, b in zip(r, r[1:], strict=False))
        staged = g[g["stage"].notna()]
        dt_next = (staged["timestamp"].shift(-1) - staged["timestamp"]).dt.total_seconds().fillna(0)
        for st_, secs in dt_next.groupby(staged["stage"].values).sum().items():
            res.setdefault("in_stage", {}).setdefault(st_, []).append(secs)
        first = staged.groupby("stage", sort=False).agg(t=("timestamp", "min"), o=("order", "first"))
        first = first.assign(pos=[staged.index.get_loc(staged[staged["stage"] == s].index[0]) for s in first.index])
        first = first.sort_values(["t", "pos"])
        for (s, row), nxt in zip(first.iterrows(), list(first["t"])[1:], strict=False):
            res["to_next"].setdefault(s, []).append((nxt - row["t"]).total_seconds())
    return res


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_funnel_conformance_durations_match_pandas(df):
    d = run(df).data
    want = pandas_stage_figures(df)
    assert [s["reached"] for s in d["stages"]] == want["reached"]
    assert {s["stage"]: s["journeys"] for s in d["stages"]} == {s: want["any"].get(s, 0) for s in ("s1", "s2", "s3")}
    c = d["conformance"]
    assert (c["journeys"], c["backward"], c["skipping"]) == (want["journeys_staged"], want["backward"], want["skipping"])
    got = {r["stage"]: r for r in d["stage_durations"] if r["measure"] == "to_next_stage"}
    assert set(got) == set(want["to_next"])
    for s, values in want["to_next"].items():
        ser = pd.Series(values)
        assert got[s]["count"] == len(values)
        assert got[s]["median"] == pytest.approx(ser.median())
        assert got[s]["p90"] == pytest.approx(ser.quantile(0.9))
    spent = {r["stage"]: r for r in d["stage_durations"] if r["measure"] == "time_in_stage"}
    assert set(spent) == set(want.get("in_stage", {}))
    for s, values in want.get("in_stage", {}).items():
        ser = pd.Series(values)
        assert (spent[s]["count"], spent[s]["mean"], spent[s]["max"]) == (len(values), pytest.approx(ser.mean()), ser.max())


def test_journey_gap_splits_journeys():
    df = pd.DataFrame({"customer_id": ["c"] * 4, "event": ["a", "b", "a", "d"],
                       "timestamp": [T0, T0 + dt.timedelta(minutes=10), T0 + dt.timedelta(hours=5),
                                     T0 + dt.timedelta(hours=5, minutes=1)]})
    assert run(df).data["summary"]["journeys"] == 1
    d = run(df, journey_gap="30m").data
    assert (d["summary"]["journeys"], d["summary"]["customers"]) == (2, 1)
    assert sorted(v["path"] for v in d["variants"]["top"]) == [["a", "b"], ["a", "d"]]


def test_collapse_loops():
    df = pd.DataFrame({"customer_id": ["c"] * 5, "event": ["a", "a", "a", "b", "b"],
                       "timestamp": [T0 + dt.timedelta(minutes=i) for i in range(5)]})
    assert run(df).data["variants"]["top"][0]["path"] == ["a", "a", "a", "b", "b"]
    assert run(df, collapse_loops=True).data["variants"]["top"][0]["path"] == ["a", "b"]


def test_segment_and_period_filters_are_journey_level():
    df = pd.DataFrame({"customer_id": ["c1", "c1", "c2", "c2"], "event": ["a", "d", "a", "b"],
                       "tier": ["gold", "none", "none", "none"],
                       "timestamp": [T0, T0 + dt.timedelta(days=40), T0 + dt.timedelta(days=35), T0 + dt.timedelta(days=36)]})
    m = MAP.model_copy(update={"segments": map_from_dict({"segments": [{"id": "gold", "where": {"tier": "gold"}}]}).segments})
    d = parcours.analyze(read_events(ibis.memtable(df)), m, segment="gold").data
    assert (d["summary"]["journeys"], d["summary"]["events"]) == (1, 2)  # whole journey kept
    d = parcours.analyze(read_events(ibis.memtable(df)), m, period="2026-02-01..2026-02-28").data
    assert (d["summary"]["journeys"], d["summary"]["events"]) == (1, 2)  # c2 starts in February


def test_touchpoint_column_in_the_data_is_mapped_only_when_declared():
    df = pd.DataFrame({"customer_id": ["c"] * 3, "event": ["x", "y", "a"], "touchpoint": ["a", "mystery", None],
                       "timestamp": [T0 + dt.timedelta(minutes=i) for i in range(3)]})
    d = run(df).data
    assert [v["path"] for v in d["variants"]["top"]] == [["a", "mystery", "a"]]
    assert [r["event"] for r in d["unmapped"]] == ["y"]


def pandas_visits(df: pd.DataFrame) -> list[tuple]:
    """Every stage visit, computed in plain pandas: (journey, visit, stage, step, start µs,
    next stage, start of the next visit or the visit's own last event µs)."""
    tp = {"a": "a", "b": "b", "c": "c", "c_x": "c", "d": "d"}
    stage = {"a": "s1", "b": "s1", "c": "s2", "d": "s3"}
    df = df.reset_index(drop=True).assign(order=lambda x: range(len(x)))
    df = df.sort_values(["customer_id", "timestamp", "order"], kind="stable")
    df["stage"] = df["event"].map(tp).map(stage)
    out = []
    for j, g in df.groupby("customer_id"):
        g = g.assign(step=range(1, len(g) + 1))
        staged = g[g["stage"].notna()]
        us = [int(t.timestamp() * 1_000_000) for t in staged["timestamp"]]
        runs = []  # [stage, step, start, last]
        for s, step, t in zip(staged["stage"], staged["step"], us, strict=True):
            if runs and runs[-1][0] == s:
                runs[-1][3] = t
            else:
                runs.append([s, step, t, t])
        for k, (s, step, t, last) in enumerate(runs):
            nxt = runs[k + 1] if k + 1 < len(runs) else None
            out.append((j, k + 1, s, step, t, nxt[0] if nxt else None, nxt[2] if nxt else last))
    return sorted(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_stage_visits_match_pandas(df):
    """The visits the stage analyses read (built from the events where the stage changes, with
    unstaged events in between) equal a plain run-length split of each journey's staged events;
    the starts the funnel reads alone (no window) are their first events."""
    from parcours.analysis.transitions import stage_visits, visit_starts
    from parcours.engine.prepare import prepare

    log = read_events(ibis.memtable(df))
    p = prepare(log.con, log.table, MAP, role_sources=log.roles)
    got = stage_visits(p.table).to_pyarrow().to_pylist()
    got = sorted((r["_journey"], r["visit"], r["_stage"], r["_step"], r["_t_us"], r["next_stage"], r["next_t_us"])
                 for r in got)
    want = pandas_visits(df)
    assert got == want
    rank = {"s1": 1, "s2": 2, "s3": 3}
    starts = sorted((r["_journey"], r["_stage"], r["_step"], r["_t_us"], r["_stage_rank"])
                    for r in visit_starts(p.table).to_pyarrow().to_pylist())
    assert starts == sorted((j, s, step, t, rank[s]) for j, _k, s, step, t, _ns, _nt in want)
    # A reader that names the visit columns it reads gets those, the same values
    sub = stage_visits(p.table, ["next_t_us"]).to_pyarrow()
    assert sub.column_names == ["_journey", "_stage", "_stage_rank", "_step", "_t_us", "next_t_us"]
    assert sorted((r["_journey"], r["_step"], r["next_t_us"]) for r in sub.to_pylist()) == \
        sorted((j, step, nt) for j, _k, _s, step, _t, _ns, nt in want)


def test_stage_visits_name_their_columns():
    from parcours.analysis.transitions import stage_visits
    from parcours.engine.prepare import prepare

    log = read_events(ibis.memtable(pd.DataFrame({"customer_id": ["j"], "event": ["a"], "timestamp": [T0]})))
    p = prepare(log.con, log.table, MAP, role_sources=log.roles)
    with pytest.raises(ValueError, match="no visit column .'next_time'.; choose among visit, next_stage"):
        stage_visits(p.table, ["next_time"])


@st.composite
def logs_over_months(draw):
    """Like ``logs``, with gaps of weeks: a customer's events fall in several months."""
    rows = []
    for j in range(draw(st.integers(1, 6))):
        t = dt.timedelta(days=draw(st.integers(20, 40)))
        for _ in range(draw(st.integers(1, 8))):
            t += dt.timedelta(seconds=draw(st.sampled_from([0, 60, 3600, 9 * 86400, 20 * 86400])))
            rows.append({"customer_id": f"j{j}", "event": draw(st.sampled_from(["a", "b", "c", "d", "zz"])),
                         "timestamp": T0 + t})
    order = draw(st.permutations(range(len(rows))))
    return pd.DataFrame([rows[i] for i in order])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs_over_months())
def test_stage_visits_of_customer_months_match_pandas(df):
    """Segment movements regroup a customer's events by month: the visits of each customer-month
    are those of its own events (the prepared neighbours' stages are recomputed for these
    units; kept from the journeys, a month starting inside a visit lost its first stage)."""
    from parcours.analysis.movements import customer_periods
    from parcours.analysis.transitions import stage_visits
    from parcours.engine.prepare import prepare

    log = read_events(ibis.memtable(df))
    p = prepare(log.con, log.table, MAP, role_sources=log.roles)
    got = stage_visits(customer_periods(p.table, "month")).to_pyarrow().to_pylist()
    got = sorted((r["_journey"], r["visit"], r["_stage"], r["_step"], r["_t_us"], r["next_stage"], r["next_t_us"])
                 for r in got)
    units = df.assign(customer_id=df["customer_id"] + "|" + df["timestamp"].dt.strftime("%Y-%m-01"))
    assert got == pandas_visits(units)
