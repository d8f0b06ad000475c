"""A source validated in the background, and how it ended as a value.

The web app does not wait for a whole file to be read: :func:`submit` starts the validation as
a job (:mod:`parcours.project.jobs`) within the administrator's budget
(:mod:`parcours.project.budget`), :func:`settle` waits for it a little, and the job's result is
an :class:`Outcome`: ``kind`` says how it ended and ``payload`` what to answer, so that a front
door only chooses its status for each kind and renders.

Kinds: ``ok`` (the report, kept as the source's roles; ``in_use`` says whether the live map
measures it: only the project's first source of its kind goes in use by itself, see
:mod:`parcours.project.in_use`), ``too_many_bad_rows`` (more rows quarantined than the
project's limit allows, or no usable row: refused with the CLI's message; the report and the
quarantine say why), ``over_budget`` (past the budget, or cancelled), ``unusable``
(another ParcoursError: ``error`` says which, and its facts are in the payload, e.g. the
``missing`` roles of a :class:`~parcours.errors.ColumnRoleError`, so that the web names its
column-mapping form) and ``missing`` (the file is gone).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parcours.errors import ParcoursError, TooManyBadRows
from parcours.project.budget import Budget, OverBudget, Watch
from parcours.project.in_use import adopt_first
from parcours.project.jobs import Job, Jobs
from parcours.project.sources import (Mapping, SourceFileMissing, keep_validation, quarantine_url, shown,
                                      validation_report)
from parcours.store import sources
from parcours.store.db import Store
from parcours.store.models import DataSource

KINDS = ("ok", "too_many_bad_rows", "over_budget", "unusable", "missing")


@dataclass(frozen=True)
class Outcome:
    """How a validation ended. ``payload``: the report (``ok``, with its ``quarantine_url``) or
    the problem as shown to people (``message``, ``hint``, and for ``too_many_bad_rows`` the
    ``report`` and ``quarantine_url``), secrets of a table's URL left out. ``error``: the error
    behind any other kind."""

    kind: str
    payload: dict[str, Any]
    error: ParcoursError | None = None


def outcome(folder: Path, row: DataSource, body: Mapping, store: Store, user_id: int,
            watch: Watch | None = None) -> Outcome:
    """Validate ``row`` with ``body`` and keep its roles (:func:`~parcours.project.sources.keep_validation`);
    how it ended, never raised: every ParcoursError becomes an :class:`Outcome`."""
    url = quarantine_url(row)
    try:
        answer = keep_validation(folder, row, body, store, user_id, watch)
        in_use = adopt_first(store, folder.parent, row, user_id) \
            or getattr(sources.current(store, row.project_id, row.kind), "id", None) == row.id
    except TooManyBadRows as e:
        report = validation_report(e.report, row.original_name) if e.report is not None else None
        return Outcome("too_many_bad_rows", {**shown(e, row), "report": report, "quarantine_url": url}, e)
    except OverBudget as e:
        return Outcome("over_budget", shown(e), e)
    except SourceFileMissing as e:
        return Outcome("missing", shown(e), e)
    except FileNotFoundError:  # removed while it was read
        e = SourceFileMissing.of(row)
        return Outcome("missing", shown(e), e)
    except ParcoursError as e:
        return Outcome("unusable", {**shown(e, row), **e.facts()}, e)
    return Outcome("ok", {**answer, "quarantine_url": url, "in_use": in_use})


def submit(jobs: Jobs, folder: Path, row: DataSource, body: Mapping, store: Store, user_id: int) -> Job:
    """Start validating ``row`` in the background (or find the same validation under way); the
    job's result is an :class:`Outcome`. The budget is read from the environment now and counts
    from when the job starts, not while it waits in the queue."""
    watch = Watch(Budget.from_env(), row.original_name)

    def run(job: Job) -> Outcome:
        job.watch.started = time.monotonic()
        return outcome(folder, row, body, store, user_id, job.watch)

    return jobs.submit(row.project_id, ("validate", row.id, body.model_dump_json()), run, watch=watch)


def settle(job: Job, seconds: float) -> Job:
    """Wait up to ``seconds`` for ``job`` to end; the job, ended or still under way."""
    end = time.monotonic() + seconds
    while job.state not in ("done", "failed") and time.monotonic() < end:
        time.sleep(0.05)
    return job


def find(jobs: Jobs, job_id: str, project_id: int, source_id: int) -> Job | None:
    """The validation ``job_id`` of this project's source ``source_id``, None if there is none
    (jobs live in the server's memory: a restart forgets them)."""
    job = jobs.get(job_id, project_id)
    return job if job is not None and job.key[:2] == ("validate", source_id) else None
