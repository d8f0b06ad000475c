"""The source each project's live map measures, chosen by someone (issue 23): ``sources_in_use``,
one row per project and kind (events, feedback).

Before, the live map measured the latest validated source of each kind, so an upload went live
as soon as it was validated. Existing projects keep what they measure: their latest validated
source of each kind is recorded as the one in use (chosen by nobody, now).

Hand-written, portable to SQLite and PostgreSQL; constraint names follow the naming
convention of ``parcours.store.models.Base``.

Revision ID: 0004_sources_in_use
Revises: 0003_security
"""

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0004_sources_in_use"
down_revision = "0003_security"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}"), ondelete=ondelete)


def _mapped(columns: str | None) -> bool:
    """Did a validation store the source's roles (``parcours.store.sources.is_mapped``)?"""
    try:
        data = json.loads(columns) if columns else {}
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("roles") is not None


def upgrade() -> None:
    table = op.create_table(
        "sources_in_use",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source_id", sa.Integer, nullable=False),
        sa.Column("chosen_by", sa.Integer, nullable=True),
        sa.Column("chosen_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources_in_use")),
        _fk("sources_in_use", "project_id", "projects", "CASCADE"),
        _fk("sources_in_use", "source_id", "data_sources", "CASCADE"),
        _fk("sources_in_use", "chosen_by", "users", "SET NULL"),
        sa.UniqueConstraint("project_id", "kind", name=op.f("uq_sources_in_use_project_id_kind")),
        sa.CheckConstraint("kind IN ('events', 'feedback')", name=op.f("ck_sources_in_use_kind")),
    )
    op.create_index(op.f("ix_sources_in_use_project_id"), "sources_in_use", ["project_id"])
    op.create_index(op.f("ix_sources_in_use_source_id"), "sources_in_use", ["source_id"])
    # What each project measured until now: its latest validated source of each kind.
    sources = sa.table("data_sources", sa.column("id", sa.Integer), sa.column("project_id", sa.Integer),
                       sa.column("kind", sa.String), sa.column("columns", sa.Text))
    found: dict[tuple[int, str], int] = {}
    for id_, project_id, kind, columns in op.get_bind().execute(
            sa.select(sources.c.id, sources.c.project_id, sources.c.kind, sources.c.columns)
            .order_by(sources.c.id.desc())):
        if kind in ("events", "feedback") and (project_id, kind) not in found and _mapped(columns):
            found[(project_id, kind)] = id_
    when = dt.datetime.now(dt.UTC)
    if found:
        op.bulk_insert(table, [{"project_id": p, "kind": k, "source_id": s, "chosen_by": None, "chosen_at": when}
                               for (p, k), s in sorted(found.items())])


def downgrade() -> None:
    op.drop_table("sources_in_use")
