"""Column roles: which input column is the customer, the time, the event...

Roles come from ``--columns customer=...,time=...`` or the map's ``source.columns``; what
is not given is detected from well-known schemas (XES, GA4 BigQuery export, Segment) or
common column names, and the detection is reported to the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parcours.engine.columns import OPTIONAL_ROLES, REQUIRED_ROLES
from parcours.errors import ColumnRoleError, OptionError

ALL_ROLES = REQUIRED_ROLES + OPTIONAL_ROLES

# Known schemas, tried in order. A schema applies when its required columns are all present.
SCHEMAS: list[tuple[str, dict[str, str], dict[str, list[str]]]] = [
    ("XES", {"customer": "case:concept:name", "event": "concept:name", "time": "time:timestamp"},
     {"channel": ["case:channel", "channel"], "event_id": ["concept:instance", "id"]}),
    ("GA4 BigQuery export", {"customer": "user_pseudo_id", "event": "event_name", "time": "event_timestamp"},
     {"channel": ["platform"]}),
    ("Segment", {"customer": "userId", "event": "event", "time": "timestamp"},
     {"event_id": ["messageId"], "channel": ["channel", "context_channel"]}),
]
COMMON_NAMES: dict[str, list[str]] = {
    "customer": ["customer_id", "customerid", "user_id", "userid", "client_id", "case_id", "journey_id",
                 "visitor_id", "customer", "user", "client", "case"],
    "time": ["timestamp", "time", "ts", "event_time", "event_timestamp", "datetime", "date", "created_at"],
    "event": ["event", "event_name", "event_type", "activity", "action", "name"],
    "channel": ["channel", "canal", "source_channel"],
    "touchpoint": ["touchpoint"],
    "stage": ["stage", "etape"],
    "event_id": ["event_id", "eventid", "message_id"],
    "value": ["value", "amount", "revenue", "montant"],
}


def parse_columns(text: str | None) -> dict[str, str]:
    """Parse ``customer=user_id,time=ts,event=name`` into a role -> column mapping.

    >>> parse_columns("customer=user_id, time=ts")
    {'customer': 'user_id', 'time': 'ts'}
    """
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise OptionError(f"--columns: {part.strip()!r} is not role=column",
                              hint="write e.g. --columns customer=user_id,time=ts,event=name")
        role, col = (s.strip() for s in part.split("=", 1))
        if role not in ALL_ROLES:
            raise OptionError(f"--columns: unknown role {role!r}", hint=f"roles are: {', '.join(ALL_ROLES)}")
        if not col:
            raise OptionError(f"--columns: no column given for {role!r}")
        out[role] = col
    return out


@dataclass(frozen=True)
class RoleDetection:
    """Roles in force, and how each was found (``given``, a schema name, or ``name``)."""

    roles: dict[str, str]
    how: dict[str, str] = field(default_factory=dict)
    schema: str | None = None

    def describe(self) -> str:
        parts = [f"{r}={self.roles[r]}" for r in ALL_ROLES if r in self.roles]
        origin = f"{self.schema} columns" if self.schema else "columns"
        detected = [r for r in self.roles if self.how.get(r) != "given"]
        lead = f"Detected {origin}" if detected else "Columns"
        return f"{lead}: {', '.join(parts)}"


def resolve_roles(columns: list[str], given: dict[str, str] | None = None, *, source: str = "input") -> RoleDetection:
    """Roles for a table with ``columns``: the given ones, completed by detection.

    Raises :class:`ColumnRoleError` naming the missing role and the columns available.
    """
    given = dict(given or {})
    for role, col in given.items():
        if col not in columns:
            raise ColumnRoleError(f"{source}: column {col!r} given for role {role!r} does not exist",
                                  hint=f"columns are: {', '.join(columns)}")
    roles, how = dict(given), {r: "given" for r in given}
    schema = None
    lower = {c.lower(): c for c in columns}
    for name, required, optional in SCHEMAS:
        if all(c in columns for c in required.values()):
            schema = name
            for role, col in required.items():
                if role not in roles and col not in roles.values():
                    roles[role], how[role] = col, name
            for role, candidates in optional.items():
                for col in candidates:
                    if role not in roles and col in columns and col not in roles.values():
                        roles[role], how[role] = col, name
            break
    for role in ALL_ROLES:
        if role in roles:
            continue
        for name in COMMON_NAMES[role]:
            col = lower.get(name)
            if col is not None and col not in roles.values():
                roles[role], how[role] = col, "name"
                break
    missing = [r for r in REQUIRED_ROLES if r not in roles]
    if missing:
        raise ColumnRoleError(
            f"{source}: cannot tell which column is the {' and the '.join(missing)}",
            hint=f"say it with --columns {','.join(f'{r}=COLUMN' for r in missing)} "
                 f"(columns are: {', '.join(columns)})")
    return RoleDetection(roles=roles, how=how, schema=schema)
