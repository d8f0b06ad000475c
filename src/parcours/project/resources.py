"""The engine's resources (threads, memory) and tables of an engine named ``table:NAME``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from parcours.errors import InputError, OptionError


@contextlib.contextmanager
def engine_settings(threads: int | None, memory_limit: str | None) -> Iterator[None]:
    """``threads`` and ``memory_limit`` reach the engine's connection through the environment
    (``PARCOURS_THREADS``, ``PARCOURS_MEMORY_LIMIT``) for the block's duration, checked first."""
    from parcours.engine.connection import memory_mb

    given = {}
    if threads is not None:
        if threads < 1:
            raise OptionError(f"--threads must be at least 1, got {threads}")
        given["PARCOURS_THREADS"] = str(threads)
    if memory_limit:
        memory_mb(memory_limit)
        given["PARCOURS_MEMORY_LIMIT"] = memory_limit
    saved = {k: os.environ.get(k) for k in given}
    os.environ.update(given)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def engine_table(events: Any, engine: str | None) -> Any:
    """``table:NAME``: that table of the engine (an Ibis table); anything else as given."""
    if not (isinstance(events, str) and events.startswith("table:")):
        return events
    from parcours.engine.connection import connect

    con = connect(engine)
    name = events.removeprefix("table:")
    try:
        return con.table(name)
    except Exception:  # noqa: BLE001 - each backend has its own "not found" error
        tables = ", ".join(con.list_tables()[:20]) or "none"
        raise InputError(f"table {name!r} not found on the engine {engine or 'duckdb://'}",
                         hint=f"tables there: {tables}") from None
