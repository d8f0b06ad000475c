"""``Project``: the one object the CLI, the web app and notebooks get results from.

A project is a journey map, its data (event and survey files, or what the web app stores for
it), the engine that reads them and a result cache. :meth:`Project.local` opens files (the CLI,
notebooks); :meth:`Project.stored` opens a project of the web app (its latest map version, its
validated data sources, the map's ``source.path`` confined to its folders, the events and survey
answers the app collected). Both answer :meth:`Project.run` the same way.

>>> from parcours.model import JourneyMap
>>> Project.local(JourneyMap()).map.stages
[]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parcours.errors import InputError
from parcours.model import JourneyMap, load_map
from parcours.model.specs import AnalysisSpec
from parcours.project import analyze as _analysis
from parcours.project.map_source import source_defaults
from parcours.result import AnalysisResult

FEEDBACK = "feedback.csv"  # survey answers of a stored project, when its folder has them


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


class Project:
    """A journey map, its data, an engine and a cache; build one with :meth:`local` or :meth:`stored`.

    ``run(spec)`` analyses the data against the map (``parcours.analyze`` is ``run`` on a local
    project); ``feedback``, ``compare`` and ``segments`` measure the same data; ``check_map`` and
    ``check_rule`` are the editor's live checks; ``preview`` and ``validate`` read a stored
    project's uploads.
    """

    def __init__(self, journey_map: str | Path | JourneyMap | None = None, *, events: Any = None,
                 engine: str | None = None, cache: bool | str | Path = False, store: Any = None,
                 data_dir: Path | None = None, project_id: int | None = None) -> None:
        self.given_map = journey_map  # as given: a path (relative source.path, the map's name), a map or None
        self.map = load_map(journey_map) if isinstance(journey_map, (str, Path)) else (journey_map or JourneyMap())
        self.events = events
        self.engine = engine  # Ibis backend URL (None: in-memory DuckDB)
        self.cache = cache
        self.store, self.data_dir, self.project_id = store, data_dir, project_id
        self._inputs: Inputs | None = None

    @classmethod
    def local(cls, map: str | Path | JourneyMap | None = None, events: Any = None, *,  # noqa: A002
              engine: str | None = None, cache: bool | str | Path = False) -> Project:
        """A project of files: ``map`` (a YAML path or a map; None: no map), ``events`` (a file,
        an Ibis table, an EventLog; None: the map's ``source.path``). ``cache``: see
        :func:`parcours.analyze`.

        >>> project = Project.local("map.yaml", "events.csv")   # doctest: +SKIP
        >>> project.run(top=5)["variants"].to_pandas()          # doctest: +SKIP
        """
        return cls(map, events=events, engine=engine, cache=cache)

    @classmethod
    def stored(cls, store: Any, data_dir: Path, project_id: int, *, engine: str | None = None,
               map: JourneyMap | None = None) -> Project:  # noqa: A002
        """A project of the web app: its latest map version (or ``map``), its data in
        ``data_dir/<project_id>`` and ``store`` (None: no app database, only the folder)."""
        return cls(map if map is not None else _latest_map(store, project_id), store=store, data_dir=data_dir,
                   project_id=project_id, engine=engine)

    # --- what it reads ----------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        """A stored project's data folder."""
        if self.data_dir is None or self.project_id is None:
            raise InputError("a project of files has no data folder", hint="open it with Project.stored(...)")
        return self.data_dir / str(self.project_id)

    def inputs(self) -> Inputs:
        """What an analysis reads (computed once). A stored project's events: its validated events
        source, else the map's ``source.path`` in its data folder; plus the events pushed to the
        collection API. Its feedback: the validated feedback source, else ``feedback.csv``; plus
        the answers to its survey links."""
        if self._inputs is None:
            self._inputs = _stored_inputs(self) if self.project_id is not None else \
                Inputs(events=self.events, key=_local_key(self.events))
        return self._inputs

    def sources(self) -> tuple[Any, dict[str, Any], Any, dict[str, Any]]:
        """The events and feedback an analysis reads (files, or tables joining what the app
        collected), and their ``analyze`` keyword arguments."""
        inputs = self.inputs()
        if not (inputs.collected or inputs.answered):
            return inputs.events, dict(inputs.read), (str(inputs.feedback) if inputs.feedback else None), \
                dict(inputs.feedback_read)
        return _merged(self, inputs)

    def event_log(self) -> Any:
        """The project's events read (an :class:`~parcours.ingest.EventLog`), every row kept."""
        from parcours.ingest import read_events

        events, read, _fb, _fr = self.sources()
        return read_events(events, max_bad_rows="100%", engine=self.engine if isinstance(events, Path) else None,
                           **read)

    # --- what it answers --------------------------------------------------------------------

    def run(self, spec: AnalysisSpec | None = None, *, on_progress: Callable[[str], None] | None = None,
            **settings: Any) -> AnalysisResult:
        """The analysis of the project's data against its map. ``spec``: the settings (an
        :class:`~parcours.model.specs.AnalysisSpec`); each keyword argument is one of its fields
        and wins over the spec's; a setting given neither way comes from the map (its ``source``
        and ``analysis`` blocks), else its default."""
        given = {**(spec.model_dump(exclude_unset=True) if spec is not None else {}), **settings}
        events = self.events
        if self.project_id is not None:
            events, read, feedback, fb_read = self.sources()
            data = {**read, **fb_read, "feedback": feedback,
                    "engine": self.engine if isinstance(events, Path) else None}
            given = {**data, **given}
        elif self.engine is not None:
            given.setdefault("engine", self.engine)
        return _analysis.run(events, self.map, self.given_map, given, cache=self.cache, on_progress=on_progress)

    def feedback(self, source: Any = None, **settings: Any) -> Any:
        """Survey answers measured on the map (:func:`parcours.project.feedback.feedback`);
        ``source``: default the stored project's survey answers, attached to its journeys."""
        from parcours.project.feedback import feedback

        events = settings.pop("events", self.events)
        if source is None:
            events, read, source, fb_read = self.sources()
            settings = {"columns": fb_read.get("feedback_columns"), "metric": fb_read.get("feedback_metric"),
                        "scale": fb_read.get("feedback_scale"), **settings}
            if source is None:
                raise InputError("the project has no survey answers", hint="upload them on the project's Data tab")
            events = self._events() if events is not None else None
        return feedback(source, self.map, events=events, engine=settings.pop("engine", self.engine), **settings)

    def compare(self, **settings: Any) -> Any:
        """Two periods, two segments or two map versions compared (:func:`parcours.project.compare.compare`)."""
        from parcours.project.compare import compare

        return compare(self._events(), self.map, engine=settings.pop("engine", self.engine), **settings)

    def segments(self, **settings: Any) -> Any:
        """Segments per period and the moves between them (:func:`parcours.project.segments.segments`)."""
        from parcours.project.segments import segments

        return segments(self._events(), self.given_map, engine=settings.pop("engine", self.engine), **settings)

    def check_map(self, yaml_text: str) -> dict[str, Any]:
        """Is a map (YAML text) valid, and what does each touchpoint catch of the project's events
        (:func:`parcours.project.rule_check.check_map`)."""
        from parcours.project.rule_check import check_map

        return check_map(_Live(self), self.project_id or 0, yaml_text)

    def check_rule(self, element: dict[str, Any]) -> dict[str, Any]:
        """What one touchpoint's rule catches (:func:`parcours.project.rule_check.check_rule`)."""
        from parcours.project.rule_check import check_rule

        return check_rule(_Live(self), self.project_id or 0, self.map, element)

    def preview(self, source_id: int) -> dict[str, Any]:
        """Columns, detected roles and first rows of a stored project's upload."""
        from parcours.project.sources import preview
        from parcours.store.sources import get

        return preview(self.folder, get(self.store, self.project_id, source_id), self.store)

    def validate(self, source_id: int, mapping: Any) -> dict[str, Any]:
        """A stored project's upload read whole with ``mapping`` (roles and options, a dict or a
        :class:`~parcours.project.sources.Mapping`); the report, as the Data tab shows it."""
        from parcours.project.sources import Mapping, validate
        from parcours.store.sources import get

        body = mapping if isinstance(mapping, Mapping) else Mapping(**mapping)
        return validate(self.folder, get(self.store, self.project_id, source_id), body, self.store)[0]

    def with_map(self, m: JourneyMap) -> Project:
        """The same data, another map (the editor's draft)."""
        return Project(m, events=self.events, engine=self.engine, cache=self.cache, store=self.store,
                       data_dir=self.data_dir, project_id=self.project_id)

    def _events(self) -> Any:
        if self.project_id is None:
            return self.events
        from parcours.ingest import read_events

        events, read, _fb, _fr = self.sources()
        return read_events(events, engine=self.engine if isinstance(events, Path) else None, **read)


def _local_key(events: Any) -> tuple[Any, ...]:
    """What identifies a local project's events in the live checks' cache: a file by its path,
    size and time (two projects of one process never share an answer), anything else by itself."""
    if isinstance(events, (str, Path)) and Path(events).exists():
        st = Path(events).stat()
        return ("file", str(Path(events).resolve()), st.st_size, st.st_mtime_ns)
    return ("object", id(events))


class _Live:
    """What the editor's live checks read of a project (its inputs and its events), as
    :class:`parcours.project.live.LiveMaps` answers them in the web app."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def inputs(self, _project_id: int, m: JourneyMap) -> Inputs:
        return self.project.with_map(m).inputs()

    def event_log(self, _project_id: int, m: JourneyMap) -> Any:
        return self.project.with_map(m).event_log()


def analyze(events: Any, journey_map: str | Path | JourneyMap | None = None, spec: AnalysisSpec | None = None, *,
            cache: bool | str | Path = False, on_progress: Callable[[str], None] | None = None,
            **settings: Any) -> AnalysisResult:
    """Analyse an event log against a journey map (optional): ``Project.local(journey_map,
    events, cache=cache).run(spec, **settings)``.

    ``spec``: the settings (an :class:`~parcours.model.specs.AnalysisSpec`); each keyword
    argument is one of its fields (``top=10``, ``conversion_window="7d"``, ``lang="fr"``...)
    and wins over the spec's. A setting given neither way comes from the map (its ``source``
    and ``analysis`` blocks), else its default.

    ``analyses``: only these analyses (``"funnel,durations"`` or a list; see
    :data:`parcours.analysis.run.ANALYSES`), the others left out of the result; the summary
    is always there. Default: every analysis.

    ``cache``: ``True`` (the default folder, see :mod:`parcours.project.cache`) or a folder
    keeps the result under a fingerprint of the files, the map and the settings; the same
    call again returns it at once. Off by default in Python, on by default in the CLI.

    Examples
    --------
    >>> import parcours
    >>> result = parcours.analyze("events.csv", "map.yaml", top=10)  # doctest: +SKIP
    >>> result["transitions"].to_pandas().head()                       # doctest: +SKIP
    """
    return Project.local(journey_map, events, cache=cache).run(spec, on_progress=on_progress, **settings)


# --- a stored project's inputs ------------------------------------------------------------------

def _latest_map(store: Any, project_id: int) -> JourneyMap:
    """The project's latest map version (an empty map when it has none, or none that parses)."""
    from parcours.store.maps import latest_map

    return (latest_map(store, project_id) if store is not None else None) or JourneyMap()


