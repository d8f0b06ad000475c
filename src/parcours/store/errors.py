"""Errors of the app storage: the database cannot be used, a map was saved meanwhile, not found."""

from __future__ import annotations

import datetime as dt

from parcours.errors import OptionError, ParcoursError


class StoreError(ParcoursError):
    """The app database cannot be reached, opened or migrated. The message names the URL
    (never its password) and the hint says what to check."""

    exit_code = 7


class MapConflict(ParcoursError):
    """A map was saved from a version that is no longer the latest: someone saved meanwhile.

    ``latest``, ``author`` and ``saved_at`` describe the version that won, so the editor can
    show it and let the user re-apply their edits on top of it.
    """

    exit_code = 8

    def __init__(self, project: str, base: int | None, latest: int, author: str, saved_at: dt.datetime) -> None:
        self.base, self.latest, self.author, self.saved_at = base, latest, author, saved_at
        started = f"version {base}" if base is not None else "an empty project"
        shows = f" (the diff from v{base} to v{latest} shows what changed)" if base is not None else ""
        super().__init__(
            f"{project}: the map changed since you opened it: you started from {started}, but version {latest} "
            f"was saved by {author} at {saved_at:%Y-%m-%d %H:%M:%S} UTC",
            hint=f"open version {latest}, re-apply your edits{shows} and save again",
        )


class NotFound(OptionError):
    """A user, workspace, project or map version asked for does not exist."""
