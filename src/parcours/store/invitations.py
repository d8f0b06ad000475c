"""Invitations to a workspace: how a workspace admin brings someone in.

The admin invites an email with a role; the answer is the same whether or not someone has an
account with that email (a workspace admin cannot learn who uses the app). The invitation is
a one-time link (only its token's SHA-256 hash is kept); it becomes a membership only when the
invitee, signed in with that email, accepts it. It expires after :data:`INVITATION_DAYS`.

>>> from parcours.store import connect, create_user, create_workspace
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice", "alice-password")
>>> team = create_workspace(store, "CX team", admin_id=alice.id)
>>> invitation, token = invite(store, team.id, "Bob@example.org", "viewer", invited_by=alice.id)
>>> bob = create_user(store, "bob@example.org", "Bob", "bob-password")
>>> accept(store, token, bob).slug
'cx-team'
>>> accept(store, token, bob)                                   # doctest: +ELLIPSIS
Traceback (most recent call last):
...
parcours.store.errors.NotFound: this invitation link is not valid (used, revoked or expired)...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from parcours.errors import OptionError, ParcoursError
from parcours.store import app_activity
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import ROLES, Invitation, Membership, User, Workspace, now
from parcours.store.users import AlreadyExists, create_user, normal_email

INVITATION_DAYS = 14


class AlreadyMember(OptionError):
    """The invited email is already a member's (the admin sees the members: this tells nothing new)."""


class NotForYou(ParcoursError):
    """The invitation was sent to another email than the signed-in user's."""


class SignUpClosed(ParcoursError):
    """Accounts are made by the app's administrators: an invitation does not create one."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pending(q):  # noqa: ANN001, ANN202 - a select of Invitation
    return q.where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                   Invitation.created_at > now() - dt.timedelta(days=INVITATION_DAYS))


def expires_at(invitation: Invitation) -> dt.datetime:
    return invitation.created_at + dt.timedelta(days=INVITATION_DAYS)


def invite(store: Store, workspace_id: int, email: str, role: str, *, invited_by: int | None,
           address: str | None = None) -> tuple[Invitation, str]:
    """A new invitation: ``(row, token)``; the token (for the link ``/invitations/<token>``) is
    not kept. A pending invitation of the same email to the workspace is replaced."""
    if role not in ROLES:
        raise OptionError(f"role: unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
    email = normal_email(email)
    token = secrets.token_urlsafe(32)
    with store.transaction() as session:
        workspace = session.get(Workspace, workspace_id)
        if workspace is None:
            raise NotFound(f"no workspace {workspace_id}")
        member = session.scalar(select(Membership).join(User, User.id == Membership.user_id).where(
            Membership.workspace_id == workspace_id, User.email == email))
        if member is not None:
            raise AlreadyMember(f"email: {email} is already a member of this workspace ({member.role})",
                                hint="change their role in the members list instead")
        for old in session.scalars(_pending(select(Invitation)).where(
                Invitation.workspace_id == workspace_id, Invitation.email == email)):
            old.revoked_at = now()
        row = Invitation(workspace_id=workspace_id, email=email, role=role, token_hash=_hash(token),
                         invited_by=invited_by)
        session.add(row)
        app_activity.record(session, "invitation", app_activity.said("invited", email=email, workspace=repr(workspace.slug), role=role),
                            user_id=invited_by, address=address)
    return row, token


def pending(store: Store, workspace_id: int) -> list[Invitation]:
    """The workspace's invitations neither accepted, revoked nor expired, oldest first."""
    with store.transaction() as session:
        return list(session.scalars(_pending(select(Invitation)).where(Invitation.workspace_id == workspace_id)
                                    .order_by(Invitation.id)))


def revoke(store: Store, workspace_id: int, invitation_id: int) -> None:
    """Revoke a pending invitation of the workspace (its link stops working)."""
    with store.transaction() as session:
        row = session.scalar(_pending(select(Invitation)).where(Invitation.id == invitation_id,
                                                                Invitation.workspace_id == workspace_id))
        if row is None:
            raise NotFound(f"no pending invitation {invitation_id} in this workspace")
        row.revoked_at = now()


def find(store: Store, token: str) -> tuple[Invitation, Workspace]:
    """The pending invitation of this token and its workspace (:class:`NotFound` otherwise)."""
    with store.transaction() as session:
        row = session.scalar(_pending(select(Invitation)).where(Invitation.token_hash == _hash(token or "")))
        if row is None:
            raise NotFound("this invitation link is not valid (used, revoked or expired)",
                           hint="ask the workspace's admin for a new invitation")
        return row, session.get(Workspace, row.workspace_id)


def accept(store: Store, token: str, user: User, address: str | None = None) -> Workspace:
    """Make the signed-in ``user`` a member with the invited role (once: the link is then used).
    Raises :class:`NotFound` (no such pending invitation) or :class:`NotForYou`."""
    with store.transaction() as session:
        row = session.scalar(_pending(select(Invitation)).where(Invitation.token_hash == _hash(token or ""))
                             .with_for_update())
        if row is None:
            raise NotFound("this invitation link is not valid (used, revoked or expired)",
                           hint="ask the workspace's admin for a new invitation")
        if row.email != user.email:
            raise NotForYou("this invitation was sent to another email address than yours",
                            hint="log out, then log in with the address the invitation was sent to")
        workspace = session.get(Workspace, row.workspace_id)
        if session.get(Membership, (user.id, row.workspace_id)) is None:  # a member meanwhile keeps their role
            session.add(Membership(user_id=user.id, workspace_id=row.workspace_id, role=row.role))
        row.accepted_by, row.accepted_at = user.id, now()
        app_activity.record(session, "invitation_accepted",
                            app_activity.said("joined", email=user.email, workspace=repr(workspace.slug), role=row.role),
                            user_id=user.id,
                            address=address)
        return workspace


def sign_up(store: Store, token: str, name: str, password: str, open_signup: bool,
            address: str | None = None) -> tuple[User, Workspace, str]:
    """Create the invitee's account from a pending invitation and accept it: ``(user, workspace,
    role)``. Checked in this order: the link (:class:`NotFound` when unknown, used, revoked or
    expired), then whether the app lets invitees sign up (``open_signup``; :class:`SignUpClosed`),
    then the account (:class:`AlreadyExists` for an email with an account; :class:`OptionError`
    for a bad password)."""
    row, _ = find(store, token)
    if not open_signup:
        raise SignUpClosed("accounts are created by the app's administrators here: ask one to create yours "
                           "with this email, then log in and accept the invitation")
    try:
        user = create_user(store, row.email, name, password)
    except AlreadyExists:
        raise AlreadyExists("an account with this email exists already: log in with it, then accept the "
                            "invitation") from None
    return user, accept(store, token, user, address), row.role