def _fingerprint(module: str, store: Any, project_id: int) -> tuple[int, int]:
    """(count, max id) of the rows the app collected (events or survey answers) for the project."""
    if store is None:
        return (0, 0)
    import importlib

    return tuple(importlib.import_module(f"parcours.store.{module}").fingerprint(store, project_id))  # type: ignore[return-value]


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_size, st.st_mtime_ns


def _stored_inputs(project: Project) -> Inputs:
    from parcours.project.sources import events_input, feedback_input

    store, folder, pid, m = project.store, project.folder, project.project_id, project.map
    assert pid is not None
    ev = events_input(store, folder, pid) if store is not None else None
    fb = feedback_input(store, folder, pid) if store is not None else None
    collected = _fingerprint("collect", store, pid)
    answered = _fingerprint("surveys", store, pid)
    if ev is not None:
        events, read, ev_key = ev["events"], dict(ev["read"]), ev["key"]
    elif m.source is not None and m.source.path and (events := _map_source(project, m.source.path)):
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
        path = folder / FEEDBACK
        found = path.exists()
        if found and store is not None:  # an upload of events named so is not survey answers
            from parcours.store.sources import list_sources

            found = not any(r.name == FEEDBACK and r.kind != "feedback" for r in list_sources(store, pid))
        feedback, fb_read = (path if found else None), {}
        fb_key = _stamp(path) if found else None
    key = (ev_key, collected, fb_key, answered)
    return Inputs(events=events, read=read, feedback=feedback, key=key, feedback_read=fb_read,
                  collected=collected[0] > 0, answered=answered[0] > 0)


