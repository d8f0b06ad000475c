"""A one-time password is changed before anything else (issue 23): the first admin's, printed by
``parcours serve``, and an account's made by an app admin. Until then every page redirects to the
account page's password form and the API answers 403 with what to do, except the password change,
log-out and ``GET /api/v1/me``; afterwards everything works. Through a real ``parcours serve``
process, and in Chromium from the log-in form."""

from __future__ import annotations

import httpx
import pytest

from tests.web.test_serve import first_admin, serve, stop

HTML = {"Accept": "text/html"}
MESSAGE = "change your one-time password first"


def log_in(base: str, email: str, password: str) -> tuple[httpx.Client, dict[str, str]]:
    c = httpx.Client(base_url=base, timeout=60)
    r = c.post("/api/v1/session", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return c, {"X-CSRF-Token": r.json()["csrf"]}


def assert_held_to_the_password_form(c: httpx.Client, h: dict[str, str]) -> None:
    for method, url, body in (("GET", "/api/v1/projects", None), ("POST", "/api/v1/workspaces", {"name": "CX"}),
                              ("GET", "/api/v1/me/tokens", None), ("POST", "/api/v1/me/tokens", {"name": "ci"})):
        r = c.request(method, url, json=body, headers=h)
        assert r.status_code == 403 and MESSAGE in r.json()["detail"], (method, url, r.text)
        assert "POST /api/v1/me/password" in r.json()["detail"]
    assert c.get("/api/v1/me").status_code == 200  # who am I, and the CSRF token the change needs
    for page in ("/", "/admin/accounts", "/projects/1", "/projects/1/data", "/workspaces/1/members"):
        r = c.get(page, headers=HTML)
        assert r.status_code == 303 and r.headers["location"] == "/account#password", (page, r.status_code)
    r = c.get("/account", headers=HTML)
    assert r.status_code == 200 and 'id="password"' in r.text


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("one-time")
    proc, base = serve(folder)
    try:
        yield base, *first_admin(proc)
    finally:
        stop(proc)


def test_the_first_admin_changes_the_one_time_password_first(server):
    base, email, one_time = server
    c, h = log_in(base, email, one_time)
    assert_held_to_the_password_form(c, h)
    # a wrong current password is refused; a right one frees the account
    assert c.post("/api/v1/me/password", json={"current": "not it", "new": "the admin's own password"},
                  headers=h).status_code == 403
    assert c.post("/api/v1/me/password", json={"current": one_time, "new": "the admin's own password"},
                  headers=h).status_code == 204
    assert c.get("/api/v1/projects").status_code == 200
    assert c.post("/api/v1/workspaces", json={"name": "CX team"}, headers=h).status_code == 201
    assert c.get("/", headers=HTML).status_code == 200
    # the one-time password no longer logs in; the new one does, with nothing held
    assert httpx.post(f"{base}/api/v1/session", json={"email": email, "password": one_time}, timeout=60).status_code == 401
    c2, _h2 = log_in(base, email, "the admin's own password")
    assert c2.get("/api/v1/projects").status_code == 200


def test_an_account_made_by_an_admin_is_held_too_and_may_log_out(server):
    base, email, _one_time = server
    admin, ha = log_in(base, email, "the admin's own password")  # (changed by the test above)
    made = admin.post("/api/v1/admin/users", json={"email": "carol@example.org", "name": "Carol"}, headers=ha)
    assert made.status_code == 201, made.text
    carol, hc = log_in(base, "carol@example.org", made.json()["password"])
    assert_held_to_the_password_form(carol, hc)
    assert carol.delete("/api/v1/session", headers=hc).status_code == 204  # log-out is allowed
    assert carol.get("/api/v1/me").status_code == 401
    carol, hc = log_in(base, "carol@example.org", made.json()["password"])  # still held on the next log-in
    assert carol.get("/api/v1/projects").status_code == 403
    assert carol.post("/api/v1/me/password", json={"current": made.json()["password"], "new": "carol's passphrase"},
                      headers=hc).status_code == 204
    assert carol.get("/api/v1/projects").json() == []


def test_in_the_browser_the_first_log_in_lands_on_the_password_form(tmp_path, browser):
    proc, base = serve(tmp_path)
    try:
        email, one_time = first_admin(proc)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/login")
        page.fill("#email", email)
        page.fill("#password", one_time)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/account#password")
        page.fill("#current", one_time)
        page.fill("#new", "a password of my own")
        page.fill("#again", "a password of my own")
        page.click("#password button[type=submit]")
        page.wait_for_function("() => document.getElementById('password-status').textContent.includes('changed')")
        page.goto(base + "/")
        assert page.url == base + "/"  # free to go: the projects page
        page.wait_for_selector("#new-workspace")
        assert errors == []
    finally:
        stop(proc)
