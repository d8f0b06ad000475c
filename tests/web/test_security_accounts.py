"""Issue 21, sessions and accounts: the attacks of the review, replayed through the real app
(FastAPI's TestClient on ``create_app``), on SQLite and PostgreSQL.

- a saved session cookie stops working after log-out, a password change, "sign out everywhere";
- repeated wrong passwords wait (429, Retry-After), per account and per address, across app
  processes; the right password works again after the wait;
- the log-in form goes back to same-site paths only (no open redirect);
- workspace admins invite (the invitee accepts) instead of adding any account, learn nothing
  about which emails have accounts, and cannot create accounts.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from parcours.store.models import SignIn
from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.web import create_app
from tests.web.test_api import client_for, store_data

API = "/api/v1"


@pytest.fixture
def world(store):
    """Workspace A (Alice editor, Dana admin and app admin, one project), workspace B (Carol admin)."""
    users = {n: create_user(store, f"{n}@example.org", n.title(), f"{n}-password-1", admin=n == "dana")
             for n in ("alice", "bob", "carol", "dana")}
    a, b = create_workspace(store, "Agence A"), create_workspace(store, "Banque B")
    add_member(store, a.id, users["alice"].id, "editor")
    add_member(store, a.id, users["dana"].id, "admin")
    add_member(store, b.id, users["carol"].id, "admin")
    return {"a": a, "b": b, "pa": create_project(store, a.id, "Parcours achat"), **users}


@pytest.fixture
def quick_throttle(monkeypatch):
    """3 failures per account, 6 per address, then a 1 s wait (doubling): tests need not wait 30 s."""
    monkeypatch.setenv("PARCOURS_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("PARCOURS_LOGIN_MAX_FAILURES_PER_ADDRESS", "6")
    monkeypatch.setenv("PARCOURS_LOGIN_WAIT_SECONDS", "1")


def app_client(store, address: str = "testclient") -> TestClient:
    return TestClient(create_app(store, secret="test-secret", data_dir=store_data(store), https_only=False),
                      client=(address, 50000))


def log_in(client: TestClient, who: str, password: str | None = None):
    return client.post(f"{API}/session", json={"email": f"{who}@example.org", "password": password or f"{who}-password-1"})


def copy_of(client: TestClient, address: str = "testclient") -> TestClient:
    """Another browser holding a saved copy of ``client``'s session cookie (what a thief replays)."""
    thief = TestClient(client.app, client=(address, 50001))
    thief.cookies.set("parcours_session", client.cookies["parcours_session"])
    return thief


# --- sessions end on the server -----------------------------------------------------------

def test_a_saved_cookie_stops_working_after_log_out(store, world):
    alice, h = client_for(store, "alice")
    saved = copy_of(alice)
    assert saved.get(f"{API}/me").status_code == 200  # the copy works while the session is on
    assert alice.delete(f"{API}/session", headers=h).status_code == 204
    me = saved.get(f"{API}/me")
    assert me.status_code == 401 and "session has ended" in me.json()["detail"]
    posted = saved.post(f"{API}/projects/{world['pa'].id}/comments", headers=h, json={"body": "still here?"})
    assert posted.status_code == 401
    assert saved.get("/account", follow_redirects=False).status_code == 303  # pages too: back to /login
    assert saved.get(f"/projects/{world['pa'].id}/discussion", follow_redirects=False).headers["location"].startswith("/login")
    with store.transaction() as session:
        assert [s.ended_at is not None for s in session.query(SignIn).filter_by(user_id=world["alice"].id)] == [True]


def test_a_password_change_ends_the_other_sessions_not_this_one(store, world):
    alice, h = client_for(store, "alice")
    elsewhere, _ = client_for(store, "alice")  # another browser of Alice's
    stolen = copy_of(alice)
    r = alice.post(f"{API}/me/password", headers=h, json={"current": "alice-password-1", "new": "brand-new-password"})
    assert r.status_code == 204
    assert elsewhere.get(f"{API}/me").status_code == 401
    assert alice.get(f"{API}/me").status_code == 200  # the browser that changed it goes on
    # a copy of this very cookie goes on too: the session is the same, only its owner knows the new password
    assert stolen.get(f"{API}/me").status_code == 200
    assert alice.delete(f"{API}/session", headers=h).status_code == 204
    assert stolen.get(f"{API}/me").status_code == 401


