"""Background jobs of the app: analyses run in a worker thread while the page shows progress.

One worker by default: an analysis already uses the machine's cores (DuckDB), so running two
at once only makes both slower. Jobs live in this process's memory (a restart forgets them;
their results are measured again on demand).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from parcours.errors import ParcoursError, out_of_memory_error

# How far an analysis is when it says a step (on_progress messages of parcours.analyze).
STEPS = {"reading": 5, "parsing": 25, "preparing": 40, "analysing": 55, "breakdown": 75, "feedback": 90}


def step_of(message: str) -> str | None:
    """The step of :data:`STEPS` a progress message tells (its first word), None for another.

    >>> step_of("analysing: stage funnel and durations"), step_of("reading"), step_of("writing the tables")
    ('analysing', 'reading', None)
    """
    return next((word for word in STEPS if message.startswith(word)), None)


@dataclass
class Job:
    id: str
    project_id: int
    key: tuple[Any, ...]
    state: str = "queued"  # queued, running, done, failed
    steps: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, message)
    percent: int = 0
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    error: dict[str, Any] | None = None  # message, hint, and the error's facts (ParcoursError.facts)
    result: Any = None
    watch: Any = None  # a validation's budget and cancel switch (parcours.project.budget.Watch)

    def say(self, message: str) -> None:
        now = time.monotonic()
        self.steps.append((round(now - (self.started or now), 2), message))
        for word, percent in STEPS.items():
            if message.startswith(word):
                self.percent = max(self.percent, percent)

    def wait(self) -> Job:
        """Block until the job is done or failed (for callers that want the result now)."""
        while self.state not in ("done", "failed"):
            time.sleep(0.05)
        return self

    def to_dict(self) -> dict[str, Any]:
        """The job as the API answers it; each step's ``step`` is the word of :data:`STEPS` its
        message starts with (None for another), for a page that says it in its own language."""
        end = self.finished or time.monotonic()
        return {"id": self.id, "state": self.state, "percent": self.percent,
                "steps": [{"at": at, "message": m, "step": step_of(m)} for at, m in self.steps],
                "seconds": round(end - (self.started or end), 2), "error": self.error}


class Jobs:
    """Runs functions in the background, one job per key at a time; keeps the latest jobs."""

    def __init__(self, workers: int = 1, keep: int = 200) -> None:
        self._workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parcours-job")
        self._jobs: dict[str, Job] = {}
        self._running: dict[tuple[Any, ...], Job] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, project_id: int, key: tuple[Any, ...], fn: Callable[[Job], Any], watch: Any = None) -> Job:
        """Start ``fn(job)`` unless a job with the same key is queued or running (then that one)."""
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running
            job = Job(id=uuid.uuid4().hex, project_id=project_id, key=key, watch=watch)
            self._jobs[job.id] = job
            self._running[key] = job
            for old in list(self._jobs)[:-self._keep]:
                if self._jobs[old].state in ("done", "failed"):
                    del self._jobs[old]
        try:
            self._pool.submit(self._run, job, fn)
        except RuntimeError:  # the app was stopped and started again (tests, reloads): a new pool
            self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="parcours-job")
            self._pool.submit(self._run, job, fn)
        return job

    def _run(self, job: Job, fn: Callable[[Job], Any]) -> None:
        job.state, job.started = "running", time.monotonic()
        try:
            job.result = fn(job)
            job.percent, job.state = 100, "done"
        except ParcoursError as e:  # its facts too: a front door may word it its own way (the web's forms)
            job.error, job.state = {"message": e.message, "hint": e.hint, **e.facts()}, "failed"
        except Exception as e:  # noqa: BLE001 - a job must end, and say why, whatever happened
            oom = out_of_memory_error(e)
            job.error = ({"message": oom.message, "hint": oom.hint} if oom is not None
                         else {"message": f"{type(e).__name__}: {e}", "hint": None})
            job.state = "failed"
        finally:
            job.finished = time.monotonic()
            with self._lock:
                self._running.pop(job.key, None)

    def get(self, job_id: str, project_id: int) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.project_id == project_id else None

    def shutdown(self) -> None:
        """Stop: queued jobs are cancelled (marked failed, so that asking again starts anew)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            for key, job in list(self._running.items()):
                if job.state == "queued":
                    job.state, job.error = "failed", {"message": "the server stopped before this analysis ran",
                                                      "hint": "ask again"}
                    del self._running[key]
