"""Where the web app keeps its own files: the SQLite database ``app.db``, the session
``secret`` and the projects' uploaded ``data/``. One folder, the app's *home*:

1. ``$PARCOURS_HOME`` when set (a relative path is taken from the working folder, so
   ``PARCOURS_HOME=.parcours`` keeps the layout of Parcours 0.1: one app per project folder);
2. else ``./.parcours`` when an older Parcours left its files there (``app.db``, ``secret`` or
   ``data/``): the team keeps its accounts, sessions and uploads until the folder is moved;
3. else the user's data folder (platformdirs: ``~/.local/share/parcours`` on Linux,
   ``~/Library/Application Support/parcours`` on macOS, ``%LOCALAPPDATA%\\parcours`` on Windows),
   so that no working folder, and no git repository, collects a database and a secret.

>>> home = app_home()                                                      # doctest: +SKIP
>>> home.path, home.why                                                    # doctest: +SKIP
(PosixPath('/home/ana/.local/share/parcours'), "the user's data folder")
>>> prepare(home.path)   # 0700, with a .gitignore of '*' inside           # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from parcours.store.errors import StoreError

HOME_ENV = "PARCOURS_HOME"
LEGACY = ".parcours"  # the folder Parcours 0.1 made in the working folder
_LEGACY_FILES = ("app.db", "secret", "data")
_GITIGNORE = "# Parcours's app data (database, session secret, uploads): never committed.\n*\n"


@dataclass(frozen=True)
class AppHome:
    """The app's folder and why it is that one (said by ``parcours serve`` at start)."""

    path: Path
    why: str

    @property
    def database(self) -> Path:
        """The default SQLite database, when no ``--db`` is given."""
        return self.path / "app.db"

    @property
    def secret(self) -> Path:
        """The session secret, when ``$PARCOURS_SECRET_KEY`` is not set."""
        return self.path / "secret"

    @property
    def data(self) -> Path:
        """The projects' uploaded files, one folder per project id."""
        return self.path / "data"


def app_home(cwd: Path | None = None) -> AppHome:
    """The app's folder for a process working in ``cwd`` (default: the current folder), by the
    rules of this module; nothing is created (see :func:`prepare`)."""
    cwd = Path(cwd or Path.cwd())
    env = os.environ.get(HOME_ENV, "").strip()
    if env:
        return AppHome((cwd / Path(env).expanduser()).resolve(), f"from ${HOME_ENV}")
    legacy = cwd / LEGACY
    if any((legacy / name).exists() for name in _LEGACY_FILES):
        return AppHome(legacy.resolve(), f"{LEGACY} of the working folder, left by an older Parcours "
                                         f"(move it to the user's data folder or set ${HOME_ENV}: "
                                         "see docs/howto/serve.md)")
    import platformdirs  # only when it decides: `parcours --help` stays light

    return AppHome(platformdirs.user_data_path("parcours", appauthor=False), "the user's data folder")


def prepare(folder: Path) -> Path:
    """Create ``folder`` (and its parents) for the app: readable by its owner only (0700), with a
    ``.gitignore`` of ``*`` inside, so that it is never committed wherever it is. Returns it.

    An existing folder keeps its mode here (``parcours serve`` tightens it and says so); an
    existing ``.gitignore`` is left as its owner wrote it."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text(_GITIGNORE, encoding="utf-8")
    except OSError as e:
        raise StoreError(f"cannot create the app's folder {folder}: {e.strerror}",
                         hint=f"set ${HOME_ENV} to a folder you can write to (and --db URL for the database)") from None
    return folder