def test_an_app_admin_signs_a_user_out_everywhere(store, world):
    alice, ha = client_for(store, "alice")
    other, _ = client_for(store, "alice")
    dana, hd = client_for(store, "dana")
    bob, hb = client_for(store, "bob")
    carol, hc = client_for(store, "carol")  # a workspace admin, not an app admin
    url = f"{API}/admin/users/{world['alice'].id}/sign-out"
    for client, headers in ((bob, hb), (carol, hc)):
        assert client.post(url, headers=headers).status_code == 403
        assert client.get(f"{API}/admin/activity").status_code == 403
    assert alice.get(f"{API}/me").status_code == 200
    assert dana.post(url, headers=hd).json() == {"ended": 2}
    assert alice.get(f"{API}/me").status_code == 401 and other.get(f"{API}/me").status_code == 401
    assert dana.get(f"{API}/me").status_code == 200
    assert dana.post(f"{API}/admin/users/999999/sign-out", headers=hd).status_code == 404
    feed = dana.get(f"{API}/admin/activity").json()["items"]
    assert (feed[0]["kind"], feed[0]["user"]) == ("signed_out_everywhere", "Alice")
    assert "dana@example.org signed alice@example.org out everywhere (2 browser(s))" == feed[0]["summary"]
    users = {u["email"]: u["sign_ins"] for u in dana.get(f"{API}/admin/users").json()}
    assert users["alice@example.org"] == 0 and users["dana@example.org"] == 1
    page = dana.get("/admin/accounts").text
    assert 'aria-label="Sign Alice out everywhere"' in page and "signed alice@example.org out everywhere" in page
    assert bob.get("/admin/accounts", headers={"Accept": "text/html"}).status_code == 403


def test_sign_out_of_all_other_browsers(store, world):
    alice, h = client_for(store, "alice")
    others = [client_for(store, "alice")[0] for _ in range(2)]
    assert 'id="sign-out-others"' in alice.get("/account").text
    assert alice.post(f"{API}/me/sign-out-others", headers=h).json() == {"ended": 2}
    assert [c.get(f"{API}/me").status_code for c in others] == [401, 401]
    assert alice.get(f"{API}/me").status_code == 200
    assert alice.post(f"{API}/me/sign-out-others").status_code == 403  # CSRF still checked


def test_a_sign_in_expires_after_14_days(store, world):
    alice, _ = client_for(store, "alice")
    with store.transaction() as session:
        row = session.query(SignIn).filter_by(user_id=world["alice"].id).one()
        row.created_at = row.created_at - dt.timedelta(days=14, minutes=1)
    assert alice.get(f"{API}/me").status_code == 401


def test_an_api_token_is_not_a_session(store, world):
    """Tokens have their own revocation: signing out everywhere leaves them working."""
    alice, h = client_for(store, "alice")
    token = alice.post(f"{API}/me/tokens", headers=h, json={"name": "job"}).json()["token"]
    dana, hd = client_for(store, "dana")
    dana.post(f"{API}/admin/users/{world['alice'].id}/sign-out", headers=hd)
    assert client_for(store)[0].get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


# --- log-in throttle ----------------------------------------------------------------------

