"""``parcours serve --demo`` as a user starts it: a real server process on a free port."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import httpx

from tests.store.conftest import APPLIED_ALL
from tests.web.one_time import own_password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder, *args, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """``parcours serve ARGS`` started in ``folder`` on a free port (``env``: extra environment
    variables), once it answers: (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "parcours", "serve", "--port", str(port), *args], cwd=folder,
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "NO_COLOR": "1", "HOME": str(folder),
                                 "PARCOURS_HOME": ".parcours", **(env or {})})
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError(proc.communicate()[1])


def serve_demo(folder) -> tuple[subprocess.Popen, str, str, str]:
    """``parcours serve --demo`` in ``folder``: (process, base URL, first admin's email, its
    password: the one-time password the server printed before it listened, already replaced by
    the admin's own, as the app requires before anything else)."""
    proc, base = serve(folder, "--demo")
    email, one_time = first_admin(proc)
    return proc, base, email, own_password(base, email, one_time)


def first_admin(proc: subprocess.Popen) -> tuple[str, str]:
    """The first admin's email and one-time password, from what ``parcours serve`` printed
    before it listened."""
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("Parcours at "):
            break
    m = re.search(r"First admin created: (\S+) with the one-time password (\S+)", "".join(lines))
    assert m, "".join(lines)
    return m[1], m[2]


def stop(proc: subprocess.Popen) -> str:
    """Stop the server; what it printed on stderr."""
    proc.terminate()
    return proc.communicate(timeout=20)[1]


def test_serve_demo_migrates_creates_admin_and_loads_the_demo(tmp_path):
    args = ["--demo", "--db", f"sqlite:///{tmp_path / 'app.db'}"]
    proc, base = serve(tmp_path, *args)
    try:
        assert httpx.get(f"{base}/docs").status_code == 200
    finally:
        err = stop(proc)
    assert APPLIED_ALL in err
    m = re.search(r"First admin created: (\S+) with the one-time password (\S+)", err)
    assert m, err
    assert "Demo project: workspace 'Démo', project 'Maison Lumière'" in err
    # a second start: the database is up to date, no new admin, the demo is not loaded twice; log in as the admin
    proc, base = serve(tmp_path, *args)
    try:
        with httpx.Client(base_url=base) as c:
            r = c.post("/api/v1/session", json={"email": m[1], "password": own_password(base, m[1], m[2])})
            assert r.status_code == 200, r.text
            projects = c.get("/api/v1/projects").json()
            assert [(p["workspace"]["name"], p["name"]) for p in projects] == [("Démo", "Maison Lumière")]
            versions = c.get(f"/api/v1/projects/{projects[0]['id']}/map/versions").json()
            assert [v["number"] for v in versions] == [1]
    finally:
        err = stop(proc)
    assert "up to date" in err and "First admin" not in err


def test_demo_needs_an_admin_to_own_it(store, tmp_path):
    import pytest

    from parcours.cli.serve import seed_demo
    from parcours.errors import OptionError
    from parcours.store.users import create_user

    create_user(store, "dana@example.org", "Dana", "dana-password")  # a user, but no admin
    with pytest.raises(OptionError, match="no admin"):
        seed_demo(store, tmp_path, customers=100)
    create_user(store, "root@example.org", "Root", "root-password", admin=True)
    assert "Maison Lumière" in seed_demo(store, tmp_path, 100) and "Maison Lumière" in seed_demo(store, tmp_path, 100)
    from parcours.store.maps import list_versions
    from parcours.store.models import Project

    with store.transaction() as session:
        (project,) = session.query(Project).all()
    assert [v.number for v in list_versions(store, project.id)] == [1]  # seeded twice, loaded once


def test_user_create_from_the_command_line(tmp_path):
    """`parcours user create --admin` makes an account that logs in; errors say what to fix."""
    from parcours.store.db import connect
    from parcours.store.users import authenticate
    from parcours.store.workspaces import role_of

    db = f"sqlite:///{tmp_path / 'app.db'}"
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "NO_COLOR": "1", "HOME": str(tmp_path)}

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "parcours", "user", "create", *args, "--db", db, "--password-stdin"],
                              input=stdin, capture_output=True, text=True, env=env, cwd=tmp_path)

    p = run("Eve@Example.org", "--name", "Eve", "--admin", "--workspace", "cx-team", "--role", "admin",
            stdin="a long enough password\n")
    assert p.returncode == 0, p.stderr
    assert APPLIED_ALL in p.stderr and "Created eve@example.org (admin), admin of workspace 'cx-team'" in p.stderr
    store = connect(db)
    user = authenticate(store, "eve@example.org", "a long enough password")
    assert user is not None and user.is_admin
    from sqlalchemy import select

    from parcours.store.models import Workspace

    with store.transaction() as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == "cx-team"))
    assert role_of(store, ws.id, user.id) == "admin"
    p = run("eve@example.org", stdin="another long password\n")  # the same email again
    assert p.returncode == 2 and "already exists" in p.stderr and "How to fix" in p.stderr
    p = run("short@example.org", stdin="short\n")
    assert p.returncode == 2 and "too short" in p.stderr
    p = run("x@example.org", "--workspace", "cx-team", "--role", "owner", stdin="a long enough password\n")
    assert p.returncode == 2 and "unknown role 'owner'" in p.stderr
    assert authenticate(store, "x@example.org", "a long enough password") is None  # nothing half-made
