"""How much reading one validation of an uploaded file may cost, set by the administrator:
bytes once decompressed, rows, and seconds. A small compressed file can expand to gigabytes (a
"compression bomb") and a 2 MB Parquet file can hold 200 million rows, so sizes on disk say
little: the budget is checked on what the file expands to, before and while it is read.

Environment (read when a validation starts):
- ``PARCOURS_VALIDATE_MAX_MB``: decompressed megabytes (default 4096);
- ``PARCOURS_VALIDATE_MAX_ROWS``: rows (default 100 million; Parquet's row count is read from
  its footer before anything else);
- ``PARCOURS_VALIDATE_MAX_SECONDS``: seconds (default 600); past it the engine is interrupted.

A validation also stops when someone cancels it (:meth:`Watch.cancel`).
"""

from __future__ import annotations

import gzip
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parcours.errors import OptionError, ParcoursError

_CHUNK = 1 << 20
DEFAULTS = {"PARCOURS_VALIDATE_MAX_MB": 4096, "PARCOURS_VALIDATE_MAX_ROWS": 100_000_000,
            "PARCOURS_VALIDATE_MAX_SECONDS": 600}


class OverBudget(ParcoursError):
    """Reading the file would cost more than the administrator allows, or it was cancelled."""

    exit_code = 2


def _setting(name: str) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return DEFAULTS[name]
    try:
        value = float(text)
    except ValueError:
        raise OptionError(f"{name}={text!r} is not a number", hint=f"e.g. {name}={DEFAULTS[name]}") from None
    if value <= 0:
        raise OptionError(f"{name}={text!r} must be above 0", hint=f"e.g. {name}={DEFAULTS[name]}")
    return value


@dataclass(frozen=True)
class Budget:
    max_bytes: int
    max_rows: int
    max_seconds: float

    @classmethod
    def from_env(cls) -> Budget:
        return cls(int(_setting("PARCOURS_VALIDATE_MAX_MB") * (1 << 20)), int(_setting("PARCOURS_VALIDATE_MAX_ROWS")),
                   _setting("PARCOURS_VALIDATE_MAX_SECONDS"))

    def too_big(self, name: str, what: str) -> OverBudget:
        return OverBudget(f"{name}: {what}, more than the server reads in one validation",
                          hint=f"split the file, or ask the administrator to raise the budget "
                               f"(PARCOURS_VALIDATE_MAX_MB={self.max_bytes >> 20}, "
                               f"PARCOURS_VALIDATE_MAX_ROWS={self.max_rows}, "
                               f"PARCOURS_VALIDATE_MAX_SECONDS={self.max_seconds:g})")


@dataclass
class Watch:
    """A validation under way: its deadline, a cancel flag, and the engine connection to
    interrupt when either is reached (DuckDB stops the running query)."""

    budget: Budget
    name: str
    started: float = field(default_factory=time.monotonic)
    cancelled: bool = False
    con: Any = None
    _done: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self.cancelled = True
        self._interrupt()

    def check(self, *_: Any) -> None:
        """Raise :class:`OverBudget` when cancelled or past the deadline (called between steps
        and from the readers' progress callbacks)."""
        if self.cancelled:
            raise OverBudget(f"{self.name}: the validation was cancelled", hint="validate again when you are ready")
        if time.monotonic() - self.started > self.budget.max_seconds:
            raise self.budget.too_big(self.name, f"reading it takes over {self.budget.max_seconds:g} s")

    def stopped(self) -> OverBudget | None:
        """The budget error an interrupted query stands for, if it was interrupted by us."""
        try:
            self.check()
        except OverBudget as e:
            return e
        return None

    def _interrupt(self) -> None:
        con = getattr(self.con, "con", self.con)  # the Ibis backend's DuckDB connection
        if con is not None and hasattr(con, "interrupt"):
            con.interrupt()

    def __enter__(self) -> Watch:
        def guard() -> None:
            # Interrupt the engine as long as the validation runs past its deadline: a query
            # started after an interrupt would otherwise run on.
            while not self._done.wait(0.2):
                if self.cancelled or time.monotonic() - self.started > self.budget.max_seconds:
                    self._interrupt()

        threading.Thread(target=guard, name="parcours-budget", daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._done.set()


def check_size(path: Path, fmt: str, watch: Watch) -> None:
    """Refuse before reading a file that expands past the budget: Parquet by its footer (rows,
    uncompressed bytes), gzip by decompressing it up to the limit (never further), other files
    by their size."""
    budget = watch.budget
    if fmt == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        if meta.num_rows > budget.max_rows:
            raise budget.too_big(watch.name, f"it holds {meta.num_rows:,} rows")
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if size > budget.max_bytes:
            raise budget.too_big(watch.name, f"it expands to {size / (1 << 20):,.0f} MB")
        return
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if not gzipped:
        if path.stat().st_size > budget.max_bytes:
            raise budget.too_big(watch.name, f"it holds {path.stat().st_size / (1 << 20):,.0f} MB")
        return
    seen = 0
    with gzip.open(path, "rb") as f:
        while block := f.read(_CHUNK):
            seen += len(block)
            if seen > budget.max_bytes:
                raise budget.too_big(watch.name, f"it expands to over {budget.max_bytes >> 20:,} MB once decompressed")
            watch.check()
