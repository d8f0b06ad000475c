"""A workspace's members: list them, give a role by email (creating the account if asked),
remove them. A workspace always keeps at least one admin: removing or demoting the last one
is refused with :class:`LastAdmin`.

>>> from parcours.store import connect, create_user, create_workspace
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice", "alice-password")
>>> team = create_workspace(store, "CX team", admin_id=alice.id)
>>> user, password = add_member_by_email(store, team.id, "bob@example.org", "viewer", create_name="Bob")
>>> [(u.name, role) for u, role in list_members(store, team.id)], len(password) >= 8
([('Alice', 'admin'), ('Bob', 'viewer')], True)
>>> remove_member(store, team.id, alice.id)
Traceback (most recent call last):
...
parcours.store.members.LastAdmin: Alice is the last admin of workspace 'cx-team': ...
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcours.errors import OptionError, ParcoursError
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import ROLES, Membership, User, Workspace
from parcours.store.users import normal_email, create_user, one_time_password


class LastAdmin(ParcoursError):
    """The change would leave a workspace without an admin."""


class NoAccount(OptionError):
    """Nobody has an account with this email (and none was to be created)."""


def list_members(store: Store, workspace_id: int) -> list[tuple[User, str]]:
    """The workspace's members and their roles, by name."""
    with store.transaction() as session:
        rows = session.execute(select(User, Membership.role).join(Membership, Membership.user_id == User.id)
                               .where(Membership.workspace_id == workspace_id).order_by(User.name, User.id)).all()
        return [(u, role) for u, role in rows]


def _locked(session: Session, workspace_id: int) -> Workspace:
    # The workspace row is locked until the end of the transaction (PostgreSQL; SQLite's
    # transactions already run one at a time): two admins demoting each other at the same
    # moment cannot both succeed and leave nobody in charge.
    workspace = session.get(Workspace, workspace_id, with_for_update=True)
    if workspace is None:
        raise NotFound(f"no workspace {workspace_id}")
    return workspace


def _keep_an_admin(session: Session, workspace: Workspace, membership: Membership, doing: str) -> None:
    if membership.role != "admin":
        return
    admins = session.scalar(select(func.count()).select_from(Membership).where(
        Membership.workspace_id == workspace.id, Membership.role == "admin"))
    if admins <= 1:
        user = session.get(User, membership.user_id)
        raise LastAdmin(f"{user.name if user else 'this user'} is the last admin of workspace {workspace.slug!r}: "
                        f"{doing} would leave it without an admin",
                        hint="make another member admin first")


def add_member_by_email(store: Store, workspace_id: int, email: str, role: str, *,
                        create_name: str | None = None) -> tuple[User, str | None]:
    """Give the user with this email a role in the workspace (adding them, or changing their
    role). Without an account: :class:`NoAccount`, unless ``create_name`` is given: the account
    is then created with a one-time password, returned (else None) to be handed over once.

    Raises :class:`LastAdmin` when this demotes the workspace's last admin.
    """
    if role not in ROLES:
        raise OptionError(f"role: unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
    email = normal_email(email)
    password = None
    with store.transaction() as session:
        user = session.scalar(select(User).where(User.email == email))
    if user is None:
        if create_name is None:
            raise NoAccount(f"email: nobody has an account with the email {email}",
                           hint="check the address, or ask to create the account (create: true, with a name)")
        if not create_name.strip():
            raise OptionError("name: the new account needs a name", hint="e.g. 'Alice Martin'")
        password = one_time_password()
        user = create_user(store, email, create_name[:200], password)
    with store.transaction() as session:
        workspace = _locked(session, workspace_id)
        membership = session.get(Membership, (user.id, workspace_id))
        if membership is None:
            session.add(Membership(user_id=user.id, workspace_id=workspace_id, role=role))
        elif membership.role != role:
            if role != "admin":
                _keep_an_admin(session, workspace, membership, f"making them {role}")
            membership.role = role
    return user, password


def remove_member(store: Store, workspace_id: int, user_id: int) -> None:
    """Take the user out of the workspace (their account stays, and so do their comments).

    Raises :class:`NotFound` (not a member) or :class:`LastAdmin`.
    """
    with store.transaction() as session:
        workspace = _locked(session, workspace_id)
        membership = session.get(Membership, (user_id, workspace_id))
        if membership is None:
            raise NotFound(f"user {user_id} is not a member of workspace {workspace.slug!r}")
        _keep_an_admin(session, workspace, membership, "removing them")
        session.delete(membership)
