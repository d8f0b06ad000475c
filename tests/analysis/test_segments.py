"""Behavioural segments, breakdowns side by side, and segment movements over periods, each
checked against an independent pandas computation (demo log and the real help-desk log)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import parcours
from parcours.analysis import filters
from parcours.demo import write_demo
from parcours.engine.prepare import prepare
from parcours.errors import MapError, OptionError
from parcours.ingest import read_events
from parcours.model import map_from_dict

GAP = 30 * 86400


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    files = write_demo(tmp_path_factory.mktemp("seg"), customers=1500, seed=3)
    df = pd.read_csv(files.events_path)
    df["seq"] = range(len(df))
    df["t"] = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601")
    return files, df


@pytest.fixture(scope="module")
def helpdesk(shared_data):
    """The real help-desk log (path, and its rows with input order and UTC time)."""
    path = shared_data / "helpdesk_tickets/helpdesk_events.csv.gz"
    df = pd.read_csv(path)
    df["seq"] = range(len(df))
    df["t"] = pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601")
    return path, df


def pandas_journeys(df: pd.DataFrame, customer: str, gap: float | None) -> pd.DataFrame:
    """``df`` with ``journey``, in the product's id form (customer, or customer#n when split)."""
    d = df.sort_values([customer, "t", "seq"], kind="stable").copy()
    if gap:
        new = d.groupby(customer)["t"].diff().dt.total_seconds().gt(gap) | d[customer].ne(d[customer].shift())
        d["journey"] = d[customer].astype(str) + "#" + new.astype(int).groupby(d[customer]).cumsum().astype(str)
    else:
        d["journey"] = d[customer].astype(str)
    return d


def pandas_buyer(d: pd.DataFrame, customer: str, is_goal: pd.Series) -> dict[str, str]:
    j = d.assign(goal=is_goal.astype(int)).groupby("journey").agg(c=(customer, "first"), start=("t", "min"),
                                                                  goals=("goal", "sum"))
    j = j.reset_index().sort_values(["c", "start", "journey"])
    j["so_far"] = j.groupby("c")["goals"].cumsum()
    lab = np.where(j.so_far >= 2, "repeat", np.where(j.so_far == 1, "first_time", "prospect"))
    return dict(zip(j.journey, lab))


def pandas_map_channel(d: pd.DataFrame, m) -> pd.Series:
    """Each event's channel: the data's, else its touchpoint's on the map (first rule that
    catches it: event glob and where conditions), written out in pandas."""
    import fnmatch

    taken = pd.Series(False, index=d.index)
    from_map = pd.Series(None, index=d.index, dtype=object)
    for t in m.touchpoints:
        rule = t.rule()
        hit = d["event"].map(lambda e: any(fnmatch.fnmatchcase(str(e), p) for p in rule.events))
        for column, value in rule.where.items():
            hit &= d[column].isin(value if isinstance(value, list) else [value])
        mine = hit & ~taken
        taken |= mine
        if t.channel:
            from_map[mine] = t.channel
    return d["channel"].where(d["channel"].notna(), from_map)


def pandas_channel_mix(d: pd.DataFrame, m=None) -> dict[str, str]:
    if m is not None:
        d = d.assign(channel=pandas_map_channel(d, m))
    out = {}
    for jid, g in d.groupby("journey"):
        shares = g["channel"].dropna().value_counts()
        if shares.empty:
            out[jid] = "no_channel"
        elif len(shares) == 1:
            out[jid] = f"only_{shares.index[0]}"
        elif shares.iloc[0] * 3 >= shares.sum() * 2:
            out[jid] = f"mostly_{shares.index[0]}"
        else:
            out[jid] = "mixed"
    return out


def pandas_value_tier(d: pd.DataFrame, value: str) -> dict[str, str]:
    v = d.groupby("journey")[value].sum(min_count=1)
    pos = v[v > 0]
    q1, q2 = pos.quantile(1 / 3), pos.quantile(2 / 3)
    return {j: ("no_value" if not (x > 0) else "low" if x <= q1 else "mid" if x <= q2 else "high") for j, x in v.items()}


