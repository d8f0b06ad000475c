"""Console helpers shared by the commands: errors, progress, summaries."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from parcours.errors import ParcoursError, out_of_memory_error

out = Console()
err = Console(stderr=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn Parcours errors into a message on stderr and their exit code (no traceback)."""
    try:
        yield
    except ParcoursError as e:
        _print_error(e)
        raise typer.Exit(e.exit_code) from None
    except Exception as e:
        oom = out_of_memory_error(e)
        if oom is None:
            raise
        _print_error(oom)
        raise typer.Exit(oom.exit_code) from None


def _print_error(e: ParcoursError) -> None:
    # the message and hint are plain text: "parcours[export]" or a file "data[1].csv" is not markup
    err.print(f"[bold red]Error:[/] {escape(e.message)}", highlight=False, markup=True, soft_wrap=True)
    if e.hint:
        err.print(f"[yellow]How to fix:[/] {escape(e.hint)}", highlight=False, soft_wrap=True)


@contextlib.contextmanager
def progress() -> Iterator[Callable[[str], None]]:
    """A status line on a terminal, with the time elapsed; when stderr is piped or redirected,
    silent, or one timed line per step with ``PARCOURS_PROGRESS=lines`` (for logs of long runs)."""
    import os
    import time

    start = time.monotonic()
    if not err.is_terminal:
        if os.environ.get("PARCOURS_PROGRESS", "").lower() != "lines":
            yield lambda _msg: None
            return
        last = ""

        def line(msg: str) -> None:
            nonlocal last
            step = msg.split(" (")[0]  # "reading (1,000 rows so far)": one line per step
            if step != last:
                last = step
                err.print(f"[{time.monotonic() - start:7.1f} s] {msg}", highlight=False, markup=False)

        yield line
        return
    with err.status("Starting…") as status:
        yield lambda msg: status.update(f"[cyan]{escape(msg)}…[/] [dim]{time.monotonic() - start:.0f} s[/]")


@contextlib.contextmanager
def quarantine_kept(out_dir: Path) -> Iterator[None]:
    """When a run stops on too many bad rows, still write those rows (and say where)."""
    from parcours.errors import TooManyBadRows

    try:
        yield
    except TooManyBadRows as e:
        if e.report is not None and e.report.quarantine_rows:
            from parcours.spreadsheet import write_csv

            out_dir.mkdir(parents=True, exist_ok=True)
            write_csv(e.report.quarantine_table(), out_dir / e.quarantine_file)  # formula-safe
            info(f"Quarantined rows written to {out_dir / e.quarantine_file}")
        raise


def info(message: str) -> None:
    err.print(message, highlight=False, soft_wrap=True)


_NUMBER = re.compile(r"[+\-−]?\d[\d\u202f.,]*(?:\u202f(?:%|j|d|h|min|s)\b)?")


def keep_numbers_whole(table: Table) -> Table:
    """Give each column of ``table`` at least the width of its widest number, so that a French
    ``1 234`` or ``3,5 j`` (narrow no-break spaces, which Rich wraps at) stays on one line."""
    for column in table.columns:
        widest = max((cell_len(m.group()) for cell in column.cells for m in _NUMBER.finditer(str(cell))), default=0)
        if widest:
            column.min_width = max(column.min_width or 0, widest)
    return table
