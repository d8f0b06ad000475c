"""Commands to print for the user to run next, written so that they run as printed: the
``parcours`` this shell finds, else the path of the one running now (``.venv/bin/parcours`` when
the virtual environment is not active), and every argument quoted for the shell."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it (``.venv/bin/parcours``), else absolute."""
    try:
        relative = path.absolute().relative_to(Path.cwd())
    except ValueError:
        return str(path.absolute())
    return str(relative) if len(relative.parts) > 1 else f"./{relative}"  # "./x": the shell does not search PATH


def parcours_program() -> str:
    """How to start Parcours again from this shell: ``parcours`` when that is the program on PATH,
    else the path of the one running (``.venv/bin/parcours``), or ``python -m parcours`` as run."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "__main__.py" and argv0.parent.name == "parcours":  # python -m parcours
        return f"{shlex.quote(_shown(Path(sys.executable)))} -m parcours"
    if argv0 is None or argv0.stem != "parcours":  # called from Python (tests, a notebook): the usual name
        return "parcours"
    found = shutil.which("parcours")
    if found and os.path.exists(argv0) and os.path.samefile(found, argv0):
        return "parcours"
    return shlex.quote(_shown(argv0)) if os.path.exists(argv0) else "parcours"


def command_line(*args: str | Path) -> str:
    """A ``parcours`` command line to print, each argument quoted for a POSIX shell.

    >>> command_line("export", "--out", "my exports")  # from Python: the program's usual name
    "parcours export --out 'my exports'"
    """
    return " ".join([parcours_program(), *(shlex.quote(str(a)) for a in args)])
