"""A workspace's members: list them, change a member's role by email, remove them (people
join by invitation: ``parcours.store.invitations``). A workspace always keeps at least one
admin: removing or demoting the last one is refused with :class:`LastAdmin`.

>>> from parcours.store import add_member, connect, create_user, create_workspace
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice", "alice-password")
>>> team = create_workspace(store, "CX team", admin_id=alice.id)
>>> bob = create_user(store, "bob@example.org", "Bob", "bob-password")
>>> _ = add_member(store, team.id, bob.id, "viewer")
>>> _ = set_role_by_email(store, team.id, "BOB@example.org", "editor")
>>> [(u.name, role) for u, role in list_members(store, team.id)]
[('Alice', 'admin'), ('Bob', 'editor')]
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
from parcours.store.users import normal_email


class LastAdmin(ParcoursError):
    """The change would leave a workspace without an admin."""


class NotAMember(NotFound):
    """No member of the workspace has this email (said the same whether or not an account has it)."""


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


def set_role_by_email(store: Store, workspace_id: int, email: str, role: str) -> User:
    """Change the role of the workspace's member with this email. Someone who is not a member
    is :class:`NotAMember`, whether or not they have an account (a workspace admin invites
    people, ``parcours.store.invitations``, and never learns who has an account).

    Raises :class:`LastAdmin` when this demotes the workspace's last admin.
    """
    if role not in ROLES:
        raise OptionError(f"role: unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
    email = normal_email(email)
    with store.transaction() as session:
        workspace = _locked(session, workspace_id)
        row = session.execute(select(User, Membership).join(Membership, Membership.user_id == User.id).where(
            Membership.workspace_id == workspace_id, User.email == email)).first()
        if row is None:
            raise NotAMember(f"email: no member of workspace {workspace.slug!r} has the email {email}",
                             hint="invite them: POST /api/v1/workspaces/{id}/invitations, or the members page")
        user, membership = row
        if membership.role != role:
            if role != "admin":
                _keep_an_admin(session, workspace, membership, f"making them {role}")
            membership.role = role
    return user


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
