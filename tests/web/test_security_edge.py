"""The server's edge, attacked as the issue 21 review did: the secret and the database file,
rotating a leaked secret, X-Forwarded-For, bodies too large to read, input that crashed the
server, and the headers every page carries. ``parcours serve`` runs in a subprocess on
127.0.0.1 where the attack needs a real server (sockets, memory, files); the app's own
TestClient elsewhere."""

from __future__ import annotations

import html
import json
import re
import socket
import stat
import threading

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.web.test_api import client_for
from tests.web.test_serve import first_admin, serve, stop
from tests.web.test_surveys import make_link, world  # noqa: F401 - the surveys' workspaces

ENV = {"PARCOURS_SURVEY_RATE": "3/minute"}


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- The secret and the database ------------------------------------------------------------

def test_secret_and_database_are_owner_only_from_a_fresh_start(tmp_path):
    proc, base = serve(tmp_path)
    try:
        folder = tmp_path / ".parcours"
        assert mode(folder) == 0o700
        assert mode(folder / "secret") == 0o600
        db_files = sorted(p.name for p in folder.iterdir() if p.name.startswith("app.db"))
        assert "app.db" in db_files
        assert {p: mode(folder / p) for p in db_files} == {p: 0o600 for p in db_files}  # -wal, -shm too
        assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []
    finally:
        err = stop(proc)
    assert f"Session secret: {folder / 'secret'}" in err and "database at sqlite:///" in err


def test_an_older_install_readable_by_others_is_tightened_at_start(tmp_path):
    folder = tmp_path / ".parcours"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    (folder / "secret").write_text("k" * 64)
    (folder / "secret").chmod(0o644)
    proc, _ = serve(tmp_path)
    err = stop(proc)
    assert (mode(folder), mode(folder / "secret"), mode(folder / "app.db")) == (0o700, 0o600, 0o600)
    assert f"{folder} was readable by others (mode 755): now 700" in err


def test_rotating_the_secret_ends_every_session(tmp_path):
    proc, base = serve(tmp_path)
    try:
        email, password = first_admin(proc)
        c = httpx.Client(base_url=base)
        assert c.post("/api/v1/session", json={"email": email, "password": password}).status_code == 200
        assert c.get("/api/v1/me").status_code == 200
    finally:
        stop(proc)
    old = (tmp_path / ".parcours" / "secret").read_text()
    proc, base = serve(tmp_path)  # a restart alone keeps the sessions
    try:
        assert httpx.get(f"{base}/api/v1/me", cookies=c.cookies).status_code == 200
    finally:
        stop(proc)
    proc, base = serve(tmp_path, "--rotate-secret")
    try:
        assert httpx.get(f"{base}/api/v1/me", cookies=c.cookies).status_code == 401
    finally:
        err = stop(proc)
    secret = tmp_path / ".parcours" / "secret"
    assert secret.read_text() != old and mode(secret) == 0o600
    assert "New session secret written to" in err and "every session has ended" in err


def test_rotate_refuses_a_secret_from_the_environment(tmp_path):
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "parcours", "serve", "--rotate-secret"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "200",
                            "PARCOURS_SECRET_KEY": "s" * 40})
    assert p.returncode == 2 and "comes from $PARCOURS_SECRET_KEY" in p.stderr and "How to fix" in p.stderr


# --- X-Forwarded-For ------------------------------------------------------------------------

def _codes(base: str, forwarded_for: list[str]) -> list[int]:
    # a survey page (even of an unknown link) takes a token from the client address's bucket
    return [httpx.get(f"{base}/s/no-such-link", headers={"X-Forwarded-For": ip}).status_code for ip in forwarded_for]


def test_a_new_x_forwarded_for_per_request_does_not_escape_the_rate_limit(tmp_path):
    proc, base = serve(tmp_path, env=ENV)
    try:
        codes = _codes(base, [f"203.0.113.{i}" for i in range(6)])
    finally:
        err = stop(proc)
    assert codes == [404, 404, 404, 429, 429, 429]  # all from 127.0.0.1, whatever the header says
    assert "X-Forwarded-For ignored" in err


def test_x_forwarded_for_is_believed_from_a_named_proxy(tmp_path):
    proc, base = serve(tmp_path, "--proxy", "127.0.0.1", env=ENV)
    try:
        spread = _codes(base, [f"203.0.113.{i}" for i in range(6)])
        same = _codes(base, ["198.51.100.7"] * 4)
    finally:
        err = stop(proc)
    assert spread == [404] * 6 and same == [404, 404, 404, 429]
    assert "X-Forwarded-For believed from: 127.0.0.1" in err


