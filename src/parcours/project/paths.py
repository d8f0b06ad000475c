"""Which server files a project may read: its own data folder, and the folders an app
administrator granted its workspace (``parcours.store.grants``). Every path that comes from a
map, a form or an API body goes through :func:`confine` before anything opens it.

A path is resolved first (``..`` collapsed, symbolic links followed), then must lie inside one
of the allowed folders: ``../2/events.csv``, ``/etc/passwd`` and a link from the data folder to
elsewhere are all refused, with the same message whether or not the file exists (so a refusal
tells nothing about the server's files). The CLI is not concerned: it runs as its user and
reads what that user can.

>>> confine("events.csv", Path("/srv/parcours/data/1"), [Path("/srv/parcours/data/1")])  # doctest: +SKIP
PosixPath('/srv/parcours/data/1/events.csv')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parcours.errors import InputError


class PathRefused(InputError):
    """A path outside what the project may read (its data folder and granted folders)."""

    exit_code = 2


def confine(path: str | Path, base: Path, allowed: list[Path], what: str = "the path") -> Path:
    """``path`` (relative to ``base``, or absolute) resolved, if it lies in one of ``allowed``;
    raises :class:`PathRefused` otherwise, without saying whether it exists."""
    text = str(path)
    if "\x00" in text or not text.strip():
        raise PathRefused(f"{what} {text!r} is not a file name", hint="give a file of the project's data folder")
    candidate = Path(text).expanduser() if text.startswith("~") else Path(text)
    try:
        resolved = (candidate if candidate.is_absolute() else base / candidate).resolve()
    except (OSError, RuntimeError):  # a loop of links, a name too long
        resolved = None
    roots = [root.resolve() for root in allowed]
    if resolved is None or not any(resolved == r or resolved.is_relative_to(r) for r in roots):
        raise PathRefused(f"{what} {text!r} is outside the project's data",
                          hint="upload the file on the project's Data tab and name it relative to the project's "
                               "folder (e.g. events.csv), or ask an app administrator to grant its folder to "
                               "the workspace")
    return resolved


def allowed_folders(store: Any, data_dir: Path, project_id: int) -> list[Path]:
    """The project's own data folder, then the folders granted to its workspace."""
    own = [(Path(data_dir) / str(project_id)).resolve()]
    if store is None:
        return own
    from parcours.store.grants import granted_folders
    from parcours.store.workspaces import get_project

    return own + granted_folders(store, get_project(store, project_id).workspace_id)
