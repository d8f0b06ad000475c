"""A project's data sources: event logs and feedback files uploaded to its data folder, or a
table of a database pointed at; and the one of each kind its live map measures.

A source is a row of ``data_sources``: the file's ``name`` in the project's data folder
(unique per project), the name it was uploaded under, its kind (``events`` or ``feedback``),
format and size. ``columns`` (JSON text) holds how to read it: ``{"roles": {role: column} or
null, "options": {...}}`` plus, for a table, ``url`` and ``table``; ``report`` (JSON text) is
the last validation report (rows read = accepted + quarantined). A source is *mapped*, so
usable, once a validation stored its roles.

A source goes live only when someone chooses it (issue 23): ``sources_in_use`` keeps, per
project and kind, the source chosen (:func:`choose`; :func:`adopt` for the first one when
nothing else is measured), who chose it and when; :func:`current` is that source, the one the
project's live map is measured on. Each choice writes a line of the activity feed; the earlier
sources stay, so a team can switch back.

>>> from parcours.store import connect, create_workspace, create_project
>>> store = connect("sqlite://"); _ = store.migrate()
>>> project = create_project(store, create_workspace(store, "CX").id, "Achat")
>>> s = add(store, project.id, name="events.csv", original_name="events.csv", kind="events", format="csv", size=10)
>>> _ = set_mapping(store, s.id, '{"roles": {"customer": "id"}}', '{"read": 3, "accepted": 3, "quarantined": 0}')
>>> current(store, project.id, "events") is None  # validated, not chosen yet
True
>>> choose(store, project.id, s.id, None).replaced is None
True
>>> current(store, project.id, "events").name
'events.csv'
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from parcours.errors import OptionError
from parcours.store.activity import number, record, words
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import Base, DataSource, Project, User, UtcDateTime, now

KINDS = ("events", "feedback")


class SourceInUse(Base):
    """The source of one kind (events, feedback) a project's live map measures, and who chose it
    when (migration 0004). At most one per project and kind; it goes with its source."""

    __tablename__ = "sources_in_use"
    __table_args__ = (UniqueConstraint("project_id", "kind"),
                      CheckConstraint("kind IN ('events', 'feedback')", name="kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(ForeignKey("data_sources.id", ondelete="CASCADE"), index=True)
    chosen_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    chosen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)

    source: Mapped[DataSource] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class NameTaken(OptionError):
    """Another source of the project already has this name."""


class NotUsable(OptionError):
    """A source that cannot be put in use: it has not been validated, or its validation was refused."""


@dataclass(frozen=True)
class Choice:
    """What :func:`choose` did: the source now in use, the one it replaced (None: none was
    chosen), and whether anything changed (choosing the source in use changes nothing)."""

    source: DataSource
    replaced: DataSource | None
    changed: bool


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise OptionError(f"kind {kind!r}: a data source holds events or feedback",
                          hint=f"give kind={' or kind='.join(KINDS)}")


def add(store: Store, project_id: int, *, name: str, original_name: str, kind: str, format: str, size: int,
        uploaded_by: int | None = None, columns: str | None = None) -> DataSource:
    """Record a new source (the file is already in the project's data folder). Raises
    :class:`NameTaken` when the project has a source of that name, :class:`NotFound` without
    such a project."""
    check_kind(kind)
    row = DataSource(project_id=project_id, name=name, original_name=original_name[:255], kind=kind,
                     format=format, size=size, uploaded_by=uploaded_by, columns=columns)
    try:
        with store.transaction() as session:
            if session.get(Project, project_id) is None:
                raise NotFound(f"no project {project_id}")
            session.add(row)
            session.flush()
            what = "pointed at the table" if format == "table" else "uploaded"
            said = (words("activity.table_added", name=original_name, kind=words(f"data.kind.{kind}"))
                    if format == "table" else words("activity.data_uploaded", name=original_name,
                                                    kind=words(f"data.kind.{kind}"), format=format, size=number(size)))
            record(session, project_id, uploaded_by, "data_uploaded",
                   f"{what} {original_name} ({kind}, {format}" + (f", {size:,} bytes)" if format != "table" else ")"),
                   target_kind="data_source", target_id=str(row.id), words=said)
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
        was_in_use = session.scalar(select(SourceInUse.id).where(SourceInUse.source_id == source_id)) is not None
        session.delete(row)  # its choice goes with it (ON DELETE CASCADE)
        note = f" (it was in use: the live map no longer measures its {row.kind})" if was_in_use else ""
        said = (words("activity.data_deleted_in_use", name=row.original_name, kind=words(f"data.kind_of.{row.kind}"))
                if was_in_use else words("activity.data_deleted", name=row.original_name))
        record(session, project_id, user_id, "data_deleted", f"deleted the data source {row.original_name}{note}",
               target_kind="data_source", target_id=str(source_id), words=said)
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
        counts, said = "", words("activity.data_mapped_plain", name=row.original_name)
        if isinstance(report, dict) and "read" in report:
            counts = (f": {report['read']:,} rows read = {report.get('accepted', 0):,} accepted"
                      f" + {report.get('quarantined', 0):,} quarantined")
            said = words("activity.data_mapped", name=row.original_name, read=number(report["read"]),
                         accepted=number(report.get("accepted", 0)), quarantined=number(report.get("quarantined", 0)))
        record(session, row.project_id, user_id, "data_mapped", f"validated {row.original_name}{counts}",
               target_kind="data_source", target_id=str(source_id), words=said)
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


def set_refused(store: Store, source_id: int, report_json: str, user_id: int | None = None) -> DataSource:
    """Keep the report of a validation that was refused (too many rows cannot be used) on a
    source that has no accepted validation, so its page says why it cannot be used; its roles
    stay unset: it is not usable."""
    report = json.loads(report_json)
    with store.transaction() as session:
        row = session.get(DataSource, source_id)
        if row is None:
            raise NotFound(f"no data source {source_id}")
        row.report = report_json
        counts = f": {report.get('quarantined', 0):,} of {report.get('read', 0):,} rows cannot be used" \
            if isinstance(report, dict) else ""
        said = words("activity.data_refused", name=row.original_name, quarantined=number(report.get("quarantined", 0)),
                     read=number(report.get("read", 0))) if isinstance(report, dict) else None
        record(session, row.project_id, user_id, "data_refused", f"refused {row.original_name}{counts}",
               target_kind="data_source", target_id=str(source_id), words=said)
        return row


def current(store: Store, project_id: int, kind: str) -> DataSource | None:
    """The source of ``kind`` chosen for the project's live map (:func:`choose`), or None."""
    check_kind(kind)
    with store.transaction() as session:
        chosen = _chosen(session, project_id, kind)
        return chosen.source if chosen is not None else None


def in_use(store: Store, project_id: int) -> dict[str, SourceInUse]:
    """The project's choices by kind, with their source and who chose them."""
    with store.transaction() as session:
        return {c.kind: c for c in session.scalars(select(SourceInUse).where(SourceInUse.project_id == project_id))}


def _chosen(session: Session, project_id: int, kind: str) -> SourceInUse | None:
    return session.scalar(select(SourceInUse).where(SourceInUse.project_id == project_id, SourceInUse.kind == kind))


def _usable(session: Session, project_id: int, source_id: int) -> DataSource:
    row = session.get(DataSource, source_id)
    if row is None or row.project_id != project_id:
        raise NotFound(f"no data source {source_id} in this project",
                       hint="list the project's sources with GET /api/v1/projects/{id}/data")
    if not is_mapped(row):
        refused = (report(row) or {}).get("refused")
        why = f"its validation was refused: {refused['message']}" if isinstance(refused, dict) and \
            refused.get("message") else "it has not been validated"
        raise NotUsable(f"{row.original_name} cannot be used for the live map: {why}",
                        hint="choose its column roles and validate it on its page first")
    return row


def choose(store: Store, project_id: int, source_id: int, user_id: int | None, *,
           instead: str | None = None) -> Choice:
    """Put the validated source ``source_id`` in use for the live map's measures of its kind,
    replacing the one chosen before (kept: it can be chosen again); the activity feed says who
    switched from which to which (``instead``: what the live map measured when no source was
    chosen, e.g. the map's file). :class:`NotUsable` when the source has no accepted validation,
    :class:`NotFound` when it is not the project's."""
    with store.transaction() as session:
        row = _usable(session, project_id, source_id)
        chosen = _chosen(session, project_id, row.kind)
        if chosen is not None and chosen.source_id == row.id:
            return Choice(row, row, changed=False)
        old = chosen.source if chosen is not None else None
        if chosen is None:
            session.add(SourceInUse(project_id=project_id, kind=row.kind, source_id=row.id, chosen_by=user_id))
        else:
            chosen.source, chosen.chosen_by, chosen.chosen_at = row, user_id, now()
        before = old.original_name if old is not None else instead
        kind = words(f"data.kind_of.{row.kind}")
        said = (words("activity.data_in_use_instead", name=row.original_name, kind=kind,
                      before=getattr(before, "words", before)) if before
                else words("activity.data_in_use", name=row.original_name, kind=kind))
        record(session, project_id, user_id, "data_in_use",
               f"put {row.original_name} in use for the live map's {row.kind}"
               + (f", instead of {before}" if before else ""), target_kind="data_source", target_id=str(row.id),
               words=said)
        session.flush()
        return Choice(row, old, changed=True)


def adopt(store: Store, project_id: int, source_id: int, user_id: int | None) -> bool:
    """Put the validated source in use when no source of its kind is (the project's first):
    True if it was; False when one was chosen meanwhile (nothing changes then)."""
    try:
        with store.transaction() as session:
            row = _usable(session, project_id, source_id)
            if _chosen(session, project_id, row.kind) is not None:
                return False
            session.add(SourceInUse(project_id=project_id, kind=row.kind, source_id=row.id, chosen_by=user_id))
            session.flush()
            record(session, project_id, user_id, "data_in_use",
                   f"put {row.original_name} in use for the live map's {row.kind} (the first validated)",
                   target_kind="data_source", target_id=str(row.id),
                   words=words("activity.data_in_use_first", name=row.original_name,
                               kind=words(f"data.kind_of.{row.kind}")))
    except IntegrityError:  # another validation adopted its source at the same moment
        return False
    return True


def release(store: Store, project_id: int, kind: str, user_id: int | None, *,
            then: str | None = None) -> DataSource | None:
    """Stop measuring the chosen source of ``kind`` (it stays, and can be chosen again): the
    live map falls back to what it measures without one (``then`` says what, for the feed).
    The released source, None when none was chosen."""
    check_kind(kind)
    with store.transaction() as session:
        chosen = _chosen(session, project_id, kind)
        if chosen is None:
            return None
        row = chosen.source
        session.delete(chosen)
        summary = f"stopped using {row.original_name} for the live map's {kind}" + (f": it measures {then}" if then else "")
        said = words("activity.data_released", name=row.original_name, kind=words(f"data.kind_of.{kind}"),
                     then=getattr(then, "words", then or ""))
        record(session, project_id, user_id, "data_in_use", summary, target_kind="data_source", target_id=str(row.id),
               words=said)
        return row
