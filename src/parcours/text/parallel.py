"""Reading many comments on every core: language detection and features, chunk by chunk.

Detecting a comment's language and cutting it into hashed features are pure Python, one
comment at a time, so one core reads about ten comments a millisecond. From ``MIN_ITEMS``
comments on, :func:`map_chunks` splits them into contiguous chunks, one per worker (as many as
the cores this process may use, at most ``MAX_WORKERS``), reads them in worker processes and
puts the chunks back in order: the result is the one a single process gives, row for row.

The workers are plain ``python -c`` subprocesses that import :mod:`parcours` and answer calls
on their standard input and output (pickles, between this process and its own children). Not
``multiprocessing``: its ``spawn`` start re-runs the caller's script in each worker (a script
without an ``if __name__ == "__main__"`` guard would run twice), and ``fork`` copies a process
whose DuckDB and web-server threads may hold locks. They start on first use and stay for the
next runs, their lexicons and language model loaded; one caller uses them at a time (another
one meanwhile reads in its own process). ``PARCOURS_WORKERS=1`` keeps everything in the calling
process.
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

MIN_ITEMS = 20_000
MAX_WORKERS = 4
T = TypeVar("T")

_workers: list[subprocess.Popen] = []
_lock = threading.Lock()


def workers() -> int:
    """How many processes read comments: ``PARCOURS_WORKERS`` if set, else the usable cores
    (at most ``MAX_WORKERS``)."""
    given = os.environ.get("PARCOURS_WORKERS", "").strip()
    if given.isdigit() and int(given) >= 1:
        return int(given)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _start() -> subprocess.Popen:
    root = str(Path(__file__).resolve().parents[2])  # the folder parcours is imported from
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.Popen([sys.executable, "-c", "from parcours.text.parallel import serve; serve()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)


def serve() -> None:
    """A worker's loop: read (module, function, arguments), answer ("ok", result) or ("error", message)."""
    stdin = sys.stdin.buffer
    stdout = os.fdopen(os.dup(1), "wb")  # the answers' own channel:
    os.dup2(2, 1)  # whatever else writes to standard output lands in standard error
    while True:
        try:
            module, name, args = pickle.load(stdin)
        except EOFError:
            return
        try:
            answer = ("ok", getattr(importlib.import_module(module), name)(*args))
        except Exception as e:  # noqa: BLE001  (sent back to the caller, who raises it)
            answer = ("error", f"{type(e).__name__}: {e}")
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


@atexit.register
def shutdown() -> None:
    """Stop the worker processes (they start again when needed)."""
    while _workers:
        w = _workers.pop()
        try:
            w.stdin.close()
            w.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            w.kill()


def map_chunks(func: Callable[..., T], items: Sequence[Any], *extra: Sequence[Any],
               min_items: int | None = None, size: int | None = None) -> list[T]:
    """``func(chunk, *extra_chunks)`` on contiguous chunks of ``items``, in order: one chunk, in
    this process, below ``min_items`` items (default ``MIN_ITEMS``), with one worker, or while another caller uses the
    workers; else one chunk per worker. ``func`` must be a module-level function (the workers
    import it); the ``extra`` sequences, as long as ``items``, are cut like ``items``."""
    size = min(size or workers(), len(items))
    if size <= 1 or len(items) < (MIN_ITEMS if min_items is None else min_items) or not _lock.acquire(blocking=False):
        return [func(items, *extra)]
    try:
        _workers[:] = [w for w in _workers if w.poll() is None]  # a worker that ended is started again
        while len(_workers) < size:
            _workers.append(_start())
        bounds = [len(items) * k // size for k in range(size + 1)]
        for w, a, b in zip(_workers, bounds, bounds[1:]):
            pickle.dump((func.__module__, func.__name__, (items[a:b], *(e[a:b] for e in extra))), w.stdin,
                        protocol=pickle.HIGHEST_PROTOCOL)
            w.stdin.flush()
        answers = [pickle.load(w.stdout) for w in _workers[:size]]
    except (OSError, EOFError, pickle.UnpicklingError) as e:
        shutdown()  # a worker died: start afresh next time
        raise RuntimeError(f"a worker process reading comments stopped ({e}); "
                           "set PARCOURS_WORKERS=1 to read them in this process") from None
    except BaseException:
        shutdown()  # interrupted between a question and its answer: the workers are out of step
        raise
    finally:
        _lock.release()
    for status, value in answers:
        if status != "ok":
            raise RuntimeError(f"reading comments in a worker process failed: {value}")
    return [value for _, value in answers]
