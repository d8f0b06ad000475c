"""Events pushed by a team's systems (``POST /api/v1/projects/<id>/events``): checked one by
one, stored once each whatever how often they are sent, and read back for the analyses.

An event is ``{"id", "customer", "event", "time"}`` plus optional ``channel``, ``value`` and
``attributes`` (a flat object). ``(project, id)`` is unique: a batch sent again (a retry after a
timeout, two workers sending the same export) adds nothing, and the answer says so.

>>> from parcours.store import connect, create_workspace, create_project
>>> store = connect("sqlite://"); _ = store.migrate()
>>> project = create_project(store, create_workspace(store, "CX").id, "Web")
>>> batch = [{"id": "e1", "customer": "c1", "event": "visit", "time": "2024-05-01T10:00:00+02:00"},
...          {"id": "e2", "customer": "c1", "event": "buy", "time": 1714557600000, "value": 49.9},
...          {"id": "e3", "customer": "c2", "event": "visit", "time": "2024-05-01 10:00"}]
>>> out = store_events(store, project.id, batch)
>>> out["received"], out["stored"], out["duplicates"]
(3, 2, 0)
>>> out["rejected"]  # doctest: +NORMALIZE_WHITESPACE
[{'index': 2, 'field': 'time', 'message': "time '2024-05-01 10:00' has no UTC offset: add it,
  e.g. '2024-05-01T10:00:00+02:00' or '2024-05-01T08:00:00Z'"}]
>>> store_events(store, project.id, batch[:2])["duplicates"]
2
>>> [row["time"] for rows in event_rows(store, project.id) for row in rows]
['2024-05-01T08:00:00+00:00', '2024-05-01T10:00:00+00:00']
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcours.errors import OptionError
from parcours.store import activity
from parcours.store.db import Store
from parcours.store.models import Activity, CollectedEvent, now

MAX_BATCH = 10_000  # events per request
MAX_ATTRIBUTES = 50
MAX_KEY = 100  # characters of an attribute's name
MAX_ATTRIBUTE_TEXT = 2_000  # characters of one text value (a long URL fits)
MAX_ATTRIBUTES_BYTES = 16 * 1024  # of one event's attributes, as stored (compact JSON, UTF-8)
FIELDS = {"id": 200, "customer": 200, "event": 200, "channel": 100}  # text fields and their maximum length
KNOWN = ("id", "customer", "event", "time", "channel", "value", "attributes")
COLUMNS = ("event_id", "customer", "time", "event", "channel", "value")  # of event_rows, before attributes
_COALESCE = dt.timedelta(minutes=1)  # one activity line per project (and user) per minute at most
_SUMMARY = re.compile(r"^(\d+) events? collected")


class Invalid(ValueError):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class BadBatch(OptionError):
    """A request body that is not ``{"events": [...]}`` (not JSON, not UTF-8, another shape);
    the message says what is wrong. Nothing of it is stored."""


class BatchTooLarge(OptionError):
    """A batch of more than :data:`MAX_BATCH` events; the message says to split it."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON: send numbers, or null")


