"""Which accounts must change their password first (issue 23): those given a generated one-time
password, until they change it; on SQLite and PostgreSQL."""

from __future__ import annotations

import doctest

import pytest
from sqlalchemy import select

from parcours.store import password_due
from parcours.store.password_due import PasswordChangeDue
from parcours.store.users import (WrongPassword, change_password, create_account, create_user, ensure_first_admin,
                                  must_change_password)


def test_the_first_admin_must_change_the_one_time_password(store):
    email, one_time = ensure_first_admin(store)
    with store.transaction() as session:
        admin_id = session.scalar(select(PasswordChangeDue.user_id))
    assert must_change_password(store, admin_id)
    change_password(store, admin_id, one_time, "the admin's own password")
    assert not must_change_password(store, admin_id)


def test_an_account_an_admin_creates_must_change_its_password(store, alice):
    created, password = create_account(store, "carol@example.org", "Carol", by=alice)
    assert must_change_password(store, created.id) and not must_change_password(store, alice.id)
    change_password(store, created.id, password, "carol's passphrase")
    assert not must_change_password(store, created.id)


def test_a_password_chosen_by_its_user_is_not_held(store):
    dana = create_user(store, "dana@example.org", "Dana", "dana's own password")
    assert not must_change_password(store, dana.id)
    with store.transaction() as session:  # marking twice is once
        password_due.require(session, dana.id)
        password_due.require(session, dana.id)
    assert must_change_password(store, dana.id)


def test_a_wrong_current_password_changes_nothing(store, alice):
    created, _password = create_account(store, "erin@example.org", "Erin", by=alice)
    with pytest.raises(WrongPassword, match="current password is wrong"):
        change_password(store, created.id, "a guess", "erin's passphrase")
    assert must_change_password(store, created.id)


def test_the_docstring_example_runs():
    result = doctest.testmod(password_due)
    assert result.attempted > 0 and result.failed == 0