def test_repeated_wrong_passwords_wait_then_the_right_one_works(store, world, quick_throttle):
    c = app_client(store)
    assert [log_in(c, "alice", "guess-%d" % i).status_code for i in range(3)] == [401, 401, 401]
    r = log_in(c, "alice")  # the right password, during the wait: refused too
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert r.json()["detail"] == "too many failed log-ins for this account: try again in 1 s"
    assert "parcours_session" not in c.cookies
    # another app process on the same database refuses it as well
    assert log_in(app_client(store), "alice").status_code == 429
    time.sleep(1.1)
    assert log_in(c, "alice").status_code == 200  # after the wait, the right password works...
    assert c.get(f"{API}/me").json()["user"]["email"] == "alice@example.org"
    assert [log_in(c, "alice", "x").status_code for _ in range(3)] == [401, 401, 401]  # ...and cleared the count
    dana, _ = client_for(store, "dana")
    feed = dana.get(f"{API}/admin/activity").json()["items"]
    assert feed[0]["kind"] == "login_throttled" and feed[0]["user"] == "Alice"
    assert "repeated failed log-ins for alice@example.org" in feed[0]["summary"] and feed[0]["address"] == "testclient"


def test_the_wait_doubles_with_each_new_failure(store, world, quick_throttle):
    c = app_client(store)
    for _ in range(3):
        log_in(c, "alice", "wrong")
    time.sleep(1.1)
    assert log_in(c, "alice", "wrong").status_code == 401  # let through after the wait, and wrong
    r = log_in(c, "alice")
    assert r.status_code == 429 and r.headers["retry-after"] == "2" and "try again in 2 s" in r.json()["detail"]


def test_an_unknown_email_waits_the_same(store, world, quick_throttle):
    """The throttle answers the same for an email without an account: it tells nothing."""
    c = app_client(store)
    answers = [log_in(c, "nobody", "guess") for _ in range(4)]
    assert [r.status_code for r in answers] == [401, 401, 401, 429]
    assert answers[-1].json()["detail"] == "too many failed log-ins for this account: try again in 1 s"


def test_many_accounts_tried_from_one_address_wait(store, world, quick_throttle):
    spray = app_client(store, "203.0.113.9")
    statuses = [log_in(spray, who, "Summer2026!").status_code for who in ("alice", "bob", "carol") * 2]
    assert statuses == [401] * 6
    r = log_in(spray, "dana")
    assert r.status_code == 429 and "from your address" in r.json()["detail"] and r.headers["retry-after"] == "1"
    assert log_in(app_client(store, "198.51.100.4"), "dana").status_code == 200  # Dana, from her own address


def test_the_log_in_form_is_throttled_too(store, world, quick_throttle):
    c = app_client(store)
    for _ in range(3):
        r = form_log_in(c, "alice@example.org", "wrong")
        assert r.status_code == 401 and "Log in failed: wrong email or password." in r.text
    r = form_log_in(c, "alice@example.org", "alice-password-1")
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert "Too many failed log-ins for this account: try again in 1 s." in r.text and "<form" in r.text
    assert log_in(c, "alice").status_code == 429  # the API and the form count together
    time.sleep(1.1)
    r = form_log_in(c, "alice@example.org", "alice-password-1")
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_the_current_password_of_a_password_change_is_throttled(store, world, quick_throttle):
    alice, h = client_for(store, "alice")
    url = f"{API}/me/password"
    for _ in range(3):
        assert alice.post(url, headers=h, json={"current": "guess", "new": "brand-new-password"}).status_code == 403
    r = alice.post(url, headers=h, json={"current": "alice-password-1", "new": "brand-new-password"})
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    time.sleep(1.1)
    assert alice.post(url, headers=h, json={"current": "alice-password-1", "new": "brand-new-password"}).status_code == 204


# --- no open redirect after log-in --------------------------------------------------------

def form_log_in(client: TestClient, email: str, password: str, next_url: str | None = None, query: str = ""):
    """Open /login (``query``: its raw query string), then post its form as a browser would,
    with the form's own ``next`` unless ``next_url`` replaces it."""
    page = client.get("/login" + query).text
    csrf = re.search(r'name="csrf" value="([^"]*)"', page)[1]
    shown = re.search(r'name="next" value="([^"]*)"', page)[1]
    import html

    return client.post("/login", data={"csrf": csrf, "email": email, "password": password,
                                       "next": html.unescape(shown) if next_url is None else next_url},
                       follow_redirects=False)


