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
from pathlib import Path
from typing import Any

from parcours.errors import InputError
from parcours.model import JourneyMap, load_map
from parcours.model.specs import AnalysisSpec, CompareSpec, FeedbackSpec, SegmentsSpec, settle
from parcours.project import analyze as _analysis
# FEEDBACK and Inputs moved to project/stored.py; still importable from here (project/live.py imports them so).
from parcours.project.stored import FEEDBACK, Inputs, latest_map, local_inputs, merged, stored_inputs
from parcours.result import AnalysisResult


class Project:
    """A journey map, its data, an engine and a cache; build one with :meth:`local` or :meth:`stored`.

    ``run(spec)`` analyses the data against the map (``parcours.analyze`` is ``run`` on a local
    project); ``feedback``, ``compare`` and ``segments`` measure the same data; ``check_map`` and
    ``check_rule`` are the editor's live checks; ``preview`` and ``validate`` read a stored
    project's uploads.

    Every command takes its settings the same way: a spec and keyword arguments (which win over
    the spec's fields), then what the project's data say (a stored project's reading settings,
    the project's engine), then the map's ``source`` and ``analysis`` blocks, then the built-in
    defaults (:func:`~parcours.model.specs.settle`, then the spec's ``resolve``).
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
        return cls(map if map is not None else latest_map(store, project_id), store=store, data_dir=data_dir,
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
        the answers to its survey links (:mod:`parcours.project.stored`)."""
        if self._inputs is None:
            self._inputs = local_inputs(self.events) if self.project_id is None else \
                stored_inputs(self.store, self.folder.parent, self.project_id, self.map)
        return self._inputs

    def sources(self) -> tuple[Any, dict[str, Any], Any, dict[str, Any]]:
        """The events and feedback an analysis reads (files, or tables joining what the app
        collected), and their ``analyze`` keyword arguments."""
        inputs = self.inputs()
        if not (inputs.collected or inputs.answered):
            return inputs.events, dict(inputs.read), (str(inputs.feedback) if inputs.feedback else None), \
                dict(inputs.feedback_read)
        return merged(self.store, self.folder.parent, self.project_id, self.engine, inputs)

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
        and wins over the spec's; a setting given neither way comes from the project's data (how
        a stored project's sources are read, its engine), else the map (its ``source`` and
        ``analysis`` blocks), else its default."""
        events, data = self.events, {"engine": self.engine}
        if self.project_id is not None:
            events, read, feedback, fb_read = self.sources()
            data = {**read, **fb_read, "feedback": feedback,
                    "engine": self.engine if isinstance(events, Path) else None}
        spec = settle(AnalysisSpec, spec, settings, under=data).resolve(self.map)
        return _analysis.run(events, self.map, self.given_map, spec, cache=self.cache, on_progress=on_progress)

    def feedback(self, source: Any = None, spec: FeedbackSpec | None = None, **settings: Any) -> Any:
        """Survey answers measured on the map (:func:`parcours.project.feedback.feedback`), attached
        to the project's events (unless the settings give others). ``source``: default the stored
        project's survey answers (read as its feedback source says)."""
        from parcours.project.feedback import feedback

        data = {"events": self.events}
        if source is None:
            events, _read, source, fb_read = self.sources()
            if source is None:
                raise InputError("the project has no survey answers", hint="upload them on the project's Data tab")
            data = {"events": self._events() if events is not None else None,
                    "columns": fb_read.get("feedback_columns"), "metric": fb_read.get("feedback_metric"),
                    "scale": fb_read.get("feedback_scale"), "date_format": fb_read.get("feedback_date_format"),
                    "questions": fb_read.get("feedback_questions")}
        return feedback(source, self.map, self._asked(FeedbackSpec, spec, settings, data))

    def compare(self, spec: CompareSpec | None = None, **settings: Any) -> Any:
        """Two periods, two segments or two map versions compared on the project's events
        (:func:`parcours.project.compare.compare`)."""
        from parcours.project.compare import ALIASES, compare

        settings = {ALIASES.get(k, k): v for k, v in settings.items()}
        return compare(self._events(), self.map, self._asked(CompareSpec, spec, settings))

    def segments(self, spec: SegmentsSpec | None = None, *, on_progress: Callable[[str], None] | None = None,
                 **settings: Any) -> Any:
        """Segments per period and the moves between them (:func:`parcours.project.segments.segments`)."""
        from parcours.project.segments import segments

        return segments(self._events(), self.given_map, self._asked(SegmentsSpec, spec, settings),
                        on_progress=on_progress)

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

    def _asked(self, cls: type[Any], spec: Any, settings: dict[str, Any], data: dict[str, Any] | None = None) -> Any:
        """A command's settings: the spec's and the keywords', then ``data`` and the project's engine."""
        return settle(cls, spec, settings, under={"engine": self.engine, **(data or {})})

    def _events(self) -> Any:
        if self.project_id is None:
            return self.events
        from parcours.ingest import read_events

        events, read, _fb, _fr = self.sources()
        return read_events(events, engine=self.engine if isinstance(events, Path) else None, **read)


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


__all__ = ["FEEDBACK", "Inputs", "Project", "analyze"]
