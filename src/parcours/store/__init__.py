"""App storage of the web app (SQLAlchemy 2 + Alembic; SQLite by default, PostgreSQL in
production): users, workspaces and their projects, and the versions of each project's map.

>>> from parcours.store import connect, create_user, create_workspace, create_project, save_map, diff
>>> store = connect("sqlite://")              # default: SQLite file app.db in the app's folder (parcours.store.home)
>>> store.migrate() > 0
True
>>> alice = create_user(store, "alice@example.org", "Alice", "correct horse battery")
>>> team = create_workspace(store, "CX team")
>>> project = create_project(store, team.id, "Omnichannel journey")
>>> v1 = save_map(store, project.id, "stages: [{id: buy, name: Achat}]", alice.id, base=None)
>>> v2 = save_map(store, project.id, "stages: [{id: buy, name: Purchase}]", alice.id, base=1)
>>> diff(store, project.id, 1, 2)["stages"]["changed"]
{'buy': {'name': {'old': 'Achat', 'new': 'Purchase'}}}
>>> save_map(store, project.id, "stages: []", alice.id, base=1)   # someone started from v1 too
Traceback (most recent call last):
...
parcours.store.errors.MapConflict: project 'omnichannel-journey': the map changed since you opened it: ...
"""

from parcours.store.db import Store, connect
from parcours.store.errors import MapConflict, NotFound, StoreError
from parcours.store.map_diff import diff_maps
from parcours.store.maps import diff, get_version, list_versions, parse_map, restore, save_map
from parcours.store.models import MapVersion, Membership, Project, User, Workspace
from parcours.store.users import authenticate, create_user, ensure_first_admin
from parcours.store.workspaces import add_member, create_project, create_workspace, get_project, role_of

__all__ = [
    "MapConflict", "MapVersion", "Membership", "NotFound", "Project", "Store", "StoreError", "User", "Workspace",
    "add_member", "authenticate", "connect", "create_project", "create_user", "create_workspace", "diff",
    "diff_maps", "ensure_first_admin", "get_project", "get_version", "list_versions", "parse_map", "restore",
    "role_of", "save_map",
]
