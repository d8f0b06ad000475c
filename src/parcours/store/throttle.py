"""Slow down password guessing: log-in failures per email and per address (``login_failures``).

After ``max_failures`` failures for one email (known or not: the answer never tells) within
``window`` seconds, or ``max_failures_per_address`` from one address, every further attempt
waits: ``wait`` seconds after the last failure, doubled at each new failure, at most
``max_wait``. During the wait even the right password is refused (otherwise a guesser would
only have to keep going); after it, the right password works and clears the email's failures.
The counts live in the app database, so they hold across the app's processes.

An attempt counts as a failure from the moment it is let through (:func:`attempt`) until
:func:`succeeded` clears it: parallel guesses cannot slip between the check and the count
while the password is being hashed.

>>> from parcours.store import connect
>>> store = connect("sqlite://"); _ = store.migrate()
>>> limits = Limits(max_failures=2, wait=30)
>>> for _ in range(2):
...     assert attempt(store, "x@example.org", "10.0.0.1", limits) is None
...     failed(store, "x@example.org", "10.0.0.1", limits)
>>> refusal = attempt(store, "x@example.org", "10.0.0.1", limits)
>>> refusal.message                                           # doctest: +ELLIPSIS
'too many failed log-ins for this account: try again in ... s'
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from parcours.errors import OptionError, ParcoursError
from parcours.store import app_activity
from parcours.store.db import Store
from parcours.store.models import LoginFailure, User, now

_ENV = {"max_failures": "PARCOURS_LOGIN_MAX_FAILURES", "max_failures_per_address": "PARCOURS_LOGIN_MAX_FAILURES_PER_ADDRESS",
        "window": "PARCOURS_LOGIN_WINDOW_SECONDS", "wait": "PARCOURS_LOGIN_WAIT_SECONDS",
        "max_wait": "PARCOURS_LOGIN_MAX_WAIT_SECONDS"}


@dataclass(frozen=True)
class Limits:
    """How many failures start the waits, counted over how long, and how long the waits are (s)."""

    max_failures: int = 5
    max_failures_per_address: int = 20
    window: int = 900
    wait: int = 30
    max_wait: int = 900

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, replaced by the ``PARCOURS_LOGIN_*`` environment variables that are set
        (whole numbers of 1 or more; :class:`OptionError` otherwise)."""
        values = {}
        for field, name in _ENV.items():
            raw = os.environ.get(name, "").strip()
            if not raw:
                continue
            if not raw.isdigit() or int(raw) < 1:
                raise OptionError(f"{name}={raw!r} is not a whole number of 1 or more",
                                  hint=f"e.g. {name}={getattr(cls, field)} (the default), or unset it")
            values[field] = int(raw)
        return cls(**values)


@dataclass(frozen=True)
class Refusal:
    """An attempt refused: how many seconds to wait, and the message saying so."""

    seconds: int
    message: str


class Unavailable(ParcoursError):
    """The server's ``PARCOURS_LOGIN_*`` settings are wrong: nobody is let in until they are fixed
    (the message and hint are the setting's)."""


class Throttled(ParcoursError):
    """The email or the address must wait ``seconds`` before the next attempt."""

    def __init__(self, refusal: Refusal) -> None:
        self.seconds = refusal.seconds
        super().__init__(refusal.message)


class WrongCredentials(ParcoursError):
    """The password checked was wrong (or the email unknown: the answer never tells)."""


def _email(email: str) -> str:
    return email.strip().lower()[:320]


def _address(address: str | None) -> str:
    return (address or "unknown")[:64]


def _wait(failures: int, threshold: int, limits: Limits) -> float:
    """Seconds to wait after the last of ``failures`` (0 below the threshold)."""
    if failures < threshold:
        return 0.0
    return float(min(limits.wait * 2 ** min(failures - threshold, 30), limits.max_wait))


def _refusal(session, email: str, address: str, limits: Limits) -> Refusal | None:
    moment = now()
    since = moment - dt.timedelta(seconds=limits.window)
    for column, value, threshold, whom in (
            (LoginFailure.email, email, limits.max_failures, "for this account"),
            (LoginFailure.address, address, limits.max_failures_per_address, "from your address")):
        count, last = session.execute(select(func.count(), func.max(LoginFailure.created_at))
                                      .where(column == value, LoginFailure.created_at > since)).one()
        wait = _wait(count, threshold, limits)
        if wait and last is not None:
            if last.tzinfo is None:  # SQLite gives func.max() back as naive UTC
                last = last.replace(tzinfo=dt.UTC)
            left = (last + dt.timedelta(seconds=wait) - moment).total_seconds()
            if left > 0:
                seconds = max(1, math.ceil(left))
                return Refusal(seconds, f"too many failed log-ins {whom}: try again in {seconds} s")
    return None


def attempt(store: Store, email: str, address: str | None, limits: Limits | None = None) -> Refusal | None:
    """Before checking a password: a :class:`Refusal` if the email or the address must wait;
    else None, and the attempt counts as a failure until :func:`succeeded`."""
    limits = limits or Limits.from_env()
    email, address = _email(email), _address(address)
    with store.transaction() as session:
        refusal = _refusal(session, email, address, limits)
        if refusal is None:
            session.execute(delete(LoginFailure).where(  # forget what the window no longer counts
                LoginFailure.created_at < now() - dt.timedelta(seconds=max(limits.window, limits.max_wait))))
            session.add(LoginFailure(email=email, address=address))
    return refusal


def failed(store: Store, email: str, address: str | None, limits: Limits | None = None) -> None:
    """After a wrong password: if this failure makes the next attempt wait, the app's activity says so."""
    limits = limits or Limits.from_env()
    email, address = _email(email), _address(address)
    with store.transaction() as session:
        refusal = _refusal(session, email, address, limits)
        if refusal is None:
            return
        user_id = session.scalar(select(User.id).where(User.email == email))
        who = "this account" in refusal.message
        app_activity.record(
            session, "login_throttled",
            app_activity.said("throttled_account", email=email, seconds=refusal.seconds) if who
            else app_activity.said("throttled_address", address=address, seconds=refusal.seconds),
            user_id=user_id if who else None, address=address)


def succeeded(store: Store, email: str) -> None:
    """After the right password: the email's failures are forgotten."""
    with store.transaction() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.email == _email(email)))


def guard(store: Store, email: str, address: str | None, check: Callable[[], User | None],
          limits: Limits | None = None) -> User:
    """Check a password through the throttle: ``check()`` gives the user, or None for a wrong
    password. Returns the user (the email's failures are forgotten); raises :class:`Unavailable`
    when the settings are wrong, :class:`Throttled` while the email or the address must wait (even
    the right password is not checked then), :class:`WrongCredentials` after a wrong password."""
    try:
        limits = limits or Limits.from_env()
    except OptionError as e:  # the server's settings, not the user's input: let nobody in
        raise Unavailable(e.message, hint=e.hint) from None
    refusal = attempt(store, email, address, limits)
    if refusal is not None:
        raise Throttled(refusal)
    user = check()
    if user is None:
        failed(store, email, address, limits)
        raise WrongCredentials("wrong email or password")
    succeeded(store, email)
    return user
