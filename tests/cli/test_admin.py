"""``parcours admin``: granted folders and named connections from the server's shell; the URL is
never printed, and what is granted is what the web app reads (tests/web/test_security_paths.py)."""

from __future__ import annotations

import subprocess
import sys

from parcours.store.db import connect
from parcours.store.grants import connection_names, connection_url, granted_folders


def run(*args, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "parcours", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_grant_list_revoke_folders_and_connections(tmp_path):
    assert run("user", "create", "a@example.org", "--workspace", "team", "--password-stdin", cwd=tmp_path,
               stdin="password-123\n").returncode == 0
    data = tmp_path / "warehouse"
    data.mkdir()
    r = run("admin", "folder", "grant", "team", str(data), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run("admin", "connection", "add", "team", "crm", "--url-stdin", cwd=tmp_path,
            stdin="postgresql://reader:S3cret@db.internal/crm\n")
    assert r.returncode == 0, r.stderr
    assert "S3cret" not in r.stdout + r.stderr
    listed = run("admin", "connection", "list", "team", cwd=tmp_path)
    assert listed.stdout.split() == ["crm"] and "S3cret" not in listed.stdout + listed.stderr
    assert run("admin", "folder", "list", "team", cwd=tmp_path).stdout.split() == [str(data.resolve())]
    store = connect(f"sqlite:///{tmp_path / '.parcours' / 'app.db'}")
    assert granted_folders(store, 1) == [data.resolve()] and connection_names(store, 1) == ["crm"]
    assert connection_url(store, 1, "crm") == "postgresql://reader:S3cret@db.internal/crm"
    assert run("admin", "folder", "revoke", "team", str(data), cwd=tmp_path).returncode == 0
    assert run("admin", "connection", "remove", "team", "crm", cwd=tmp_path).returncode == 0
    assert granted_folders(store, 1) == [] and connection_names(store, 1) == []
    store.close()


def test_refusals_name_what_to_fix(tmp_path):
    assert run("user", "create", "a@example.org", "--workspace", "team", "--password-stdin", cwd=tmp_path,
               stdin="password-123\n").returncode == 0
    r = run("admin", "folder", "grant", "nope", str(tmp_path), cwd=tmp_path)
    assert r.returncode != 0 and "no workspace 'nope'" in r.stderr and "team" in r.stderr
    r = run("admin", "folder", "grant", "team", "/", cwd=tmp_path)
    assert r.returncode != 0 and "whole file system" in r.stderr
    r = run("admin", "connection", "add", "team", "x", "--url-stdin", cwd=tmp_path, stdin="mysql://a:b@h/d\n")
    assert r.returncode != 0 and "postgresql://" in r.stderr
