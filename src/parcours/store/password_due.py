"""Accounts whose password must change before anything else: those handed a one-time password
(the first admin's, printed by ``parcours serve``; an account an app administrator created). The
password was seen by someone else, printed or passed on, so its user replaces it first: until
then the web app lets them change it and log out, nothing else (``parcours.web.security``).

A row of ``password_changes_due`` (migration 0005) per such account, gone when its user changes
the password (``parcours.store.users.change_password``).

>>> from parcours.store import connect
>>> from parcours.store.users import change_password, create_user, must_change_password
>>> store = connect("sqlite://"); _ = store.migrate()
>>> dana = create_user(store, "dana@example.org", "Dana", "one-time-secret", one_time=True)
>>> must_change_password(store, dana.id)
True
>>> _ = change_password(store, dana.id, "one-time-secret", "her own passphrase")
>>> must_change_password(store, dana.id)
False
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from parcours.store.models import Base, UtcDateTime, now


class PasswordChangeDue(Base):
    """The account ``user_id`` was given a one-time password ``since`` then, not changed yet."""

    __tablename__ = "password_changes_due"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)


def require(session: Session, user_id: int) -> None:
    """In the caller's transaction: the user must change their password before anything else."""
    if session.get(PasswordChangeDue, user_id) is None:
        session.add(PasswordChangeDue(user_id=user_id))


def clear(session: Session, user_id: int) -> None:
    """In the caller's transaction: the user chose their own password."""
    session.execute(delete(PasswordChangeDue).where(PasswordChangeDue.user_id == user_id))


def is_due(session: Session, user_id: int) -> bool:
    """Must the user change their password first?"""
    return session.get(PasswordChangeDue, user_id) is not None