def product_labels(path, m, dim, gap=None, columns=None) -> dict[str, str]:
    log = read_events(path, columns=columns or {"customer": "customer_id", "time": "timestamp", "event": "event",
                                                "channel": "channel", "value": "amount"})
    p = prepare(log.con, log.table, m, role_sources=log.roles, journey_gap_seconds=gap)
    lab = filters.behaviour_labels(p.table, m, dim)
    return {r["_journey"]: r["group"] for r in log.con.to_pyarrow(lab).to_pylist()}


@pytest.mark.parametrize("gap", [None, GAP])
@pytest.mark.parametrize("dim", ["buyer", "channel_mix", "value_tier"])
def test_behaviour_labels_match_pandas_on_the_demo(demo, dim, gap):
    files, df = demo
    m = parcours.load_map(files.map_path)
    d = pandas_journeys(df, "customer_id", gap)
    want = {"buyer": lambda: pandas_buyer(d, "customer_id", d.event.eq("order_paid")),
            "channel_mix": lambda: pandas_channel_mix(d, m),
            "value_tier": lambda: pandas_value_tier(d, "amount")}[dim]()
    got = product_labels(files.events_path, m, dim, gap)
    assert got == want
    assert len(set(got.values())) >= 3  # the test data exercises several labels


def test_buyer_labels_on_the_real_helpdesk_log(helpdesk):
    """Customers of a real help desk: 'purchases' are closed tickets, journeys split after 7 days."""
    path, df = helpdesk
    m = map_from_dict({"goals": [{"id": "closed", "match": {"event": "Closed"}}]})
    cols = {"customer": "customer", "time": "time:timestamp", "event": "concept:name"}
    d = pandas_journeys(df, "customer", 7 * 86400)
    want = pandas_buyer(d, "customer", d["concept:name"].eq("Closed"))
    got = product_labels(path, m, "buyer", 7 * 86400, columns=cols)
    assert got == want
    assert {"prospect", "first_time", "repeat"} <= set(got.values())


def test_breakdown_groups_equal_the_filtered_analysis(demo):
    """A group of --by buyer is the same journeys as --segment buyer=LABEL: same figures."""
    files, _ = demo
    by = parcours.analyze(files.events_path, files.map_path, by="buyer", journey_gap="30d")
    groups = {g["group"]: g for g in by.data["breakdown"]["groups"]}
    assert list(groups) == ["prospect", "first_time", "repeat"]
    assert sum(g["summary"]["journeys"] for g in groups.values()) == by.summary["journeys"]
    for label in ("first_time", "repeat"):
        alone = parcours.analyze(files.events_path, files.map_path, segment=f"buyer={label}", journey_gap="30d")
        assert groups[label]["summary"] == {k: v for k, v in alone.summary.items() if k != "quarantined_rows"}
        assert groups[label]["stages"] == alone.data["stages"]
        assert [(f["touchpoint"], f["score"]) for f in groups[label]["frictions"]] == \
            [(f["touchpoint"], f["score"]) for f in alone.data["frictions"]]
    side = by["breakdown_summary"].to_pandas().set_index("group")
    for label, g in groups.items():
        assert side.loc[label, "journeys"] == g["summary"]["journeys"]
        assert side.loc[label, "conversion_rate"] == pytest.approx(g["summary"]["conversion_rate"])
        assert side.loc[label, "top_friction"] == g["frictions"][0]["touchpoint"]


def test_labels_ignore_the_period_filter(demo):
    """A journey keeps its label when --period hides its customer's earlier purchases."""
    files, df = demo
    m = parcours.load_map(files.map_path)
    d = pandas_journeys(df, "customer_id", GAP)
    want = pandas_buyer(d, "customer_id", d.event.eq("order_paid"))
    starts = d.groupby("journey")["t"].min()
    cut = pd.Timestamp("2026-04-01", tz="UTC")
    kept = {j for j, s in starts.items() if s >= cut}
    r = parcours.analyze(files.events_path, m, by="buyer", journey_gap="30d", period="2026-04-01..")
    got = {g["group"]: g["summary"]["journeys"] for g in r.data["breakdown"]["groups"]}
    counts = pd.Series([want[j] for j in kept]).value_counts().to_dict()
    assert got == counts
    assert counts.get("repeat", 0) > 0


