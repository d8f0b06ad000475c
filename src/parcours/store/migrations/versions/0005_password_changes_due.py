"""One-time passwords must be changed (issue 23): ``password_changes_due``, one row per account
whose password was generated (the first admin's, an account an app administrator created) and
not yet changed by its user. Until then the web app lets them change it and log out, nothing else.

Existing accounts are not marked: their users may have changed their password already, and the
app cannot tell.

Hand-written, portable to SQLite and PostgreSQL; constraint names follow the naming
convention of ``parcours.store.models.Base``.

Revision ID: 0005_password_changes_due
Revises: 0004_sources_in_use
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_password_changes_due"
down_revision = "0004_sources_in_use"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_changes_due",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_password_changes_due")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_password_changes_due_user_id"),
                                ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("password_changes_due")
