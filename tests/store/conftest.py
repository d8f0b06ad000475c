"""Every store test runs on SQLite (a file in tmp) and on a real PostgreSQL server.

PostgreSQL: one throwaway database per test module (``parcours_store_<random>``, dropped at
the end) and one schema per test inside it, so tests never see each other's rows. The
session time zone is Europe/Paris, so that the UTC handling of timestamps is exercised.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from parcours.store import Store, connect, create_project, create_user, create_workspace


@dataclass(frozen=True)
class Backend:
    name: str  # "sqlite" or "postgresql"
    database_url: str | None = None  # PostgreSQL: this module's database


def pg_admin(url: str):
    """An autocommit psycopg connection (CREATE/DROP DATABASE cannot run in a transaction)."""
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite")
        return
    server = request.getfixturevalue("postgres_url")
    database = f"parcours_store_{secrets.token_hex(4)}"
    with pg_admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        yield Backend("postgresql", f"{server.rpartition('/')[0]}/{database}")
    finally:
        with pg_admin(server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def empty_url(backend: Backend, tmp_path) -> str:
    """URL of an empty database: a new SQLite file, or a new schema of the module's PostgreSQL database."""
    if backend.name == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    schema = f"t_{secrets.token_hex(4)}"
    with pg_admin(backend.database_url) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{backend.database_url}?options={quote(f'-csearch_path={schema} -ctimezone=Europe/Paris')}"


@pytest.fixture
def store(empty_url) -> Iterator[Store]:
    """A migrated, empty app database."""
    s = connect(empty_url)
    s.migrate()
    yield s
    s.close()


@pytest.fixture
def alice(store):
    return create_user(store, "alice@example.org", "Alice", "alice-password")


@pytest.fixture
def bob(store):
    return create_user(store, "bob@example.org", "Bob", "bob-password")


@pytest.fixture
def project(store):
    workspace = create_workspace(store, "CX team")
    return create_project(store, workspace.id, "Maison Lumière")


def _migrations() -> list[str]:
    from parcours.store.db import MIGRATIONS

    return sorted(p.stem for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))


MIGRATION_IDS = _migrations()  # "0001_initial", "0002_team", ...
HEAD = MIGRATION_IDS[-1]
APPLIED_ALL = f"applied {len(MIGRATION_IDS)} migration{'s' if len(MIGRATION_IDS) != 1 else ''}"
