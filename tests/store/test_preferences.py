"""What each user chose for the web app (issue 23): the language of their pages, none until they
choose, one row per user, gone with the user; on SQLite and PostgreSQL."""

from __future__ import annotations

import doctest

import pytest
from sqlalchemy import delete, func, select

from parcours.errors import OptionError
from parcours.store import preferences
from parcours.store.models import User
from parcours.store.preferences import Preferences, language, set_language


def test_a_user_chooses_changes_and_drops_the_language(store, alice, bob):
    assert language(store, alice.id) is None and language(store, bob.id) is None
    set_language(store, alice.id, "fr")
    set_language(store, alice.id, "en")
    set_language(store, bob.id, "fr")
    assert (language(store, alice.id), language(store, bob.id)) == ("en", "fr")
    with store.transaction() as session:
        first = session.get(Preferences, alice.id).updated_at
    set_language(store, alice.id, None)  # back to the browser's
    with store.transaction() as session:
        rows = session.scalars(select(Preferences).order_by(Preferences.user_id)).all()
        assert [(r.user_id, r.language) for r in rows] == [(alice.id, None), (bob.id, "fr")]
        assert rows[0].updated_at >= first and rows[0].updated_at.tzinfo is not None


def test_a_language_the_pages_are_not_written_in_is_refused(store, alice):
    for bad in ("de", "FR", "", "fr-FR"):
        with pytest.raises(OptionError, match="is not one the app's pages are written in") as e:
            set_language(store, alice.id, bad)
        assert e.value.hint == "choose one of fr, en, or none to follow the browser"
    assert language(store, alice.id) is None
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Preferences)) == 0


def test_preferences_go_with_their_user(store, alice):
    set_language(store, alice.id, "fr")
    with store.transaction() as session:
        session.execute(delete(User).where(User.id == alice.id))
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Preferences)) == 0


def test_doctests():
    assert doctest.testmod(preferences).failed == 0
