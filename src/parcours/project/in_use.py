"""What a project's live map measures, and choosing it (issue 23).

A validated upload does not go live by itself: someone chooses it (:func:`choose`), after
seeing what changes (:func:`comparison`: rows, customers and period of the source beside the
one in use), and the activity feed says who switched from which to which. Sources chosen
before stay and can be chosen again; :func:`release` goes back to what the live map measures
without a chosen source: the map's ``source.path`` for events, ``feedback.csv`` in the
project's folder for survey answers (:func:`fallback`). The first validated source of a kind
is put in use at once when the live map has nothing of that kind to measure (:func:`adopt_first`).

:func:`feeding` lists everything the live map reads, for the Data page: the chosen sources or
the files used without one, and the events and survey answers the app collected.

What the activity feed says of a switch is kept in English in its summary; the parts this
module names (the file used without a chosen source) are :class:`Said`: English text that also
carries its words (a key of the catalogues and its values), so that a reader in another
language is told the same in theirs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parcours.errors import ParcoursError
from parcours.project.sources import SourceFileMissing, bad_row_limit, describe_source, profile, shown
from parcours.store import sources
from parcours.store.db import Store
from parcours.store.models import DataSource

FEEDBACK = "feedback.csv"  # survey answers in the project's folder (parcours.project.stored.FEEDBACK)
_WITHOUT = {"events": "map_file", "feedback": "feedback_file"}


class Said(str):
    """English text that knows its words: ``words`` is ``{"t": key, **values}`` of the catalogues
    (``parcours.project.texts``), the same thing said in any language.

    >>> s = Said("the map's file events.csv", "activity.map_file", name="events.csv")
    >>> (f"instead of {s}", s.words)
    ("instead of the map's file events.csv", {'t': 'activity.map_file', 'name': 'events.csv'})
    """

    words: dict[str, Any]

    def __new__(cls, text: str, key: str, **values: Any) -> Said:
        said = super().__new__(cls, text)
        said.words = {"t": key, **values}
        return said


@dataclass(frozen=True)
class Chosen:
    """A source put in use (:func:`choose`): the ``source``, the source it ``replaced`` (None when
    none was chosen), whether anything ``changed``, and what the live map measured ``before``
    (the replaced source's name, or the file used without a chosen source; None: nothing)."""

    source: DataSource
    replaced: DataSource | None
    changed: bool
    before: str | None


@dataclass(frozen=True)
class Released:
    """A source no longer in use (:func:`release`), and what the live map measures ``then``."""

    source: DataSource | None
    then: Said


def _map(store: Store, project_id: int) -> Any:
    """The project's latest map (the one the live map measures), None without one."""
    from parcours.store.maps import latest_map

    return latest_map(store, project_id)


def bad_rows_allowed(store: Store, project_id: int) -> str | int | float:
    """The project's bad-row limit (:func:`parcours.project.sources.bad_row_limit` of its latest map)."""
    return bad_row_limit(_map(store, project_id))


def fallback(store: Store, data_dir: Path, project_id: int, m: Any, kind: str) -> Path | None:
    """The file the live map measures for ``kind`` when no source is chosen, if there is one:
    the map's ``source.path`` inside what the project may read (events), ``feedback.csv`` in
    the project's folder unless an events upload has that name (feedback). Raises
    :class:`~parcours.project.paths.PathRefused` for a ``source.path`` outside those folders."""
    folder = data_dir / str(project_id)
    if kind == "feedback":
        path = folder / FEEDBACK
        taken = any(r.name == FEEDBACK and r.kind != "feedback" for r in sources.list_sources(store, project_id))
        return path if path.is_file() and not taken else None
    from parcours.project.paths import allowed_folders, confine

    given = m.source.path if m is not None and m.source is not None else None
    if not given:
        return None
    path = confine(given, folder, allowed_folders(store, data_dir, project_id), "the map's source.path")
    return path if path.is_file() else None


def _fallback_name(store: Store, data_dir: Path, project_id: int, m: Any, kind: str) -> Said | None:
    """How the activity feed names the file used without a chosen source."""
    try:
        path = fallback(store, data_dir, project_id, m, kind)
    except ParcoursError:
        return None
    if path is None:
        return None
    if kind == "events":
        return Said(f"the map's file {path.name}", "activity.map_file", name=path.name)
    return Said(f"the project's {path.name}", "activity.feedback_file", name=path.name)


def _collected(store: Store, project_id: int, kind: str) -> int:
    """How many events (or survey answers) the app collected for the project."""
    if kind == "events":
        from parcours.store.collect import fingerprint
    else:
        from parcours.store.surveys import fingerprint
    return int(fingerprint(store, project_id)[0])


def listing(store: Store, project_id: int) -> list[dict[str, Any]]:
    """The project's sources as the API lists them (newest first), each with ``in_use``."""
    chosen = {c.source_id for c in sources.in_use(store, project_id).values()}
    return [{**describe_source(r), "in_use": r.id in chosen} for r in sources.list_sources(store, project_id)]


def feeding(store: Store, data_dir: Path, project_id: int) -> list[dict[str, Any]]:
    """What the live map reads, kind by kind: ``what`` is ``source`` (a chosen upload or table:
    ``source_id``, who chose it and when), ``map_file`` (the map's ``source.path``, used when no
    events source is chosen), ``feedback_file`` (``feedback.csv`` of the folder), ``collected``
    (events pushed to the collection API) or ``answers`` (answers to survey links: ``count``).
    A ``map_file`` the project may not read carries its ``problem``."""
    out: list[dict[str, Any]] = []
    m = _map(store, project_id)
    chosen = sources.in_use(store, project_id)
    for kind in sources.KINDS:
        c = chosen.get(kind)
        if c is not None:
            out.append({"kind": kind, "what": "source", "source_id": c.source_id, "name": c.source.original_name,
                        "format": c.source.format, "chosen_by": c.user.name if c.user else None,
                        "chosen_at": c.chosen_at.isoformat()})
        else:
            try:
                path = fallback(store, data_dir, project_id, m, kind)
            except ParcoursError as e:
                out.append({"kind": kind, "what": _WITHOUT[kind], "name": m.source.path, "problem": shown(e)})
            else:
                if path is not None:
                    out.append({"kind": kind, "what": _WITHOUT[kind], "name": path.name})
        n = _collected(store, project_id, kind)
        if n:
            out.append({"kind": kind, "what": "collected" if kind == "events" else "answers", "count": n})
    return out


def adopt_first(store: Store, data_dir: Path, row: DataSource, user_id: int | None) -> bool:
    """Put a just-validated source in use if the live map has nothing else of its kind to
    measure (no source chosen, no other file used without one): True if it was. Otherwise it
    waits for someone to choose it."""
    if sources.current(store, row.project_id, row.kind) is not None:
        return False
    try:
        used = fallback(store, data_dir, row.project_id, _map(store, row.project_id), row.kind)
    except ParcoursError:  # a source.path the project may not read measures nothing
        used = None
    # The file used without a choice may be this very upload (feedback.csv, or the map's
    # source.path naming it): then only the way it is read changes.
    if used is not None and used.resolve() != (data_dir / str(row.project_id) / row.name).resolve():
        return False
    return sources.adopt(store, row.project_id, row.id, user_id)


def choose(store: Store, data_dir: Path, project_id: int, source_id: int, user_id: int | None) -> Chosen:
    """Put the validated source in use for the live map (see :func:`parcours.store.sources.choose`);
    what it replaced (:class:`Chosen`). Raises :class:`~parcours.store.errors.NotFound`, :class:`~parcours.store.sources.NotUsable`
    (not validated, or refused) or :class:`~parcours.project.sources.SourceFileMissing`."""
    row = sources.get(store, project_id, source_id)
    if row.format != "table" and not (data_dir / str(project_id) / row.name).is_file():
        raise SourceFileMissing.of(row)
    instead = None
    if sources.current(store, project_id, row.kind) is None:
        instead = _fallback_name(store, data_dir, project_id, _map(store, project_id), row.kind)
    done = sources.choose(store, project_id, source_id, user_id, instead=instead)
    before = done.replaced.original_name if done.changed and done.replaced is not None else instead if done.changed else None
    return Chosen(done.source, done.replaced if done.changed else None, done.changed, before)


def release(store: Store, data_dir: Path, project_id: int, kind: str, user_id: int | None) -> Released:
    """Stop measuring the chosen source of ``kind``: the live map goes back to the file it
    measures without one (:func:`fallback`), if any. The released source (None when none was
    chosen) and what the live map measures ``then``."""
    sources.check_kind(kind)
    then = _fallback_name(store, data_dir, project_id, _map(store, project_id), kind) \
        or Said("no file: only what the app collected", "activity.only_collected")
    return Released(sources.release(store, project_id, kind, user_id, then=then), then)


# --- What changes ------------------------------------------------------------------------------

_profiles: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_profiles_lock = threading.Lock()


def _source_profile(row: DataSource) -> dict[str, Any]:
    """A validated source's rows, customers and period, from its last report (a source validated
    before profiles were kept has its rows only)."""
    rep = sources.report(row) or {}
    shape = rep.get("profile") or {}
    rows = shape.get("rows", rep.get("accepted"))
    return {"rows": rows, "customers": shape.get("customers"), "first": shape.get("first"), "last": shape.get("last")}


def _file_profile(path: Path, kind: str, m: Any) -> dict[str, Any]:
    """The rows, customers and period of a file the live map reads without a chosen source (read
    as the live map reads it, within the validation budget), kept while the file is unchanged."""
    from parcours.project.map_source import source_defaults

    st = path.stat()
    read: dict[str, Any] = {}
    if kind == "events":  # feedback.csv is read as analyze reads it: its columns detected
        d = source_defaults(m)
        read = {k: d[k] for k in ("columns", "fmt", "delimiter", "timezone", "time_unit", "date_format", "milestones", "sheet", "stitch")}
    key = (str(path), st.st_size, st.st_mtime_ns, kind, repr(sorted(read.items())))
    with _profiles_lock:
        if key in _profiles:
            return _profiles[key]
    from parcours.engine.connection import connect
    from parcours.project.budget import Budget, Watch, check_size

    watch = Watch(Budget.from_env(), path.name)
    check_size(path, read.get("fmt") or path.suffix.lstrip(".") or "csv", watch)
    con = watch.con = connect(None)
    try:
        with watch:
            if kind == "events":
                from parcours.ingest import read_events

                log: Any = read_events(path, max_bad_rows="100%", con=con, on_progress=watch.check, **read)
            else:
                from parcours.ingest.feedback import read_feedback

                log = read_feedback(path, m, max_bad_rows="100%", con=con)
            shape = profile(log.con, log.table, log.report.kept)
    except ParcoursError:
        raise
    except Exception:
        stop = watch.stopped()  # the engine was interrupted for the budget
        if stop is not None:
            raise stop from None
        raise
    finally:
        con.disconnect()
    with _profiles_lock:
        _profiles[key] = shape
        while len(_profiles) > 16:
            _profiles.popitem(last=False)
    return shape


def comparison(store: Store, data_dir: Path, row: DataSource) -> dict[str, Any]:
    """What choosing ``row`` changes for the live map: ``this`` (its rows, customers, period)
    beside ``in_use`` (the same for what is measured now, with its ``name``; None when nothing
    of its kind is; ``problem`` when it cannot be read), whether it ``is_in_use`` or ``usable``
    (validated), and ``collected``: what the app collected of its kind, measured either way."""
    kind, pid = row.kind, row.project_id
    m = _map(store, pid)
    chosen = sources.current(store, pid, kind)
    now: dict[str, Any] | None = None
    if chosen is not None:
        now = {"what": "source", "source_id": chosen.id, "name": chosen.original_name, **_source_profile(chosen)}
    else:
        try:
            path = fallback(store, data_dir, pid, m, kind)
            if path is not None:
                now = {"what": _WITHOUT[kind], "name": path.name}
                now.update(_file_profile(path, kind, m))
        except ParcoursError as e:  # the map's source.path refused, or its file unreadable: say so
            name = now["name"] if now is not None else m.source.path
            now = {"what": _WITHOUT[kind], "name": name, "rows": None, "customers": None, "first": None,
                   "last": None, "problem": shown(e)}
    return {"kind": kind, "this": _source_profile(row), "in_use": now,
            "is_in_use": chosen is not None and chosen.id == row.id, "usable": sources.is_mapped(row),
            "collected": _collected(store, pid, kind)}
