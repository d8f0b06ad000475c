"""A CRM export — one row per customer (or deal, ticket), one date column per milestone — as
events: one per milestone date.

HubSpot writes ``createdate``, ``hs_lifecyclestage_<stage>_date``, ``closedate`` (or, from its
export screen, *Create Date*, *Became a Marketing Qualified Lead Date*, *Close Date*…),
Salesforce ``CreatedDate``, ``ConvertedDate``, ``CloseDate``. Those names are recognised
(:data:`KNOWN`); any other export names its milestones with ``--milestones EVENT=COLUMN,…``.
The record's id is the customer (``hs_object_id``, *Record ID*, ``Id``, *Lead ID*… or the role
given), the milestone's name the event, its date the time; every other column is kept as an
attribute of each event (usable in segments). A record with no milestone date is one
quarantined row (*missing time*), never dropped: rows read = events accepted + quarantined.
Events of one record keep the milestones' order when two dates are equal. A date that cannot
be read is quarantined naming the milestone's column.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import ibis

from parcours.engine.fetch import rows
from parcours.errors import ColumnRoleError
from parcours.ingest.questions import normal
from parcours.ingest.readers import RawInput
from parcours.ingest.said import said

# Column name (lower case) -> (event name, the system that writes it); in journey order.
KNOWN: dict[str, tuple[str, str]] = {
    "createdate": ("created", "HubSpot"), "create date": ("created", "HubSpot"),
    "createddate": ("created", "Salesforce"), "created date": ("created", "Salesforce"),
    "hs_lifecyclestage_subscriber_date": ("subscriber", "HubSpot"), "became a subscriber date": ("subscriber", "HubSpot"),
    "hs_lifecyclestage_lead_date": ("lead", "HubSpot"), "became a lead date": ("lead", "HubSpot"),
    "hs_lifecyclestage_marketingqualifiedlead_date": ("mql", "HubSpot"),
    "became a marketing qualified lead date": ("mql", "HubSpot"),
    "hs_lifecyclestage_salesqualifiedlead_date": ("sql", "HubSpot"),
    "became a sales qualified lead date": ("sql", "HubSpot"),
    "hs_lifecyclestage_opportunity_date": ("opportunity", "HubSpot"), "became an opportunity date": ("opportunity", "HubSpot"),
    "converteddate": ("converted", "Salesforce"), "converted date": ("converted", "Salesforce"),
    "hs_lifecyclestage_customer_date": ("customer", "HubSpot"), "became a customer date": ("customer", "HubSpot"),
    "hs_lifecyclestage_evangelist_date": ("evangelist", "HubSpot"), "became an evangelist date": ("evangelist", "HubSpot"),
    "hs_lifecyclestage_other_date": ("other", "HubSpot"),
    "closedate": ("closed", "HubSpot"), "close date": ("closed", "HubSpot"),
}
IDS = ["hs_object_id", "record id", "vid", "contact id", "deal id", "company id", "ticket id", "id", "lead id",
       "opportunity id", "account id", "contact_id", "deal_id", "lead_id", "opportunity_id", "customer_id",
       "customerid", "client_id", "user_id", "mql_id"]
_counter = itertools.count(1)
EVENT, TIME, WHERE = "event", "time", "__milestone_column"  # WHERE: the column an event's date comes from


@dataclasses.dataclass
class Milestones:
    system: str | None  # HubSpot, Salesforce, or None: named by the user
    records: int
    milestones: dict[str, str]  # event -> column, in journey order
    dates: dict[str, int]  # event -> records that have its date


def detect(columns: list[str]) -> tuple[dict[str, str], str | None]:
    """The milestone columns a CRM's own names give (event -> column, in journey order), and the CRM."""
    order = list(dict.fromkeys(event for event, _ in KNOWN.values()))
    found: dict[str, tuple[str, str]] = {}
    for c in columns:
        known = KNOWN.get(normal(c))
        if known and known[0] not in found:
            found[known[0]] = (c, known[1])
    events = sorted(found, key=order.index)
    systems = {found[e][1] for e in events}
    return {e: found[e][0] for e in events}, (systems.pop() if len(systems) == 1 else "CRM")


