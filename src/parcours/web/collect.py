"""Event collection: ``POST /api/v1/projects/{id}/events`` takes batches of events (JSON) from a
team's systems, idempotent by event id; ``GET .../events/summary`` says what was collected.

Editors and admins send events, with an API token (``Authorization: Bearer pc_...``, no CSRF
token needed) or a session cookie with its ``X-CSRF-Token``. The answer is 200 whenever the
batch was read, with what became of each event: ``{"received", "stored", "duplicates",
"rejected": [{"index", "field", "message"}]}`` (an event too large, a time out of range: rejected
with its index and field, the others stored); 413 when the body is too large (checked before it
is read) or holds more than 10,000 events, 422 when the body is not ``{"events": [...]}``
(:func:`parcours.store.collect.parse_batch` says which).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from parcours.store import collect
from parcours.store.errors import StoreError
from parcours.store.models import User
from parcours.web.security import current_user, project_for, store_of

router = APIRouter(prefix="/api/v1")

_EVENT_SCHEMA = {
    "type": "object", "required": ["id", "customer", "event", "time"], "additionalProperties": False,
    "properties": {
        "id": {"type": ["string", "integer"], "maxLength": 200,
               "description": "Unique per project: an id sent again is a duplicate, stored once."},
        "customer": {"type": ["string", "integer"], "maxLength": 200},
        "event": {"type": "string", "maxLength": 200},
        "time": {"type": ["string", "number"], "description": "ISO 8601 with an offset or Z, or epoch milliseconds.",
                 "examples": ["2024-05-01T10:00:00+02:00", 1714557600000]},
        "channel": {"type": ["string", "null"], "maxLength": 100},
        "value": {"type": ["number", "null"]},
        "attributes": {"type": ["object", "null"], "maxProperties": collect.MAX_ATTRIBUTES,
                       "description": f"Flat: text (at most {collect.MAX_ATTRIBUTE_TEXT:,} characters), numbers, "
                                      f"true/false or null; at most {collect.MAX_ATTRIBUTES_BYTES // 1024} KB per "
                                      "event as JSON.",
                       "additionalProperties": {"type": ["string", "number", "boolean", "null"],
                                                "maxLength": collect.MAX_ATTRIBUTE_TEXT}},
    },
}
_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["events"], "additionalProperties": False,
    "properties": {"events": {"type": "array", "maxItems": collect.MAX_BATCH, "items": _EVENT_SCHEMA}}}}}}


async def _body(request: Request) -> bytes:
    """The request body. Its size is capped before it is read (:mod:`parcours.web.limits`,
    ``$PARCOURS_MAX_EVENTS_MB``, default 20 MB): past it, 413 and the rest is never read."""
    return await request.body()


def _store_error(e: StoreError) -> HTTPException:
    return HTTPException(503, f"the events could not be stored: {e.message} (nothing of this batch was stored: "
                              "send it again later)")


@router.post("/projects/{project_id}/events", openapi_extra={"requestBody": _BODY}, tags=["events"])
async def post_events(project_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Store a batch of events (editors and admins). Events already stored (same id) count as
    duplicates; invalid ones are listed in ``rejected`` and the others are stored all the same."""
    await run_in_threadpool(project_for, request, user, project_id, "editor")
    try:
        events = collect.parse_batch(await _body(request))
    except collect.BadBatch as e:
        raise HTTPException(422, e.message) from None
    except collect.BatchTooLarge as e:
        raise HTTPException(413, e.message) from None
    try:
        return await run_in_threadpool(collect.store_events, store_of(request), project_id, events, user_id=user.id)
    except StoreError as e:
        raise _store_error(e) from None


@router.get("/projects/{project_id}/events/summary", tags=["events"])
def events_summary(project_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """How many events were collected, for how many customers, first and last times (UTC)."""
    project_for(request, user, project_id)
    try:
        return collect.summary(store_of(request), project_id)
    except StoreError as e:
        raise HTTPException(503, f"the database cannot be read: {e.message}") from None
