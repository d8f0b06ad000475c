"""The team's API and pages over HTTP, on SQLite and PostgreSQL: comments and mentions, the
activity feed, workspaces, projects and members, passwords and API tokens."""

from __future__ import annotations

import html
import re

import pytest
import yaml

from parcours.demo import _MAP_YAML
from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from tests.web.test_api import client_for

API = "/api/v1"


@pytest.fixture
def world(store):
    """Workspace A (Alice editor, Bob viewer, Dana admin; one project with the demo map) and
    workspace B (Carol admin, one project). Dana is also an admin of the app."""
    users = {n: create_user(store, f"{n}@example.org", n.title(), f"{n}-password-1", admin=n == "dana")
             for n in ("alice", "bob", "carol", "dana")}
    a, b = create_workspace(store, "Agence A"), create_workspace(store, "Banque B")
    add_member(store, a.id, users["alice"].id, "editor")
    add_member(store, a.id, users["bob"].id, "viewer")
    add_member(store, a.id, users["dana"].id, "admin")
    add_member(store, b.id, users["carol"].id, "admin")
    world = {"a": a, "b": b, "pa": create_project(store, a.id, "Parcours achat"),
             "pb": create_project(store, b.id, "Ouverture de compte"), **users}
    c, h = client_for(store, "alice")
    assert c.post(f"{API}/projects/{world['pa'].id}/map/versions", json={"yaml": _MAP_YAML, "base": None},
                  headers=h).status_code == 201
    return world


def test_comments_with_mentions_of_members_only(store, world):
    pa = world["pa"].id
    bob, hb = client_for(store, "bob")  # a viewer comments: that is how viewers take part
    r = bob.post(f"{API}/projects/{pa}/comments", headers=hb, json={
        "target_kind": "stage", "target_id": "purchase",
        "body": '@ALICE see @"dana" and @carol@example.org, @Carol, @nobody (mail bob@example.org)'})
    assert r.status_code == 201, r.text
    posted = r.json()
    assert [m["email"] for m in posted["mentions"]] == ["alice@example.org", "dana@example.org"]
    assert posted["unresolved"] == ["@carol@example.org", "@Carol", "@nobody"]  # Carol is in workspace B only
    assert (posted["author"], posted["target_kind"], posted["target_id"]) == ("Bob", "stage", "purchase")
    listed = bob.get(f"{API}/projects/{pa}/comments").json()
    assert [c["id"] for c in listed] == [posted["id"]] and "unresolved" not in listed[0]
    assert bob.get(f"{API}/projects/{pa}/comments", params={"target_kind": "stage", "target_id": "discovery"}).json() == []
    assert bob.get(f"{API}/projects/{pa}/comments", params={"target_kind": "nope"}).status_code == 422
    alice, _ = client_for(store, "alice")
    mine = alice.get(f"{API}/me/mentions").json()
    assert [(m["id"], m["project"]["name"]) for m in mine] == [(posted["id"], "Parcours achat")]
    carol, _ = client_for(store, "carol")
    assert carol.get(f"{API}/me/mentions").json() == []