def record_id(columns: list[str], milestones: dict[str, str]) -> str | None:
    """The column that identifies each record, by the CRMs' names (:data:`IDS`), or None."""
    used = set(milestones.values())
    return next((c for n in IDS for c in columns if normal(c) == n and c not in used), None)


def lengthen(con: Any, raw: RawInput, milestones: dict[str, str], given: dict[str, str],
             system: str | None) -> tuple[RawInput, dict[str, str], Milestones]:
    """One event per record and milestone date (module doc), the roles of the long table."""
    cols = raw.data_columns
    name = Path(raw.source).name if raw.format != "table" else "table"
    missing = [c for c in milestones.values() if c not in cols]
    if missing:
        raise ColumnRoleError(f"{name}: milestone column {missing[0]!r} does not exist",
                              hint=f"columns are: {', '.join(cols)}", source=name, columns=cols)
    used = set(milestones.values())
    customer = given.get("customer") or record_id(cols, milestones)
    if customer is None:
        raise ColumnRoleError(f"{name}: which column identifies each record (customer, deal, ticket)?",
                              hint=f"say it with --columns customer=COLUMN (columns are: {', '.join(cols)})",
                              source=name, missing=["customer"], columns=cols)
    t = raw.table
    taken = set(cols)
    event_col = next(n for n in (EVENT, "milestone", "parcours_event") if n not in taken)
    time_col = next(n for n in (TIME, "milestone_time", "parcours_time") if n not in taken)
    keep = ["__row", "__file", "__error", *[c for c in cols if c not in used]]
    width = len(milestones) + 1

    def blank(c: str) -> Any:
        v = t[c].cast("string").strip()
        return v.isnull() | (v == "")

    # dates the reader typed already stay typed (parsing them again as text costs); mixed: as text
    typed = {t[c].type() for c in milestones.values()}
    kind = typed.pop() if len(typed) == 1 else ibis.expr.datatypes.string
    parts = []
    for i, (event, column) in enumerate(milestones.items(), start=1):
        part = t.filter(~blank(column)).select(*keep, __seq=t.__seq * width + i, **{
            event_col: ibis.literal(event), time_col: t[column].cast(kind), WHERE: ibis.literal(repr(column))})
        parts.append(part)
    none = ibis.literal(True)
    for column in milestones.values():
        none = none & blank(column)
    everywhere = ", ".join(repr(c) for c in milestones.values())
    parts.append(t.filter(none).select(*keep, __seq=t.__seq * width, **{
        event_col: ibis.literal("no milestone"), time_col: ibis.null(kind), WHERE: ibis.literal(everywhere)}))
    long = parts[0].union(*parts[1:])
    counts = rows(con, t.aggregate(__n=t.count(), **{f"m{i}": (~blank(c)).sum() for i, c in enumerate(milestones.values())}))[0]
    found = Milestones(system, int(counts["__n"]), dict(milestones),
                       {e: int(counts[f"m{i}"] or 0) for i, e in enumerate(milestones)})
    listed = ", ".join(f"{e}={c} ({found.dates[e]})" for e, c in milestones.items())
    note = said("note.milestones", file=name, records=str(found.records), customer=customer, milestones=listed,
                system=system) if system else \
        said("note.milestones_named", file=name, records=str(found.records), customer=customer, milestones=listed)
    table = long.select(*[c for c in long.columns if not c.startswith("__")], "__seq", "__row", "__file", "__error", WHERE)
    if con.name == "duckdb":  # made once: the checks and the accepted table read it several times
        table = con.create_table(f"_parcours_milestones_{next(_counter)}", table, temp=True)
    roles = {**{r: c for r, c in given.items() if r not in ("event", "time")}, "customer": customer,
             "event": event_col, "time": time_col}
    return dataclasses.replace(raw, table=table, notes=[*raw.notes, note]), roles, found
