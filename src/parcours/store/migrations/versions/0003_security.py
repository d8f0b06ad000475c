"""Security (issue 21): revocable sign-ins, log-in failures for throttling, workspace
invitations, folders and database connections granted by app administrators, and the app's
own activity feed.

Hand-written, portable to SQLite and PostgreSQL; constraint names follow the naming
convention of ``parcours.store.models.Base``.

Revision ID: 0003_security
Revises: 0002_team
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_security"
down_revision = "0002_team"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}"), ondelete=ondelete)


def _id(table: str) -> list:
    return [sa.Column("id", sa.Integer, nullable=False), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))]


def upgrade() -> None:
    op.create_table(
        "sign_ins", *_id("sign_ins"),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=True),
        sa.Column("ended_at", UtcDateTime, nullable=True),
        _fk("sign_ins", "user_id", "users", "CASCADE"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_ins_token_hash")),
    )
    op.create_index(op.f("ix_sign_ins_user_id"), "sign_ins", ["user_id"])
    op.create_table(
        "login_failures", *_id("login_failures"),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    for column in ("email", "address", "created_at"):
        op.create_index(op.f(f"ix_login_failures_{column}"), "login_failures", [column])
    op.create_table(
        "invitations", *_id("invitations"),
        sa.Column("workspace_id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by", sa.Integer, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("accepted_by", sa.Integer, nullable=True),
        sa.Column("accepted_at", UtcDateTime, nullable=True),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
        _fk("invitations", "workspace_id", "workspaces", "CASCADE"),
        _fk("invitations", "invited_by", "users", "SET NULL"),
        _fk("invitations", "accepted_by", "users", "SET NULL"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
        sa.CheckConstraint("role IN ('admin', 'editor', 'viewer')", name=op.f("ck_invitations_role")),
    )
    op.create_index(op.f("ix_invitations_workspace_id"), "invitations", ["workspace_id"])
    op.create_table(
        "granted_folders", *_id("granted_folders"),
        sa.Column("workspace_id", sa.Integer, nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("granted_by", sa.Integer, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        _fk("granted_folders", "workspace_id", "workspaces", "CASCADE"),
        _fk("granted_folders", "granted_by", "users", "SET NULL"),
        sa.UniqueConstraint("workspace_id", "path", name=op.f("uq_granted_folders_workspace_id_path")),
    )
    op.create_index(op.f("ix_granted_folders_workspace_id"), "granted_folders", ["workspace_id"])
    op.create_table(
        "named_connections", *_id("named_connections"),
        sa.Column("workspace_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        _fk("named_connections", "workspace_id", "workspaces", "CASCADE"),
        _fk("named_connections", "created_by", "users", "SET NULL"),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_named_connections_workspace_id_name")),
    )
    op.create_index(op.f("ix_named_connections_workspace_id"), "named_connections", ["workspace_id"])
    op.create_table(
        "app_activity", *_id("app_activity"),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        _fk("app_activity", "user_id", "users", "SET NULL"),
    )
    op.create_index(op.f("ix_app_activity_created_at"), "app_activity", ["created_at"])


def downgrade() -> None:
    for table in ("app_activity", "named_connections", "granted_folders", "invitations", "login_failures", "sign_ins"):
        op.drop_table(table)
