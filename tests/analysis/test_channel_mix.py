"""The behaviour labels ``channel_mix`` and ``shape`` count an event's channel as the journey
shapes do (issue 23, §2): the data's channel column where it has a value, else its touchpoint's
``channel:`` on the map. On the real help-desk log (no channel column) with a small map giving
channels, against plain pandas."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

import parcours
from parcours.analysis import behaviour
from parcours.engine.prepare import prepare
from parcours.ingest import read_events
from parcours.model import map_from_dict

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"
CASE, EVENT = "case:concept:name", "concept:name"
# Where each step of a ticket happens; the other activities are on no touchpoint (no channel).
CHANNELS = {"Insert ticket": "web", "Assign seriousness": "phone", "Take in charge ticket": "phone",
            "Wait": None, "Resolve ticket": "email", "Closed": "email", "Require upgrade": "web"}
MAP = map_from_dict({
    "stages": [{"id": "open", "name": "Open"}, {"id": "handle", "name": "Handle"}, {"id": "close", "name": "Close"}],
    "touchpoints": [{"id": f"tp{i}", "stage": ["open", "open", "handle", "handle", "close", "close", "handle"][i],
                     "match": {"event": name}, **({"channel": ch} if ch else {})}
                    for i, (name, ch) in enumerate(CHANNELS.items())]})


def pandas_mix(ev: pd.DataFrame, journey: str, channel: pd.Series) -> dict[str, str]:
    """Each journey's channel-mix label, computed in pandas from the per-event channel."""
    counts = ev.assign(_ch=channel).dropna(subset=["_ch"]).groupby([journey, "_ch"]).size()
    out = {j: "no_channel" for j in ev[journey].unique()}
    for j, per in counts.groupby(level=0):
        per = per.droplevel(0).sort_values(ascending=False)
        if len(per) == 1:
            out[j] = f"only_{per.index[0]}"
        elif per.iloc[0] * 3 >= per.sum() * 2:
            out[j] = f"mostly_{per.index[0]}"
        else:
            out[j] = "mixed"
    return out


def labels_of(path, m, dimension, with_map=True) -> dict[str, str]:
    log = read_events(path)
    p = prepare(log.con, log.table, m, role_sources=log.roles)
    lab = behaviour.labels(p.table, dimension, has_goals=False, has_stages=bool(m.stages),
                           m=m if with_map else None)
    return {r["_journey"]: r["group"] for r in log.con.to_pyarrow(lab).to_pylist()}


@pytest.fixture(scope="module")
def helpdesk(shared_data):
    path = shared_data / HELPDESK
    return path, pd.read_csv(path, dtype=str)


def test_channel_mix_takes_the_maps_channels(helpdesk):
    path, ev = helpdesk
    got = labels_of(path, MAP, "channel_mix")
    want = pandas_mix(ev, CASE, ev[EVENT].map(CHANNELS))
    assert got == want
    assert len(got) == ev[CASE].nunique() == 4580
    assert {"mixed", "only_web"} <= set(got.values())  # several labels exercised
    # without the map, the log alone has no channel (the earlier labels: all no_channel)
    assert set(labels_of(path, MAP, "channel_mix", with_map=False).values()) == {"no_channel"}


def test_the_multichannel_share_equals_pandas_and_the_shapes(helpdesk):
    """The ``shape`` label's multichannel journeys: the share pandas counts (two distinct
    channels or more), the same as the ``shapes`` analysis of a run on the same map."""
    path, ev = helpdesk
    shape = labels_of(path, MAP, "shape")
    n = ev.assign(_ch=ev[EVENT].map(CHANNELS)).groupby(CASE)["_ch"].nunique(dropna=True)
    multichannel = set(n[n >= 2].index)
    assert {j for j, s in shape.items() if s == "multichannel"} == multichannel
    share = Counter(shape.values())["multichannel"] / len(shape)
    assert share == pytest.approx(len(multichannel) / ev[CASE].nunique())
    rows = parcours.analyze(path, MAP, analyses="shapes").data["shapes"]
    assert sum(r["share"] for r in rows if r["shape"] == "multichannel") == pytest.approx(share)


def test_the_datas_channel_wins_where_it_has_one(tmp_path):
    """A channel column filled on some events: those keep theirs, the others take the map's."""
    rows = [("c1", "view", "app"), ("c1", "pay", ""), ("c1", "pay", ""),  # app, web, web: mostly web
            ("c2", "view", ""), ("c2", "pay", "store"),                  # web, store: mixed
            ("c3", "view", "app"), ("c3", "pay", "app"),                 # only app
            ("c4", "other", "")]                                         # no channel
    df = pd.DataFrame([{"customer_id": c, "event": e, "channel": ch, "timestamp": f"2026-01-01T10:0{i}:00Z"}
                       for i, (c, e, ch) in enumerate(rows)])
    path = tmp_path / "e.csv"
    df.to_csv(path, index=False)
    m = map_from_dict({"touchpoints": [{"id": "view", "channel": "web"}, {"id": "pay", "channel": "web"}]})
    per_event = df["channel"].replace("", None).fillna(df["event"].map({"view": "web", "pay": "web"}))
    want = pandas_mix(df, "customer_id", per_event)
    assert labels_of(path, m, "channel_mix") == want
    assert want == {"c1": "mostly_web", "c2": "mixed", "c3": "only_app", "c4": "no_channel"}
