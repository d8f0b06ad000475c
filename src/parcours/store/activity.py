"""A project's activity feed: who did what, when (map saved or restored, comment, upload,
survey link created, events collected...). Writers call :func:`record` inside their own
transaction, so the line exists exactly when what it tells happened.

A line's ``summary`` is English, as the API has always answered it. A writer also gives its
*words* (``activity_words``, migration 0007): the same thing as data, ``{"t": key, **values}``
with a key of the app's catalogues (``parcours.project.texts``), a value being itself words
(:func:`words`) or a number to write as the reader's language does (:func:`number`); the web
app says the line in each reader's language from them. Lines written before have no words:
their summary is shown.

>>> from parcours.store import connect, create_project, create_workspace
>>> store = connect("sqlite://"); _ = store.migrate()
>>> pid = create_project(store, create_workspace(store, "CX").id, "Achat").id
>>> with store.transaction() as session:
...     _ = record(session, pid, None, "events_collected", "2 events collected via the API",
...                words=words("activity.events_collected", n=2, count=number(2)))
>>> as_dict(feed(store, pid)[0])["words"]
{'t': 'activity.events_collected', 'n': 2, 'count': {'num': 2}}
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ForeignKey, Text, select, update
from sqlalchemy.orm import Mapped, Session, backref, mapped_column, relationship

from parcours.store.db import Store
from parcours.store.models import Activity, Base


class ActivityWords(Base):
    """What a line of the feed says, as data (``said``: JSON words, see the module)."""

    __tablename__ = "activity_words"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    said: Mapped[str] = mapped_column(Text)

    # Activity.words: loaded with its line (a feed page is one query).
    line: Mapped[Activity] = relationship(backref=backref("words", uselist=False, lazy="joined",
                                                          cascade="all, delete-orphan", passive_deletes=True))


def words(key: str, **values: Any) -> dict[str, Any]:
    """Words to say later: the catalogues' ``key`` and its ``values`` (JSON; a value may be words)."""
    return {"t": key, **values}


def number(n: int | float) -> dict[str, Any]:
    """A number to say as the reader's language writes it (``1,234`` / ``1 234``)."""
    return {"num": n}


def record(session: Session, project_id: int, user_id: int | None, kind: str, summary: str, *,
           target_kind: str | None = None, target_id: str | None = None,
           words: dict[str, Any] | None = None) -> Activity:
    """Add a line to the project's feed in ``session``'s transaction: its English ``summary``
    and, for readers in any language, its ``words``."""
    line = Activity(project_id=project_id, user_id=user_id, kind=kind, summary=summary[:2000],
                    target_kind=target_kind, target_id=target_id)
    session.add(line)
    if words is not None:
        session.add(ActivityWords(line=line, said=json.dumps(words)))
    return line


def reword(session: Session, line_id: int, summary: str, words: dict[str, Any]) -> None:
    """Say a line again (a count that grew): its summary and its words."""
    session.execute(update(Activity).where(Activity.id == line_id).values(summary=summary[:2000]))
    said = session.get(ActivityWords, line_id)
    if said is None:
        session.add(ActivityWords(activity_id=line_id, said=json.dumps(words)))
    else:
        said.said = json.dumps(words)


def feed(store: Store, project_id: int, limit: int = 50, before: int | None = None) -> list[Activity]:
    """The project's latest lines, newest first (``before``: an id, to page back)."""
    with store.transaction() as session:
        q = select(Activity).where(Activity.project_id == project_id)
        if before is not None:
            q = q.where(Activity.id < before)
        return list(session.scalars(q.order_by(Activity.id.desc()).limit(max(1, min(limit, 500)))))


def _words(line: Activity) -> dict[str, Any] | None:
    said = getattr(line, "words", None)
    if said is None:
        return None
    try:
        value = json.loads(said.said)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "t" in value else None


def as_dict(line: Activity) -> dict[str, Any]:
    return {"id": line.id, "kind": line.kind, "summary": line.summary, "words": _words(line),
            "user": line.user.name if line.user else None, "target_kind": line.target_kind,
            "target_id": line.target_id, "created_at": line.created_at.isoformat()}