def _login_cookie(base: str) -> str:
    import httpx

    r = httpx.get(f"{base}/login")  # the log-in page sets a session cookie (its form token)
    return r.headers.get("set-cookie", "").lower()


def test_behind_a_proxy_the_session_cookie_is_https_only_even_on_loopback(tmp_path):
    """A TLS-terminating proxy on the same machine talks to the app over 127.0.0.1: the cookie
    must still never travel in clear between the browser and the proxy."""
    proc, base = serve(tmp_path, env=ENV)
    try:
        alone = _login_cookie(base)
    finally:
        stop(proc)
    proc, base = serve(tmp_path, "--proxy", "127.0.0.1", env=ENV)
    try:
        proxied = _login_cookie(base)
    finally:
        stop(proc)
    assert "parcours_session=" in alone and "secure" not in alone
    assert "parcours_session=" in proxied and "secure" in proxied


def test_proxies_are_checked(tmp_path):
    from parcours.cli.serve import trusted_proxies
    from parcours.errors import OptionError

    assert trusted_proxies(["10.0.0.5", " 10.0.0.0/24 ", "10.0.0.5", "::1"]) == ["10.0.0.5", "10.0.0.0/24", "::1"]
    with pytest.raises(OptionError, match="not an IP address or network"):
        trusted_proxies(["proxy.internal"])


# --- Bodies too large to read ---------------------------------------------------------------

def _memory(pid: int) -> int:
    """The process's resident memory, in kB."""
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS:")).split()[1])


def _post_raw(base: str, path: str, headers: str, body, timeout: float = 30) -> tuple[int | None, socket.socket]:
    """Send a request head, then ``body`` (an iterable of bytes) from a thread while the answer is
    read: (status, or None without an answer; the open socket)."""
    host, port = base.removeprefix("http://").split(":")
    s = socket.create_connection((host, int(port)))
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{headers}\r\n".encode())

    def send() -> None:
        try:
            for part in body:
                s.sendall(part)
        except OSError:  # the server answered and closed: what we want
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            part = s.recv(4096)
            if not part:
                break
            data += part
    except OSError:
        pass
    sender.join(timeout)
    m = re.match(rb"HTTP/1\.1 (\d{3})", data)
    return (int(m[1]) if m else None), s


MB = 1 << 20


def test_a_huge_anonymous_survey_post_is_refused_before_it_is_read(tmp_path):
    proc, base = serve(tmp_path)
    try:
        for _ in range(3):  # warm up: the first answers allocate what the server keeps
            httpx.post(f"{base}/api/v1/surveys/nothing/answers", json={"submission_id": "a", "score": 1})
        before = _memory(proc.pid)
        # 300 MB announced, 50 MB sent: refused at once, the connection closed, nothing kept
        status, s = _post_raw(base, "/api/v1/surveys/nothing/answers", "Content-Length: 300000000\r\n",
                              (b" " * MB for _ in range(50)))
        grown = _memory(proc.pid) - before
        s.close()
        assert status == 413 and grown < 8 * 1024, (status, grown)
        # no Content-Length (chunked): cut once past the cap, the rest never read
        chunks = (b"%x\r\n" % MB + b" " * MB + b"\r\n" for _ in range(50))
        status, s = _post_raw(base, "/api/v1/surveys/nothing/answers", "Transfer-Encoding: chunked\r\n", chunks)
        grown = _memory(proc.pid) - before
        s.close()
        assert status == 413 and grown < 8 * 1024, (status, grown)
        assert httpx.get(f"{base}/api/v1/health").status_code == 200  # still serving
    finally:
        stop(proc)


