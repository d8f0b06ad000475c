"""Workspaces, their members (admin, editor or viewer) and their projects."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from parcours.errors import OptionError
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import ROLES, Membership, Project, User, Workspace
from parcours.store.users import AlreadyExists


def slugify(name: str) -> str:
    """``"Maison Lumière — parcours"`` -> ``"maison-lumiere-parcours"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:100] or "untitled"


def _name(name: str, what: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise OptionError(f"name: a {what} needs a name of 1 to 200 characters", hint="e.g. 'Parcours achat'")
    return name


def create_workspace(store: Store, name: str, slug: str | None = None, *, admin_id: int | None = None) -> Workspace:
    """A new workspace; its slug (used in URLs) must be unused. ``admin_id``: a user who
    becomes its admin (in the same transaction)."""
    workspace = Workspace(name=_name(name, "workspace"), slug=slug or slugify(name))
    try:
        with store.transaction() as session:
            session.add(workspace)
            if admin_id is not None:
                session.flush()
                session.add(Membership(user_id=admin_id, workspace_id=workspace.id, role="admin"))
    except IntegrityError:
        raise AlreadyExists(f"a workspace named {workspace.slug!r} already exists", hint="choose another name") from None
    return workspace


def add_member(store: Store, workspace_id: int, user_id: int, role: str) -> Membership:
    """Give a user a role in a workspace (replacing the role they had)."""
    if role not in ROLES:
        raise OptionError(f"unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
    with store.transaction() as session:
        if session.get(User, user_id) is None or session.get(Workspace, workspace_id) is None:
            raise NotFound(f"no user {user_id} or no workspace {workspace_id}")
        membership = session.get(Membership, (user_id, workspace_id)) or Membership(
            user_id=user_id, workspace_id=workspace_id)
        membership.role = role
        session.add(membership)
    return membership


def role_of(store: Store, workspace_id: int, user_id: int) -> str | None:
    """The user's role in the workspace, or None if they are not a member."""
    with store.transaction() as session:
        return session.scalar(select(Membership.role).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id))


def create_project(store: Store, workspace_id: int, name: str, slug: str | None = None, *,
                   author_id: int | None = None) -> Project:
    """A new project in a workspace; its slug must be unused in that workspace. With
    ``author_id``, the project's activity feed starts with "created the project"."""
    from parcours.store.activity import record, words

    project = Project(workspace_id=workspace_id, name=_name(name, "project"), slug=slug or slugify(name))
    try:
        with store.transaction() as session:
            if session.get(Workspace, workspace_id) is None:
                raise NotFound(f"no workspace {workspace_id}")
            session.add(project)
            if author_id is not None:
                session.flush()
                record(session, project.id, author_id, "project_created", f"created the project {project.name!r}",
                       words=words("activity.project_created", name=project.name))
    except IntegrityError:
        raise AlreadyExists(f"the workspace already has a project {project.slug!r}", hint="choose another name") from None
    return project


def get_project(store: Store, project_id: int) -> Project:
    with store.transaction() as session:
        project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def workspaces_of(store: Store, user_id: int) -> list[tuple[Workspace, str]]:
    """The workspaces the user is a member of, by name, with their role in each."""
    with store.transaction() as session:
        rows = session.execute(select(Workspace, Membership.role).join(Membership, Membership.workspace_id == Workspace.id)
                               .where(Membership.user_id == user_id).order_by(Workspace.name, Workspace.id)).all()
        return [(w, role) for w, role in rows]


def projects_of(store: Store, user_id: int) -> list[dict[str, Any]]:
    """The projects of the workspaces the user is a member of, by workspace and project name,
    as values: ``id``, ``name``, ``slug``, ``workspace`` (``id``, ``name``, ``slug``) and ``role``."""
    with store.transaction() as session:
        rows = session.execute(
            select(Project, Workspace, Membership.role).join(Workspace, Project.workspace_id == Workspace.id)
            .join(Membership, Membership.workspace_id == Workspace.id).where(Membership.user_id == user_id)
            .order_by(Workspace.name, Project.name)).all()
        return [{"id": p.id, "name": p.name, "slug": p.slug, "workspace": {"id": w.id, "name": w.name, "slug": w.slug},
                 "role": role} for p, w, role in rows]
