"""Web tests run on SQLite and on a real PostgreSQL server, as the store tests do."""

from tests.store.conftest import backend, empty_url, store  # noqa: F401 - fixtures reused