def test_map_segment_defined_by_behaviour(demo, tmp_path):
    files, _ = demo
    m = parcours.load_map(files.map_path)
    data = m.model_dump(mode="json", exclude_none=True)
    data["segments"].append({"id": "loyal", "behaviour": {"buyer": "repeat"}})
    data["segments"].append({"id": "gold_buyers", "where": {"loyalty_tier": "gold"},
                             "behaviour": {"buyer": ["first_time", "repeat"]}})
    m2 = map_from_dict(data)
    r = parcours.analyze(files.events_path, m2, by="segment", journey_gap="30d")
    groups = {g["group"]: g["summary"]["journeys"] for g in r.data["breakdown"]["groups"]}
    alone = parcours.analyze(files.events_path, m2, segment="buyer=repeat", journey_gap="30d")
    assert groups["loyal"] == alone.summary["journeys"] > 0
    # gold buyers: journeys with a gold event that are first_time or repeat, by pandas
    _, df = demo
    d = pandas_journeys(df, "customer_id", GAP)
    buyer = pandas_buyer(d, "customer_id", d.event.eq("order_paid"))
    gold = set(d.loc[d.loyalty_tier.eq("gold"), "journey"])
    assert groups["gold_buyers"] == sum(buyer[j] != "prospect" for j in gold)


def test_behaviour_errors_are_clear(demo, tmp_path):
    files, _ = demo
    with pytest.raises(OptionError, match="unknown label 'loyal'"):
        parcours.analyze(files.events_path, files.map_path, segment="buyer=loyal")
    with pytest.raises(OptionError, match="'age' is not a behaviour"):
        parcours.analyze(files.events_path, files.map_path, segment="age=30")
    with pytest.raises(OptionError, match="no goal"):
        parcours.analyze(files.events_path, None, by="buyer", columns={"customer": "customer_id", "time": "timestamp",
                                                                      "event": "event"})
    no_value = tmp_path / "no_value.csv"
    pd.read_csv(files.events_path).drop(columns="amount").head(500).to_csv(no_value, index=False)
    with pytest.raises(OptionError, match="no value column"):
        parcours.analyze(no_value, None, by="value_tier")
    with pytest.raises(MapError) as e:
        map_from_dict({"segments": [{"id": "a", "behaviour": {"loyalty": "high"}}, {"id": "b"}]}, source="m.yaml")
    text = str(e.value)
    assert "unknown behaviour 'loyalty'" in text and "needs 'where'" in text


def test_feedback_per_group_matches_pandas(demo, tmp_path):
    """Each group's NPS is the NPS of the answers attached to the group's journeys."""
    files, df = demo
    rng = np.random.default_rng(5)
    last = df.groupby("customer_id")["t"].max()
    who = rng.choice(last.index, 700, replace=False)
    comments = ["Livraison rapide, très contente", "Frais de livraison trop chers", "Paiement refusé dans l'appli",
                "Conseil parfait en magasin", "", "Service client injoignable"]
    fb = pd.DataFrame({"client": who, "date": [(last[c] + pd.Timedelta(hours=2)).isoformat() for c in who],
                       "note": rng.integers(0, 11, len(who)), "commentaire": rng.choice(comments, len(who))})
    path = tmp_path / "nps.csv"
    fb.to_csv(path, index=False)
    r = parcours.analyze(files.events_path, files.map_path, by="buyer", feedback=path, feedback_metric="nps",
                         feedback_columns={"customer": "client", "time": "date", "score": "note", "comment": "commentaire"})
    m = parcours.load_map(files.map_path)
    labels = product_labels(files.events_path, m, "buyer")
    resp = r["feedback_responses"].to_pandas()
    resp["group"] = resp["journey"].map(labels)
    assert resp["journey"].notna().sum() == 700  # every answer is 2 hours after its customer's last event
    side = r["breakdown_summary"].to_pandas().set_index("group")
    for g in r.data["breakdown"]["groups"]:
        x = pd.to_numeric(resp.loc[resp.group == g["group"], "note"])
        nps = 100 * ((x >= 9).mean() - (x <= 6).mean())
        assert g["feedback"]["overall"]["responses"] == len(x)
        assert g["feedback"]["overall"]["value"] == pytest.approx(nps)
        assert side.loc[g["group"], "nps"] == pytest.approx(nps)
        assert sum(g["feedback"]["verbatims"]["sentiment"].values()) == len(x)
    assert sum(g["feedback"]["overall"]["responses"] for g in r.data["breakdown"]["groups"]) == 700


