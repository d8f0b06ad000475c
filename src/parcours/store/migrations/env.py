"""Alembic environment: runs on the connection ``Store.migrate`` passes in ``config.attributes``.

There is no alembic.ini: the configuration is built in code (``parcours.store.db.alembic_config``).
"""

from alembic import context

from parcours.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters a table by copying it: later migrations use op.batch_alter_table.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
