"""Connecting and migrating: from empty, idempotent, schema equal to the models, clear errors."""

from __future__ import annotations

import threading
import traceback

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from parcours.store import Membership, StoreError, connect
from parcours.store.db import database_url
from parcours.store.models import Base

from tests.store.conftest import APPLIED_ALL, HEAD, MIGRATION_IDS

TABLES = {"alembic_version", "users", "workspaces", "memberships", "projects", "map_versions", "api_tokens",
          "activity", "comments", "comment_mentions", "survey_links", "survey_answers", "collected_events",
          "data_sources", "sign_ins", "login_failures", "invitations", "granted_folders",
          "named_connections", "app_activity", "password_changes_due", "sources_in_use", "user_preferences",
          "activity_words"}


def test_migrations_apply_from_empty_then_say_up_to_date(empty_url):
    store = connect(empty_url)
    assert store.revision() is None
    said: list[str] = []
    assert store.migrate(on_message=said.append) == len(MIGRATION_IDS)
    assert store.migrate(on_message=said.append) == 0
    assert said == [f"database at {store.url}: {APPLIED_ALL} (now at revision {HEAD})",
                    f"database at {store.url}: up to date (now at revision {HEAD})"]
    assert store.revision() == HEAD
    found = inspect(store.engine)
    assert set(found.get_table_names()) == TABLES
    assert [u["column_names"] for u in found.get_unique_constraints("map_versions")] == [["project_id", "number"]]
    assert [u["column_names"] for u in found.get_unique_constraints("projects")] == [["workspace_id", "slug"]]
    store.close()


def test_the_migrated_schema_is_the_models_schema(store):
    from parcours.store import password_due, preferences, sources  # noqa: F401  (tables declared beside their code)

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_foreign_keys_and_checks_are_enforced(store):
    with pytest.raises(IntegrityError):
        with store.transaction() as session:
            session.add(Membership(user_id=404, workspace_id=404, role="viewer"))


def test_two_app_processes_starting_together_migrate_once(empty_url):
    stores = [connect(empty_url), connect(empty_url)]
    start, applied = threading.Barrier(2), []

    def run(store):
        start.wait()
        applied.append(store.migrate())

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(applied) == [0, len(MIGRATION_IDS)]
    for s in stores:
        s.close()


def test_a_database_from_a_newer_parcours_is_refused(store):
    with store.transaction() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    with pytest.raises(StoreError, match="0099_future") as err:
        store.migrate()
    assert "newer Parcours" in err.value.hint


def test_default_database_is_a_sqlite_file_in_the_project_folder(tmp_path):
    store = connect(None, folder=tmp_path)
    store.migrate()
    assert (tmp_path / ".parcours" / "app.db").is_file()
    assert store.url == f"sqlite:///{tmp_path / '.parcours' / 'app.db'}" and store.backend == "sqlite"
    store.close()


def test_postgres_urls_use_psycopg_3(postgres_url):
    assert database_url("postgres://u:pw@db:5432/parcours").drivername == "postgresql+psycopg"
    assert database_url("postgresql://u@db/parcours").drivername == "postgresql+psycopg"
    store = connect(postgres_url)  # the fixture's URL is written postgres://
    assert store.backend == "postgresql" and store.url.startswith("postgresql+psycopg://")
    store.close()


def test_unreachable_database_names_the_url_without_its_password():
    url = "postgresql://nobody:s3cret@127.0.0.1:1/x"
    with pytest.raises(StoreError) as err:
        connect(url)
    e = err.value
    assert e.exit_code == 7
    assert e.message.startswith("cannot use the database at postgresql+psycopg://nobody:***@127.0.0.1:1/x: ")
    assert "server is running" in e.hint
    assert e.__cause__ is None and e.__suppress_context__  # the driver's error is not chained
    assert "s3cret" not in "".join(traceback.format_exception(e))


@pytest.mark.parametrize("url, expected", [
    ("sqlite:////no/such/folder/app.db", "unable to open database file"),
    ("mysql://root@127.0.0.1/parcours", "unsupported database 'mysql'"),
    ("not a url", "not a database URL"),
    ("postgresql://me:s3cret@db:port/parcours", r"not a database URL: 'postgresql://me:\*\*\*@db:port/parcours'"),
])
def test_unusable_urls_are_store_errors(url, expected):
    with pytest.raises(StoreError, match=expected) as err:
        connect(url)
    assert err.value.hint and "s3cret" not in str(err.value)