def lands_on(location: str) -> str:
    """The host a browser goes to after this Location (browsers drop tabs and newlines and read
    backslashes as slashes: urllib does not, so do it first)."""
    as_browser = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://testserver/login", as_browser)).netloc


ATTACKS = ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "%5C%5Cevil.example", "https://evil.example",
           "/%2F%2Fevil.example", "%2F%2Fevil.example", "/%0D%0A/evil.example", "///evil.example", "/%5C/evil.example",
           "http:evil.example", "javascript:alert(1)", "%09//evil.example", "/\t/evil.example"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_log_in_never_leaves_the_site(store, world, attack):
    c = app_client(store)
    query = "?next=" + attack.replace("\t", "%09")
    r = form_log_in(c, "alice@example.org", "alice-password-1", query=query)  # the link the attacker sent
    assert r.status_code == 303 and r.headers["location"] == "/" and lands_on(r.headers["location"]) == "testserver"
    from urllib.parse import unquote

    forged = form_log_in(c, "alice@example.org", "alice-password-1", next_url=unquote(attack))  # posted as is
    assert forged.status_code == 303 and forged.headers["location"] == "/"


def test_log_in_goes_back_to_the_page_that_asked(store, world):
    c = app_client(store)
    pa = world["pa"].id
    asked = c.get(f"/projects/{pa}/discussion", follow_redirects=False)
    assert asked.status_code == 303
    r = form_log_in(c, "alice@example.org", "alice-password-1", query=urlsplit(asked.headers["location"]).query and
                    "?" + urlsplit(asked.headers["location"]).query)
    assert r.status_code == 303 and r.headers["location"] == f"/projects/{pa}/discussion"
    assert c.get(r.headers["location"]).status_code == 200
    r = form_log_in(app_client(store), "alice@example.org", "alice-password-1", query="?next=/projects/1/edit%3Fx%3D1")
    assert r.headers["location"] == "/projects/1/edit?x=1"


def test_the_log_in_form_needs_its_own_token(store, world):
    """Another site cannot post the form to log a visitor into an account of its choosing."""
    c = app_client(store)
    r = c.post("/login", data={"email": "alice@example.org", "password": "alice-password-1", "next": "/"},
               follow_redirects=False)
    assert r.status_code == 403 and "expired" in r.text
    assert c.get(f"{API}/me").status_code == 401


# --- invitations instead of adding accounts -----------------------------------------------

def test_an_invitation_answers_the_same_whether_or_not_an_account_exists(store, world):
    a = world["a"].id
    dana, hd = client_for(store, "dana")
    url = f"{API}/workspaces/{a}/invitations"
    known = dana.post(url, headers=hd, json={"email": "carol@example.org", "role": "viewer"})  # has an account, in B
    unknown = dana.post(url, headers=hd, json={"email": "zoe@example.org", "role": "viewer"})  # has none
    assert known.status_code == unknown.status_code == 201
    shape = lambda r: {k: type(v) for k, v in r.json().items()}  # noqa: E731
    assert shape(known) == shape(unknown)
    assert set(known.json()) == {"id", "email", "role", "created_at", "expires_at", "token", "link"}
    # nobody became a member: an invitation waits for its invitee
    assert [m["email"] for m in dana.get(f"{API}/workspaces/{a}/members").json()] == ["alice@example.org", "dana@example.org"]
    assert client_for(store, "carol")[0].get(f"{API}/workspaces/{a}/members").status_code == 404
    listed = dana.get(url).json()
    assert [(i["email"], i["role"]) for i in listed] == [("carol@example.org", "viewer"), ("zoe@example.org", "viewer")]
    assert "token" not in str(listed) and known.json()["token"] not in str(listed)


