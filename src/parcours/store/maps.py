"""Map versions: every save of a project's journey map is a new version numbered 1, 2, 3...

A save names the version the editor started from (``base``). If someone saved meanwhile,
the save is refused with :class:`MapConflict` instead of silently overwriting their work;
the unique (project, number) pair settles two saves racing from the same base.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parcours.errors import ParcoursError
from parcours.model import JourneyMap, map_from_text
from parcours.store.activity import record, words
from parcours.store.db import Store
from parcours.store.errors import MapConflict, NotFound
from parcours.store.map_diff import diff_maps, text_diff
from parcours.store.models import MapVersion, Project, User
from parcours.store.version_said import SAID, said

SOURCE = "map.yaml"  # how errors name the text being saved


def parse_map(text: str, source: str = SOURCE) -> JourneyMap:
    """Validate YAML text as a journey map; a :class:`MapError` names line and field of each problem."""
    return map_from_text(text, source)


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def _latest(session: Session, project_id: int) -> MapVersion | None:
    return session.scalar(select(MapVersion).where(MapVersion.project_id == project_id)
                          .order_by(MapVersion.number.desc()).limit(1))


def _conflict(where: str, base: int | None, latest: MapVersion) -> MapConflict:
    return MapConflict(where, base, latest.number, latest.author_name, latest.created_at)


def _message_words(message: str) -> str | dict[str, Any]:
    """A version's message as the activity feed keeps it: words when the app wrote it (said in
    each reader's language), the text a person typed as it is."""
    found = SAID.words_of(message)
    return found[0] if found and len(found) == 1 else message


def save_map(store: Store, project_id: int, yaml_text: str, author_id: int, *, base: int | None,
             message: str = "") -> MapVersion:
    """Save ``yaml_text`` as the project's next version, if it is a valid map and ``base`` (the
    version the editor started from; None for a project without a map) is still the latest.

    Raises :class:`MapError` (invalid map), :class:`MapConflict` (saved meanwhile) or
    :class:`NotFound` (no such project, author or base version).
    """
    parse_map(yaml_text)
    try:
        with store.transaction() as session:
            where = f"project {_project(session, project_id).slug!r}"  # a rollback expires the object
            author = session.get(User, author_id)
            if author is None:
                raise NotFound(f"no user {author_id}")
            latest = _latest(session, project_id)
            newest = latest.number if latest else 0
            if base is not None and not 1 <= base <= newest:
                raise NotFound(f"{where} has no version {base}",
                               hint=f"its latest version is {newest}" if newest else "it has no map yet: save with no base")
            if latest is not None and base != newest:
                raise _conflict(where, base, latest)
            version = MapVersion(project_id=project_id, number=newest + 1, yaml=yaml_text, author=author,
                                 message=message)
            session.add(version)
            record(session, project_id, author_id, "map_saved",
                   f"saved version {newest + 1}" + (f": {message}" if message else ""),
                   words=words("activity.map_saved_message", n=newest + 1, message=_message_words(message)) if message
                   else words("activity.map_saved", n=newest + 1))
    except IntegrityError:
        # Another save read the same latest version and inserted this number first.
        with store.transaction() as session:
            latest = _latest(session, project_id)
        if latest is None or latest.number < newest + 1:
            raise
        raise _conflict(where, base, latest) from None
    return version


def list_versions(store: Store, project_id: int) -> list[MapVersion]:
    """The project's versions, oldest first."""
    with store.transaction() as session:
        _project(session, project_id)
        return list(session.scalars(select(MapVersion).where(MapVersion.project_id == project_id)
                                    .order_by(MapVersion.number)))


def get_version(store: Store, project_id: int, number: int | None = None) -> MapVersion:
    """Version ``number`` of the project's map (the latest when None)."""
    with store.transaction() as session:
        project = _project(session, project_id)
        if number is None:
            version = _latest(session, project_id)
        else:
            version = session.scalar(select(MapVersion).where(MapVersion.project_id == project_id,
                                                              MapVersion.number == number))
        if version is None:
            latest = _latest(session, project_id)
            raise NotFound(f"project {project.slug!r} has no map version {number or ''}".rstrip(),
                           hint=f"its versions are 1 to {latest.number}" if latest else "save a map first")
        return version


def latest_version(store: Store, project_id: int) -> MapVersion | None:
    """The latest version of the project's map, or None when it has none yet."""
    try:
        return get_version(store, project_id)
    except NotFound:
        return None


_parsed: dict[str, JourneyMap] = {}  # by YAML text: right whatever database the version came from
_parsed_lock = threading.Lock()


def map_of(version: MapVersion, source: str | None = None) -> JourneyMap:
    """The version's map, parsed once per text (``source`` names it in a :class:`MapError`)."""
    key = version.yaml
    with _parsed_lock:
        if key in _parsed:
            return _parsed[key]
    m = parse_map(version.yaml, source or f"map v{version.number}")
    with _parsed_lock:
        if len(_parsed) > 256:
            _parsed.clear()
        _parsed[key] = m
    return m


def latest_map(store: Store, project_id: int) -> JourneyMap | None:
    """The project's latest map; None when it has none, or none that parses (saved maps are
    valid; an older Parcours may have saved a map this one rejects)."""
    version = latest_version(store, project_id)
    if version is None:
        return None
    try:
        return map_of(version)
    except ParcoursError:
        return None


def map_at(store: Store, project_id: int, number: int | None = None) -> JourneyMap | None:
    """Version ``number``'s map (the latest when None); None when no number is asked and the
    project has no map yet, :class:`NotFound` when the version asked for does not exist."""
    try:
        version = get_version(store, project_id, number)
    except NotFound:
        if number is not None:
            raise
        return None
    return map_of(version, f"v{version.number}")


def restore(store: Store, project_id: int, number: int, author_id: int, base: int | None) -> MapVersion:
    """Save version ``number``'s content again, as a new version ("restored vN")."""
    old = get_version(store, project_id, number)
    return save_map(store, project_id, old.yaml, author_id, base=base, message=said("restored", n=number))


def diff(store: Store, project_id: int, a: int, b: int) -> dict[str, Any]:
    """What changed from version ``a`` to version ``b``: see :func:`diff_maps`, plus ``from``,
    ``to`` and ``text`` (a unified diff of the YAML)."""
    old, new = get_version(store, project_id, a), get_version(store, project_id, b)
    structured = diff_maps(parse_map(old.yaml, f"v{a}"), parse_map(new.yaml, f"v{b}"))
    return {"from": a, "to": b, **structured, "text": text_diff(old.yaml, new.yaml, f"v{a}", f"v{b}")}
