"""Touchpoint table and unmapped ("invisible") touchpoints.

- ``exits``: journeys that did not reach a goal and whose last touchpoint is this one;
  ``exit_rate`` = exits / journeys with the touchpoint. Without goals every journey counts.
- ``repeat_rate``: share of the journeys with the touchpoint that have it more than once.
- ``conversion_lift``: goal rate of journeys with the touchpoint minus goal rate of those
  without it (null when the map has no goal, or when every journey has the touchpoint).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.analysis.registry import Inputs
from parcours.engine import columns as C


def touchpoint_table(ev: ir.Table, *, has_goals: bool) -> ir.Table:
    first = ev.filter(ev[C.STEP] == 1)
    totals = first.aggregate(__all=first.count(), __conv=first[C.CONVERTED].cast("int64").sum())
    attrs = ev.group_by(touchpoint=ev[C.TOUCHPOINT]).agg(mapped=ev[C.MAPPED].any(), stage=ev[C.STAGE].min(),
                                                         events=ev.count())
    # One row per (journey, touchpoint); ``_converted`` is the same on every event of a journey.
    jt = ev.group_by(C.JOURNEY, C.TOUCHPOINT, C.CONVERTED).agg(n=ev.count())
    per = jt.group_by(touchpoint=jt[C.TOUCHPOINT]).agg(
        journeys=jt.count(), repeat_journeys=(jt.n > 1).cast("int64").sum(),
        conv_with=jt[C.CONVERTED].cast("int64").sum())
    per = attrs.join(per, "touchpoint")
    st = first.group_by(touchpoint=first[C.TOUCHPOINT]).agg(starts=first.count())
    last = ev.filter(ev[C.NEXT_T_US].isnull())
    en = last.group_by(touchpoint=last[C.TOUCHPOINT]).agg(ends=last.count(),
                                                         exits=(~last[C.CONVERTED]).cast("int64").sum())
    t = per.left_join(st, "touchpoint").drop("touchpoint_right")
    t = t.left_join(en, "touchpoint").drop("touchpoint_right").cross_join(totals)
    t = t.mutate(starts=t.starts.fill_null(0), ends=t.ends.fill_null(0), exits=t.exits.fill_null(0))
    without = t.__all - t.journeys
    rate_with = (t.conv_with / t.journeys).cast("float64")
    rate_without = ibis.cases((without > 0, ((t.__conv - t.conv_with) / without).cast("float64")),
                              else_=ibis.null("float64"))
    t = t.mutate(
        share_of_journeys=(t.journeys / t.__all).cast("float64"),
        exit_rate=(t.exits / t.journeys).cast("float64"),
        repeat_rate=(t.repeat_journeys / t.journeys).cast("float64"),
        goal_rate_with=rate_with if has_goals else ibis.null("float64"),
        goal_rate_without=rate_without if has_goals else ibis.null("float64"),
        conversion_lift=(rate_with - rate_without) if has_goals else ibis.null("float64"),
    )
    return t.select("touchpoint", "stage", "mapped", "events", "journeys", "share_of_journeys", "starts", "ends",
                    "exits", "exit_rate", "repeat_journeys", "repeat_rate", "goal_rate_with", "goal_rate_without",
                    "conversion_lift").order_by([ibis.desc("events"), "touchpoint"])


def unmapped(ev: ir.Table) -> ir.Table:
    """Events matching no touchpoint of the map, by event name, ranked by events then journeys."""
    u = ev.filter(~ev[C.MAPPED])
    total = ev.aggregate(__events=ev.count(), __journeys=ev.count(where=ev[C.STEP] == 1).fill_null(0))  # one first event each
    g = u.group_by(event=u[C.EVENT]).agg(events=u.count(), journeys=u[C.JOURNEY].nunique(),
                                         channels=u[C.CHANNEL].nunique())
    g = g.cross_join(total)
    g = g.mutate(share_of_events=(g.events / g.__events).cast("float64"),
                 share_of_journeys=(g.journeys / g.__journeys).cast("float64"))
    return g.select("event", "events", "journeys", "share_of_events", "share_of_journeys", "channels").order_by(
        [ibis.desc("events"), ibis.desc("journeys"), "event"])


def plan(inp: Inputs) -> dict[str, ir.Table]:
    """The ``touchpoints`` analysis: the touchpoint table and the unmapped events."""
    return {"touchpoints": touchpoint_table(inp.events, has_goals=inp.has_goals), "unmapped": unmapped(inp.events)}
