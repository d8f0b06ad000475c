"""The log-in throttle (``parcours.store.throttle``) on SQLite and PostgreSQL: counts per email
and per address within the window, waits that double up to a cap, the settings from the
environment; and the docstring examples of the issue-21 store modules."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib

import pytest

from parcours.errors import OptionError
from parcours.store.models import AppActivity, LoginFailure
from parcours.store.throttle import Limits, attempt, failed, succeeded


def fail(store, email: str, address: str, limits: Limits, times: int = 1) -> None:
    for _ in range(times):
        assert attempt(store, email, address, limits) is None
        failed(store, email, address, limits)


def age(store, seconds: float) -> None:
    """Every failure recorded happened ``seconds`` earlier (instead of waiting)."""
    with store.transaction() as session:
        for row in session.query(LoginFailure):
            row.created_at = row.created_at - dt.timedelta(seconds=seconds)


def test_waits_double_up_to_the_cap_and_the_window_forgets(store):
    limits = Limits(max_failures=3, wait=30, max_wait=100, window=900)
    fail(store, "a@example.org", "10.0.0.1", limits, times=3)
    refusal = attempt(store, "A@Example.org ", "10.0.0.2", limits)  # the email, whatever its case or address
    assert refusal is not None and 29 <= refusal.seconds <= 30
    assert refusal.message == f"too many failed log-ins for this account: try again in {refusal.seconds} s"
    waits = []
    for _ in range(3):
        age(store, 101)  # past any wait
        fail(store, "a@example.org", "10.0.0.1", limits)
        waits.append(attempt(store, "a@example.org", "10.0.0.1", limits).seconds)
    assert waits == [60, 100, 100]  # 30, 60, 120 capped at 100
    assert attempt(store, "b@example.org", "10.0.0.9", limits) is None  # another account, another address
    age(store, 901)  # the window is over: the failures no longer count
    assert attempt(store, "a@example.org", "10.0.0.1", limits) is None
    with store.transaction() as session:  # the old rows were deleted when the new attempt was counted
        assert session.query(LoginFailure).filter_by(email="a@example.org").count() == 1


def test_an_address_trying_many_accounts_waits(store):
    limits = Limits(max_failures=5, max_failures_per_address=4, wait=10)
    for i in range(4):
        fail(store, f"user{i}@example.org", "203.0.113.9", limits)
    refusal = attempt(store, "other@example.org", "203.0.113.9", limits)
    assert refusal is not None and "from your address" in refusal.message
    assert attempt(store, "other@example.org", "198.51.100.1", limits) is None
    with store.transaction() as session:
        line = session.query(AppActivity).order_by(AppActivity.id.desc()).first()
        assert line.kind == "login_throttled" and line.address == "203.0.113.9" and line.user_id is None


def test_success_clears_the_email_s_failures_only(store):
    limits = Limits(max_failures=2, max_failures_per_address=3, wait=10)
    fail(store, "a@example.org", "10.0.0.1", limits)
    fail(store, "b@example.org", "10.0.0.1", limits)
    assert attempt(store, "a@example.org", "10.0.0.1", limits) is None  # the attempt counts until...
    succeeded(store, "a@example.org")  # ...the right password clears a@'s failures
    with store.transaction() as session:
        assert [r.email for r in session.query(LoginFailure)] == ["b@example.org"]


def test_an_attempt_counts_before_its_password_is_checked(store):
    """Parallel guesses cannot all pass the check while the passwords are being hashed."""
    limits = Limits(max_failures=2, wait=10)
    assert attempt(store, "a@example.org", "10.0.0.1", limits) is None
    assert attempt(store, "a@example.org", "10.0.0.1", limits) is None
    assert attempt(store, "a@example.org", "10.0.0.1", limits) is not None  # before either was found wrong


def test_huge_inputs_are_cut_to_the_columns(store):
    limits = Limits()
    assert attempt(store, "x" * 5000 + "@example.org", "a" * 500, limits) is None
    failed(store, "x" * 5000 + "@example.org", "a" * 500, limits)


def test_limits_from_the_environment(monkeypatch):
    assert Limits.from_env() == Limits(max_failures=5, max_failures_per_address=20, window=900, wait=30, max_wait=900)
    monkeypatch.setenv("PARCOURS_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("PARCOURS_LOGIN_WAIT_SECONDS", "2")
    assert (Limits.from_env().max_failures, Limits.from_env().wait) == (3, 2)
    for bad in ("0", "-1", "ten", "1.5"):
        monkeypatch.setenv("PARCOURS_LOGIN_MAX_WAIT_SECONDS", bad)
        with pytest.raises(OptionError, match="PARCOURS_LOGIN_MAX_WAIT_SECONDS"):
            Limits.from_env()


@pytest.mark.parametrize("module", ["parcours.store.throttle", "parcours.store.sign_ins", "parcours.store.invitations",
                                    "parcours.store.app_activity", "parcours.store.members"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

