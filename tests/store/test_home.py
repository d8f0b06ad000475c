"""The web app's folder (parcours.store.home): the user's data folder by default, $PARCOURS_HOME
over it, an older ``./.parcours`` kept, and a ``.gitignore`` of ``*`` inside wherever it is."""

from __future__ import annotations

import stat
import subprocess

import platformdirs
import pytest

from parcours.store.db import connect
from parcours.store.errors import StoreError
from parcours.store.home import HOME_ENV, AppHome, app_home, prepare


@pytest.fixture
def no_setting(monkeypatch, tmp_path):
    """No $PARCOURS_HOME, and the user's data folder (XDG_DATA_HOME) under tmp_path."""
    monkeypatch.delenv(HOME_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    work = tmp_path / "work"
    work.mkdir()
    return work


def test_default_is_the_user_data_folder(no_setting, tmp_path):
    home = app_home(no_setting)
    assert home == AppHome(tmp_path / "xdg" / "parcours", "the user's data folder")
    assert home.path == platformdirs.user_data_path("parcours", appauthor=False)
    assert (home.database, home.secret, home.data) == (home.path / "app.db", home.path / "secret", home.path / "data")
    assert not home.path.exists()  # deciding creates nothing


def test_parcours_home_overrides_it_absolute_or_relative_to_the_working_folder(no_setting, monkeypatch, tmp_path):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "team-app"))
    assert app_home(no_setting) == AppHome(tmp_path / "team-app", f"from ${HOME_ENV}")
    monkeypatch.setenv(HOME_ENV, ".parcours")  # the layout of Parcours 0.1, on purpose
    assert app_home(no_setting).path == no_setting / ".parcours"
    monkeypatch.setenv(HOME_ENV, "  ")  # empty: as if unset
    assert app_home(no_setting).path == tmp_path / "xdg" / "parcours"


@pytest.mark.parametrize("left", ["app.db", "secret", "data"])
def test_a_folder_left_by_an_older_parcours_is_kept(no_setting, tmp_path, monkeypatch, left):
    legacy = no_setting / ".parcours"
    legacy.mkdir()
    if left == "data":
        (legacy / left).mkdir()
    else:
        (legacy / left).write_text("x")
    home = app_home(no_setting)
    assert home.path == legacy
    assert "older Parcours" in home.why and HOME_ENV in home.why and "docs/howto/serve.md" in home.why
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "moved"))  # a setting says otherwise: it wins
    assert app_home(no_setting).path == tmp_path / "moved"


def test_an_empty_dot_parcours_is_not_an_older_install(no_setting, tmp_path):
    (no_setting / ".parcours").mkdir()
    assert app_home(no_setting).path == tmp_path / "xdg" / "parcours"


def test_prepare_makes_an_owner_only_folder_that_git_ignores(tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    home = prepare(repo / "deep" / "app")
    assert home == repo / "deep" / "app"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert (home / ".gitignore").read_text().splitlines()[-1] == "*"
    (home / "secret").write_text("k" * 48)
    (home / "data" / "1").mkdir(parents=True)
    (home / "data" / "1" / "events.csv").write_text("a,b\n")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                            capture_output=True, text=True, check=True).stdout
    assert status == ""  # neither the files nor the .gitignore itself show up
    (home / ".gitignore").write_text("secret\n")  # the owner's own .gitignore is left alone
    prepare(home)
    assert (home / ".gitignore").read_text() == "secret\n"


def test_prepare_names_the_folder_it_cannot_create(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreError, match="a-file/home") as err:
        prepare(tmp_path / "a-file" / "home")
    assert HOME_ENV in err.value.hint


def test_the_default_database_is_in_the_app_folder(no_setting, monkeypatch, tmp_path):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "app-home"))
    store = connect(None)
    store.migrate()
    store.close()
    assert store.url == f"sqlite:///{tmp_path / 'app-home' / 'app.db'}"
    assert sorted(p.name for p in (tmp_path / "app-home").iterdir() if not p.name.startswith("app.db-")) == [
        ".gitignore", "app.db"]
    assert stat.S_IMODE((tmp_path / "app-home" / "app.db").stat().st_mode) == 0o600
    assert not (no_setting / ".parcours").exists()
