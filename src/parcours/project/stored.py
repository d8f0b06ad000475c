"""What a project's analysis reads (:class:`Inputs`), and how a stored project of the web app finds it.

A stored project's events are its validated events source, else the map's ``source.path``
confined to its folders, plus the events pushed to the collection API; its survey answers are
the validated feedback source, else ``feedback.csv`` in its folder, plus the answers to its
survey links. :func:`stored_inputs` finds them (and a key that changes when any of them
changes); :func:`merged` joins the files with what the app collected. They take the project's
parts (store, folders, id, map, engine) rather than a ``Project``: ``core`` imports this module,
never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parcours.errors import InputError
from parcours.model import JourneyMap
from parcours.project.map_source import source_defaults

FEEDBACK = "feedback.csv"  # survey answers of a stored project, when its folder has them


class NoEvents(InputError):
    """A stored project with nothing to measure: no events source in use, no events collected,
    and no ``source.path`` of its map (``path``) in its data. Its facts (``no_events``, ``path``)
    let the web app say it in its reader's language.

    >>> NoEvents(None).facts(), NoEvents("a.csv").message
    ({'no_events': True}, "the map's source.path (a.csv) is not in the project's data")
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        where = f"the map's source.path ({path}) is not in the project's data" if path else "the project has no events yet"
        super().__init__(where, hint="upload events on the project's Data tab (and map their columns), "
                                     "or push events to the collection API")

    def facts(self) -> dict[str, Any]:
        return {"no_events": True, **({"path": self.path} if self.path else {})}


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


def local_inputs(events: Any) -> Inputs:
    """A local project's inputs: its events as given, keyed for the live checks' cache (a file
    by its path, size and time: two projects of one process never share an answer; anything
    else by itself)."""
    if isinstance(events, (str, Path)) and Path(events).exists():
        key: tuple[Any, ...] = ("file", *_stamp(Path(events).resolve()))
    else:
        key = ("object", id(events))
    return Inputs(events=events, key=key)


def latest_map(store: Any, project_id: int) -> JourneyMap:
    """The project's latest map version (an empty map when it has none, or none that parses)."""
    from parcours.store.maps import latest_map as stored_map

    return (stored_map(store, project_id) if store is not None else None) or JourneyMap()


def stored_inputs(store: Any, data_dir: Path, project_id: int, m: JourneyMap) -> Inputs:
    """A stored project's inputs (see the module); :class:`InputError` when it has no events."""
    folder = data_dir / str(project_id)
    collected = _fingerprint("collect", store, project_id)
    answered = _fingerprint("surveys", store, project_id)
    events, read, ev_key = _events(store, data_dir, project_id, m, collected[0] > 0)
    feedback, fb_read, fb_key = _feedback(store, folder, project_id)
    return Inputs(events=events, read=read, feedback=feedback, key=(ev_key, collected, fb_key, answered),
                  feedback_read=fb_read, collected=collected[0] > 0, answered=answered[0] > 0)


def _events(store: Any, data_dir: Path, project_id: int, m: JourneyMap, collected: bool
            ) -> tuple[Any, dict[str, Any], Any]:
    """The events file (or table), how to read it and its key: the validated events source, else
    the map's ``source.path``; ``(None, {}, None)`` when only collected events exist."""
    from parcours.project.sources import events_input

    ev = events_input(store, data_dir / str(project_id), project_id) if store is not None else None
    if ev is not None:
        return ev["events"], dict(ev["read"]), ev["key"]
    path = m.source.path if m.source is not None else None
    if path and (events := _map_source(store, data_dir, project_id, path)):
        d = source_defaults(m)
        read = {k: d[k] for k in ("columns", "fmt", "delimiter", "timezone", "time_unit", "date_format", "milestones", "sheet", "stitch")}
        return events, read, (_stamp(events), repr(sorted(read.items())))
    if collected:
        return None, {}, None
    raise NoEvents(path)


