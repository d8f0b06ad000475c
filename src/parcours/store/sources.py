"""A project's data sources: event logs and feedback files uploaded to its data folder, or a
table of a database pointed at.

A source is a row of ``data_sources``: the file's ``name`` in the project's data folder
(unique per project), the name it was uploaded under, its kind (``events`` or ``feedback``),
format and size. ``columns`` (JSON text) holds how to read it: ``{"roles": {role: column} or
null, "options": {...}}`` plus, for a table, ``url`` and ``table``; ``report`` (JSON text) is
the last validation report (rows read = accepted + quarantined). A source is *mapped* once a
validation stored its roles: :func:`current` gives the latest mapped source of a kind, the
one the project's live map is measured on.

>>> from parcours.store import connect, create_workspace, create_project
>>> store = connect("sqlite://"); _ = store.migrate()
>>> project = create_project(store, create_workspace(store, "CX").id, "Achat")
>>> s = add(store, project.id, name="events.csv", original_name="events.csv", kind="events", format="csv", size=10)
>>> current(store, project.id, "events") is None
True
>>> _ = set_mapping(store, s.id, '{"roles": {"customer": "id"}}', '{"read": 3, "accepted": 3, "quarantined": 0}')
>>> current(store, project.id, "events").name
'events.csv'
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from parcours.errors import OptionError
from parcours.store.activity import record
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import DataSource, Project

KINDS = ("events", "feedback")


class NameTaken(OptionError):
    """Another source of the project already has this name."""


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise OptionError(f"kind {kind!r}: a data source holds events or feedback",
                          hint=f"give kind={' or kind='.join(KINDS)}")


def add(store: Store, project_id: int, *, name: str, original_name: str, kind: str, format: str, size: int,
        uploaded_by: int | None = None, columns: str | None = None) -> DataSource:
    """Record a new source (the file is already in the project's data folder). Raises
    :class:`NameTaken` when the project has a source of that name, :class:`NotFound` without
    such a project."""
    _check_kind(kind)
    row = DataSource(project_id=project_id, name=name, original_name=original_name[:255], kind=kind,
                     format=format, size=size, uploaded_by=uploaded_by, columns=columns)
    try:
        with store.transaction() as session:
            if session.get(Project, project_id) is None:
                raise NotFound(f"no project {project_id}")
            session.add(row)
            session.flush()
            what = "pointed at the table" if format == "table" else "uploaded"
            record(session, project_id, uploaded_by, "data_uploaded",
                   f"{what} {original_name} ({kind}, {format}" + (f", {size:,} bytes)" if format != "table" else ")"),
                   target_kind="data_source", target_id=str(row.id))
    except IntegrityError:
        raise NameTaken(f"the project already has a data source named {name!r}",
                        hint="delete it first, or upload under another name") from None
    return row


def names(store: Store, project_id: int) -> set[str]:
    """The names of the project's sources."""
    with store.transaction() as session:
        return set(session.scalars(select(DataSource.name).where(DataSource.project_id == project_id)))


def list_sources(store: Store, project_id: int, kind: str | None = None) -> list[DataSource]:
    """The project's sources, newest first."""
    with store.transaction() as session:
        q = select(DataSource).where(DataSource.project_id == project_id)
        if kind is not None:
            q = q.where(DataSource.kind == kind)
        return list(session.scalars(q.order_by(DataSource.id.desc())))


def get(store: Store, project_id: int, source_id: int) -> DataSource:
    """Source ``source_id`` of the project (:class:`NotFound` when it is another project's)."""
    with store.transaction() as session:
        row = session.get(DataSource, source_id)
        if row is None or row.project_id != project_id:
            raise NotFound(f"no data source {source_id} in this project",
                           hint="list the project's sources with GET /api/v1/projects/{id}/data")
        return row


def delete(store: Store, project_id: int, source_id: int, user_id: int | None = None) -> DataSource:
    """Remove the source's row (the caller removes its files); returns the removed row."""
    with store.transaction() as session:
        row = session.get(DataSource, source_id)
        if row is None or row.project_id != project_id:
            raise NotFound(f"no data source {source_id} in this project")
        session.delete(row)
        record(session, project_id, user_id, "data_deleted", f"deleted the data source {row.original_name}",
               target_kind="data_source", target_id=str(source_id))
        return row


def set_mapping(store: Store, source_id: int, columns_json: str, report_json: str,
                user_id: int | None = None) -> DataSource:
    """Store the source's column roles and its validation report (both JSON text)."""
    report = json.loads(report_json)
    with store.transaction() as session:
        row = session.get(DataSource, source_id)
        if row is None:
            raise NotFound(f"no data source {source_id}")
        row.columns, row.report = columns_json, report_json
        counts = ""
        if isinstance(report, dict) and "read" in report:
            counts = (f": {report['read']:,} rows read = {report.get('accepted', 0):,} accepted"
                      f" + {report.get('quarantined', 0):,} quarantined")
        record(session, row.project_id, user_id, "data_mapped", f"validated {row.original_name}{counts}",
               target_kind="data_source", target_id=str(source_id))
        return row


def mapping(row: DataSource) -> dict[str, Any]:
    """The source's ``columns`` JSON as a dict (``roles`` is None until it is mapped)."""
    try:
        data = json.loads(row.columns) if row.columns else {}
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    data.setdefault("roles", None)
    data.setdefault("options", {})
    return data


def report(row: DataSource) -> dict[str, Any] | None:
    """The source's last validation report, if any."""
    try:
        data = json.loads(row.report) if row.report else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def is_mapped(row: DataSource) -> bool:
    return mapping(row)["roles"] is not None


def current(store: Store, project_id: int, kind: str) -> DataSource | None:
    """The latest source of ``kind`` that has been validated with its column roles, or None."""
    _check_kind(kind)
    for row in list_sources(store, project_id, kind):
        if is_mapped(row):
            return row
    return None
