"""Accounts: argon2 hashes, log-in checks, the first admin; workspaces, roles and projects."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from parcours.errors import OptionError
from parcours.store import (
    NotFound,
    User,
    add_member,
    authenticate,
    create_project,
    create_user,
    create_workspace,
    ensure_first_admin,
    role_of,
)


def test_passwords_are_stored_as_argon2id_hashes(store, alice):
    with store.transaction() as session:
        stored = session.scalar(select(User.password_hash).where(User.id == alice.id))
    assert stored == alice.password_hash
    assert stored.startswith("$argon2id$") and "alice-password" not in stored


def test_authenticate_needs_the_right_email_and_password(store, alice, bob):
    assert authenticate(store, "alice@example.org", "alice-password").id == alice.id
    assert authenticate(store, "  Alice@Example.ORG ", "alice-password").id == alice.id  # emails are kept lower-case
    assert authenticate(store, "alice@example.org", "bob-password") is None
    assert authenticate(store, "alice@example.org", "") is None
    assert authenticate(store, "carol@example.org", "alice-password") is None


def test_an_email_has_one_account_and_passwords_are_not_trivial(store, alice):
    with pytest.raises(OptionError, match="already exists"):
        create_user(store, "ALICE@example.org", "Alice again", "another-password")
    with pytest.raises(OptionError, match="too short"):
        create_user(store, "carol@example.org", "Carol", "short")
    with pytest.raises(OptionError, match="not an email address"):
        create_user(store, "carol", "Carol", "long enough")


def test_the_first_admin_is_created_once_with_a_one_time_password(store):
    created = ensure_first_admin(store)
    assert created is not None
    email, password = created
    assert email == "admin@localhost" and len(password) >= 16
    admin = authenticate(store, email, password)
    assert admin is not None and admin.is_admin
    assert ensure_first_admin(store) is None


def test_no_first_admin_once_someone_has_an_account(store, alice):
    assert ensure_first_admin(store) is None
    with store.transaction() as session:
        assert session.scalar(select(User.email).where(User.is_admin)) is None


def test_roles_per_workspace(store, alice, bob):
    team, other = create_workspace(store, "CX team"), create_workspace(store, "Other team")
    add_member(store, team.id, alice.id, "admin")
    add_member(store, team.id, bob.id, "viewer")
    add_member(store, team.id, bob.id, "editor")  # a new role replaces the old one
    assert [role_of(store, team.id, alice.id), role_of(store, team.id, bob.id), role_of(store, other.id, bob.id)] \
        == ["admin", "editor", None]
    with pytest.raises(OptionError, match="unknown role 'owner'"):
        add_member(store, team.id, bob.id, "owner")
    with pytest.raises(NotFound):
        add_member(store, 404, bob.id, "viewer")
    with pytest.raises(IntegrityError):  # the database itself refuses an unknown role
        with store.transaction() as session:
            session.execute(text("UPDATE memberships SET role = 'owner'"))


def test_project_slugs_are_unique_within_a_workspace(store):
    team, other = create_workspace(store, "CX team"), create_workspace(store, "Other team")
    project = create_project(store, team.id, "Maison Lumière — parcours omnicanal")
    assert project.slug == "maison-lumiere-parcours-omnicanal"
    with pytest.raises(OptionError, match="already has a project"):
        create_project(store, team.id, "Maison lumière: parcours omnicanal")
    assert create_project(store, other.id, "Maison Lumière — parcours omnicanal").slug == project.slug
    with pytest.raises(OptionError, match="already exists"):
        create_workspace(store, "CX Team")
    with pytest.raises(NotFound):
        create_project(store, 404, "Nowhere")
