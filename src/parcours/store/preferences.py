"""What each user chose for themselves in the web app: for now the language of its pages
(French or English; none chosen: the browser's). A row of ``user_preferences`` (migration
0006) per user who chose something, gone with the user.

>>> from parcours.store import connect
>>> from parcours.store.users import create_user
>>> store = connect("sqlite://"); _ = store.migrate()
>>> dana = create_user(store, "dana@example.org", "Dana", "correct horse battery")
>>> language(store, dana.id) is None           # nothing chosen: the browser's language
True
>>> set_language(store, dana.id, "fr"); language(store, dana.id)
'fr'
>>> set_language(store, dana.id, None); language(store, dana.id) is None
True
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from parcours.errors import OptionError
from parcours.store.db import Store
from parcours.store.models import Base, UtcDateTime, now

LANGUAGES = ("fr", "en")  # the languages the web app's pages are written in


class Preferences(Base):
    """The choices of the user ``user_id``; ``language``: None when they follow their browser."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)


def language(store: Store, user_id: int) -> str | None:
    """The language the user chose for the web app's pages (None: their browser's)."""
    with store.transaction() as session:
        row = session.get(Preferences, user_id)
        return row.language if row is not None else None


def set_language(store: Store, user_id: int, lang: str | None) -> None:
    """Choose the language of the user's pages (``fr`` or ``en``); None: follow the browser again.
    :class:`~parcours.errors.OptionError` for a language the app is not written in."""
    if lang is not None and lang not in LANGUAGES:
        raise OptionError(f"language {lang!r} is not one the app's pages are written in",
                          hint=f"choose one of {', '.join(LANGUAGES)}, or none to follow the browser")
    with store.transaction() as session:
        row = session.get(Preferences, user_id)
        if row is None:
            session.add(Preferences(user_id=user_id, language=lang))
        else:
            row.language, row.updated_at = lang, now()