def _feedback(store: Any, folder: Path, project_id: int) -> tuple[Path | None, dict[str, Any], Any]:
    """The survey answers file, how to read it and its key: the validated feedback source, else
    ``feedback.csv`` in the project's folder (unless an upload of events is named so)."""
    from parcours.project.sources import feedback_input

    fb = feedback_input(store, folder, project_id) if store is not None else None
    if fb is not None:
        return fb["feedback"], dict(fb["read"]), fb["key"]
    path = folder / FEEDBACK
    found = path.exists()
    if found and store is not None:
        from parcours.store.sources import list_sources

        found = not any(r.name == FEEDBACK and r.kind != "feedback" for r in list_sources(store, project_id))
    return (path if found else None), {}, (_stamp(path) if found else None)


def _fingerprint(module: str, store: Any, project_id: int) -> tuple[int, int]:
    """(count, max id) of the rows the app collected (events or survey answers) for the project."""
    if store is None:
        return (0, 0)
    import importlib

    return tuple(importlib.import_module(f"parcours.store.{module}").fingerprint(store, project_id))  # type: ignore[return-value]


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_size, st.st_mtime_ns


def _map_source(store: Any, data_dir: Path, project_id: int, path: str) -> Path | None:
    """The map's ``source.path`` inside what the project may read (its data folder, folders
    granted to its workspace), if it exists there; :class:`PathRefused` when it points elsewhere."""
    from parcours.project.paths import allowed_folders, confine

    found = confine(path, data_dir / str(project_id), allowed_folders(store, data_dir, project_id),
                    "the map's source.path")
    return found if found.exists() else None


def merged(store: Any, data_dir: Path, project_id: int, engine: str | None, inputs: Inputs
           ) -> tuple[Any, dict[str, Any], Any, dict[str, Any]]:
    """The project's files joined with the events and survey answers the app collected: the
    events (a table), how to read them, the feedback file and how to read it."""
    from parcours.engine.connection import connect

    events, read, feedback, fb_read = inputs.events, dict(inputs.read), inputs.feedback, dict(inputs.feedback_read)
    con = connect(engine)
    if inputs.collected:
        events, read = _with_collected(con, store, project_id, events, read)
    if inputs.answered:
        feedback, fb_read = _with_answers(con, store, data_dir, project_id, feedback, fb_read)
    return events, read, feedback, fb_read


def _with_collected(con: Any, store: Any, project_id: int, events: Any, read: dict[str, Any]
                    ) -> tuple[Any, dict[str, Any]]:
    import pyarrow as pa

    from parcours.ingest.roles import EVENT_ROLES
    from parcours.project.merge import union_by_roles
    from parcours.store.collect import event_rows

    rows = [r for batch in event_rows(store, project_id) for r in batch]
    extra = pa.Table.from_pylist(rows).cast(pa.schema([(c, pa.string()) for c in rows[0]]))
    events, columns = union_by_roles(
        con, events, read, read.get("columns") or {}, extra,
        {"customer": "customer", "event": "event", "time": "time", "channel": "channel", "value": "value"},
        spec=EVENT_ROLES)
    return events, {"columns": columns, "timezone": read.get("timezone"), "time_unit": read.get("time_unit")}


def _with_answers(con: Any, store: Any, data_dir: Path, project_id: int, feedback: Any, fb_read: dict[str, Any]
                  ) -> tuple[str, dict[str, Any]]:
    import pyarrow as pa

    from parcours.ingest.roles import FEEDBACK_ROLES
    from parcours.project.merge import union_by_roles
    from parcours.store.surveys import FEEDBACK_COLUMNS, feedback_rows

    schema = pa.schema([(c, pa.int64() if c == "score" else pa.string()) for c in FEEDBACK_COLUMNS])
    extra = pa.Table.from_pylist(feedback_rows(store, project_id), schema=schema)
    table, columns = union_by_roles(
        con, feedback, {}, fb_read.get("feedback_columns") or {}, extra,
        {"customer": "customer_id", "time": "answered_at", "metric": "metric", "score": "score",
         "comment": "comment", "touchpoint": "touchpoint", "language": "language"}, spec=FEEDBACK_ROLES)
    # analyze reads feedback on the events' connection: hand it a file, not this table.
    out = data_dir / ".merged" / str(project_id) / "feedback.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    con.to_parquet(table, str(out))
    return str(out), {**fb_read, "feedback_columns": columns}


__all__ = ["FEEDBACK", "Inputs", "latest_map", "local_inputs", "merged", "stored_inputs"]
