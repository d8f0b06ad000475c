"""Who may do what in a workspace: roles rank viewer < editor < admin, and one decision for a
project or a workspace asked for by a user.

Someone who is not a member gets :class:`~parcours.store.errors.NotFound`, worded as for a
project or workspace that does not exist (one workspace cannot learn another's projects); a
member whose role is below what is needed gets :class:`RoleTooLow`. The web answers 404 and 403.

>>> from parcours.store import connect, create_project, create_user, create_workspace
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice", "alice-password")
>>> team = create_workspace(store, "CX team", admin_id=alice.id)
>>> project = create_project(store, team.id, "Achat")
>>> access(store, alice.id, project_id=project.id, need="editor")[1]
'admin'
>>> access(store, alice.id + 1, workspace_id=team.id)
Traceback (most recent call last):
...
parcours.store.errors.NotFound: no workspace 1
"""

from __future__ import annotations

from sqlalchemy import select

from parcours.errors import ParcoursError
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import Membership, Project, Workspace

RANK = {"viewer": 0, "editor": 1, "admin": 2}


class RoleTooLow(ParcoursError):
    """A member's role is below what the action needs (``role``, ``need``)."""

    def __init__(self, role: str, need: str) -> None:
        self.role, self.need = role, need
        super().__init__(f"your role in this workspace is {role}: {need} or admin is needed to do this")


def at_least(role: str, need: str) -> bool:
    """Whether ``role`` (viewer, editor, admin) is ``need`` or above.

    >>> at_least("editor", "viewer"), at_least("editor", "admin")
    (True, False)
    """
    return RANK[role] >= RANK[need]


def access(store: Store, user_id: int, *, project_id: int | None = None, workspace_id: int | None = None,
           need: str = "viewer") -> tuple[Project | Workspace, str]:
    """The project (or workspace) and the user's role in its workspace, if that role is ``need``
    or above. Raises :class:`NotFound` (``no project N`` / ``no workspace N``) when there is no
    such thing or the user is not a member, :class:`RoleTooLow` when the role is below ``need``."""
    if (project_id is None) == (workspace_id is None):
        raise TypeError("access() takes a project_id or a workspace_id, not both")
    with store.transaction() as session:
        if project_id is not None:
            found, missing = session.get(Project, project_id), NotFound(f"no project {project_id}")
            workspace_id = found.workspace_id if found is not None else None
        else:
            found, missing = session.get(Workspace, workspace_id), NotFound(f"no workspace {workspace_id}")
        role = None if found is None else session.scalar(select(Membership.role).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id))
    if role is None:
        raise missing
    if not at_least(role, need):
        raise RoleTooLow(role, need)
    return found, role