def test_caps_per_route_say_what_and_how_to_fix(store, world):
    from parcours.project.body_limits import BodyLimits

    limits = BodyLimits.from_env({})
    c, h = client_for(store, "alice")
    link = make_link(c, h, world["pa"].id)
    anon = TestClient(c.app)
    too_long = {"submission_id": "s1", "score": 5, "comment": "x" * limits.survey.bytes}
    r = anon.post(f"/api/v1/surveys/{link['token']}/answers", json=too_long)
    assert r.status_code == 413
    assert r.json()["detail"] == {"message": "the survey answer is larger than 64 KB, the most this server takes",
                                  "hint": "shorten the comment (at most 5,000 characters) (the administrator "
                                          "sets this limit with PARCOURS_MAX_SURVEY_KB)"}
    # the largest honest answer passes: 5,000 characters that each need 12 bytes once escaped
    big = json.dumps({"submission_id": "s2", "score": 5, "comment": "😀" * 5000}).encode()
    assert len(big) > 60_000
    r = anon.post(f"/api/v1/surveys/{link['token']}/answers", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    # the survey form, streamed without Content-Length: the form again, in the page's language
    form = (part for part in [b"submission=s3&score=5&comment=", *[b"x" * 16_384] * 5])
    r = anon.post(f"/s/{link['token']}", content=form, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                                "Accept": "text/html"})
    assert r.status_code == 413 and "La réponse n'a pas pu être enregistrée" in html.unescape(r.text)
    # a map of 3 MB, a JSON body of 2 MB elsewhere
    r = c.post(f"/api/v1/projects/{world['pa'].id}/map/check", json={"yaml": "#" * (3 * 1024 * 1024)}, headers=h)
    assert r.status_code == 413 and "the map is larger than 2 MB" in r.json()["detail"]["message"]
    r = c.post("/api/v1/session", json={"email": "x" * (2 * 1024 * 1024), "password": "p"})
    assert r.status_code == 413 and "PARCOURS_MAX_BODY_KB" in r.json()["detail"]["hint"]
    # a browser posting a page form too large is shown a page
    r = c.post(f"/projects/{world['pa'].id}/edit/yaml", content=b"y" * 10, headers={
        **h, "Accept": "text/html", "Content-Length": str(3 * 1024 * 1024)})
    assert r.status_code == 413 and "<h1>Too large</h1>" in r.text and "PARCOURS_MAX_MAP_KB" in r.text


def test_caps_come_from_the_environment(monkeypatch, store):
    from parcours.errors import OptionError
    from parcours.project.body_limits import BodyLimits

    limits = BodyLimits.from_env({"PARCOURS_MAX_SURVEY_KB": "8", "PARCOURS_MAX_EVENTS_MB": "0.5"})
    assert (limits.survey.bytes, limits.events.bytes, limits.map.bytes) == (8192, 524288, 2 * 1024 * 1024)
    with pytest.raises(OptionError, match="PARCOURS_MAX_BODY_KB='lots': not a size in KB"):
        BodyLimits.from_env({"PARCOURS_MAX_BODY_KB": "lots"})
    monkeypatch.setenv("PARCOURS_MAX_SURVEY_KB", "1")
    c, _ = client_for(store)
    r = c.post("/api/v1/surveys/x/answers", json={"submission_id": "s", "score": 1, "comment": "x" * 2000})
    assert r.status_code == 413 and "1 KB" in r.json()["detail"]["message"]


# --- Input that crashed the server ----------------------------------------------------------

