"""The demo data set: its map is complete and valid, its events realistic and deterministic.

Touchpoints are recognised here with a tiny matcher of our own (fnmatch), independent of
the engine's rule compiler, so that these tests check the data against the map itself.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from fnmatch import fnmatchcase
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import yaml

from parcours.demo import INVISIBLE_EVENTS, PERIOD, DemoFiles, demo_events, demo_map, write_demo
from parcours.model import JourneyMap, dump_map, load_map, map_from_dict, text_in

PARIS = ZoneInfo("Europe/Paris")
CHANNELS = {"web", "app", "email", "store", "phone", "chat", "social"}


def touchpoint_of(m: JourneyMap, event: str, channel: str | None) -> str | None:
    """First touchpoint whose rule matches (event, channel); the map's rules only use those."""
    for tp in m.touchpoints:
        rule = tp.rule()
        if not any(fnmatchcase(event, pattern) for pattern in rule.events):
            continue
        wanted = rule.where.get("channel")
        if wanted is None or channel == wanted or (isinstance(wanted, list) and channel in wanted):
            return tp.id
    return None


@pytest.fixture(scope="module")
def m() -> JourneyMap:
    return demo_map()


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return demo_events().to_pandas()


@pytest.fixture(scope="module")
def staged(m: JourneyMap, events: pd.DataFrame) -> pd.DataFrame:
    """Events sorted by (customer, time) keeping input order on ties, with touchpoint and stage rank."""
    channel = events["channel"].fillna("")  # backstage events have no channel
    pairs = {(e, c): touchpoint_of(m, e, c) for e, c in set(zip(events["event"], channel))}
    stage_of = {tp.id: m.stage_rank()[tp.stage] for tp in m.touchpoints}
    out = events.assign(
        ts=pd.to_datetime(events["timestamp"], utc=True),
        touchpoint=[pairs[(e, c)] for e, c in zip(events["event"], channel)],
    )
    out["rank"] = out["touchpoint"].map(stage_of)
    return out.sort_values(["customer_id", "ts"], kind="stable")


# -- the map ----------------------------------------------------------------------------
def test_map_round_trips_through_yaml(m: JourneyMap) -> None:
    again = map_from_dict(yaml.safe_load(dump_map(m)))
    assert again == m
    assert dump_map(again) == dump_map(m)


def test_map_shape(m: JourneyMap) -> None:
    assert m.language == "fr"
    assert m.stage_ids() == ["discovery", "consideration", "purchase", "post_purchase", "advocacy"]
    assert 18 <= len(m.touchpoints) <= 24
    per_stage = Counter(tp.stage for tp in m.touchpoints)
    assert all(per_stage[s] >= 1 for s in m.stage_ids())
    assert CHANNELS <= {tp.channel for tp in m.touchpoints}
    assert {tp.lane.value for tp in m.touchpoints} == {"frontstage", "backstage", "support"}
    for item in [m, *m.stages, *m.touchpoints, *m.segments, *m.personas, *m.pain_points, *m.opportunities,
                 *m.actions, *m.kpis]:
        assert item.name.fr and item.name.en, item  # every name in French and English
    for stage in m.stages:
        assert stage.customer_goals and stage.customer_actions and stage.company_actions
        assert stage.owner and stage.target_duration
    assert [g.rule().events for g in m.goals] == [["order_paid"]]
    assert len(m.personas) == 2 and all(p.segment for p in m.personas)
    assert 3 <= len(m.segments) <= 4
    assert all(a.owner and a.status and a.due for a in m.actions)
    assert all(k.target is not None for k in m.kpis)
    assert m.source is not None and m.source.path == "events.csv"
    assert m.source.columns == {"customer": "customer_id", "time": "timestamp", "event": "event",
                                "channel": "channel", "value": "amount"}


