"""Signed-in browsers, revocable on the server (``sign_ins`` table).

Log-in creates a sign-in: a random token goes into the signed session cookie, only its
SHA-256 hash is kept here. Every request looks the hash up, so a sign-in ended here (log-out,
password change, "sign out everywhere", secret rotation) is refused at once, whatever the
cookie still says. A sign-in also expires :data:`SESSION_DAYS` after it started.

>>> from parcours.store import connect, create_user
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice", "alice-password")
>>> token = start(store, alice.id, "127.0.0.1")
>>> user_for(store, token).email
'alice@example.org'
>>> end_all(store, alice.id), user_for(store, token)
(1, None)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select, update

from parcours.store import app_activity
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import SignIn, User, now

SESSION_DAYS = 14
_TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most once a minute


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(store: Store, user_id: int, address: str | None = None) -> str:
    """A new sign-in of the user: the raw token, for the session cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    with store.transaction() as session:
        session.add(SignIn(user_id=user_id, token_hash=_hash(token), address=(address or "")[:64] or None))
    return token


def user_for(store: Store, token: str | None) -> User | None:
    """The user of a sign-in that is neither ended nor expired, else None."""
    if not token or not isinstance(token, str):
        return None
    with store.transaction() as session:
        row = session.scalar(select(SignIn).where(SignIn.token_hash == _hash(token)))
        if row is None or row.ended_at is not None:
            return None
        moment = now()
        if moment - row.created_at > dt.timedelta(days=SESSION_DAYS):
            row.ended_at = moment
            return None
        if row.last_seen_at is None or moment - row.last_seen_at > _TOUCH_EVERY:
            row.last_seen_at = moment
        return session.get(User, row.user_id)


def end(store: Store, token: str | None) -> None:
    """End one sign-in (log-out); an unknown or already ended token is no error."""
    if not token or not isinstance(token, str):
        return
    with store.transaction() as session:
        session.execute(update(SignIn).where(SignIn.token_hash == _hash(token), SignIn.ended_at.is_(None))
                        .values(ended_at=now()))


def _ending(user_id: int | None, keep: str | None):  # noqa: ANN202 - an UPDATE of SignIn
    query = update(SignIn).where(SignIn.ended_at.is_(None))
    if user_id is not None:
        query = query.where(SignIn.user_id == user_id)
    if keep:
        query = query.where(SignIn.token_hash != _hash(keep))
    return query.values(ended_at=now())


def end_all(store: Store, user_id: int | None = None, *, keep: str | None = None) -> int:
    """End every sign-in of the user (``None``: of every user, as after a secret rotation),
    except the one of token ``keep``; the number ended."""
    with store.transaction() as session:
        return session.execute(_ending(user_id, keep)).rowcount or 0


def sign_out_others(store: Store, user: User, keep: str | None, address: str | None = None) -> int:
    """The user ends their sign-ins in every other browser (``keep``: this browser's token); the
    app's activity says so, in the same transaction. The number ended."""
    with store.transaction() as session:
        ended = session.execute(_ending(user.id, keep)).rowcount or 0
        app_activity.record(session, "signed_out_everywhere", app_activity.said("signed_out_own", email=user.email, n=ended),
                            user_id=user.id, address=address)
    return ended


def sign_out_everywhere(store: Store, user_id: int, *, by: User, address: str | None = None) -> int:
    """An app administrator (``by``) ends every sign-in of user ``user_id`` (:class:`NotFound`
    without such a user); the app's activity says so. The number ended."""
    with store.transaction() as session:
        target = session.get(User, user_id)
        if target is None:
            raise NotFound(f"no user {user_id}")
        ended = session.execute(_ending(user_id, None)).rowcount or 0
        app_activity.record(session, "signed_out_everywhere",
                            app_activity.said("signed_out_by", by=by.email, email=target.email, n=ended),
                            user_id=target.id, address=address)
    return ended


def active_counts(store: Store) -> dict[int, int]:
    """How many sign-ins each user has that are neither ended nor expired."""
    since = now() - dt.timedelta(days=SESSION_DAYS)
    with store.transaction() as session:
        rows = session.execute(select(SignIn.user_id, func.count()).where(
            SignIn.ended_at.is_(None), SignIn.created_at > since).group_by(SignIn.user_id)).all()
    return {uid: n for uid, n in rows}
