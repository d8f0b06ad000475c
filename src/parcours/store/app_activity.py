"""The app's own activity feed, for app administrators: log-ins slowed down, sessions ended
everywhere, accounts created, invitations... (the projects have theirs: ``activity``).

>>> from parcours.store import connect
>>> store = connect("sqlite://"); _ = store.migrate()
>>> with store.transaction() as session:
...     _ = record(session, "login_throttled", "5 failed log-ins for x@example.org", address="10.0.0.1")
>>> [(x.kind, x.address) for x in feed(store)]
[('login_throttled', '10.0.0.1')]
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcours.store.db import Store
from parcours.store.models import AppActivity, User
from parcours.templates import Templates

# What a line says, in English as kept; the admin page says it in its reader's language.
SAID = Templates("app_activity.", {
    "throttled_account": "repeated failed log-ins for {email}: the next attempt waits {seconds} s",
    "throttled_address": "repeated failed log-ins from {address}: the next attempt waits {seconds} s",
    "signed_out_own": "{email} signed out of {n} other browser(s)",
    "signed_out_by": "{by} signed {email} out everywhere ({n} browser(s))",
    "invited": "{email} invited to workspace {workspace} as {role}",
    "joined": "{email} joined workspace {workspace} as {role}",
}, named={"role": "role."})
said = SAID.said


def record(session: Session, kind: str, summary: str, *, user_id: int | None = None,
           address: str | None = None) -> AppActivity:
    """Add a line in ``session``'s transaction (``user_id``: who did it, or whom it is about)."""
    line = AppActivity(kind=kind[:40], summary=summary[:2000], user_id=user_id, address=(address or "")[:64] or None)
    session.add(line)
    return line


def note(store: Store, kind: str, summary: str, *, user_id: int | None = None, address: str | None = None) -> None:
    """Add a line in a transaction of its own: :func:`record` for callers holding no session."""
    with store.transaction() as session:
        record(session, kind, summary, user_id=user_id, address=address)


def feed(store: Store, limit: int = 50, before: int | None = None) -> list[AppActivity]:
    """The latest lines, newest first (``before``: an id, to page back)."""
    with store.transaction() as session:
        q = select(AppActivity)
        if before is not None:
            q = q.where(AppActivity.id < before)
        return list(session.scalars(q.order_by(AppActivity.id.desc()).limit(max(1, min(limit, 500)))))


def as_dict(store: Store, lines: list[AppActivity]) -> list[dict[str, Any]]:
    """The lines as JSON objects, with the name of the user each is about."""
    ids = {x.user_id for x in lines if x.user_id is not None}
    with store.transaction() as session:
        names = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [{"id": x.id, "kind": x.kind, "summary": x.summary, "user": names.get(x.user_id), "address": x.address,
             "created_at": x.created_at.isoformat()} for x in lines]