def test_feedback_alone_skips_behaviour_segments(tmp_path):
    m = map_from_dict({"segments": [{"id": "gold", "where": {"tier": "gold"}},
                                    {"id": "loyal", "behaviour": {"buyer": "repeat"}}]})
    path = tmp_path / "a.csv"
    pd.DataFrame({"tier": ["gold", "gold", "silver"], "nps": [10, 3, 9]}).to_csv(path, index=False)
    from parcours.project.feedback import feedback

    data = feedback(path, m, metric="nps", columns={"score": "nps"}, by_segment=True).data
    assert [r["segment"] for r in data["by_segment"]] == ["gold"]
    assert data["by_segment"][0]["value"] == pytest.approx(0.0)
    assert data["by_segment_skipped"][0]["segment"] == "loyal"


# ---- movements over periods -------------------------------------------------------------------

def pandas_movements(unit_labels: pd.DataFrame, periods: list[pd.Timestamp]) -> pd.DataFrame:
    """``unit_labels``: customer, period (first day), label -> moves between consecutive periods."""
    lab = {(r.customer, r.period): r.label for r in unit_labels.itertuples()}
    first = unit_labels.groupby("customer")["period"].min()
    rows = []
    for a, b in zip(periods, periods[1:]):
        for c, f in first.items():
            if f > b:
                continue
            src = lab.get((c, a), "(new)" if f == b else "(inactive)")
            dst = lab.get((c, b), "(inactive)")
            rows.append((a.strftime("%Y-%m"), b.strftime("%Y-%m"), src, dst))
    out = pd.DataFrame(rows, columns=["from_period", "to_period", "from", "to"])
    return out.groupby(list(out.columns)).size().rename("customers").reset_index()


def _month(t: pd.Series) -> pd.Series:
    return t.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()


@pytest.mark.parametrize("by", ["buyer", "channel_mix", "loyalty_tier"])
def test_movements_match_pandas_on_the_demo(demo, by):
    files, df = demo
    d = df.assign(period=_month(df["t"]), customer=df["customer_id"])
    d = d.sort_values(["customer", "t", "seq"], kind="stable")
    d["journey"] = d["customer"] + "|" + d["period"].dt.strftime("%Y-%m-%d")
    if by == "buyer":
        labels = pandas_buyer(d, "customer", d.event.eq("order_paid"))
    elif by == "channel_mix":
        labels = pandas_channel_mix(d)
    else:
        labels = d.groupby("journey")["loyalty_tier"].first().fillna("(none)").to_dict()
    units = d.groupby("journey").agg(customer=("customer", "first"), period=("period", "first")).reset_index()
    units["label"] = units.journey.map(labels)
    periods = list(pd.date_range(units.period.min(), units.period.max(), freq="MS"))
    want = pandas_movements(units, periods)

    r = parcours.segments(files.events_path, files.map_path, by=by, every="month")
    s = r.data["segments"]
    got = pd.DataFrame(s["movements"])[["from_period", "to_period", "from", "to", "customers"]]
    key = ["from_period", "to_period", "from", "to"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                  want.sort_values(key).reset_index(drop=True), check_dtype=False)
    # counts per period, membership, and the reconciliation stated in the docs
    counts = units.groupby([units.period.dt.strftime("%Y-%m"), "label"]).size().to_dict()
    for p in s["periods"]:
        for k, n in p["counts"].items():
            assert n == counts.get((p["period"], k), 0)
        prev = [mv for mv in s["movements"] if mv["to_period"] == p["period"]]
        if prev:
            for k in s["labels"]:
                assert sum(mv["customers"] for mv in prev if mv["to"] == k) == p["counts"][k]
    mem = r["segment_membership"].to_pandas()
    assert len(mem) == len(units)
    assert s["customers"] == df.customer_id.nunique()


