"""Accounts: create users, check passwords (argon2id), and the first admin of a new install.

Passwords are never stored: only their argon2id hash (argon2-cffi's ``PasswordHasher``). A
password generated for someone (the first admin's, an account an app admin creates) is one-time:
its user must change it before anything else (:func:`must_change_password`,
``parcours.store.password_due``).
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from parcours.errors import OptionError, ParcoursError
from parcours.store import password_due
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import User

FIRST_ADMIN_EMAIL = "admin@localhost"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte-long "password" is a cheap way to load the server

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so that a wrong email takes as long as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AlreadyExists(OptionError):
    """A user with this email, a workspace or a project with this name exists already."""


class WrongPassword(ParcoursError):
    """The current password given to change it is not the user's password."""


def check_new_password(password: str, whose: str = "the new password") -> None:
    """Raise :class:`OptionError` unless the password is 8 to 1024 characters long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OptionError(f"{whose} is too short", hint=f"use at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise OptionError(f"{whose} is too long", hint=f"use at most {MAX_PASSWORD_LENGTH} characters")


def normal_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email.strip("@"):
        raise OptionError(f"not an email address: {email!r}", hint="write it as name@example.org")
    return email


def create_user(store: Store, email: str, name: str, password: str, admin: bool = False, *,
                one_time: bool = False) -> User:
    """Create an account. The email is kept lower-case and must be new. ``one_time``: the
    password was generated for the user, who must change it before anything else."""
    email = normal_email(email)
    check_new_password(password, f"the password of {email}")
    user = User(email=email, name=name.strip() or email, password_hash=_hasher.hash(password), is_admin=admin)
    try:
        with store.transaction() as session:
            session.add(user)
            if one_time:
                session.flush()  # the user's id
                password_due.require(session, user.id)
    except IntegrityError:
        raise AlreadyExists(f"a user with the email {email} already exists",
                          hint="log in with it, or choose another email") from None
    return user


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The user with this email and password, else None (the same for an unknown email)."""
    if len(password) > MAX_PASSWORD_LENGTH:  # no password is that long: do not spend time hashing it
        return None
    with store.transaction() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        try:
            _hasher.verify(user.password_hash if user else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None:
            return None
        if _hasher.check_needs_rehash(user.password_hash):  # hashing parameters were raised since
            user.password_hash = _hasher.hash(password)
        return user


def check_password(store: Store, user_id: int, password: str) -> User | None:
    """The user, if ``password`` is theirs; else None."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    with store.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return user


def ensure_first_admin(store: Store) -> tuple[str, str] | None:
    """On a database without users, create ``admin@localhost`` with a random password and
    return ``(email, one_time_password)`` to show once; else None. The admin must change the
    password at the first log-in (:func:`must_change_password`)."""
    with store.transaction() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return None
    password = one_time_password()
    try:
        create_user(store, FIRST_ADMIN_EMAIL, "Admin", password, admin=True, one_time=True)
    except OptionError:  # another process created it at the same moment
        return None
    return FIRST_ADMIN_EMAIL, password


def change_password(store: Store, user_id: int, current: str, new: str, *, keep_sign_in: str | None = None) -> int:
    """Replace the user's password, if ``current`` is it (:class:`WrongPassword` otherwise) and
    ``new`` is long enough (:class:`OptionError`). This is how the first admin replaces the
    one-time password printed on the first start.

    Every sign-in of the user ends (someone who knew the old password is signed out), except
    the one of token ``keep_sign_in`` (the browser that changed it); the number ended. A
    one-time password is one no longer: :func:`must_change_password` is False after."""
    from parcours.store import sign_ins

    check_new_password(new)
    with store.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        try:
            _hasher.verify(user.password_hash, current)
        except (VerificationError, InvalidHashError):
            raise WrongPassword("the current password is wrong", hint="type the password you log in with") from None
        user.password_hash = _hasher.hash(new)
        password_due.clear(session, user_id)
    return sign_ins.end_all(store, user_id, keep=keep_sign_in)


def must_change_password(store: Store, user_id: int) -> bool:
    """Was the user given a one-time password (first admin, account made by an admin) that they
    have not changed yet? The web app then lets them change it and log out, nothing else."""
    with store.transaction() as session:
        return password_due.is_due(session, user_id)


def get_user(store: Store, user_id: int) -> User | None:
    """The account ``user_id``, or None."""
    with store.transaction() as session:
        return session.get(User, user_id)


def list_users(store: Store) -> list[User]:
    """Every account, by name (for app administrators)."""
    with store.transaction() as session:
        return list(session.scalars(select(User).order_by(User.name, User.id)))


def accounts(store: Store) -> list[tuple[User, int]]:
    """Every account, by name, with how many browsers are signed in to it (for app administrators)."""
    from parcours.store.sign_ins import active_counts

    counts = active_counts(store)
    return [(u, counts.get(u.id, 0)) for u in list_users(store)]


def one_time_password() -> str:
    """A random password to hand over once (the user should change it)."""
    return secrets.token_urlsafe(12)


def create_account(store: Store, email: str, name: str, *, admin: bool = False, by: User,
                   address: str | None = None) -> tuple[User, str]:
    """An app administrator (``by``) creates an account: ``(user, one-time password)``, the password
    to hand over once (they must change it on their account page before anything else). The
    app's activity says so.
    Raises :class:`AlreadyExists` for an email already used, :class:`OptionError` for a bad one."""
    from parcours.store import app_activity

    password = one_time_password()
    created = create_user(store, email, name, password, admin=admin, one_time=True)
    app_activity.note(store, "account_created", f"{by.email} created the account {created.email}"
                      + (" (app admin)" if admin else ""), user_id=by.id, address=address)
    return created, password