def parse_batch(body: bytes) -> list[Any]:
    """The events of a request body ``{"events": [...]}``, checked one by one later by
    :func:`store_events`; :class:`BadBatch` saying what is wrong with the body, or
    :class:`BatchTooLarge` past :data:`MAX_BATCH` events.

    >>> parse_batch(b'{"events": [{"id": "e1"}]}')
    [{'id': 'e1'}]
    >>> parse_batch(b'{"events": {}}')
    Traceback (most recent call last):
    ...
    parcours.store.collect.BadBatch: "events" must be a list of event objects
    """
    if not body.strip():
        raise BadBatch('the body is empty: send a JSON object {"events": [...]}')
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise BadBatch(f"the body is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except UnicodeDecodeError:
        raise BadBatch("the body is not valid JSON: it is not UTF-8 text") from None
    except ValueError as e:  # NaN, Infinity
        raise BadBatch(f"the body is not valid JSON: {e}") from None
    except RecursionError:
        raise BadBatch("the body is not valid JSON for events: it is nested too deeply") from None
    if not isinstance(data, dict) or "events" not in data:
        raise BadBatch('the body must be a JSON object {"events": [...]}, with a list of events')
    unknown = [k for k in data if k != "events"]
    if unknown:
        raise BadBatch(f'unknown key {unknown[0][:100]!r} in the body: it holds only "events"')
    events = data["events"]
    if not isinstance(events, list):
        raise BadBatch('"events" must be a list of event objects')
    if len(events) > MAX_BATCH:
        raise BatchTooLarge(f"this batch has {len(events):,} events: at most {MAX_BATCH:,} are taken at once, "
                            "send them in several batches")
    return events


def _text(event: dict[str, Any], name: str, *, required: bool, numbers: bool = False) -> str | None:
    value = event.get(name)
    if value is None:
        if required:
            raise Invalid(name, f"{name} is missing: every event needs id, customer, event and time")
        return None
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        kinds = "a string or an integer" if numbers else "a string"
        raise Invalid(name, f"{name} must be {kinds}, not {_kind(value)}")
    if not value.strip():
        raise Invalid(name, f"{name} is empty")
    if len(value) > FIELDS[name]:
        raise Invalid(name, f"{name} has {len(value)} characters: at most {FIELDS[name]} are kept, shorten it")
    _storable(name, value)
    return value


def _storable(name: str, text: str) -> None:
    """Text both databases take: no NUL character (PostgreSQL refuses it), valid Unicode."""
    if "\x00" in text:
        raise Invalid(name, f"{name} contains a NUL character (\\u0000): remove it")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(name, f"{name} is not valid Unicode (a lone surrogate such as \\ud800): send UTF-8 text") from None


def _kind(value: object) -> str:
    return {bool: "true/false", dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), "a number")


def _time(value: object) -> dt.datetime:
    """An aware UTC datetime from ISO 8601 text with an offset, or from epoch milliseconds."""
    if value is None:
        raise Invalid("time", "time is missing: every event needs id, customer, event and time")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # math.isfinite would raise on an integer too large for a float (JSON allows 4,300 digits)
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid("time", "time must be a finite number of milliseconds since 1970-01-01T00:00:00Z")
        try:
            return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=value)
        except OverflowError:
            raise Invalid("time", f"time {_number(value)} is out of range: give milliseconds since "
                                  "1970-01-01T00:00:00Z (e.g. 1714557600000), not micro- or nanoseconds") from None
    if not isinstance(value, str):
        raise Invalid("time", f"time must be ISO 8601 text with an offset or epoch milliseconds, not {_kind(value)}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("time", f"time {value[:60]!r} is not an ISO 8601 date and time: write it like "
                              "'2024-05-01T10:00:00+02:00' or '2024-05-01T08:00:00Z'") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid("time", f"time {value[:60]!r} has no UTC offset: add it, e.g. '2024-05-01T10:00:00+02:00' "
                              "or '2024-05-01T08:00:00Z'")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise Invalid("time", f"time {value[:60]!r} is out of range") from None


