"""The live map: a project's latest map measured on the project's data, as the report's views.

A project's data live in ``<data folder>/<project id>/`` (the demo writes its events and survey
answers there; uploads too). The map's ``source.path`` is read relative to that folder, and only
inside it or a folder granted to the workspace (``parcours.project.paths``).
An analysis runs as a background job (``parcours.project.jobs``) whose progress the page shows, and
is kept in memory under a key of everything it depends on (map version, data files' sizes and
times, how they are read, survey answers and collected events, the segment and period filters):
a page view after the first is immediate, and a new version or new data measures again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parcours.errors import InputError, OptionError, ParcoursError
from parcours.model.journey_map import JourneyMap
from parcours.project.core import FEEDBACK, Inputs, Project
from parcours.project.jobs import Job, Jobs


@dataclass(frozen=True)
class Period:
    """The journeys started between two dates (``YYYY-MM-DD``, end day included; either may be
    open), as values. ``text`` is the form ``analyze`` and the API take: ``START..END``.

    >>> Period.between(" 2026-01-01 ", None).text
    '2026-01-01..'
    >>> Period.between("", "") is None
    True
    """

    start: str | None = None
    end: str | None = None

    @classmethod
    def between(cls, start: str | None, end: str | None) -> Period | None:
        """The period of two form fields (blank: open), None when both are empty."""
        given = bool(start or end)
        start, end = (start or "").strip() or None, (end or "").strip() or None
        return cls(start, end) if given else None

    @property
    def text(self) -> str:
        return f"{self.start or ''}..{self.end or ''}"


class FilterError(OptionError):
    """A segment the map does not define, or a period that cannot be read; ``which`` says which."""

    def __init__(self, which: str, message: str, *, hint: str | None = None) -> None:
        self.which = which
        super().__init__(message, hint=hint)


def check_filters(m: JourneyMap, segment: str | None, period: Period | str | None) -> tuple[str | None, str | None]:
    """The filters of an analysis, blank ones dropped, as ``analyze`` takes them (segment id,
    period text); :class:`FilterError` for an unknown segment or a bad period."""
    from parcours.analysis.filters import parse_period

    text = period.text if isinstance(period, Period) else period
    segment, text = (segment or "").strip() or None, (text or "").strip() or None
    if segment and m.segment(segment) is None:
        known = ", ".join(s.id for s in m.segments) or "none: the map defines no segment"
        raise FilterError("segment", f"segment {segment!r} is not in the map (segments: {known})")
    try:
        parse_period(text)
    except ParcoursError as e:
        raise FilterError("period", e.message, hint=e.hint) from None
    return segment, text


class CannotMeasure(ParcoursError):
    """The project's latest map cannot be measured now (no data yet, a source that cannot be
    read): the message and hint of the cause, which ``__cause__`` keeps."""


@dataclass(frozen=True)
class Opened:
    """An analysis asked for: the latest ``version`` and its ``map``, the filters as ``analyze``
    takes them, and either its ``data`` (cached) or the ``job`` measuring it."""

    version: Any
    map: JourneyMap
    segment: str | None
    period: str | None
    job: Job | None
    data: dict[str, Any] | None


class LiveMaps:
    """Analyses of the projects' latest maps, cached by map version and data files."""

    def __init__(self, data_dir: Path, keep: int = 16, engine: str | None = None) -> None:
        self.data_dir = data_dir
        self.engine = engine  # Ibis backend URL of the analyses (None: in-memory DuckDB)
        self.store: Any = None  # the app database (set by create_app): data sources, answers, events
        self._results: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self.keep = keep  # analyses kept in memory, all projects and filters together
        self.jobs = Jobs(workers=1)
        self.validations = Jobs(workers=2)  # uploads validated in the background (parcours.project.sources)
        self._logs: dict[int, tuple[tuple[Any, ...], Any]] = {}
        self._lock = threading.Lock()

    def folder(self, project_id: int) -> Path:
        return self.data_dir / str(project_id)

    def project(self, project_id: int, m: JourneyMap) -> Project:
        """The project with this map (a version of it, or the editor's draft), as the analyses and
        live checks read it: :meth:`parcours.project.Project.stored` on the app's store."""
        return Project.stored(self.store, self.data_dir, project_id, engine=self.engine, map=m)

    def inputs(self, project_id: int, m: JourneyMap) -> Inputs:
        """What the project's analysis reads (:meth:`parcours.project.Project.inputs`)."""
        return self.project(project_id, m).inputs()

    def event_log(self, project_id: int, m: JourneyMap) -> Any:
        """The project's events read once (an :class:`~parcours.ingest.EventLog`), kept until its
        data or the way it is read change; for live checks of match rules in the editor."""
        project = self.project(project_id, m)
        inputs = project.inputs()
        with self._lock:
            hit = self._logs.get(project_id)
            if hit is not None and hit[0] == inputs.key:
                return hit[1]
            log = project.event_log()
            self._logs[project_id] = (inputs.key, log)
            return log

    def check_map(self, project_id: int, yaml_text: str) -> dict[str, Any]:
        """The editor's check of a whole map on the project's data, its events read once
        (:func:`parcours.project.rule_check.check_map`)."""
        from parcours.project.rule_check import check_map

        return check_map(self, project_id, yaml_text)

    def check_rule(self, project_id: int, m: JourneyMap, element: dict[str, Any]) -> dict[str, Any]:
        """What one touchpoint's rule catches, below the touchpoints above it in ``m``
        (:func:`parcours.project.rule_check.check_rule`)."""
        from parcours.project.rule_check import check_rule

        return check_rule(self, project_id, m, element)

    def latest(self, project_id: int, name: str) -> tuple[Any, JourneyMap]:
        """The project's latest map version and its map (``name`` names it in an error);
        :class:`~parcours.store.errors.NotFound` when it has no map yet."""
        from parcours.store.maps import get_version, map_of

        version = get_version(self.store, project_id)
        return version, map_of(version, f"{name} v{version.number}")

    def open(self, project_id: int, name: str, *, segment: str | None = None, period: Period | str | None = None,
             settings: dict[str, Any] | None = None) -> Opened:
        """The analysis of the project's latest map with these filters and view settings: cached,
        or started as a background job. Raises :class:`~parcours.store.errors.NotFound` (no map
        yet), :class:`FilterError` (an unknown segment, a bad period) or :class:`CannotMeasure`
        (no data to measure)."""
        version, m = self.latest(project_id, name)
        segment, text = check_filters(m, segment, period)
        try:
            job, data = self.start(project_id, version.number, m, segment=segment, period=text, settings=settings)
        except ParcoursError as e:
            raise CannotMeasure(e.message, hint=e.hint) from e
        return Opened(version, m, segment, text, job, data)

    def key(self, project_id: int, version: int, m: JourneyMap, segment: str | None = None,
            period: str | None = None, settings: dict[str, Any] | None = None) -> tuple[Any, ...]:
        """What an analysis depends on: the map version, the data (files, how they are read,
        survey answers, collected events), the filters and the view's settings (window, top,
        lang: ``analyze`` keywords over the map's ``analysis:`` block). A change of any measures again."""
        return (project_id, version, self.inputs(project_id, m).key, segment or None, period or None,
                tuple(sorted((settings or {}).items())))

    def cached(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
            return hit

    def start(self, project_id: int, version: int, m: JourneyMap, *, segment: str | None = None,
              period: Period | str | None = None,
              settings: dict[str, Any] | None = None) -> tuple[Job | None, dict[str, Any] | None]:
        """The analysis if it is cached (``(None, data)``), else the background job measuring it
        (``(job, None)``; a second call while it runs returns the same job). A bad period is the
        caller's error, raised now (:class:`FilterError`), not the job's."""
        from parcours.analysis.filters import parse_period

        period = period.text if isinstance(period, Period) else period
        try:
            parse_period(period)
        except ParcoursError as e:
            raise FilterError("period", e.message, hint=e.hint) from None
        settings = dict(settings or {})
        key = self.key(project_id, version, m, segment, period, settings)
        data = self.cached(key)
        if data is not None:
            return None, data
        project = self.project(project_id, m)
        project.inputs()  # no data: the caller's error, raised now

        def run(job: Job) -> dict[str, Any]:
            data = project.run(by="segment" if m.segments and not segment else None, segment=segment or None,
                               period=period or None, on_progress=job.say, **settings).data
            with self._lock:
                self._results[key] = data
                while len(self._results) > self.keep:
                    self._results.popitem(last=False)
            return data

        return self.jobs.submit(project_id, key, run), None

    def analysis(self, project_id: int, version: int, m: JourneyMap, *, segment: str | None = None,
                 period: Period | str | None = None, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """analysis.json's content for this project's map version on its data, waiting for it."""
        job, data = self.start(project_id, version, m, segment=segment, period=period, settings=settings)
        if data is not None:
            return data
        assert job is not None
        if job.wait().error:
            raise InputError(job.error["message"] or "the analysis failed", hint=job.error.get("hint"))
        return job.result
