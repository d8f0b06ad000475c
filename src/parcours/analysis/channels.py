"""The channel of an event: the data's, else its touchpoint's on the map.

A log says the channel of each event when it has a channel column (``--columns
channel=...``, or the map's ``source.columns``); many logs do not (a help-desk log, a
permit-application log), but the map says on which channel each touchpoint is
(``channel:``). So an event's channel is the data's channel column where it has a value,
else the ``channel:`` of the touchpoint the event is on, else none. The data wins where it
speaks: it is what happened, the map is what was designed.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.engine import columns as C
from parcours.model.journey_map import JourneyMap


def map_channels(m: JourneyMap) -> dict[str, str]:
    """Touchpoint id → its ``channel:`` on the map (touchpoints without one left out)."""
    return {t.id: t.channel for t in m.touchpoints if t.channel}


def event_channel(ev: ir.Table, m: JourneyMap) -> ir.StringValue:
    """Each event's channel: the data's ``_channel`` where not null, else its touchpoint's on
    the map. The touchpoint ids and channels reach the query as literals, never as SQL text."""
    data = ev[C.CHANNEL].cast("string")
    by_tp = map_channels(m)
    if not by_tp:
        return data
    from_map = ev[C.TOUCHPOINT].cast("string").substitute(by_tp, else_=ibis.null("string"))
    return ibis.coalesce(data, from_map)
