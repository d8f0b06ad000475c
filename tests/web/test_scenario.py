"""The whole team scenario of the issue, end to end in Debian's Chromium on a real
``parcours serve``: log in, create a project, give it a map, upload the demo events, map a
column, see the live map; edit a stage and see the map update; leave a comment with a mention;
answer a survey link (no account) and see the NPS move; restore an older version; a viewer
cannot edit; another workspace's project does not exist for them (404)."""

from __future__ import annotations

import re

import pytest

from parcours.demo import _MAP_YAML, write_demo
from tests.web.one_time import own_password
from tests.web.test_serve import serve_demo, stop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scenario")
    proc, base, email, password = serve_demo(tmp)
    yield base, email, password, tmp
    stop(proc)


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def live_map(page, base: str, pid: int, text: str) -> None:
    """Open the live map and wait until it is measured and shows ``text``."""
    page.goto(f"{base}/projects/{pid}?lang=fr")  # the report in the map's language, whatever the browser's
    page.wait_for_function("(t) => !!document.querySelector('#view-all th.stage') && document.body.innerText.includes(t)",
                           arg=text, timeout=180_000)


def nps(page, base: str, pid: int) -> float | None:
    """The live analysis' overall NPS, as the page's session sees it (waits for the job)."""
    r = page.request.get(f"{base}/api/v1/projects/{pid}/analysis?wait=true", timeout=180_000)
    assert r.ok, r.text()
    overall = (r.json()["analysis"].get("feedback") or {}).get("overall") or {}
    return overall.get("value")


