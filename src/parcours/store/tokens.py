"""Personal API tokens for the REST API (``Authorization: Bearer pc_...``).

A token acts as its user, with the user's roles. Only its SHA-256 hash is stored (a token is
random, 32 bytes: a slow hash adds nothing); the plain token is shown once, at creation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from parcours.errors import OptionError
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import ApiToken, User, now

PREFIX = "pc_"
_TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most once a minute


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, user_id: int, name: str) -> tuple[ApiToken, str]:
    """A new token for the user: ``(row, plain token)``; the plain token is not kept."""
    name = name.strip()
    if not name or len(name) > 200:
        raise OptionError("a token needs a name of 1 to 200 characters", hint="e.g. 'CRM export job'")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user_id, name=name, token_hash=_hash(token), prefix=token[:10])
    with store.transaction() as session:
        if session.get(User, user_id) is None:
            raise NotFound(f"no user {user_id}")
        session.add(row)
    return row, token


def list_tokens(store: Store, user_id: int) -> list[ApiToken]:
    with store.transaction() as session:
        return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


def revoke_token(store: Store, user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (another user's token is "not found")."""
    with store.transaction() as session:
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != user_id:
            raise NotFound(f"no token {token_id}")
        row.revoked_at = row.revoked_at or now()
        return row


def user_for_token(store: Store, token: str) -> User | None:
    """The user of a valid (not revoked) token, else None."""
    if not token.startswith(PREFIX):
        return None
    with store.transaction() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
        if row is None or row.revoked_at is not None:
            return None
        if row.last_used_at is None or now() - row.last_used_at > _TOUCH_EVERY:
            row.last_used_at = now()
        return session.get(User, row.user_id)
