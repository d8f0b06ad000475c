"""Names of the canonical event table's columns.

Role columns carry a leading underscore so that they never collide with the user's own
columns, which are kept under their original names as attributes (a help-desk log may
well have an attribute called ``customer`` that is not the journey id).
"""

from __future__ import annotations

JOURNEY = "_journey"  # journey id: the customer, or customer#n when split by inactivity
CUSTOMER = "_customer"
TS = "_ts"  # timestamp, UTC
SEQ = "_seq"  # position in the input, to keep equal-time events in input order
EVENT = "_event"
CHANNEL = "_channel"
TOUCHPOINT = "_touchpoint"
STAGE = "_stage"
EVENT_ID = "_event_id"
VALUE = "_value"

# Added by ``parcours.engine.prepare``
MAPPED = "_mapped"  # the event matched a touchpoint of the map
STAGE_RANK = "_stage_rank"  # 1-based position of the stage in the map; null when no stage
STEP = "_step"  # 1-based position of the event in its journey
T_US = "_t_us"  # timestamp as integer microseconds since the epoch (fast arithmetic)
NEXT_TOUCHPOINT = "_next_touchpoint"
NEXT_T_US = "_next_t_us"
VISIT_MARK = "_visit_mark"  # 1: a stage visit starts at this event, 2: the journey's last staged event, 3: both, 0: neither
GOAL = "_goal"  # the event reaches one of the map's goals
CONVERTED = "_converted"  # the event's journey reaches a goal (at any point)

ROLE_COLUMNS = {
    "customer": CUSTOMER,
    "time": TS,
    "event": EVENT,
    "channel": CHANNEL,
    "touchpoint": TOUCHPOINT,
    "stage": STAGE,
    "event_id": EVENT_ID,
    "value": VALUE,
}
REQUIRED_ROLES = ("customer", "time", "event")
OPTIONAL_ROLES = ("channel", "touchpoint", "stage", "event_id", "value")
