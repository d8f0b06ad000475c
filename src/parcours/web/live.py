"""The live map: a project's latest map measured on the project's data, as the report's views.

A project's data live in ``<data folder>/<project id>/`` (the demo writes its events and survey
answers there; uploads will too). The map's ``source.path`` is read relative to that folder.
An analysis runs as a background job (``parcours.web.jobs``) whose progress the page shows, and
is kept in memory under a key of everything it depends on (map version, data files' sizes and
times, how they are read, survey answers and collected events, the segment and period filters):
a page view after the first is immediate, and a new version or new data measures again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parcours.errors import InputError
from parcours.model.journey_map import JourneyMap
from parcours.web.jobs import Job, Jobs

FEEDBACK = "feedback.csv"  # survey answers of the project, when the folder has them


@dataclass(frozen=True)
class Inputs:
    """What an analysis of a project reads, and a key that changes when any of it changes."""

    events: Any  # a file path, or an Ibis table
    read: dict[str, Any] = field(default_factory=dict)  # read_events arguments (columns, fmt, ...)
    feedback: Path | None = None
    key: tuple[Any, ...] = ()


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_size, st.st_mtime_ns


class LiveMaps:
    """Analyses of the projects' latest maps, cached by map version and data files."""

    def __init__(self, data_dir: Path, keep: int = 16) -> None:
        self.data_dir = data_dir
        self._results: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self.keep = keep  # analyses kept in memory, all projects and filters together
        self.jobs = Jobs(workers=1)
        self._logs: dict[int, tuple[tuple[Any, ...], Any]] = {}
        self._lock = threading.Lock()

    def folder(self, project_id: int) -> Path:
        return self.data_dir / str(project_id)

    def inputs(self, project_id: int, m: JourneyMap) -> Inputs:
        """The project's events (the map's ``source.path`` in its data folder) and feedback."""
        from parcours.project.analyze import source_defaults

        if m.source is None or not m.source.path:
            raise InputError("the map has no source.path: the app does not know which events to measure it on",
                             hint="upload events on the project's Data tab, or add `source: {path: events.csv}` "
                                  "to the map and put the file in the project's data")
        events = self.folder(project_id) / m.source.path
        if not events.exists():
            raise InputError(f"the project's data has no {m.source.path}",
                             hint=f"upload it on the project's Data tab (or put it at {events})")
        d = source_defaults(m)
        read = {k: d[k] for k in ("columns", "fmt", "delimiter", "timezone", "time_unit")}
        feedback = self.folder(project_id) / FEEDBACK
        feedback = feedback if feedback.exists() else None
        key = (_stamp(events), repr(sorted(read.items())), _stamp(feedback) if feedback else None)
        return Inputs(events=events, read=read, feedback=feedback, key=key)

    def event_log(self, project_id: int, m: JourneyMap) -> Any:
        """The project's events read once (an :class:`~parcours.ingest.EventLog`), kept until its
        data or the way it is read change; for live checks of match rules in the editor."""
        from parcours.ingest import read_events

        inputs = self.inputs(project_id, m)
        with self._lock:
            hit = self._logs.get(project_id)
            if hit is not None and hit[0] == inputs.key:
                return hit[1]
            log = read_events(inputs.events, max_bad_rows="100%", **inputs.read)
            self._logs[project_id] = (inputs.key, log)
            return log

    def key(self, project_id: int, version: int, m: JourneyMap, segment: str | None = None,
            period: str | None = None) -> tuple[Any, ...]:
        """What an analysis depends on: the map version, the data (files, how they are read,
        survey answers, collected events) and the filters. A change of any measures again."""
        return (project_id, version, self.inputs(project_id, m).key, segment or None, period or None)

    def cached(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
            return hit

    def start(self, project_id: int, version: int, m: JourneyMap, *, segment: str | None = None,
              period: str | None = None) -> tuple[Job | None, dict[str, Any] | None]:
        """The analysis if it is cached (``(None, data)``), else the background job measuring it
        (``(job, None)``; a second call while it runs returns the same job)."""
        from parcours.analysis.filters import parse_period

        parse_period(period)  # a bad period is the caller's error, now, not the job's
        key = self.key(project_id, version, m, segment, period)
        data = self.cached(key)
        if data is not None:
            return None, data
        inputs = self.inputs(project_id, m)

        def run(job: Job) -> dict[str, Any]:
            from parcours.project import analyze

            data = analyze(inputs.events, m, feedback=str(inputs.feedback) if inputs.feedback else None,
                           by="segment" if m.segments and not segment else None, segment=segment or None,
                           period=period or None, on_progress=job.say, **inputs.read).data
            with self._lock:
                self._results[key] = data
                while len(self._results) > self.keep:
                    self._results.popitem(last=False)
            return data

        return self.jobs.submit(project_id, key, run), None

    def analysis(self, project_id: int, version: int, m: JourneyMap, *, segment: str | None = None,
                 period: str | None = None) -> dict[str, Any]:
        """analysis.json's content for this project's map version on its data, waiting for it."""
        job, data = self.start(project_id, version, m, segment=segment, period=period)
        if data is not None:
            return data
        assert job is not None
        while job.state not in ("done", "failed"):
            time.sleep(0.05)
        if job.error:
            raise InputError(job.error["message"] or "the analysis failed", hint=job.error.get("hint"))
        return job.result