def test_a_comment_needs_a_target_of_the_latest_map_and_a_body(store, world):
    pa = world["pa"].id
    c, h = client_for(store, "alice")
    r = c.post(f"{API}/projects/{pa}/comments", headers=h, json={"target_kind": "stage", "target_id": "achat", "body": "x"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail["known"] == [s["id"] for s in yaml.safe_load(_MAP_YAML)["stages"]]
    assert "target_id" in detail["message"] and "purchase" in detail["hint"]
    for body, field in (({"target_kind": "project", "body": "  "}, "body"),
                        ({"target_kind": "project", "body": "x" * 5001}, "body"),
                        ({"target_kind": "persona", "target_id": "x", "body": "x"}, "target_kind"),
                        ({"target_kind": "project"}, "body")):
        r = c.post(f"{API}/projects/{pa}/comments", headers=h, json=body)
        assert r.status_code == 422 and field in str(r.json()["detail"]), (body, r.text)
    assert c.get(f"{API}/projects/{pa}/comments").json() == []
    assert c.post(f"{API}/projects/{pa}/comments", json={"body": "no CSRF"}).status_code == 403


def test_another_workspace_s_project_does_not_exist(store, world):
    pb = world["pb"].id
    carol, hc = client_for(store, "carol")
    comment = carol.post(f"{API}/projects/{pb}/comments", headers=hc, json={"body": "in B"}).json()
    alice, ha = client_for(store, "alice")
    for path in (f"{API}/projects/{pb}/comments", f"{API}/projects/{pb}/activity"):
        assert alice.get(path).status_code == 404 == alice.get(path.replace(f"/{pb}/", "/999999/")).status_code
    assert alice.post(f"{API}/projects/{pb}/comments", headers=ha, json={"body": "hi"}).status_code == 404
    assert alice.delete(f"{API}/projects/{pb}/comments/{comment['id']}", headers=ha).status_code == 404
    # nor can a comment of B be deleted through a project of A
    assert alice.delete(f"{API}/projects/{world['pa'].id}/comments/{comment['id']}", headers=ha).status_code == 404
    assert alice.get(f"/projects/{pb}/discussion", headers={"Accept": "text/html"}).status_code == 404
    assert len(carol.get(f"{API}/projects/{pb}/comments").json()) == 1


def test_deleting_comments(store, world):
    pa = world["pa"].id
    bob, hb = client_for(store, "bob")
    alice, ha = client_for(store, "alice")
    dana, hd = client_for(store, "dana")
    ids = [bob.post(f"{API}/projects/{pa}/comments", headers=hb, json={"body": f"c{i}"}).json()["id"] for i in range(2)]
    r = alice.delete(f"{API}/projects/{pa}/comments/{ids[0]}", headers=ha)  # an editor, not the author
    assert r.status_code == 403 and "author" in r.json()["detail"]
    assert bob.delete(f"{API}/projects/{pa}/comments/{ids[0]}", headers=hb).status_code == 204
    assert dana.delete(f"{API}/projects/{pa}/comments/{ids[1]}", headers=hd).status_code == 204  # the admin
    assert bob.delete(f"{API}/projects/{pa}/comments/{ids[1]}", headers=hb).status_code == 404
    assert bob.get(f"{API}/projects/{pa}/comments").json() == []


def test_the_feed_lists_saves_and_comments_newest_first_by_pages(store, world):
    pa = world["pa"].id
    alice, ha = client_for(store, "alice")
    bob, hb = client_for(store, "bob")
    alice.post(f"{API}/projects/{pa}/comments", headers=ha, json={"body": "on the project"})
    renamed = _MAP_YAML.replace("fr: Achat", "fr: Achat en ligne", 1)
    assert alice.post(f"{API}/projects/{pa}/map/versions", headers=ha, json={"yaml": renamed, "base": 1}).status_code == 201
    bob.post(f"{API}/projects/{pa}/comments", headers=hb, json={"target_kind": "stage", "target_id": "purchase", "body": "b"})
    expected = [("Bob", "commented on stage 'Achat en ligne'"), ("Alice", "saved version 2"),
                ("Alice", "commented on the project"), ("Alice", "saved version 1")]
    first = bob.get(f"{API}/projects/{pa}/activity", params={"limit": 3}).json()
    assert [(x["user"], x["summary"]) for x in first["items"]] == expected[:3]
    assert first["items"][0]["target_kind"] == "stage" and first["items"][0]["target_id"] == "purchase"
    assert first["next_before"] == first["items"][-1]["id"]
    rest = bob.get(f"{API}/projects/{pa}/activity", params={"limit": 3, "before": first["next_before"]}).json()
    assert [(x["user"], x["summary"]) for x in rest["items"]] == expected[3:] and rest["next_before"] is None
    everything = bob.get(f"{API}/projects/{pa}/activity").json()
    assert [x["id"] for x in everything["items"]] == [x["id"] for x in first["items"] + rest["items"]]
    assert bob.get(f"{API}/projects/{pa}/activity", params={"limit": 0}).status_code == 422


def test_workspaces_and_projects_by_role(store, world):
    a, pa = world["a"].id, world["pa"].id
    bob, hb = client_for(store, "bob")
    assert bob.get(f"{API}/workspaces").json() == [{"id": a, "name": "Agence A", "slug": "agence-a", "role": "viewer"}]
    r = bob.post(f"{API}/workspaces/{a}/projects", headers=hb, json={"name": "Mine"})
    assert r.status_code == 403 and "viewer" in r.json()["detail"]
    assert bob.post(f"{API}/workspaces", headers=hb, json={"name": "Mine"}).status_code == 403  # not an app admin
    assert bob.post(f"{API}/workspaces/{world['b'].id}/projects", headers=hb, json={"name": "x"}).status_code == 404
    alice, ha = client_for(store, "alice")
    r = alice.post(f"{API}/workspaces/{a}/projects", headers=ha, json={"name": "Service après-vente"})
    assert r.status_code == 201 and r.json()["slug"] == "service-apres-vente" and r.json()["role"] == "editor"
    new = r.json()["id"]
    assert {p["id"] for p in bob.get(f"{API}/projects").json()} == {pa, new}
    assert alice.post(f"{API}/workspaces/{a}/projects", headers=ha, json={"name": "Service Après Vente"}).status_code == 409
    assert alice.post(f"{API}/workspaces/{a}/projects", headers=ha, json={"name": ""}).status_code == 422
    assert bob.get(f"{API}/projects/{new}/activity").json()["items"][0]["kind"] == "project_created"
    dana, hd = client_for(store, "dana")
    r = dana.post(f"{API}/workspaces", headers=hd, json={"name": "Équipe CX"})
    assert r.status_code == 201 and r.json()["role"] == "admin"
    assert [w["name"] for w in dana.get(f"{API}/workspaces").json()] == ["Agence A", "Équipe CX"]
    assert dana.post(f"{API}/workspaces", headers=hd, json={"name": "equipe cx"}).status_code == 409


def test_members_and_the_last_admin(store, world):
    a = world["a"].id
    dana, hd = client_for(store, "dana")
    bob, hb = client_for(store, "bob")
    assert [(m["name"], m["role"]) for m in bob.get(f"{API}/workspaces/{a}/members").json()] == [
        ("Alice", "editor"), ("Bob", "viewer"), ("Dana", "admin")]
    assert bob.put(f"{API}/workspaces/{a}/members", headers=hb, json={"email": "bob@example.org", "role": "admin"}).status_code == 403
    carol, _ = client_for(store, "carol")
    assert carol.get(f"{API}/workspaces/{a}/members").status_code == 404
    r = dana.delete(f"{API}/workspaces/{a}/members/{world['dana'].id}", headers=hd)
    assert r.status_code == 409 and "last admin" in r.json()["detail"]
    r = dana.put(f"{API}/workspaces/{a}/members", headers=hd, json={"email": "dana@example.org", "role": "viewer"})
    assert r.status_code == 409 and "last admin" in r.json()["detail"]
    # a role is changed for members only; anyone else is the same 404, account or not (no enumeration)
    nobody = dana.put(f"{API}/workspaces/{a}/members", headers=hd, json={"email": "erin@example.org", "role": "viewer"})
    outsider = dana.put(f"{API}/workspaces/{a}/members", headers=hd, json={"email": "carol@example.org", "role": "viewer"})
    assert nobody.status_code == outsider.status_code == 404
    assert nobody.json()["detail"].replace("erin", "carol") == outsider.json()["detail"]
    assert "invite" in nobody.json()["detail"] and "account" not in nobody.json()["detail"]
    r = dana.put(f"{API}/workspaces/{a}/members", headers=hd, json={"email": "bob@example.org", "role": "chief"})
    assert r.status_code == 422 and "role" in r.json()["detail"]
    r = dana.put(f"{API}/workspaces/{a}/members", headers=hd,  # creating accounts is no longer a workspace admin's
                 json={"email": "Erin@example.org", "role": "editor", "create": True, "name": "Erin"})
    assert r.status_code == 422 and "create" in str(r.json()["detail"])
    assert [m["email"] for m in dana.get(f"{API}/workspaces/{a}/members").json()] == [
        "alice@example.org", "bob@example.org", "dana@example.org"]
    assert dana.put(f"{API}/workspaces/{a}/members", headers=hd,
                    json={"email": "bob@example.org", "role": "admin"}).json()["role"] == "admin"
    assert dana.delete(f"{API}/workspaces/{a}/members/{world['dana'].id}", headers=hd).status_code == 204
    assert dana.get(f"{API}/workspaces/{a}/members").status_code == 404  # no longer a member
    assert bob.delete(f"{API}/workspaces/{a}/members/{world['carol'].id}", headers=hb).status_code == 404


def test_password_change_then_only_the_new_one_logs_in(store, world):
    alice, ha = client_for(store, "alice")
    url = f"{API}/me/password"
    r = alice.post(url, headers=ha, json={"current": "wrong-password", "new": "brand-new-password"})
    assert r.status_code == 403 and "current password" in r.json()["detail"]
    r = alice.post(url, headers=ha, json={"current": "alice-password-1", "new": "short"})
    assert r.status_code == 422 and "at least 8" in r.json()["detail"]
    assert alice.post(url, json={"current": "alice-password-1", "new": "brand-new-password"}).status_code == 403  # CSRF
    assert alice.post(url, headers=ha, json={"current": "alice-password-1", "new": "brand-new-password"}).status_code == 204
    fresh = client_for(store)[0]
    login = f"{API}/session"
    assert fresh.post(login, json={"email": "alice@example.org", "password": "alice-password-1"}).status_code == 401
    assert fresh.post(login, json={"email": "alice@example.org", "password": "brand-new-password"}).status_code == 200


def test_api_tokens_created_used_and_revoked(store, world):
    alice, ha = client_for(store, "alice")
    r = alice.post(f"{API}/me/tokens", headers=ha, json={"name": "CRM export"})
    assert r.status_code == 201
    created = r.json()
    token = created["token"]
    assert token.startswith("pc_") and token.startswith(created["prefix"]) and len(token) > 40
    assert alice.post(f"{API}/me/tokens", headers=ha, json={"name": " "}).status_code == 422
    listed = alice.get(f"{API}/me/tokens").json()
    assert [(t["id"], t["name"], t["revoked_at"]) for t in listed] == [(created["id"], "CRM export", None)]
    assert token not in str(listed)
    script = client_for(store)[0]  # no cookie: the token alone
    bearer = {"Authorization": f"Bearer {token}"}
    assert [p["name"] for p in script.get(f"{API}/projects", headers=bearer).json()] == ["Parcours achat"]
    # the token acts as Alice, without a CSRF token
    pa = world["pa"].id
    assert script.post(f"{API}/projects/{pa}/comments", headers=bearer, json={"body": "from a script"}).status_code == 201
    bob, hb = client_for(store, "bob")
    assert bob.delete(f"{API}/me/tokens/{created['id']}", headers=hb).status_code == 404  # not Bob's token
    assert alice.delete(f"{API}/me/tokens/{created['id']}", headers=ha).status_code == 204
    assert script.get(f"{API}/projects", headers=bearer).status_code == 401
    assert alice.get(f"{API}/me/tokens").json()[0]["revoked_at"] is not None


def test_discussion_page_escapes_comments_and_highlights_mentions(store, world):
    pa = world["pa"].id
    bob, hb = client_for(store, "bob")
    attack = "<script>alert(1)</script> @alice"
    bob.post(f"{API}/projects/{pa}/comments", headers=hb, json={"target_kind": "stage", "target_id": "purchase", "body": attack})
    bob.post(f"{API}/projects/{pa}/comments", headers=hb, json={"body": '<img src=x onerror="alert(2)">'})
    page = bob.get(f"/projects/{pa}/discussion", params={"target": "stage:purchase"}).text
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert html.escape("<script>alert(1)</script>", quote=False) in page
    assert '<span class="mention">@alice</span>' in page
    assert re.search(r'<option value="stage:purchase" selected>Achat</option>', page)
    for heading in ("Stage: Achat", "The project"):
        assert heading in page
    assert "commented on stage &#39;Achat&#39;" in page and "saved version 1" in page  # the feed
    assert 'class="link delete-comment"' in page  # Bob wrote them
    alice, _ = client_for(store, "alice")
    assert 'class="link delete-comment"' not in alice.get(f"/projects/{pa}/discussion").text  # neither author nor admin
    logged_out = client_for(store)[0].get(f"/projects/{pa}/discussion", follow_redirects=False)
    assert logged_out.status_code == 303 and logged_out.headers["location"].startswith("/login")


def test_members_account_and_home_pages(store, world):
    a = world["a"].id
    dana, hd = client_for(store, "dana")
    dana.post(f"{API}/me/tokens", headers=hd, json={"name": "<b>nightly</b>"})
    bob, _ = client_for(store, "bob")
    page = dana.get(f"/workspaces/{a}/members").text
    assert 'aria-label="Role of Bob"' in page and 'id="invite"' in page and 'id="create"' not in page
    page = bob.get(f"/workspaces/{a}/members").text
    assert "Bob" in page and 'id="invite"' not in page and "select" not in page.split("<main>")[1].split("<h2>Roles")[0]
    assert bob.get(f"/workspaces/{world['b'].id}/members", headers={"Accept": "text/html"}).status_code == 404
    account = dana.get("/account").text
    assert "dana@example.org" in account and "&lt;b&gt;nightly&lt;/b&gt;" in account and "<b>nightly" not in account
    assert 'href="/workspaces/%d/members"' % a in account
    assert client_for(store)[0].get("/account", follow_redirects=False).status_code == 303
    home = dana.get("/").text
    assert 'id="new-project"' in home and 'id="new-workspace"' in home and 'href="/account"' in home
    assert 'id="new-workspace"' not in bob.get("/").text


def change_password(page, current: str, new: str) -> None:
    """On the account page's password form: from ``current`` to ``new``."""
    page.fill("#current", current)
    page.fill("#new", new)
    page.fill("#again", new)
    page.click("#password button[type=submit]")
    page.wait_for_selector("#password-status:not(:empty)")


def test_first_admin_sets_up_a_team_in_the_browser(tmp_path, browser):
    """In Chromium, against a real `parcours serve`: the first admin creates a workspace, creates
    an account and invites it (accepted in the invitee's browser), creates a project, comments with mentions (escaped), changes the
    one-time password, creates an API token, uses it and revokes it."""
    import httpx

    from tests.web.test_serve import first_admin, serve, stop

    proc, base = serve(tmp_path)
    try:
        email, one_time = first_admin(proc)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: d.accept())
        page.goto(base + "/login")
        page.fill("#email", email)
        page.fill("#password", one_time)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/account#password")  # the one-time password is changed first
        change_password(page, one_time, "my own password")
        page.goto(base + "/")
        page.wait_for_selector("#new-workspace")
        page.fill("#workspace-name", "Équipe <CX>")
        page.click("#new-workspace button[type=submit]")
        page.wait_for_selector("h1:has-text('Members of')")
        assert page.inner_text("h1") == "Members of Équipe <CX>"
        members_url = page.url
        # Bob has no account: the app admin creates it, then invites him; he accepts in his browser.
        page.goto(base + "/admin/accounts")
        page.fill("#account-email", "bob@example.org")
        page.fill("#account-name", "Bob <b>B</b>")
        page.click("#create-account button[type=submit]")
        page.wait_for_selector("#account-created:not([hidden])")
        bob_password = page.inner_text("#account-password")
        assert len(bob_password) >= 12
        page.goto(members_url)
        page.fill("#email", "bob@example.org")
        page.select_option("#new-role", "viewer")
        page.click("#invite button[type=submit]")
        page.wait_for_selector("#invited:not([hidden])")
        link = page.inner_text("#invited-link")
        assert link.startswith(base + "/invitations/")
        page.reload()
        assert "bob@example.org" in page.inner_text("table[aria-labelledby=pending-title]")
        bob_page = browser.new_context().new_page()
        bob_page.goto(link)
        bob_page.click("#login")
        bob_page.fill("#email", "bob@example.org")
        bob_page.fill("#password", bob_password)
        bob_page.click("button[type=submit]")
        bob_page.wait_for_url(base + "/account#password")  # his one-time password first
        change_password(bob_page, bob_password, "bob's own password")
        bob_page.goto(link)
        bob_page.wait_for_selector("#accept")  # back on the invitation, signed in
        bob_page.click("#accept")
        bob_page.wait_for_url(base + "/")
        bob_page.get_by_text("Équipe <CX>").first.wait_for()  # the page's script lists the workspaces
        assert "Équipe <CX>" in bob_page.inner_text("main")
        bob_page.context.close()

        page.goto(base + "/")
        page.wait_for_selector("#new-project-section:not([hidden])")
        assert page.inner_text("#workspaces").startswith("Équipe <CX> — your role: admin")
        page.fill("#project-name", "Parcours achat")
        page.click("#new-project button[type=submit]")
        page.wait_for_url(re.compile(r"/projects/\d+/edit$"))
        project_id = int(re.search(r"/projects/(\d+)/edit", page.url)[1])

        page.goto(f"{base}/projects/{project_id}/discussion")
        page.fill("#body", '<script>alert(1)</script> thanks @"bob <B>b</b>" and @Zoe')
        page.click("#new-comment button[type=submit]")
        page.wait_for_selector("#flash:not(:empty)")
        assert "Mentioned: Bob <b>B</b>." in page.inner_text("#flash")
        assert "No member of this workspace matches @Zoe" in page.inner_text("#flash")
        assert page.inner_text("ol.comments .body") == '<script>alert(1)</script> thanks @"bob <B>b</b>" and @Zoe'
        assert page.inner_text(".mention") == '@"bob <B>b</b>"'
        assert "commented on the project" in page.inner_text("#feed")

        page.goto(base + "/account")
        page.fill("#token-name", "nightly export")
        page.click("#new-token button[type=submit]")
        page.wait_for_selector("#token-created:not([hidden])")
        token = page.inner_text("#token-value")
        bearer = {"Authorization": f"Bearer {token}"}
        assert [p["name"] for p in httpx.get(f"{base}/api/v1/projects", headers=bearer).json()] == ["Parcours achat"]
        page.goto(base + "/account")
        page.click("button.revoke")
        page.wait_for_selector("text=revoked")
        assert httpx.get(f"{base}/api/v1/projects", headers=bearer).status_code == 401
        login = f"{base}/api/v1/session"
        assert httpx.post(login, json={"email": email, "password": one_time}).status_code == 401
        assert httpx.post(login, json={"email": email, "password": "my own password"}).status_code == 200
        assert httpx.post(login, json={"email": "bob@example.org", "password": bob_password}).status_code == 401
        bob = httpx.post(login, json={"email": "bob@example.org", "password": "bob's own password"})
        assert bob.status_code == 200
        mentions = httpx.get(f"{base}/api/v1/me/mentions", cookies=bob.cookies).json()
        assert [c["project"]["name"] for c in mentions] == ["Parcours achat"]
        assert errors == []
        page.close()
    finally:
        stop(proc)