def test_the_invitee_alone_accepts_and_only_once(store, world):
    a = world["a"].id
    dana, hd = client_for(store, "dana")
    invitation = dana.post(f"{API}/workspaces/{a}/invitations", headers=hd,
                           json={"email": "Bob@example.org", "role": "viewer"}).json()
    token = invitation["token"]
    assert invitation["link"] == f"/invitations/{token}" and invitation["email"] == "bob@example.org"
    # the page, logged out: log in with the invited email (no account creation: off by default)
    page = client_for(store)[0].get(invitation["link"])
    assert page.status_code == 200 and "Agence A" in page.text and "bob@example.org" in page.text
    assert 'id="signup"' not in page.text and f'href="/login?next=/invitations/{token}"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    alice, ha = client_for(store, "alice")  # someone else holding the link
    r = alice.post(f"{API}/invitations/{token}/accept", headers=ha)
    assert r.status_code == 403 and "another email" in r.json()["detail"]
    assert 'id="accept"' not in alice.get(invitation["link"]).text
    bob, hb = client_for(store, "bob")
    assert bob.get(f"{API}/workspaces/{a}/members").status_code == 404  # not a member before accepting
    assert 'id="accept"' in bob.get(invitation["link"]).text
    assert bob.post(f"{API}/invitations/{token}/accept").status_code == 403  # CSRF
    r = bob.post(f"{API}/invitations/{token}/accept", headers=hb)
    assert r.status_code == 200 and r.json() == {"id": a, "name": "Agence A", "slug": "agence-a", "role": "viewer"}
    assert [p["name"] for p in bob.get(f"{API}/projects").json()] == ["Parcours achat"]
    assert bob.post(f"{API}/invitations/{token}/accept", headers=hb).status_code == 404  # used
    gone = client_for(store)[0].get(invitation["link"], headers={"Accept": "text/html"})
    assert gone.status_code == 404 and "not valid" in gone.text
    assert dana.get(f"{API}/workspaces/{a}/invitations").json() == []
    kinds = [x["kind"] for x in client_for(store, "dana")[0].get(f"{API}/admin/activity").json()["items"]]
    assert kinds[:2] == ["invitation_accepted", "invitation"]


def test_invitations_are_revoked_and_kept_to_the_workspace_s_admins(store, world):
    a, b = world["a"].id, world["b"].id
    dana, hd = client_for(store, "dana")
    alice, ha = client_for(store, "alice")  # an editor of A
    carol, hc = client_for(store, "carol")  # the admin of B
    url = f"{API}/workspaces/{a}/invitations"
    assert alice.post(url, headers=ha, json={"email": "x@example.org", "role": "viewer"}).status_code == 403
    assert alice.get(url).status_code == 403
    assert carol.post(url, headers=hc, json={"email": "carol@example.org", "role": "admin"}).status_code == 404
    first = dana.post(url, headers=hd, json={"email": "bob@example.org", "role": "editor"}).json()
    again = dana.post(url, headers=hd, json={"email": "bob@example.org", "role": "viewer"}).json()  # replaces it
    bob, hb = client_for(store, "bob")
    assert bob.post(f"{API}/invitations/{first['token']}/accept", headers=hb).status_code == 404
    assert carol.delete(f"{url}/{again['id']}", headers=hc).status_code == 404
    assert carol.delete(f"{API}/workspaces/{b}/invitations/{again['id']}", headers=hc).status_code == 404  # not B's
    assert dana.delete(f"{url}/{again['id']}", headers=hd).status_code == 204
    assert bob.post(f"{API}/invitations/{again['token']}/accept", headers=hb).status_code == 404
    r = dana.post(url, headers=hd, json={"email": "alice@example.org", "role": "admin"})
    assert r.status_code == 409 and "already a member" in r.json()["detail"]
    assert dana.post(url, headers=hd, json={"email": "bob@example.org", "role": "owner"}).status_code == 422
    for bad in ("not-an-email", "x" * 400 + "@example.org"):
        assert dana.post(url, headers=hd, json={"email": bad, "role": "viewer"}).status_code == 422
    page = dana.get(f"/workspaces/{a}/members").text
    assert 'id="invite"' in page and "Pending invitations" in page


