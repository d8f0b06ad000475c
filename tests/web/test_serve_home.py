"""``parcours serve`` on loopback keeps its files in the app's folder (parcours.store.home) and says
where at start: the user's data folder by default, $PARCOURS_HOME over it, an older ./.parcours kept."""

from __future__ import annotations

import stat

import httpx

from parcours.store.db import connect
from tests.web.test_serve import serve, stop

# The server's environment is made by serve(): HOME is the test's folder, so the user's data
# folder is <tmp>/.local/share/parcours (Linux); an empty PARCOURS_HOME is as if unset.
UNSET = {"PARCOURS_HOME": ""}


def start_and_stop(folder, *args, env) -> str:
    """Start ``parcours serve`` in ``folder``, check it answers, stop it: what it printed."""
    proc, base = serve(folder, *args, env=env)
    try:
        assert httpx.get(f"{base}/api/v1/health").status_code == 200
    finally:
        err = stop(proc)
    return err


def test_by_default_the_app_data_is_in_the_user_data_folder(tmp_path):
    err = start_and_stop(tmp_path, env=UNSET)
    home = tmp_path / ".local" / "share" / "parcours"
    assert f"App data (database, session secret, uploads): {home} (the user's data folder)" in err
    assert sum(line.startswith("App data") for line in err.splitlines()) == 1  # one line
    assert {p.name for p in home.iterdir()} >= {".gitignore", "app.db", "secret"}
    assert (home / ".gitignore").read_text().splitlines()[-1] == "*"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert f"Session secret: {home / 'secret'}" in err and f"database at sqlite:///{home / 'app.db'}" in err
    assert not (tmp_path / ".parcours").exists()  # nothing in the working folder


def test_parcours_home_moves_it_and_db_moves_the_database_only(tmp_path):
    elsewhere = tmp_path / "srv" / "parcours"
    err = start_and_stop(tmp_path, "--demo", "--db", f"sqlite:///{tmp_path / 'team.db'}",
                         env={"PARCOURS_HOME": str(elsewhere)})
    assert f"App data (session secret, uploads): {elsewhere} (from $PARCOURS_HOME)" in err
    assert f"data in {elsewhere / 'data' / '1'}" in err  # the demo project's uploaded files
    assert (elsewhere / "data" / "1" / "events.csv").is_file() and (elsewhere / "secret").is_file()
    assert (tmp_path / "team.db").is_file() and not (elsewhere / "app.db").exists()
    assert (elsewhere / ".gitignore").is_file()
    assert not (tmp_path / ".local").exists() and not (tmp_path / ".parcours").exists()


def test_an_older_dot_parcours_in_the_working_folder_is_kept_and_said(tmp_path):
    legacy = tmp_path / ".parcours"
    legacy.mkdir(mode=0o700)
    old = connect(f"sqlite:///{legacy / 'app.db'}")  # what Parcours 0.1 left: a migrated database
    old.migrate()
    old.close()
    err = start_and_stop(tmp_path, env=UNSET)
    assert f"App data (database, session secret, uploads): {legacy} (.parcours of the working folder, " \
           "left by an older Parcours" in err
    assert "docs/howto/serve.md" in err
    assert "up to date" in err and "First admin created" in err  # the same database, no new migration
    assert (legacy / "secret").is_file() and (legacy / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not (tmp_path / ".local" / "share" / "parcours").exists()