def test_map_rules_show_names_globs_and_channel_conditions(m: JourneyMap) -> None:
    patterns = [p for tp in m.touchpoints for p in tp.rule().events]
    assert any("*" in p for p in patterns) and any("*" not in p for p in patterns)
    # The same event is two touchpoints, told apart by channel.
    support = [tp for tp in m.touchpoints if tp.rule().events == ["support_contact"]]
    assert {tp.rule().where["channel"] for tp in support} == {"phone", "chat"}
    # Our matcher understands every condition the map uses.
    assert {k for tp in m.touchpoints for k in tp.rule().where} == {"channel"}
    assert all(isinstance(v, str | list) for tp in m.touchpoints for v in tp.rule().where.values())


def test_intended_invisible_events_match_no_touchpoint(m: JourneyMap) -> None:
    for event in INVISIBLE_EVENTS:
        assert all(touchpoint_of(m, event, c) is None for c in [*CHANNELS, "ads", None])


# -- the events -------------------------------------------------------------------------
def test_volume_and_events_per_customer(events: pd.DataFrame) -> None:
    assert 80_000 <= len(events) <= 150_000
    per_customer = events.groupby("customer_id").size()
    assert len(per_customer) == 10_000  # every customer has at least one event
    assert per_customer.max() <= 200
    assert 5 <= per_customer.mean() <= 25
    assert list(events.columns) == ["customer_id", "timestamp", "event", "channel", "amount", "loyalty_tier",
                                    "customer_type", "region", "device", "campaign"]


def test_same_seed_same_table_other_seed_other_table() -> None:
    a = demo_events(customers=300, seed=7)
    assert a.equals(demo_events(customers=300, seed=7))
    assert not a.equals(demo_events(customers=300, seed=8))


def test_a_customer_does_not_depend_on_how_many_are_generated() -> None:
    small = demo_events(customers=50).to_pandas()
    large = demo_events(customers=200).to_pandas()
    pd.testing.assert_frame_equal(small, large[large["customer_id"].isin(small["customer_id"])].reset_index(drop=True))


def test_events_are_on_the_map_or_intentionally_invisible(staged: pd.DataFrame) -> None:
    unmatched = set(staged.loc[staged["touchpoint"].isna(), "event"])
    assert unmatched == set(INVISIBLE_EVENTS)  # each invisible one occurs, nothing else is off the map
    assert set(staged["touchpoint"].dropna()) == {tp.id for tp in demo_map().touchpoints}  # all touchpoints seen


def test_timestamps_have_the_paris_offset_and_fall_in_the_period(events: pd.DataFrame) -> None:
    start = dt.datetime.combine(PERIOD[0], dt.time(), PARIS)
    end = dt.datetime.combine(PERIOD[1] + dt.timedelta(days=1), dt.time(), PARIS)
    offsets = Counter()
    for text in events["timestamp"].unique():
        t = dt.datetime.fromisoformat(text)
        assert t.utcoffset() == t.astimezone(PARIS).utcoffset(), text
        assert start <= t < end, text
        offsets[text[-6:]] += 1
    assert set(offsets) == {"+01:00", "+02:00"}  # winter and summer time


def test_file_is_not_sorted_by_time_and_ties_keep_a_meaningful_order(events: pd.DataFrame) -> None:
    ts = pd.to_datetime(events["timestamp"], utc=True)
    assert not ts.groupby(events["customer_id"]).is_monotonic_increasing.all()
    paid = events[events["event"] == "order_paid"].reset_index()
    mail = events[events["event"] == "order_confirmation_email"].reset_index()
    ties = paid.merge(mail, on=["customer_id", "timestamp"], suffixes=("_paid", "_mail"))
    assert len(ties) > 1000
    assert (ties["index_paid"] < ties["index_mail"]).all()  # the payment is logged before its email