def test_a_lone_surrogate_is_a_422_naming_the_field(store, world):
    c, h = client_for(store, "alice")
    link = make_link(c, h, world["pa"].id)
    anon = TestClient(c.app, raise_server_exceptions=False)
    body = b'{"submission_id": "s1", "score": 5, "comment": "tr\\u00e8s \\ud800 bien"}'
    r = anon.post(f"/api/v1/surveys/{link['token']}/answers", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "comment"] and "lone surrogate (\\ud800) at character 6" in error["msg"]
    assert error["input"] == "très \\ud800 bien"  # shown escaped: the answer itself stays valid UTF-8
    r = c.post(f"/api/v1/projects/{world['pa'].id}/surveys", content=b'{"touchpoint": "a\\udfff", "metric": "nps"}',
               headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "touchpoint"]
    # a route whose body does not check its text: 422 all the same, never a 500
    r = TestClient(c.app, raise_server_exceptions=False, cookies=c.cookies).post(
        f"/api/v1/projects/{world['pa'].id}/comments", content=b'{"body": "\\ud800"}',
        headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and "not valid Unicode" in r.json()["detail"]["message"]
    from tests.web.test_surveys import _all_answers

    assert _all_answers(store) == []


def test_events_with_a_huge_time_or_attributes_are_rejected_by_index_and_field(store, world):
    from tests.web.test_collect import db_rows, token_client

    c, pa = token_client(store, world["alice"]), world["pa"]
    ok = {"id": "ok", "customer": "c1", "event": "visit", "time": "2024-05-01T10:00:00Z"}
    huge_time = b'{"id": "t", "customer": "c1", "event": "visit", "time": 1' + b"0" * 3999 + b"}"
    body = (b'{"events": [' + json.dumps(ok).encode() + b", " + huge_time + b", "
            + json.dumps({**ok, "id": "big", "attributes": {"note": "x" * (19 * MB)}}).encode() + b", "
            + json.dumps({**ok, "id": "many", "attributes": {f"k{i}": "y" * 1000 for i in range(20)}}).encode() + b", "
            + json.dumps({**ok, "id": "long", "attributes": {"n": 2**70}}).encode() + b"]}")
    r = TestClient(c.app, raise_server_exceptions=False, headers=c.headers).post(
        f"/api/v1/projects/{pa.id}/events", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text[:300]
    out = r.json()
    assert (out["received"], out["stored"]) == (5, 1)
    assert [(x["index"], x["field"]) for x in out["rejected"]] == [
        (1, "time"), (2, "attributes.note"), (3, "attributes"), (4, "attributes.n")]
    messages = [x["message"] for x in out["rejected"]]
    assert messages[0].startswith("time 100000000000000... (4000 digits) is out of range")
    assert "19,922,944 characters: at most 2,000" in messages[1]
    assert "at most 16,384 per event" in messages[2] and "64-bit" in messages[3]
    assert [row[1] for row in db_rows(store, pa.id)] == ["ok"]


# --- Headers on every response --------------------------------------------------------------

def test_every_answer_carries_the_security_headers(store, world):
    c, h = client_for(store, "alice")
    inline = 0
    for path, kind in [("/login", "page"), ("/", "page"), ("/api/v1/me", "api"), ("/nowhere", "404"),
                       (f"/projects/{world['pa'].id}/surveys", "page"), ("/static/htmx.min.js", "file")]:
        r = c.get(path, headers={"Accept": "text/html"})
        csp = r.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'", path
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'", path
        nonce = re.fullmatch(r"'self' 'nonce-([\w-]{20,})'", directives["script-src"])
        assert nonce, csp
        assert (r.headers["x-frame-options"], r.headers["x-content-type-options"],
                r.headers["referrer-policy"]) == ("DENY", "nosniff", "same-origin"), path
        if kind == "page":
            scripts = re.findall(r"<script[^>]*>", r.text)
            assert all(f'nonce="{nonce[1]}"' in s or "src=" in s for s in scripts), (path, scripts)
            inline += sum("src=" not in s for s in scripts)
    assert inline >= 2  # the layout's and the surveys page's own
    second = c.get("/login").headers["content-security-policy"]
    assert second != csp  # a new nonce per response
    anon = TestClient(c.app)
    survey = anon.get(f"/s/{make_link(c, h, world['pa'].id)['token']}")
    assert survey.headers["referrer-policy"] == "no-referrer"  # the route's own choice is kept
    assert "frame-ancestors 'none'" in survey.headers["content-security-policy"]
    docs = anon.get("/docs").headers["content-security-policy"]  # Swagger UI served by the app: the same policy
    assert "cdn" not in docs and "'nonce-" in docs and "frame-ancestors 'none'" in docs


def test_a_huge_integer_in_the_query_string_is_a_422(store, world):
    c, h = client_for(store, "alice")
    c = TestClient(c.app, raise_server_exceptions=False, cookies=c.cookies)
    r = c.get(f"/api/v1/projects/{world['pa'].id}/activity", params={"before": str(2**63)})
    assert r.status_code == 422 and "query parameter 'before' is too large" in r.json()["detail"]["message"]
    r = c.get(f"/api/v1/projects/{world['pa'].id}/activity", params={"before": str(2**31)})
    assert r.status_code in (200, 422)  # PostgreSQL's integer ids stop at 2**31
    assert c.get(f"/api/v1/projects/{2**63}/activity").status_code == 404
    assert c.get(f"/api/v1/projects/{2**31}/activity").status_code == 404


def test_a_huge_integer_in_a_body_is_a_422(store, world):
    """Found by schemathesis: a map version beyond 64 bits as the rule check's ``base``."""
    c, h = client_for(store, "alice")
    c = TestClient(c.app, raise_server_exceptions=False, cookies=c.cookies)
    pa = world["pa"].id
    for base in (2**63, 2**31):  # SQLite's limit, then PostgreSQL's integer columns
        r = c.post(f"/api/v1/projects/{pa}/map/check-rule", headers=h,
                   json={"base": base, "touchpoint": {"id": "t", "stage": "s", "match": {"event": "x"}}})
        assert r.status_code in (404, 422), r.text
        if r.status_code == 422 and base == 2**63:
            assert "too large" in r.json()["detail"]["message"]
    r = c.post(f"/api/v1/projects/{pa}/map/check-rule", headers=h,
               json={"base": 2**63, "touchpoint": {"id": "t", "stage": "s", "match": {"event": "x"}}})
    assert r.status_code == 422 and "too large" in r.json()["detail"]["message"], r.text