def _value(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid("value", f"value must be a number (e.g. 49.9), not {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise Invalid("value", "value must be a finite number")
    return number


def _number(value: int | float) -> str:
    """A number as a message shows it: a long integer by its first digits and its length."""
    text = str(value)
    return text if len(text) <= 30 else f"{text[:15]}... ({len(text.lstrip('-'))} digits)"


def _attributes(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid("attributes", f"attributes must be an object of names and values, not {_kind(value)}")
    if len(value) > MAX_ATTRIBUTES:
        raise Invalid("attributes", f"attributes has {len(value)} keys: at most {MAX_ATTRIBUTES} are allowed")
    for key, item in value.items():
        where = f"attributes.{key}"
        if not key.strip() or len(key) > MAX_KEY:
            raise Invalid(where, f"an attribute's name must have 1 to {MAX_KEY} characters")
        if key in COLUMNS:
            raise Invalid(where, f"the attribute name {key!r} is a column of every event: rename it "
                                 f"(names {', '.join(COLUMNS)} are taken)")
        if isinstance(item, (dict, list)):
            raise Invalid(where, f"{where} is {_kind(item)}: attributes are flat (text, number, true/false or "
                                 "null); flatten it, e.g. {\"cart_items\": 3}")
        if isinstance(item, float) and not math.isfinite(item):
            raise Invalid(where, f"{where} must be a finite number")
        if isinstance(item, int) and not isinstance(item, bool) and not -2**63 <= item < 2**63:
            raise Invalid(where, f"{where} = {_number(item)} is out of range: whole numbers are read as 64-bit "
                                 "integers (send a larger number as text, or as a decimal number)")
        if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_TEXT:
            raise Invalid(where, f"{where} has {len(item):,} characters: at most {MAX_ATTRIBUTE_TEXT:,} are kept, "
                                 "shorten it (attributes describe an event; documents belong elsewhere)")
    if not value:
        return None
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # writes NUL as the escape \u0000
    _storable("attributes", text)
    size = len(text.encode("utf-8"))
    if size > MAX_ATTRIBUTES_BYTES:
        raise Invalid("attributes", f"attributes take {size:,} bytes as JSON: at most {MAX_ATTRIBUTES_BYTES:,} "
                                    "per event, keep fewer or shorter ones")
    return text


def check_event(event: object) -> dict[str, Any]:
    """The row to insert for one event; raises :class:`Invalid` naming the first wrong field."""
    if not isinstance(event, dict):
        raise Invalid(None, f"an event must be an object like {{\"id\": ..., \"customer\": ..., \"event\": ..., "
                            f"\"time\": ...}}, not {_kind(event)}")
    unknown = [k for k in event if k not in KNOWN]
    if unknown:
        raise Invalid(unknown[0], f"unknown field {unknown[0][:100]!r}: an event has {', '.join(KNOWN)} "
                                  "(put other facts in attributes)")
    return {"event_id": _text(event, "id", required=True, numbers=True),
            "customer": _text(event, "customer", required=True, numbers=True),
            "event": _text(event, "event", required=True),
            "ts": _time(event.get("time")),
            "channel": _text(event, "channel", required=False),
            "value": _value(event.get("value")),
            "attributes": _attributes(event.get("attributes"))}


def store_events(store: Store, project_id: int, events: list[Any], *, user_id: int | None = None) -> dict[str, Any]:
    """Check and store a batch of events; ``received == stored + duplicates + len(rejected)``.

    Valid events are stored even when others are rejected; each rejected one is listed with its
    index in the batch, the field and why. An id already stored for the project (or earlier in
    the same batch) counts as a duplicate and changes nothing.
    """
    rows: dict[str, dict[str, Any]] = {}
    rejected: list[dict[str, Any]] = []
    duplicates = 0
    received_at = now()
    for index, event in enumerate(events):
        try:
            row = check_event(event)
        except Invalid as e:
            rejected.append({"index": index, "field": e.field, "message": e.message})
            continue
        if row["event_id"] in rows:
            duplicates += 1
            continue
        rows[row["event_id"]] = {**row, "project_id": project_id, "received_at": received_at}
    stored = 0
    if rows:
        table = CollectedEvent.__table__
        # One statement compiled once, sent as multi-row INSERTs ("insertmanyvalues"); RETURNING
        # lists the rows actually inserted, so stored and duplicates are exact even when another
        # request inserts the same ids at the same moment.
        stmt = (_insert(store.backend)(table).on_conflict_do_nothing(index_elements=["project_id", "event_id"])
                .returning(table.c.event_id))
        # The same order in every transaction: two batches sharing ids (PostgreSQL) wait for each
        # other instead of deadlocking.
        ordered = [rows[k] for k in sorted(rows)]
        with store.transaction() as session:
            stored = len(session.connection().execute(stmt, ordered).all())
            if stored:
                _record(session, project_id, user_id, stored)
        duplicates += len(rows) - stored
    return {"received": len(events), "stored": stored, "duplicates": duplicates, "rejected": rejected}


def _insert(backend: str) -> Any:
    if backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _record(session: Session, project_id: int, user_id: int | None, stored: int) -> None:
    """One feed line per project and user per minute: a stream of batches adds to the last line."""
    line = session.execute(
        select(Activity.id, Activity.summary)
        .where(Activity.project_id == project_id, Activity.kind == "events_collected",
               Activity.user_id.is_(None) if user_id is None else Activity.user_id == user_id,
               Activity.created_at >= now() - _COALESCE)
        .order_by(Activity.id.desc()).limit(1).with_for_update()).first()
    m = _SUMMARY.match(line.summary) if line is not None else None
    if line is not None and m:
        n = int(m[1]) + stored
        activity.reword(session, line.id, _summary(n), _words(n))
    else:
        activity.record(session, project_id, user_id, "events_collected", _summary(stored), target_kind="project",
                        words=_words(stored))


def _summary(n: int) -> str:
    return f"{n} event{'s' if n != 1 else ''} collected via the API"


def _words(n: int) -> dict[str, Any]:
    return activity.words("activity.events_collected", n=n, count=activity.number(n))


def summary(store: Store, project_id: int) -> dict[str, Any]:
    """``{"count", "customers", "first", "last"}``: the project's collected events (times in ISO 8601 UTC)."""
    where = CollectedEvent.project_id == project_id
    with store.transaction() as session:
        count, customers, first, last = session.execute(
            select(func.count(), func.count(func.distinct(CollectedEvent.customer)), func.min(CollectedEvent.ts),
                   func.max(CollectedEvent.ts)).where(where)).one()
    # min/max come back without the column's type on SQLite: read them as the column does
    return {"count": count, "customers": customers, "first": _iso(first), "last": _iso(last)}


def _iso(value: dt.datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def fingerprint(store: Store, project_id: int) -> tuple[int, int]:
    """``(count, largest row id)``: changes whenever events are added (or the project's are deleted)."""
    with store.transaction() as session:
        count, top = session.execute(select(func.count(), func.max(CollectedEvent.id))
                                     .where(CollectedEvent.project_id == project_id)).one()
    return count, top or 0


def event_rows(store: Store, project_id: int, batch: int = 50_000) -> Iterator[list[dict[str, Any]]]:
    """The project's events, in the order received, as lists of at most ``batch`` dicts.

    Keys: ``event_id``, ``customer``, ``time`` (ISO 8601, UTC), ``event``, ``channel``, ``value``,
    then every attribute name seen in the project's events (None where an event lacks it). Each
    list is read in its own short transaction, so a long analysis never holds the database.
    Events stored after the call began are not included.
    """
    batch = max(1, batch)
    _, top = fingerprint(store, project_id)
    where = (CollectedEvent.project_id == project_id, CollectedEvent.id <= top)
    keys: dict[str, None] = {}  # attribute names, in the order first seen
    last = 0
    while True:  # first pass: the attributes' names, so that every list has the same keys
        with store.transaction() as session:
            part = session.execute(select(CollectedEvent.id, CollectedEvent.attributes)
                                   .where(*where, CollectedEvent.id > last).order_by(CollectedEvent.id)
                                   .limit(batch)).all()
        for _, text in part:
            if text:
                keys.update(dict.fromkeys(json.loads(text)))
        if len(part) < batch:
            break
        last = part[-1][0]
    blank = dict.fromkeys(keys)
    last = 0
    while True:
        with store.transaction() as session:
            part = session.execute(select(CollectedEvent).where(*where, CollectedEvent.id > last)
                                   .order_by(CollectedEvent.id).limit(batch)).scalars().all()
        if part:
            yield [{"event_id": e.event_id, "customer": e.customer, "time": e.ts.isoformat(), "event": e.event,
                    "channel": e.channel, "value": e.value,
                    **blank, **{k: v for k, v in json.loads(e.attributes or "{}").items() if k in blank}}
                   for e in part]
        if len(part) < batch:
            return
        last = part[-1].id
