"""Column roles: which input column is the customer, the time, the event...

Roles come from ``--columns customer=...,time=...`` or the map's ``source.columns``; what
is not given is detected from well-known schemas (XES, GA4 BigQuery export, Segment) or
common column names, and the detection is reported to the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parcours.engine.columns import OPTIONAL_ROLES, REQUIRED_ROLES
from parcours.errors import ColumnRoleError, OptionError
from parcours.model.specs import parse_roles  # one parser for the CLI, the specs and ingest

ALL_ROLES = REQUIRED_ROLES + OPTIONAL_ROLES


@dataclass(frozen=True)
class RoleSpec:
    """The roles of one kind of input (events, feedback): which exist, which are required,
    and how they are recognised."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    names: dict[str, list[str]]
    schemas: list[tuple[str, dict[str, str], dict[str, list[str]]]] = field(default_factory=list)

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


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
EVENT_ROLES = RoleSpec(required=REQUIRED_ROLES, optional=OPTIONAL_ROLES, names=COMMON_NAMES, schemas=SCHEMAS)

# Survey exports and verbatim sources (reviews, tickets, social posts).
FEEDBACK_ROLES = RoleSpec(
    required=(),
    optional=("customer", "time", "score", "metric", "comment", "stage", "touchpoint", "language"),
    names={
        "customer": ["customer_id", "customerid", "user_id", "userid", "client_id", "respondent_id", "customer",
                     "user", "client"],
        "time": ["response_time", "responded_at", "submitted_at", "answered_at", "created_at", "timestamp", "time",
                 "date", "review_date", "review_creation_date"],
        "score": ["score", "rating", "note", "nps", "csat", "ces", "stars", "review_score", "grade"],
        "metric": ["metric", "survey_type", "question_type", "indicateur"],
        "comment": ["comment", "comments", "verbatim", "review", "review_text", "reader_review", "text", "commentaire", "avis", "remarque",
                    "message", "body", "review_comment_message"],
        "stage": ["stage", "etape"],
        "touchpoint": ["touchpoint", "point_de_contact"],
        "language": ["language", "lang", "langue"],
    },
)


def parse_columns(text: str | None, spec: RoleSpec | None = None) -> dict[str, str]:
    """Parse ``customer=user_id,time=ts,event=name`` into a role -> column mapping.

    >>> parse_columns("customer=user_id, time=ts")
    {'customer': 'user_id', 'time': 'ts'}
    """
    return parse_roles(text, tuple((spec or EVENT_ROLES).all))


@dataclass(frozen=True)
class RoleDetection:
    """Roles in force, and how each was found (``given``, a schema name, or ``name``)."""

    roles: dict[str, str]
    how: dict[str, str] = field(default_factory=dict)
    schema: str | None = None
    order: tuple[str, ...] = ALL_ROLES

    def ordered(self) -> dict[str, str]:
        """The roles in the order of the kind's roles (customer, time, event...)."""
        return {r: self.roles[r] for r in [*self.order, *self.roles] if r in self.roles}

    def describe(self) -> str:
        """In English (``Detected XES columns: customer=…``); the front doors say it in their
        reader's language from ``roles``, ``how`` and ``schema`` (:func:`parcours.project.texts.detection`)."""
        parts = [f"{r}={self.roles[r]}" for r in self.order if r in self.roles]
        origin = f"{self.schema} columns" if self.schema else "columns"
        detected = [r for r in self.roles if self.how.get(r) != "given"]
        lead = f"Detected {origin}" if detected else "Columns"
        return f"{lead}: {', '.join(parts)}"


def resolve_roles(columns: list[str], given: dict[str, str] | None = None, *, source: str = "input",
                  spec: RoleSpec | None = None) -> RoleDetection:
    """Roles for a table with ``columns``: the given ones, completed by detection.

    Raises :class:`ColumnRoleError` naming the missing role and the columns available, in its
    message and as data (:meth:`~parcours.errors.ColumnRoleError.facts`).
    """
    spec = spec or EVENT_ROLES
    given = dict(given or {})
    unknown = [r for r in given if r not in spec.all]
    if unknown:  # a role no analysis reads would be ignored without a word
        raise OptionError(f"{source}: unknown role {unknown[0]!r}", hint=f"roles are: {', '.join(spec.all)}")
    for role, col in given.items():
        if col not in columns:
            raise ColumnRoleError(f"{source}: column {col!r} given for role {role!r} does not exist",
                                  hint=f"columns are: {', '.join(columns)}", source=source, columns=columns,
                                  role=role, column=col)
    roles, how = dict(given), {r: "given" for r in given}
    schema = None
    lower = {c.lower(): c for c in columns}
    for name, required, optional in spec.schemas:
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
    for role in spec.all:
        if role in roles:
            continue
        for name in spec.names.get(role, []):
            col = lower.get(name)
            if col is not None and col not in roles.values():
                roles[role], how[role] = col, "name"
                break
    missing = [r for r in spec.required if r not in roles]
    if missing:
        raise ColumnRoleError(
            f"{source}: cannot tell which column is the {' and the '.join(missing)}",
            hint=f"say it with --columns {','.join(f'{r}=COLUMN' for r in missing)} "
                 f"(columns are: {', '.join(columns)})", source=source, missing=missing, columns=columns)
    return RoleDetection(roles=roles, how=how, schema=schema, order=spec.all)