def test_the_team_scenario(server, browser, tmp_path):
    base, email, password, _folder = server
    files = write_demo(tmp_path, customers=400)
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base, email, password)

    # Create a project: its first step is its map (the editor), where the demo map is pasted.
    page.wait_for_selector("#new-project-section:not([hidden])")
    page.select_option("#project-workspace", label="Démo")
    page.fill("#project-name", "Parcours e-commerce")
    page.click("#new-project button[type=submit]")
    page.wait_for_url(re.compile(r".*/projects/\d+/edit$"))
    pid = int(re.search(r"/projects/(\d+)/edit", page.url)[1])
    page.fill("#yaml-text", _MAP_YAML)
    page.fill("#yaml-message", "the demo map")
    page.click("#f-yaml button[type=submit]")
    page.wait_for_selector("text=Saved version 1")

    # Upload the demo events, map a column (the amount as the value), validate.
    page.goto(f"{base}/projects/{pid}/data")
    page.set_input_files("#file", str(files.events_path))
    page.click("#send")
    page.wait_for_url(re.compile(rf".*/projects/{pid}/data/\d+$"))
    assert page.input_value("#role-customer") == "customer_id" and page.input_value("#role-event") == "event"
    page.select_option("#role-value", "amount")
    page.click("#validate")
    page.wait_for_selector("p.totals")
    n = len(open(files.events_path, encoding="utf-8").read().splitlines()) - 1
    assert f"Rows read {n:,} = accepted {n:,} + quarantined 0." in " ".join(page.inner_text("p.totals").split())

    # The live map, measured on the upload: the stages drawn.
    live_map(page, base, pid, "Découverte")
    assert page.locator("#view-all th.stage").count() == 5
    assert f"{n:,}" in page.inner_text("header") or f"{n:,}".replace(",", "\u202f") in page.inner_text("body")

    # Edit a stage: version 2, and the live map shows the new name.
    page.goto(f"{base}/projects/{pid}/edit")
    page.click("#el-stages-0 > summary")
    page.fill("#f-stages-0-name-fr", "Inspiration")
    page.click("#f-stages-0 button[type=submit]:not(.danger)")
    page.wait_for_selector("text=Saved version 2")
    live_map(page, base, pid, "Inspiration")
    assert "map version 2" in page.inner_text("form.filters")

    # A comment on that stage, mentioning the admin.
    page.goto(f"{base}/projects/{pid}/discussion?target=stage:discovery")
    page.fill("#body", "@Admin les visiteurs repartent vite <b>ici</b>")
    page.click("#new-comment button[type=submit]")
    page.wait_for_selector("text=les visiteurs repartent vite <b>ici</b>")  # shown as text, not markup
    assert page.locator(".mention, mark").count() >= 1

    # A survey link on the order confirmation; answered without an account: the NPS moves.
    assert nps(page, base, pid) is None  # no survey answer yet
    page.goto(f"{base}/projects/{pid}/surveys")
    page.select_option("#touchpoint", "order_confirmation")
    page.select_option("#metric", "nps")
    page.select_option("#lang", "fr")
    page.click("#create button[type=submit]")
    page.wait_for_selector("[id^=url-]")
    link = page.locator("[id^=url-]").first
    url = link.input_value() if link.evaluate("e => e.tagName") == "INPUT" else link.inner_text()
    customer = browser.new_context().new_page()  # no session: a customer
    for score in (10, 10, 0):
        customer.goto(url + "?ref=C000001")
        assert "recommand" in customer.inner_text("body")
        customer.check(f"input[name=score][value='{score}']")
        customer.fill("#comment", "Livraison rapide" if score else "Colis abîmé")
        customer.click("#send")
        customer.wait_for_selector("text=Merci")
    customer.context.close()
    assert nps(page, base, pid) == pytest.approx(100 * (2 - 1) / 3)
    live_map(page, base, pid, "Inspiration")
    assert "NPS" in page.inner_text("body")

    # Restore version 1: a new version 3 with the old name.
    page.goto(f"{base}/projects/{pid}/versions")
    page.click("button.restore[data-number='1']")
    page.wait_for_selector("text=Restored: saved as version 3.")
    live_map(page, base, pid, "Découverte")
    assert "map version 3" in page.inner_text("form.filters") and "Inspiration" not in page.inner_text("#view-all thead")

    # A viewer (invited by the admin, who made her account) cannot edit; another workspace's project is 404 for them.
    csrf = page.request.get(f"{base}/api/v1/me").json()["csrf"]
    ws = next(w for w in page.request.get(f"{base}/api/v1/workspaces").json() if w["name"] == "Démo")
    added = page.request.post(f"{base}/api/v1/admin/users", headers={"X-CSRF-Token": csrf},
                              data={"email": "vera@example.org", "name": "Vera"})  # the app admin makes the account
    assert added.status == 201, added.text()
    invited = page.request.post(f"{base}/api/v1/workspaces/{ws['id']}/invitations", headers={"X-CSRF-Token": csrf},
                                data={"email": "vera@example.org", "role": "viewer"})
    assert invited.status == 201, invited.text()
    other = page.request.post(f"{base}/api/v1/workspaces", headers={"X-CSRF-Token": csrf}, data={"name": "Banque B"})
    secret = page.request.post(f"{base}/api/v1/workspaces/{other.json()['id']}/projects",
                               headers={"X-CSRF-Token": csrf}, data={"name": "Ouverture de compte"})
    assert secret.status == 201, secret.text()
    viewer = browser.new_context().new_page()
    # an account the admin made starts with a one-time password, replaced at first log-in
    log_in(viewer, base, "vera@example.org", own_password(base, "vera@example.org", added.json()["password"]))
    vcsrf = viewer.request.get(f"{base}/api/v1/me").json()["csrf"]
    accepted = viewer.request.post(f"{base}{invited.json()['link'].replace('/invitations/', '/api/v1/invitations/')}/accept",
                                   headers={"X-CSRF-Token": vcsrf})
    assert accepted.status == 200 and accepted.json()["role"] == "viewer", accepted.text()
    viewer.goto(f"{base}/projects/{pid}/edit")
    assert viewer.locator("#f-yaml").count() == 0 and "read" in viewer.inner_text("main").lower()
    vcsrf = viewer.request.get(f"{base}/api/v1/me").json()["csrf"]
    tried = viewer.request.post(f"{base}/api/v1/projects/{pid}/map/versions", headers={"X-CSRF-Token": vcsrf},
                                data={"yaml": _MAP_YAML, "base": 3})
    assert tried.status == 403
    assert viewer.goto(f"{base}/projects/{secret.json()['id']}").status == 404
    assert viewer.request.get(f"{base}/api/v1/projects/{secret.json()['id']}/map").status == 404
    viewer.context.close()
    assert errors == []
    ctx.close()
