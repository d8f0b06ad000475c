"""Hand a table read on DuckDB over to another engine (Spark), through Parquet.

Files on this machine are read and checked by DuckDB (the same readers, quarantine and row
numbers whatever the engine); the accepted rows then go to the analysis engine as a
Parquet file it reads itself: streamed, never held in memory, with the input order
(``_seq``) as a column so that ties in time break the same way on every engine.

The folder lives as long as the process (Spark reads lazily) and is removed at exit.
On a cluster, executors must see the folder: ``PARCOURS_HANDOFF_DIRECTORY`` names a
shared one (e.g. a mounted volume); otherwise read the events from a table of the
cluster (``table:NAME``).
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

_counter = itertools.count(1)
_folders: list[str] = []


def _folder() -> Path:
    root = os.environ.get("PARCOURS_HANDOFF_DIRECTORY") or None
    if root:
        Path(root).mkdir(parents=True, exist_ok=True)
    path = tempfile.mkdtemp(prefix="parcours-handoff-", dir=root)
    if not _folders:
        atexit.register(_clean)
    _folders.append(path)
    return Path(path)


def _clean() -> None:
    for path in _folders:
        shutil.rmtree(path, ignore_errors=True)
    _folders.clear()


def hand_over(duck: Any, table: ir.Table, target: Any) -> ir.Table:
    """``table`` (on the DuckDB connection ``duck``) as a table of ``target``."""
    path = _folder() / f"events_{next(_counter)}.parquet"
    duck.to_parquet(table, str(path))
    return target.read_parquet(str(path), table_name=f"_parcours_handoff_{next(_counter)}")