def test_an_invitation_expires(store, world):
    from parcours.store.models import Invitation

    dana, hd = client_for(store, "dana")
    token = dana.post(f"{API}/workspaces/{world['a'].id}/invitations", headers=hd,
                      json={"email": "bob@example.org", "role": "viewer"}).json()["token"]
    with store.transaction() as session:
        row = session.query(Invitation).one()
        row.created_at = row.created_at - dt.timedelta(days=15)
    bob, hb = client_for(store, "bob")
    assert bob.post(f"{API}/invitations/{token}/accept", headers=hb).status_code == 404


def test_accounts_are_created_by_app_admins_only(store, world):
    carol, hc = client_for(store, "carol")  # a workspace admin
    body = {"email": "erin@example.org", "name": "Erin"}
    assert carol.post(f"{API}/admin/users", headers=hc, json=body).status_code == 403
    assert carol.get(f"{API}/admin/users").status_code == 403
    dana, hd = client_for(store, "dana")
    r = dana.post(f"{API}/admin/users", headers=hd, json=body)
    assert r.status_code == 201 and len(r.json()["password"]) >= 12 and r.json()["is_admin"] is False
    assert log_in(client_for(store)[0], "erin", r.json()["password"]).status_code == 200
    assert dana.post(f"{API}/admin/users", headers=hd, json=body).status_code == 409
    for bad in ("nope", "x" * 400 + "@example.org"):
        assert dana.post(f"{API}/admin/users", headers=hd, json={"email": bad, "name": "x"}).status_code == 422
    assert 'id="create-account"' in dana.get("/admin/accounts").text


def test_an_invitee_creates_an_account_only_when_the_app_allows_it(store, world, monkeypatch):
    a = world["a"].id
    dana, hd = client_for(store, "dana")
    invite = lambda email: dana.post(f"{API}/workspaces/{a}/invitations", headers=hd,  # noqa: E731
                                     json={"email": email, "role": "editor"}).json()["token"]
    token = invite("zoe@example.org")
    stranger = client_for(store)[0]
    r = stranger.post(f"{API}/invitations/{token}/account", json={"name": "Zoé", "password": "zoe-password-1"})
    assert r.status_code == 403 and "administrators" in r.json()["detail"]
    assert log_in(stranger, "zoe", "zoe-password-1").status_code == 401
    monkeypatch.setenv("PARCOURS_OPEN_SIGNUP", "1")
    assert 'id="signup"' in stranger.get(f"/invitations/{token}").text
    r = stranger.post(f"{API}/invitations/{token}/account", json={"name": "Zoé", "password": "zoe-password-1"})
    assert r.status_code == 201 and r.json()["workspace"]["role"] == "editor" and r.json()["user"]["email"] == "zoe@example.org"
    assert [p["name"] for p in stranger.get(f"{API}/projects").json()] == ["Parcours achat"]  # signed in, a member
    r = stranger.post(f"{API}/invitations/{token}/account", json={"name": "Zoé", "password": "zoe-password-1"})
    assert r.status_code == 404  # used
    token = invite("bob@example.org")  # Bob has an account: he logs in to accept
    r = client_for(store)[0].post(f"{API}/invitations/{token}/account", json={"name": "B", "password": "another-password"})
    assert r.status_code == 409 and "log in" in r.json()["detail"]
    assert log_in(client_for(store)[0], "bob").status_code == 200  # his password is untouched


def test_a_wrong_throttle_setting_stops_the_start_or_refuses_log_ins_and_says_which(store, world, monkeypatch):
    from parcours.errors import OptionError

    monkeypatch.setenv("PARCOURS_LOGIN_WAIT_SECONDS", "soon")
    with pytest.raises(OptionError, match="PARCOURS_LOGIN_WAIT_SECONDS='soon'"):
        app_client(store)
    monkeypatch.delenv("PARCOURS_LOGIN_WAIT_SECONDS")
    client = app_client(store)
    monkeypatch.setenv("PARCOURS_LOGIN_WAIT_SECONDS", "soon")  # changed under a running app
    r = log_in(client, "alice")
    assert r.status_code == 503 and "PARCOURS_LOGIN_WAIT_SECONDS='soon'" in r.json()["detail"]
