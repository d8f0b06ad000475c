"""The app's tables (SQLAlchemy 2 typed declarative): users, workspaces, memberships,
projects and map versions (migration 0001); API tokens, activity, comments and mentions,
survey links and answers, collected events, data sources (migration 0002); sign-ins, log-in
failures, invitations, granted folders, named connections, app activity (migration 0003). The
schema itself is created by the Alembic migrations in ``migrations/versions``; keep both in
step (``tests/store`` compares them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, DateTime, Float, ForeignKey, Integer, MetaData, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

ROLES = ("admin", "editor", "viewer")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every backend (SQLite keeps no time zone; PostgreSQL answers
    in the session's time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    # Named constraints: migrations can refer to them on every backend.
    metadata = MetaData(naming_convention={
        "pk": "pk_%(table_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s", "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s", "ck": "ck_%(table_name)s_%(constraint_name)s",
    })


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"User(id={self.id}, email={self.email!r})"


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)

    def __repr__(self) -> str:
        return f"Workspace(id={self.id}, slug={self.slug!r})"


class Membership(Base):
    """A user's role in a workspace: admin, editor or viewer."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))

    def __repr__(self) -> str:
        return f"Membership(user_id={self.user_id}, workspace_id={self.workspace_id}, role={self.role!r})"


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)

    def __repr__(self) -> str:
        return f"Project(id={self.id}, slug={self.slug!r})"


class MapVersion(Base):
    """One saved state of a project's journey map. ``number`` counts 1, 2, 3... per project;
    the unique (project, number) pair is what makes two concurrent saves collide."""

    __tablename__ = "map_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"), CheckConstraint("number >= 1", name="number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    yaml: Mapped[str] = mapped_column(Text)
    # Versions outlive their author's account.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)
    message: Mapped[str] = mapped_column(Text, default="")

    # Loaded with the version: versions are used after their session has closed.
    author: Mapped[User | None] = relationship(lazy="joined")

    @property
    def author_name(self) -> str:
        return self.author.name if self.author else "a deleted user"

    def __repr__(self) -> str:
        return f"MapVersion(project_id={self.project_id}, number={self.number})"


# --- Issue 5, second migration: what the team does around the map -------------------------

TARGET_KINDS = ("project", "stage", "touchpoint", "pain_point")
METRICS = ("nps", "csat", "ces")
LANGS = ("fr", "en")


class ApiToken(Base):
    """A personal API token: acts as its user (same roles), sent as ``Authorization: Bearer``.
    Only a SHA-256 hash of the token is kept; ``prefix`` lets the owner recognise it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Activity(Base):
    """One line of a project's activity feed (map saved, comment, upload, survey link...)."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    target_kind: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)

    user: Mapped[User | None] = relationship(lazy="joined")


class Comment(Base):
    """A comment on a project, or on one of its map's stages, touchpoints or pain points (by id)."""

    __tablename__ = "comments"
    __table_args__ = (CheckConstraint("target_kind IN ('project', 'stage', 'touchpoint', 'pain_point')",
                                      name="target_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)

    author: Mapped[User | None] = relationship(lazy="joined")


class CommentMention(Base):
    """A user mentioned (``@name`` or ``@email``) in a comment."""

    __tablename__ = "comment_mentions"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class SurveyLink(Base):
    """A survey link for one touchpoint: one question (NPS, CSAT or CES) and a comment box, in
    French or English, answered without an account at ``/s/<token>``."""

    __tablename__ = "survey_links"
    __table_args__ = (CheckConstraint("metric IN ('nps', 'csat', 'ces')", name="metric"),
                      CheckConstraint("lang IN ('fr', 'en')", name="lang"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    touchpoint_id: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(4))
    lang: Mapped[str] = mapped_column(String(2))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SurveyAnswer(Base):
    """One answer to a survey link. ``submission_id`` is the form's one-time id: the same
    submission sent twice (double click, retry) is stored once."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("link_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("survey_links.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[str] = mapped_column(String(64))
    customer_ref: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)


class CollectedEvent(Base):
    """An event pushed to the collection endpoint; ``(project, event_id)`` is unique, so a batch
    sent again adds nothing. ``attributes`` is a JSON object (text)."""

    __tablename__ = "collected_events"
    __table_args__ = (UniqueConstraint("project_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(200))
    customer: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(200))
    ts: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)


class DataSource(Base):
    """A file of the project's data folder (uploaded, or a path/table pointed at), with its
    column roles and the last validation report (JSON text: read, accepted, quarantined...)."""

    __tablename__ = "data_sources"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))  # file name in the project's data folder
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))  # "events" or "feedback"
    format: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)
    columns: Mapped[str | None] = mapped_column(Text)
    report: Mapped[str | None] = mapped_column(Text)


# --- Issue 21, third migration: security --------------------------------------------------

class SignIn(Base):
    """One signed-in browser: the session cookie carries a random token whose SHA-256 hash is
    kept here. Log-out ends it; a password change, a secret rotation or an administrator's
    "sign out everywhere" end every sign-in of the user; an ended or expired sign-in is refused
    on the next request."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    """A failed log-in, by the email it named (lower-case, known or not) and the address it
    came from: repeated failures slow further attempts down (``parcours.store.throttle``)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now, index=True)


class Invitation(Base):
    """An invitation to a workspace with a role, sent to an email: it becomes a membership only
    when the invitee accepts it (signed in as that email, or creating an account if the app's
    settings allow it). Only a hash of its token is kept."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class GrantedFolder(Base):
    """A server folder an app administrator lets one workspace read DuckDB files (and data files)
    from, beside its projects' own data folders."""

    __tablename__ = "granted_folders"
    __table_args__ = (UniqueConstraint("workspace_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(1000))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)


class NamedConnection(Base):
    """A database connection an app administrator registered for one workspace: its members name
    it (``name``); the URL, with its credentials, stays on the server and is never shown."""

    __tablename__ = "named_connections"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now)


class AppActivity(Base):
    """The app's own activity feed, beside the projects' (app administrators read it): log-ins
    refused or slowed down, sessions ended everywhere, secret rotated, folders granted,
    connections registered, invitations."""

    __tablename__ = "app_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=now, index=True)