def test_conversion_and_segments_behave_differently(events: pd.DataFrame) -> None:
    paid = events[events["event"] == "order_paid"]
    buyers = set(paid["customer_id"])
    assert 0.15 <= len(buyers) / events["customer_id"].nunique() <= 0.60
    tier = events.drop_duplicates("customer_id").set_index("customer_id")["loyalty_tier"]
    rate = tier.index.isin(list(buyers))
    by_tier = pd.Series(rate, index=tier.index).groupby(tier).mean()
    assert by_tier["gold"] > by_tier["none"] + 0.1
    started = events[events["event"] == "payment_start"].groupby("channel").size()
    done = paid[paid["channel"].isin(["web", "app"])].groupby("channel").size()
    assert done["app"] / started["app"] < done["web"] / started["web"] - 0.1  # app users drop at payment


def test_backward_moves_and_skipped_stages_occur(staged: pd.DataFrame) -> None:
    backward = 0
    first_rank: dict[str, float] = {}
    bought_at: dict[str, bool] = defaultdict(bool)
    for customer, rank in zip(staged["customer_id"], staged["rank"]):
        if pd.isna(rank):
            continue
        first_rank.setdefault(customer, rank)
        if rank == 3:
            bought_at[customer] = True
        elif rank == 1 and bought_at[customer]:
            backward += 1  # a Découverte event after an Achat event
            bought_at[customer] = False
    assert backward >= 100
    assert sum(r == 3 for r in first_rank.values()) >= 100  # store customers start at Achat


def test_amounts_only_on_payments_and_refunds(events: pd.DataFrame) -> None:
    with_amount = events[events["amount"].notna()]
    assert set(with_amount["event"]) == {"order_paid", "refund_issued"}
    assert (with_amount.loc[with_amount["event"] == "order_paid", "amount"] > 0).all()
    assert (with_amount.loc[with_amount["event"] == "refund_issued", "amount"] < 0).all()
    assert events.loc[events["event"] == "order_prepared", "channel"].isna().all()  # backstage system event


def test_write_demo_writes_a_map_and_a_csv_that_read_back(tmp_path) -> None:
    files = write_demo(tmp_path / "demo", customers=400, seed=3)
    assert isinstance(files, DemoFiles)
    assert files.map_path.name == "maison_lumiere.yaml" and files.events_path.name == "events.csv"
    text = files.map_path.read_text(encoding="utf-8")
    assert text.startswith("# Maison Lumière")
    loaded = load_map(files.map_path)
    assert loaded == demo_map()
    assert text_in(loaded.name, "en").startswith("Maison Lumière")
    back = pd.read_csv(files.events_path, encoding="utf-8")
    expected = demo_events(customers=400, seed=3).to_pandas()
    assert files.customers == 400 and files.events == len(back) == len(expected)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert set(loaded.source.columns.values()) <= set(back.columns)


def test_customers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        demo_events(customers=0)


def test_demo_feedback_answers_follow_the_customers_experiences() -> None:
    from parcours.demo import demo_feedback

    fb = demo_feedback(customers=3000, seed=7).to_pandas()
    ev = demo_events(customers=3000, seed=7).to_pandas()
    assert demo_feedback(customers=3000, seed=7).equals(demo_feedback(customers=3000, seed=7))
    assert set(fb.customer_id) <= set(ev.customer_id)
    t = pd.to_datetime(fb.answered_at, utc=True, format="ISO8601")
    assert t.is_monotonic_increasing and t.max() < pd.Timestamp("2026-07-01", tz="Europe/Paris")
    scales = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
    assert all(scales[m][0] <= s <= scales[m][1] for m, s in zip(fb.metric, fb.score))
    # each answer comes after the event that triggered its survey
    first = pd.to_datetime(ev.timestamp, utc=True, format="ISO8601").groupby(ev.customer_id).min()
    assert (t.to_numpy() > first.loc[fb.customer_id].to_numpy()).all()
    # an exit survey at checkout only from customers who saw the delivery fees
    fees = set(ev.loc[ev.event == "delivery_fees_shown", "customer_id"])
    assert set(fb.loc[fb.touchpoint == "checkout", "customer_id"]) <= fees
    late = fb[(fb.metric == "nps") & fb.comment.fillna("").str.contains("retard|late")]
    assert len(late) > 0 and late.score.mean() < fb[fb.metric == "nps"].score.mean()
