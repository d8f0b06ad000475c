"""The web app, started from any front door without that door importing it.

``parcours serve`` (the CLI) and the web app are siblings that never import each other: the CLI
asks this module for the app, which imports ``parcours.web`` by its module name only when it is
started (:data:`WEB_APP`, through :mod:`importlib`). The session secret the app signs its
cookies with is kept here too, since the CLI writes, rotates and reports it.

>>> home = app_home().path                                                       # doctest: +SKIP
>>> app = web_app(store, secret=secret_key(home), data_dir=home / "data")           # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import os
import secrets
from pathlib import Path
from typing import Any

from parcours.errors import OptionError
from parcours.store.home import prepare

WEB_APP = "parcours.web.app:create_app"  # the factory, by name: importing it here would tie the layers

SECRET_ENV = "PARCOURS_SECRET_KEY"
_MIN_SECRET = 32  # characters: shorter is guessable, or a damaged file


def secret_path(home: Path) -> Path:
    """Where the session secret is kept when ``$PARCOURS_SECRET_KEY`` is not set: in the app's
    folder ``home`` (:func:`parcours.store.home.app_home`)."""
    return home / "secret"


def secret_key(home: Path, *, rotate: bool = False) -> str:
    """``$PARCOURS_SECRET_KEY``, else a random key kept in ``<home>/secret`` (so that sessions
    survive a restart); it signs the session cookies.

    The file is readable by its owner only from the moment it exists (mode 0600, in a 0700
    folder). ``rotate``: a new key replaces the file's (atomically), so that every session
    cookie signed with the old one stops working.
    """
    path = secret_path(home)
    if os.environ.get(SECRET_ENV):
        if rotate:
            raise OptionError(f"--rotate-secret: the secret comes from ${SECRET_ENV}, not from {path}",
                              hint=f"set {SECRET_ENV} to a new random value (e.g. from "
                                   "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`) and restart")
        return os.environ[SECRET_ENV]
    prepare(home)  # 0700, never committed
    if rotate or not path.exists():
        _write_private(path, secrets.token_urlsafe(48), replace=rotate)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < _MIN_SECRET:
        raise OptionError(f"the session secret in {path} is empty or too short ({len(key)} characters)",
                          hint="run `parcours serve --rotate-secret` to write a new one (everyone logs in again)")
    return key


def _write_private(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` to ``path``, mode 0600 from its creation: a temporary file in the same folder,
    then renamed over ``path`` (``replace``) or linked to it (when two processes start together,
    the first one's key is kept). No reader ever sees a partly written key."""
    tmp = path.with_name(f".{path.name}-{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
    finally:
        tmp.unlink(missing_ok=True)


def check_engine(url: str) -> None:
    """Connect to the analysis engine once, so that a bad URL fails at start, with its message."""
    from parcours.engine.connection import connect

    connect(url)


def web_app(store: Any, *, secret: str, data_dir: Path, https_only: bool = True, engine: str | None = None) -> Any:
    """The web app (an ASGI application) on ``store``: ``parcours.web.app.create_app`` loaded by
    name, called with these arguments."""
    module, _, name = WEB_APP.partition(":")
    create_app = getattr(importlib.import_module(module), name)
    return create_app(store, secret=secret, data_dir=data_dir, https_only=https_only, engine=engine)
