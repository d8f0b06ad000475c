"""An event's channel is the data's channel column where it has a value, else its touchpoint's
``channel:`` on the map: journey shapes on two real logs against independent pandas counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import parcours
from parcours.model import map_from_dict

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
HELPDESK = DATA / "helpdesk_tickets" / "helpdesk_events.csv.gz"
RECEIPT = DATA / "wabo_receipt_phase" / "receipt.csv.gz"

# The help-desk log has no channel column: the map says where each step happens.
HELPDESK_CHANNELS = {"Insert ticket": "web", "Assign seriousness": "phone", "Take in charge ticket": "phone",
                     "Wait": None, "Resolve ticket": "email", "Closed": "email"}
HELPDESK_MAP = map_from_dict({
    "stages": [{"id": "open", "name": "Open"}, {"id": "handle", "name": "Handle"}, {"id": "resolve", "name": "Resolve"}],
    "touchpoints": [
        {"id": f"tp{i}", "stage": ["open", "open", "handle", "handle", "resolve", "resolve"][i], "match": {"event": ev},
         **({"channel": ch} if ch else {})} for i, (ev, ch) in enumerate(HELPDESK_CHANNELS.items())],
})


def channel_counts(data: dict) -> Counter:
    out: Counter = Counter()
    for r in data["shapes"]:
        out[r["channels"]] += r["journeys"]
    return out


def pandas_channel_counts(ev: pd.DataFrame, case: str, channel: pd.Series) -> Counter:
    """Journeys with no, one or several distinct channels (pandas, from the per-event channel)."""
    n = ev.assign(_ch=channel).groupby(case)["_ch"].nunique(dropna=True)
    return Counter({"no_channel": int((n == 0).sum()), "one_channel": int((n == 1).sum()),
                    "multichannel": int((n >= 2).sum())}) - Counter()


def test_helpdesk_channels_come_from_the_map():
    data = parcours.analyze(HELPDESK, HELPDESK_MAP, analyses="shapes").data
    ev = pd.read_csv(HELPDESK, dtype=str)
    expected = pandas_channel_counts(ev, "case:concept:name", ev["concept:name"].map(HELPDESK_CHANNELS))
    got = channel_counts(data)
    assert got == expected
    assert got["multichannel"] > 1000  # was 0: the map's channels were ignored
    assert sum(got.values()) == 4580


def test_the_data_channel_wins_where_it_has_one(tmp_path):
    """WABO applications have an intake channel per case (``case:channel``): with a map giving
    other channels, those events stay on the data's; where the column is empty (here the
    events of every third case, blanked), the touchpoint's channel is the event's."""
    ev = pd.read_csv(RECEIPT, dtype=str, keep_default_na=False)
    cases = sorted(ev["case:concept:name"].unique())
    blank = ev["case:concept:name"].isin(cases[::3])
    ev.loc[blank, "case:channel"] = ""
    path = tmp_path / "receipt_blanked.csv"
    ev.to_csv(path, index=False)
    top = ev["concept:name"].value_counts().index[:6]
    on_map = dict(zip(top, ["Desk", "e-mail", "Internet", "Desk", "Post", "Internet"]))
    m = map_from_dict({"touchpoints": [{"id": f"tp{i}", "match": {"event": name}, "channel": ch}
                                       for i, (name, ch) in enumerate(on_map.items())]})
    data = parcours.analyze(path, m, analyses="shapes").data
    assert data["input"]["columns"]["channel"] == "case:channel"
    per_event = ev["case:channel"].replace("", None).fillna(ev["concept:name"].map(on_map))
    expected = pandas_channel_counts(ev, "case:concept:name", per_event)
    assert channel_counts(data) == expected
    # the cases with their channel in the data are on one channel, as before
    kept = ~ev["case:concept:name"].isin(cases[::3])
    assert ev[kept].groupby("case:concept:name")["case:channel"].nunique().eq(1).all()
    assert expected["multichannel"] > 0


@pytest.mark.parametrize("with_map_channels", [False, True])
def test_event_channel_expression(with_map_channels):
    """The expression itself, on a small table: data first, then the map, then none."""
    import ibis

    from parcours.analysis.channels import event_channel
    from parcours.engine import columns as C

    t = ibis.memtable({C.CHANNEL: ["web", None, None, None], C.TOUCHPOINT: ["a", "a", "b", None]})
    m = map_from_dict({"touchpoints": [{"id": "a", "channel": "store" if with_map_channels else None}, {"id": "b"}]})
    got = ibis.duckdb.connect().to_pyarrow(t.select(ch=event_channel(t, m)))["ch"].to_pylist()
    assert got == (["web", "store", None, None] if with_map_channels else ["web", None, None, None])
