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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from parcours.errors import InputError, OptionError, ParcoursError
from parcours.model.journey_map import JourneyMap
from parcours.project.jobs import Job, Jobs

FEEDBACK = "feedback.csv"  # survey answers of the project, when the folder has them


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


@dataclass(frozen=True)
class Inputs:
    """What an analysis of a project reads, and a key that changes when any of it changes."""

    events: Any  # a file path, or an Ibis table
    read: dict[str, Any] = field(default_factory=dict)  # read_events arguments (columns, fmt, ...)
    feedback: Path | None = None
    key: tuple[Any, ...] = ()
    feedback_read: dict[str, Any] = field(default_factory=dict)  # analyze's feedback_* arguments
    collected: bool = False  # events were pushed to the collection API
    answered: bool = False  # survey links were answered


def _fingerprint(module: str, store: Any, project_id: int) -> tuple[int, int]:
    """(count, max id) of the rows the app collected (events or survey answers) for the project."""
    if store is None:
        return (0, 0)
    import importlib

    return tuple(importlib.import_module(f"parcours.store.{module}").fingerprint(store, project_id))  # type: ignore[return-value]


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_size, st.st_mtime_ns


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

    def inputs(self, project_id: int, m: JourneyMap) -> Inputs:
        """What the project's analysis reads. Events: the validated events source of the Data tab,
        else the map's ``source.path`` in the project's data folder; plus the events pushed to the
        collection API. Feedback: the validated feedback source, else ``feedback.csv``; plus the
        answers to the project's survey links."""
        from parcours.project.analyze import source_defaults
        from parcours.project.sources import events_input, feedback_input

        store = self.store
        ev = events_input(store, self.folder(project_id), project_id) if store is not None else None
        fb = feedback_input(store, self.folder(project_id), project_id) if store is not None else None
        collected = _fingerprint("collect", store, project_id)
        answered = _fingerprint("surveys", store, project_id)
        if ev is not None:
            events, read, ev_key = ev["events"], dict(ev["read"]), ev["key"]
        elif m.source is not None and m.source.path and (events := self._map_source(project_id, m.source.path)):
            d = source_defaults(m)
            read = {k: d[k] for k in ("columns", "fmt", "delimiter", "timezone", "time_unit")}
            ev_key = (_stamp(events), repr(sorted(read.items())))
        elif collected[0]:
            events, read, ev_key = None, {}, None
        else:
            where = f"the map's source.path ({m.source.path}) is not in the project's data" \
                if m.source is not None and m.source.path else "the project has no events yet"
            raise InputError(where, hint="upload events on the project's Data tab (and map their columns), "
                                         "or push events to the collection API")
        if fb is not None:
            feedback, fb_read, fb_key = fb["feedback"], dict(fb["read"]), fb["key"]
        else:
            path = self.folder(project_id) / FEEDBACK
            found = path.exists()
            if found and store is not None:  # an upload of events named so is not survey answers
                from parcours.store.sources import list_sources

                found = not any(r.name == FEEDBACK and r.kind != "feedback" for r in list_sources(store, project_id))
            feedback, fb_read = (path if found else None), {}
            fb_key = _stamp(path) if found else None
        key = (ev_key, collected, fb_key, answered)
        return Inputs(events=events, read=read, feedback=feedback, key=key, feedback_read=fb_read,
                      collected=collected[0] > 0, answered=answered[0] > 0)

    def _map_source(self, project_id: int, path: str) -> Path | None:
        """The map's ``source.path`` inside what the project may read (its data folder, folders
        granted to its workspace), if it exists there; :class:`PathRefused` when it points elsewhere."""
        from parcours.project.paths import allowed_folders, confine

        found = confine(path, self.folder(project_id), allowed_folders(self.store, self.data_dir, project_id),
                        "the map's source.path")
        return found if found.exists() else None

    def _sources(self, project_id: int, m: JourneyMap, inputs: Inputs) -> tuple[Any, dict[str, Any], Any, dict[str, Any]]:
        """The events and feedback to give ``analyze`` (files, or tables joining what the app
        collected), and their keyword arguments."""
        events, read, feedback, fb_read = inputs.events, dict(inputs.read), inputs.feedback, dict(inputs.feedback_read)
        if not (inputs.collected or inputs.answered):
            return events, read, (str(feedback) if feedback else None), fb_read
        from parcours.engine.connection import connect
        from parcours.ingest.roles import EVENT_ROLES, FEEDBACK_ROLES
        from parcours.project.merge import union_by_roles

        con = connect(self.engine)
        if inputs.collected:
            from parcours.store.collect import event_rows

            rows = [r for batch in event_rows(self.store, project_id) for r in batch]
            extra = pa.Table.from_pylist(rows).cast(pa.schema([(c, pa.string()) for c in rows[0]]))
            events, columns = union_by_roles(
                con, events, read, read.get("columns") or {}, extra,
                {"customer": "customer", "event": "event", "time": "time", "channel": "channel", "value": "value"},
                spec=EVENT_ROLES)
            read = {"columns": columns, "timezone": read.get("timezone"), "time_unit": read.get("time_unit")}
        if inputs.answered:
            from parcours.store.surveys import FEEDBACK_COLUMNS, feedback_rows

            schema = pa.schema([(c, pa.int64() if c == "score" else pa.string()) for c in FEEDBACK_COLUMNS])
            extra = pa.Table.from_pylist(feedback_rows(self.store, project_id), schema=schema)
            feedback, columns = union_by_roles(
                con, feedback, {}, fb_read.get("feedback_columns") or {}, extra,
                {"customer": "customer_id", "time": "answered_at", "metric": "metric", "score": "score",
                 "comment": "comment", "touchpoint": "touchpoint", "language": "language"}, spec=FEEDBACK_ROLES)
            fb_read = {**fb_read, "feedback_columns": columns}
            # analyze reads feedback on the events' connection: hand it a file, not this table.
            out = self.data_dir / ".merged" / str(project_id) / "feedback.parquet"
            out.parent.mkdir(parents=True, exist_ok=True)
            con.to_parquet(feedback, str(out))
            feedback = str(out)
        return events, read, feedback, fb_read

    def event_log(self, project_id: int, m: JourneyMap) -> Any:
        """The project's events read once (an :class:`~parcours.ingest.EventLog`), kept until its
        data or the way it is read change; for live checks of match rules in the editor."""
        from parcours.ingest import read_events

        inputs = self.inputs(project_id, m)
        with self._lock:
            hit = self._logs.get(project_id)
            if hit is not None and hit[0] == inputs.key:
                return hit[1]
            events, read, _fb, _fr = self._sources(project_id, m, inputs)
            log = read_events(events, max_bad_rows="100%", engine=self.engine if isinstance(events, Path) else None, **read)
            self._logs[project_id] = (inputs.key, log)
            return log

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
        inputs = self.inputs(project_id, m)

        def run(job: Job) -> dict[str, Any]:
            from parcours.project import analyze

            events, read, feedback, fb_read = self._sources(project_id, m, inputs)
            data = analyze(events, m, feedback=feedback, by="segment" if m.segments and not segment else None,
                           segment=segment or None, period=period or None, on_progress=job.say,
                           engine=self.engine if isinstance(events, Path) else None, **read, **fb_read,
                           **settings).data
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
