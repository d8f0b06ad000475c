"""What each user chose for themselves in the web app (issue 23): ``user_preferences``, one row
per user who chose something; for now the language of the app's pages (French or English,
none: the browser's). ``parcours.store.preferences`` reads and writes it.

Existing users have no row: their pages follow their browser, as before they followed nothing.

Hand-written, portable to SQLite and PostgreSQL; constraint names follow the naming
convention of ``parcours.store.models.Base``.

Revision ID: 0006_user_preferences
Revises: 0005_password_changes_due
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_user_preferences"
down_revision = "0005_password_changes_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_preferences",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_preferences")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_preferences_user_id"),
                                ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("user_preferences")
