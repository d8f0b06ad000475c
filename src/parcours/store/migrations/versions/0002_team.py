"""What the team does around the map: API tokens, activity feed, comments and mentions,
survey links and answers, collected events, data sources.

Hand-written, portable to SQLite and PostgreSQL; constraint names follow the naming
convention of ``parcours.store.models.Base``.

Revision ID: 0002_team
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_team"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}"), ondelete=ondelete)


def _id(table: str) -> list:
    return [sa.Column("id", sa.Integer, nullable=False), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))]


def upgrade() -> None:
    op.create_table(
        "api_tokens", *_id("api_tokens"),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("last_used_at", UtcDateTime, nullable=True),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
        _fk("api_tokens", "user_id", "users", "CASCADE"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.create_table(
        "activity", *_id("activity"),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("target_kind", sa.String(20), nullable=True),
        sa.Column("target_id", sa.String(100), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        _fk("activity", "project_id", "projects", "CASCADE"),
        _fk("activity", "user_id", "users", "SET NULL"),
    )
    op.create_index(op.f("ix_activity_project_id"), "activity", ["project_id"])
    op.create_table(
        "comments", *_id("comments"),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("author_id", sa.Integer, nullable=True),
        sa.Column("target_kind", sa.String(20), nullable=False),
        sa.Column("target_id", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        _fk("comments", "project_id", "projects", "CASCADE"),
        _fk("comments", "author_id", "users", "SET NULL"),
        sa.CheckConstraint("target_kind IN ('project', 'stage', 'touchpoint', 'pain_point')",
                           name=op.f("ck_comments_target_kind")),
    )
    op.create_index(op.f("ix_comments_project_id"), "comments", ["project_id"])
    op.create_table(
        "comment_mentions",
        sa.Column("comment_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("comment_id", "user_id", name=op.f("pk_comment_mentions")),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_comment_mentions_comment_id"),
                                ondelete="CASCADE"),
        _fk("comment_mentions", "user_id", "users", "CASCADE"),
    )
    op.create_table(
        "survey_links", *_id("survey_links"),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("touchpoint_id", sa.String(100), nullable=False),
        sa.Column("metric", sa.String(4), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        _fk("survey_links", "project_id", "projects", "CASCADE"),
        _fk("survey_links", "created_by", "users", "SET NULL"),
        sa.UniqueConstraint("token", name=op.f("uq_survey_links_token")),
        sa.CheckConstraint("metric IN ('nps', 'csat', 'ces')", name=op.f("ck_survey_links_metric")),
        sa.CheckConstraint("lang IN ('fr', 'en')", name=op.f("ck_survey_links_lang")),
    )
    op.create_index(op.f("ix_survey_links_project_id"), "survey_links", ["project_id"])
    op.create_table(
        "survey_answers", *_id("survey_answers"),
        sa.Column("link_id", sa.Integer, nullable=False),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("submission_id", sa.String(64), nullable=False),
        sa.Column("customer_ref", sa.String(200), nullable=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        _fk("survey_answers", "link_id", "survey_links", "CASCADE"),
        _fk("survey_answers", "project_id", "projects", "CASCADE"),
        # The same submission sent twice (double click, retry after a timeout) is stored once.
        sa.UniqueConstraint("link_id", "submission_id", name=op.f("uq_survey_answers_link_id_submission_id")),
    )
    op.create_index(op.f("ix_survey_answers_link_id"), "survey_answers", ["link_id"])
    op.create_index(op.f("ix_survey_answers_project_id"), "survey_answers", ["project_id"])
    op.create_table(
        "collected_events", *_id("collected_events"),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("event", sa.String(200), nullable=False),
        sa.Column("ts", UtcDateTime, nullable=False),
        sa.Column("channel", sa.String(100), nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("attributes", sa.Text, nullable=True),
        sa.Column("received_at", UtcDateTime, nullable=False),
        _fk("collected_events", "project_id", "projects", "CASCADE"),
        # A batch sent again adds nothing: events are idempotent by id.
        sa.UniqueConstraint("project_id", "event_id", name=op.f("uq_collected_events_project_id_event_id")),
    )
    op.create_table(
        "data_sources", *_id("data_sources"),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("uploaded_by", sa.Integer, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("columns", sa.Text, nullable=True),
        sa.Column("report", sa.Text, nullable=True),
        _fk("data_sources", "project_id", "projects", "CASCADE"),
        _fk("data_sources", "uploaded_by", "users", "SET NULL"),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_data_sources_project_id_name")),
    )
    op.create_index(op.f("ix_data_sources_project_id"), "data_sources", ["project_id"])


def downgrade() -> None:
    for table in ("data_sources", "collected_events", "survey_answers", "survey_links", "comment_mentions",
                  "comments", "activity", "api_tokens"):
        op.drop_table(table)