def test_movements_by_quarter_and_week_labels(demo):
    files, df = demo
    q = parcours.segments(files.events_path, files.map_path, by="segment", every="quarter").data["segments"]
    assert [p["period"] for p in q["periods"]] == ["2026-Q1", "2026-Q2"]
    assert q["labels"][:4] == [s.id for s in parcours.load_map(files.map_path).segments]
    w = parcours.segments(files.events_path, files.map_path, by="buyer", every="week").data["segments"]
    first = df["t"].min()
    assert w["periods"][0]["start"] == (first - pd.Timedelta(days=first.weekday())).date().isoformat()
    iso = dt.date.fromisoformat(w["periods"][0]["start"]).isocalendar()
    assert w["periods"][0]["period"] == f"{iso[0]}-W{iso[1]:02d}"
    # consecutive weeks, none missing
    starts = [dt.date.fromisoformat(p["start"]) for p in w["periods"]]
    assert all((b - a).days == 7 for a, b in zip(starts, starts[1:]))


def test_movements_on_the_real_helpdesk_log(helpdesk):
    """Monthly movements of real help-desk customers between 'no closed ticket yet', one, several."""
    path, df = helpdesk
    d = df.assign(period=_month(df["t"]))
    d = d.sort_values(["customer", "t", "seq"], kind="stable")
    d["journey"] = d["customer"] + "|" + d["period"].dt.strftime("%Y-%m-%d")
    labels = pandas_buyer(d, "customer", d["concept:name"].eq("Closed"))
    units = d.groupby("journey").agg(customer=("customer", "first"), period=("period", "first")).reset_index()
    units["label"] = units.journey.map(labels)
    periods = list(pd.date_range(units.period.min(), units.period.max(), freq="MS"))
    want = pandas_movements(units, periods)
    m = map_from_dict({"goals": [{"id": "closed", "match": {"event": "Closed"}}]})
    r = parcours.segments(path, m, by="buyer", every="month",
                          columns={"customer": "customer", "time": "time:timestamp", "event": "concept:name"})
    got = pd.DataFrame(r.data["segments"]["movements"])[["from_period", "to_period", "from", "to", "customers"]]
    key = ["from_period", "to_period", "from", "to"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                  want.sort_values(key).reset_index(drop=True), check_dtype=False)
    assert len(r.data["segments"]["periods"]) == len(periods) > 40  # empty months are kept


def test_movements_errors(demo):
    files, _ = demo
    with pytest.raises(OptionError, match="--every 'day'"):
        parcours.segments(files.events_path, files.map_path, every="day")
    with pytest.raises(OptionError, match="shape describes one journey"):
        parcours.segments(files.events_path, files.map_path, by="shape")
    with pytest.raises(OptionError, match="no such column"):
        parcours.segments(files.events_path, files.map_path, by="favourite_colour")


def test_side_by_side_shares_match_pandas(demo):
    """breakdown_summary's linear/multichannel shares and conversion per channel_mix group."""
    files, df = demo
    m = parcours.load_map(files.map_path)
    r = parcours.analyze(files.events_path, m, by="channel_mix")
    side = r["breakdown_summary"].to_pandas().set_index("group")
    d = pandas_journeys(df, "customer_id", None)
    mix = pandas_channel_mix(d)
    per = d.groupby("journey").agg(channels=("channel", "nunique"), converted=("event", lambda e: e.eq("order_paid").any()))
    per["group"] = per.index.map(mix)
    for g, x in per.groupby("group"):
        assert side.loc[g, "journeys"] == len(x)
        assert side.loc[g, "multichannel_share"] == pytest.approx((x.channels >= 2).mean())
        assert side.loc[g, "conversion_rate"] == pytest.approx(x.converted.mean())
    assert set(side.index) == set(per.group)
    ops = {g["group"]: g["opportunities"] for g in r.data["breakdown"]["groups"]}
    assert all(o["reference_kind"] in ("target", "map_quartile") for v in ops.values() for o in v)
