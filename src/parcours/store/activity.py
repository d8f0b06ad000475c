"""A project's activity feed: who did what, when (map saved or restored, comment, upload,
survey link created, events collected...). Writers call :func:`record` inside their own
transaction, so the line exists exactly when what it tells happened."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcours.store.db import Store
from parcours.store.models import Activity


def record(session: Session, project_id: int, user_id: int | None, kind: str, summary: str, *,
           target_kind: str | None = None, target_id: str | None = None) -> Activity:
    """Add a line to the project's feed in ``session``'s transaction."""
    line = Activity(project_id=project_id, user_id=user_id, kind=kind, summary=summary[:2000],
                    target_kind=target_kind, target_id=target_id)
    session.add(line)
    return line


def feed(store: Store, project_id: int, limit: int = 50, before: int | None = None) -> list[Activity]:
    """The project's latest lines, newest first (``before``: an id, to page back)."""
    with store.transaction() as session:
        q = select(Activity).where(Activity.project_id == project_id)
        if before is not None:
            q = q.where(Activity.id < before)
        return list(session.scalars(q.order_by(Activity.id.desc()).limit(max(1, min(limit, 500)))))


def as_dict(line: Activity) -> dict[str, Any]:
    return {"id": line.id, "kind": line.kind, "summary": line.summary,
            "user": line.user.name if line.user else None, "target_kind": line.target_kind,
            "target_id": line.target_id, "created_at": line.created_at.isoformat()}
