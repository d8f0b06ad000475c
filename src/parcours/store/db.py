"""Connect to the app database (SQLite by default, PostgreSQL in production) and migrate it.

>>> store = connect("sqlite://")  # in memory; default: app.db in the app's folder (parcours.store.home)
>>> applied = store.migrate(on_message=print)  # every migration, the first time
database at sqlite://: applied ... migrations (now at revision ...)
>>> store.migrate()  # none left
0
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from parcours.store.errors import StoreError
from parcours.store.home import app_home, prepare

if TYPE_CHECKING:  # alembic is imported when migrating only
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 7_205_001  # PostgreSQL advisory lock: one app process migrates at a time
_HINTS = {
    "sqlite": "check that the folder exists and is writable (e.g. --db sqlite:///path/to/app.db)",
    "postgresql": "check that the server is running and accepts connections from here, and the user, "
                  "password and database name in the URL (postgresql://user:password@host:5432/parcours)",
}


def database_url(url: str | None, folder: Path | None = None, *, home: Path | None = None) -> URL:
    """The SQLAlchemy URL for ``url``: when None, the SQLite file ``app.db`` in the app's folder
    (``home``; else ``<folder>/.parcours``; else :func:`parcours.store.home.app_home`), created
    owner-only; ``postgres://`` and ``postgresql://`` use the psycopg 3 driver."""
    if url is None:
        if home is None:
            home = Path(folder).resolve() / ".parcours" if folder is not None else app_home().path
        db = prepare(home) / "app.db"  # the database and the secret: owner only, never committed
        return URL.create("sqlite", database=str(db))
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)
        raise StoreError(f"not a database URL: {shown!r}", hint="use sqlite:///path/to/app.db or "
                         "postgresql://user:password@host:5432/parcours") from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in _HINTS:
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r} in {_shown(parsed)}",
                         hint="the app stores its data in SQLite (sqlite:///path/app.db) or PostgreSQL (postgresql://...)")
    return parsed


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def connect(url: str | None = None, *, folder: Path | None = None, home: Path | None = None) -> Store:
    """Open the app database at ``url`` (default: SQLite ``app.db`` in the app's folder ``home``,
    else ``<folder>/.parcours``, else the one :func:`parcours.store.home.app_home` finds).

    Raises :class:`StoreError` naming the URL (without password) when it cannot be reached.
    """
    parsed = database_url(url, folder, home=home)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _create_private(parsed.database)
    try:
        if backend == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": 30})
            _sqlite_transactions(engine)
        else:
            engine = create_engine(parsed, connect_args={"connect_timeout": 10}, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as e:
        raise StoreError(f"cannot use the database URL {_shown(parsed)}: {e}", hint=_HINTS[backend]) from None
    store = Store(engine)
    try:
        with store.transaction() as session:  # fail now, with the URL, rather than on the first page
            session.execute(text("SELECT 1"))
    except StoreError:
        store.close()
        raise
    return store


def _create_private(database: str | None) -> None:
    """Create a new SQLite file empty with mode 0600 before SQLite opens it: SQLite would make it
    world-readable (0644 under the usual umask), and its write-ahead log and shared-memory files
    take the database file's mode. An existing file is left as it is."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # a folder that does not exist, or not writable: SQLite's own error says which, below


def _sqlite_transactions(engine: Engine) -> None:
    """SQLite: enforce foreign keys, and take the write lock when a transaction begins.

    pysqlite's own deferred BEGIN lets two transactions read, then both ask for the write
    lock: one fails at once with "database is locked". BEGIN IMMEDIATE makes the second
    wait (up to the 30 s timeout) and then read what the first committed. The price: the
    app's transactions run one at a time, which a team's SQLite file can afford (production
    uses PostgreSQL). The write-ahead log lets pages read while a transaction writes.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # Write-ahead log: readers never wait for the writer, and a commit costs one fsync of
        # the log (synchronous=NORMAL keeps the database consistent after a crash; the last
        # commits may be lost on a power cut, not on a process crash).
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """The app database: sessions for the functions of ``parcours.store``, and migrations."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return _shown(self.engine.url)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in a transaction, committed at the end of the block (rolled back on error)."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except (OperationalError, InterfaceError) as e:
            raise self._error("cannot use", e) from None

    def _error(self, doing: str, e: Exception) -> StoreError:
        # The driver's first line says what failed (refused, unknown database, locked...); the
        # rest is SQL and a link. The URL shown hides the password; so must the cause.
        orig = getattr(e, "orig", None) or e
        lines = str(orig).strip().splitlines()
        cause = lines[0] if lines else type(orig).__name__
        password = self.engine.url.password
        if password:
            cause = cause.replace(str(password), "***")
        return StoreError(f"{doing} the database at {self.url}: {cause}", hint=_HINTS[self.backend])

    def revision(self) -> str | None:
        """The migration the database is at (None: not migrated yet)."""
        from alembic.runtime.migration import MigrationContext

        with self.transaction() as session:
            return MigrationContext.configure(session.connection()).get_current_revision()

    def migrate(self, on_message: Callable[[str], object] | None = None) -> int:
        """Apply the migrations the database lacks; returns how many were applied.

        ``on_message`` (e.g. ``print``) receives one line saying what was done.
        """
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory
        from alembic.script.revision import RevisionError
        from alembic.util import CommandError

        config = alembic_config()
        script = ScriptDirectory.from_config(config)
        head = script.get_current_head()
        try:
            with self.engine.begin() as conn:
                if self.backend == "postgresql":  # two app processes starting together: one migrates
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
                current = MigrationContext.configure(conn).get_current_revision()
                todo = list(script.iterate_revisions(head, current)) if current != head else []
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except (CommandError, RevisionError) as e:
            raise StoreError(f"cannot migrate the database at {self.url}: {e}",
                             hint=f"it was migrated by a newer Parcours (this one knows up to revision {head}): "
                                  "upgrade Parcours, or use another database") from None
        except (OperationalError, InterfaceError, ProgrammingError) as e:
            raise self._error("cannot migrate", e) from None
        n = len(todo)
        if on_message is not None:
            done = f"applied {n} migration{'s' if n != 1 else ''}" if n else "up to date"
            on_message(f"database at {self.url}: {done} (now at revision {head})")
        return n

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def alembic_config() -> Config:
    """Alembic's configuration, built in code: no alembic.ini is needed or shipped.

    To write a new migration: ``alembic.command.revision(alembic_config(), "what it does",
    rev_id="0002_what")``, then edit it by hand so that it runs on SQLite and PostgreSQL.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