def _map_source(project: Project, path: str) -> Path | None:
    """The map's ``source.path`` inside what the project may read (its data folder, folders
    granted to its workspace), if it exists there; :class:`PathRefused` when it points elsewhere."""
    from parcours.project.paths import allowed_folders, confine

    assert project.data_dir is not None and project.project_id is not None
    found = confine(path, project.folder, allowed_folders(project.store, project.data_dir, project.project_id),
                    "the map's source.path")
    return found if found.exists() else None


def _merged(project: Project, inputs: Inputs) -> tuple[Any, dict[str, Any], Any, dict[str, Any]]:
    """The project's files joined with the events and survey answers the app collected."""
    import pyarrow as pa

    from parcours.engine.connection import connect
    from parcours.ingest.roles import EVENT_ROLES, FEEDBACK_ROLES
    from parcours.project.merge import union_by_roles

    store, pid = project.store, project.project_id
    events, read, feedback, fb_read = inputs.events, dict(inputs.read), inputs.feedback, dict(inputs.feedback_read)
    con = connect(project.engine)
    if inputs.collected:
        from parcours.store.collect import event_rows

        rows = [r for batch in event_rows(store, pid) for r in batch]
        extra = pa.Table.from_pylist(rows).cast(pa.schema([(c, pa.string()) for c in rows[0]]))
        events, columns = union_by_roles(
            con, events, read, read.get("columns") or {}, extra,
            {"customer": "customer", "event": "event", "time": "time", "channel": "channel", "value": "value"},
            spec=EVENT_ROLES)
        read = {"columns": columns, "timezone": read.get("timezone"), "time_unit": read.get("time_unit")}
    if inputs.answered:
        from parcours.store.surveys import FEEDBACK_COLUMNS, feedback_rows

        schema = pa.schema([(c, pa.int64() if c == "score" else pa.string()) for c in FEEDBACK_COLUMNS])
        extra = pa.Table.from_pylist(feedback_rows(store, pid), schema=schema)
        feedback, columns = union_by_roles(
            con, feedback, {}, fb_read.get("feedback_columns") or {}, extra,
            {"customer": "customer_id", "time": "answered_at", "metric": "metric", "score": "score",
             "comment": "comment", "touchpoint": "touchpoint", "language": "language"}, spec=FEEDBACK_ROLES)
        fb_read = {**fb_read, "feedback_columns": columns}
        # analyze reads feedback on the events' connection: hand it a file, not this table.
        assert project.data_dir is not None
        out = project.data_dir / ".merged" / str(pid) / "feedback.parquet"
        out.parent.mkdir(parents=True, exist_ok=True)
        con.to_parquet(feedback, str(out))
        feedback = str(out)
    return events, read, feedback, fb_read


__all__ = ["FEEDBACK", "Inputs", "Project", "analyze"]
