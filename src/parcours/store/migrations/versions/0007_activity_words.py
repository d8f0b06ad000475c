"""What each line of a project's activity feed says, as data (issue 23, §3): ``activity_words``,
one row per line written with its words (a key of the app's catalogues and its values, JSON), so
that the web app says the line in each reader's language. ``parcours.store.activity`` writes and
reads it.

Lines written before have no row: their English summary is shown, as before.

Hand-written, portable to SQLite and PostgreSQL; constraint names follow the naming
convention of ``parcours.store.models.Base``.

Revision ID: 0007_activity_words
Revises: 0006_user_preferences
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_activity_words"
down_revision = "0006_user_preferences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_words",
        sa.Column("activity_id", sa.Integer, nullable=False),
        sa.Column("said", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_activity_words")),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"], name=op.f("fk_activity_words_activity_id"),
                                ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("activity_words")
