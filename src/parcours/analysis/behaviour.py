"""Behavioural segments: a label per journey computed from what the journey (and, for
``buyer``, its customer's earlier journeys) did. They serve breakdowns (``--by buyer``),
filters (``--segment buyer=repeat``), the map's segments (``behaviour: {buyer: repeat}``)
and segment movements over periods (:mod:`parcours.analysis.movements`).

==============  ==============================================================================
dimension       labels
==============  ==============================================================================
``buyer``       goal events (purchases) of the customer up to the end of the journey, this
                journey and the customer's earlier ones together: 0 ``prospect``,
                1 ``first_time``, 2 or more ``repeat``. Needs goals in the map.
``channel_mix`` share of the journey's events per channel: all on one channel ``only_<channel>``;
                one channel with at least two thirds ``mostly_<channel>``; otherwise ``mixed``;
                no channel at all ``no_channel``. An event's channel is the data's, else its
                touchpoint's ``channel:`` on the map (:mod:`parcours.analysis.channels`).
``value_tier``  the journey's value (sum of the ``value`` column): none or not positive
                ``no_value``; otherwise by terciles of the positive values of all the
                journeys labelled together: ``low`` (up to the 1st tercile), ``mid`` (up to the
                2nd), ``high``. Terciles are exact (linear interpolation, as pandas' default).
``shape``       the journey shape (:mod:`parcours.analysis.shapes`): ``linear``,
                ``multichannel``, ``skipping``, ``backtracking``, ...
==============  ==============================================================================

``channel_mix`` and ``shape`` count each event's channel as the journey shapes do: the data's
channel column where it has a value, else its touchpoint's channel on the map ``m`` (the data's
alone when no map is given).

Labels are computed on the whole prepared log, then any filter applies: a March journey of a
customer who bought in January is ``first_time`` or ``repeat`` whatever ``--period`` keeps.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.analysis.channels import event_channel
from parcours.engine import columns as C
from parcours.errors import OptionError
from parcours.model.journey_map import BEHAVIOURS as DIMENSIONS, JourneyMap

MOSTLY = 2 / 3  # share of events on one channel for "mostly_<channel>"
BUYER_LABELS = ("prospect", "first_time", "repeat")
VALUE_LABELS = ("no_value", "low", "mid", "high")


def labels(ev: ir.Table, dimension: str, *, has_goals: bool, has_stages: bool = True,
           has_value: bool | None = None, m: JourneyMap | None = None) -> ir.Table:
    """One row per journey of ``ev``: ``_journey``, ``group`` (the label, a string).
    ``has_value``: the input named a value column (default: ``ev`` has ``_value``); ``m``: the
    map, whose touchpoints' ``channel:`` give the channel of events without one in the data."""
    if dimension == "buyer":
        return _buyer(ev, has_goals)
    if dimension == "channel_mix":
        return _channel_mix(ev, m)
    if dimension == "value_tier":
        return _value_tier(ev, C.VALUE in ev.columns if has_value is None else has_value)
    if dimension == "shape":
        from parcours.analysis import shapes, transitions

        visits = transitions.stage_visits(ev, shapes.VISITS_READ) if has_stages else None
        s = shapes.journey_shapes(ev, visits, m)
        return s.select(C.JOURNEY, group=s.shape)
    raise OptionError(f"unknown behaviour {dimension!r}", hint=f"use one of: {', '.join(DIMENSIONS)}")


def _buyer(ev: ir.Table, has_goals: bool) -> ir.Table:
    if not has_goals:
        raise OptionError("buyer: the map declares no goal, so no purchase can be counted",
                          hint="add a goal to the map, e.g. goals: [{id: purchase, match: {event: order_paid}}]")
    j = ev.group_by(C.JOURNEY).agg(customer=ev[C.CUSTOMER].min(), start=ev[C.T_US].min(),
                                   goals=ev[C.GOAL].cast("int64").sum())
    w = ibis.window(group_by="customer", order_by=["start", C.JOURNEY], preceding=None, following=0)
    j = j.mutate(so_far=j.goals.sum().over(w))
    return j.select(C.JOURNEY, group=ibis.cases((j.so_far >= 2, "repeat"), (j.so_far == 1, "first_time"),
                                                else_="prospect"))


def _channel_mix(ev: ir.Table, m: JourneyMap | None) -> ir.Table:
    ch = ev.select(C.JOURNEY, __ch=event_channel(ev, m) if m is not None else ev[C.CHANNEL].cast("string"))
    per = ch.filter(ch.__ch.notnull()).group_by(C.JOURNEY, "__ch").agg(n=ibis._.count())
    tot = per.group_by(C.JOURNEY).agg(total=per.n.sum(), channels=per.count())
    top = per.join(tot, C.JOURNEY).filter(lambda t: t.n * 3 >= t.total * 2)  # at most one per journey
    top = top.select(C.JOURNEY, top_channel=top.__ch, channels=top.channels)
    js = ev.select(C.JOURNEY).distinct()
    j = js.left_join(top, C.JOURNEY).drop(f"{C.JOURNEY}_right")
    j = j.left_join(tot.select(C.JOURNEY, any_channel=ibis.literal(True)), C.JOURNEY).drop(f"{C.JOURNEY}_right")
    label = ibis.cases((j.any_channel.isnull(), "no_channel"),
                       (j.top_channel.isnull(), "mixed"),
                       (j.channels == 1, "only_" + j.top_channel),
                       else_="mostly_" + j.top_channel)
    return j.select(C.JOURNEY, group=label)


def _value_tier(ev: ir.Table, has_value: bool) -> ir.Table:
    if not has_value or C.VALUE not in ev.columns:
        raise OptionError("value_tier: the events have no value column",
                          hint="name it with --columns value=amount (or in the map's source.columns)")
    j = ev.group_by(C.JOURNEY).agg(value=ev[C.VALUE].cast("float64").sum())
    pos = j.filter(j.value > 0)
    cuts = pos.agg(q1=pos.value.quantile(1 / 3), q2=pos.value.quantile(2 / 3))
    j = j.cross_join(cuts)
    label = ibis.cases((j.value.isnull() | (j.value <= 0), "no_value"), (j.value <= j.q1, "low"),
                       (j.value <= j.q2, "mid"), else_="high")
    return j.select(C.JOURNEY, group=label)


def parse_filter(text: str) -> tuple[str, list[str]] | None:
    """``buyer=repeat`` or ``value_tier=mid,high`` -> (dimension, labels); None when ``text``
    is not a behaviour filter (a segment id of the map)."""
    if "=" not in text:
        return None
    dim, _, values = text.partition("=")
    dim = dim.strip()
    if dim not in DIMENSIONS:
        raise OptionError(f"--segment {text!r}: {dim!r} is not a behaviour",
                          hint=f"use a segment id of the map, or one of {', '.join(DIMENSIONS)} as DIMENSION=LABEL")
    wanted = [v.strip() for v in values.split(",") if v.strip()]
    if not wanted:
        raise OptionError(f"--segment {text!r}: no label after '='", hint="e.g. --segment buyer=repeat")
    return dim, wanted
