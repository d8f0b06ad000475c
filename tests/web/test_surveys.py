"""Survey links over HTTP, on SQLite and PostgreSQL: the team's API and page (roles, workspace
isolation, touchpoints checked against the map), the public page in French and English (the
touchpoint's name escaped), answers stored once per submission, and the rate limit."""

from __future__ import annotations

import html
import re
import threading

import pytest
from fastapi.testclient import TestClient

from parcours.demo import _MAP_YAML
from parcours.store import save_map
from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.project.ratelimit import Rate, RateLimiter, parse_rate, retry_after
from tests.web.test_api import client_for
from tests.web.test_serve import serve

EVIL = '<script>alert("x")</script> & co'


@pytest.fixture
def world(store):
    """Workspace A (Alice editor, Bob viewer, a project with the demo map) and B (Carol admin)."""
    users = {n: create_user(store, f"{n}@example.org", n.title(), f"{n}-password-1") for n in ("alice", "bob", "carol")}
    a, b = create_workspace(store, "Agence A"), create_workspace(store, "Banque B")
    add_member(store, a.id, users["alice"].id, "editor")
    add_member(store, a.id, users["bob"].id, "viewer")
    add_member(store, b.id, users["carol"].id, "admin")
    pa = create_project(store, a.id, "Parcours achat")
    save_map(store, pa.id, _MAP_YAML, users["alice"].id, base=None)
    return {"pa": pa, "pb": create_project(store, b.id, "Ouverture de compte"), **users}


def make_link(c, h, pid, touchpoint="delivery_tracking", metric="nps", lang="fr"):
    r = c.post(f"/api/v1/projects/{pid}/surveys", json={"touchpoint": touchpoint, "metric": metric, "lang": lang}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


def form_fields(page_html: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page_html)}


def _all_answers(store):
    from sqlalchemy import select

    from parcours.store.models import SurveyAnswer

    with store.transaction() as session:
        return list(session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.id)))


def test_editor_makes_links_viewer_reads_them_other_workspace_sees_nothing(store, world):
    pa, pb = world["pa"].id, world["pb"].id
    c, h = client_for(store, "alice")
    link = make_link(c, h, pa, "checkout", "csat", "en")
    assert {k: link[k] for k in ("url", "touchpoint", "metric", "lang", "active", "answers")} == {
        "url": f"/s/{link['token']}", "touchpoint": "checkout", "metric": "csat", "lang": "en", "active": True, "answers": 0}
    bad = c.post(f"/api/v1/projects/{pa}/surveys", json={"touchpoint": "home_delivery", "metric": "nps", "lang": "fr"},
                 headers=h)
    assert bad.status_code == 422
    assert "home_delivery" in bad.json()["detail"] and "delivery_tracking" in bad.json()["detail"]
    bad = c.post(f"/api/v1/projects/{pa}/surveys", json={"touchpoint": "checkout", "metric": "stars", "lang": "fr"},
                 headers=h)
    assert bad.status_code == 422 and "metric 'stars'" in bad.json()["detail"] and "nps, csat, ces" in bad.json()["detail"]
    assert c.post(f"/api/v1/projects/{pa}/surveys", json={"touchpoint": "checkout", "metric": "nps"}).status_code == 403  # no CSRF

    v, vh = client_for(store, "bob")
    assert v.post(f"/api/v1/projects/{pa}/surveys", json={"touchpoint": "checkout", "metric": "nps", "lang": "fr"},
                  headers=vh).status_code == 403
    assert v.delete(f"/api/v1/projects/{pa}/surveys/{link['id']}", headers=vh).status_code == 403
    assert [x["id"] for x in v.get(f"/api/v1/projects/{pa}/surveys").json()] == [link["id"]]
    assert v.get(f"/api/v1/projects/{pa}/surveys/{link['id']}/answers").json() == []

    o, oh = client_for(store, "carol")
    for method, path in (("get", f"/api/v1/projects/{pa}/surveys"), ("get", f"/api/v1/projects/{pa}/surveys/{link['id']}/answers"),
                         ("delete", f"/api/v1/projects/{pa}/surveys/{link['id']}")):
        assert getattr(o, method)(path, headers=oh).status_code == 404
    assert o.post(f"/api/v1/projects/{pa}/surveys", json={"touchpoint": "checkout", "metric": "nps", "lang": "fr"},
                  headers=oh).status_code == 404
    # Carol's project has no map: no touchpoint can be asked about; and A's link is not found under B's project
    r = o.post(f"/api/v1/projects/{pb}/surveys", json={"touchpoint": "checkout", "metric": "nps", "lang": "fr"}, headers=oh)
    assert r.status_code == 422 and "save a map" in r.json()["detail"]
    assert o.get(f"/api/v1/projects/{pb}/surveys/{link['id']}/answers", headers=oh).status_code == 404
    assert client_for(store)[0].get(f"/api/v1/projects/{pa}/surveys").status_code == 401


def test_public_page_in_french_and_english_escapes_the_touchpoint_name(store, world):
    pa = world["pa"].id
    evil_map = _MAP_YAML.replace("{id: checkout, name: {fr: Livraison et frais de port, en: Delivery options and fees}",
                                 f"{{id: checkout, name: {{fr: '{EVIL} (FR)', en: '{EVIL} (EN)'}}", 1)
    assert evil_map != _MAP_YAML
    save_map(store, pa, evil_map, world["alice"].id, base=1, message="a hostile name")
    c, h = client_for(store, "alice")
    nps = make_link(c, h, pa, "checkout", "nps", "fr")
    anon = TestClient(c.app)  # a customer: no cookie
    fr = anon.get(f"/s/{nps['token']}?ref=C%3Cb%3E42")
    assert fr.status_code == 200 and '<html lang="fr">' in fr.text
    assert "quelle est la probabilité que vous nous recommandiez" in fr.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co (FR)" in fr.text
    assert "<script>alert" not in fr.text and "(EN)" not in fr.text
    assert [int(n) for n in re.findall(r'name="score" value="(\d+)"', fr.text)] == list(range(0, 11))
    assert "Pas du tout probable" in fr.text and "Très probable" in fr.text
    assert form_fields(fr.text)["ref"] == "C<b>42" and 'value="C&lt;b&gt;42"' in fr.text
    assert fr.headers["cache-control"] == "private, no-cache"
    en = anon.get(f"/s/{nps['token']}?lang=en")
    assert '<html lang="en">' in en.text and "how likely are you to recommend us" in en.text and "(EN)" in en.text
    assert "<script>alert" not in en.text
    assert form_fields(fr.text)["submission"] != form_fields(en.text)["submission"]  # one per form served

    csat = make_link(c, h, pa, "delivery_tracking", "csat", "en")
    page = anon.get(f"/s/{csat['token']}").text
    assert "How satisfied are you with “Delivery tracking”?" in page
    assert [int(n) for n in re.findall(r'name="score" value="(\d+)"', page)] == [1, 2, 3, 4, 5]
    page = anon.get(f"/s/{csat['token']}?lang=fr").text
    assert "Êtes-vous satisfait de «\u00a0Suivi de livraison\u00a0»" in page
    ces = make_link(c, h, pa, "support_chat", "ces", "fr")
    page = anon.get(f"/s/{ces['token']}").text
    assert "Il a été facile de faire ce que je voulais" in page and "Tout à fait d&#39;accord" in page
    assert [int(n) for n in re.findall(r'name="score" value="(\d+)"', page)] == list(range(1, 8))

    for token in ("nope", nps["token"] + "x"):
        missing = anon.get(f"/s/{token}")
        assert missing.status_code == 404 and "n'existe pas" in missing.text and "does not exist" in missing.text


def test_the_form_stores_an_answer_once_and_reshows_errors_in_the_page_language(store, world):
    pa = world["pa"].id
    c, h = client_for(store, "alice")
    link = make_link(c, h, pa, "delivery_tracking", "nps", "fr")
    anon = TestClient(c.app)
    fields = form_fields(anon.get(f"/s/{link['token']}?ref=CUST-7").text)
    bad = anon.post(f"/s/{link['token']}", data={**fields, "score": "11", "comment": "Très <bien>"})
    assert bad.status_code == 422 and "Choisissez une note de 0 à 10." in bad.text
    assert form_fields(bad.text) == fields and "Très &lt;bien&gt;</textarea>" in bad.text  # same form, kept comment
    none = anon.post(f"/s/{link['token']}", data={**fields, "comment": "sans note"})
    assert none.status_code == 422 and "Choisissez une note" in none.text
    ok = anon.post(f"/s/{link['token']}", data={**fields, "score": "9", "comment": "Très <bien>"})
    assert ok.status_code == 200 and "Merci" in ok.text and "Votre réponse est enregistrée." in ok.text
    twice = anon.post(f"/s/{link['token']}", data={**fields, "score": "2"})
    assert twice.status_code == 200 and "déjà enregistrée" in twice.text
    en = form_fields(anon.get(f"/s/{link['token']}?lang=en").text)
    bad = anon.post(f"/s/{link['token']}", data={**en, "score": "-1"})
    assert bad.status_code == 422 and "Choose a score from 0 to 10." in bad.text and '<html lang="en">' in bad.text
    long = anon.post(f"/s/{link['token']}", data={**en, "score": "5", "comment": "x" * 5001})
    assert long.status_code == 422 and "at most 5000" in long.text
    assert anon.post(f"/s/{link['token']}", data={**en, "score": "5", "comment": "fine"}).status_code == 200
    answers = c.get(f"/api/v1/projects/{pa}/surveys/{link['id']}/answers").json()
    assert [(a["submission_id"], a["score"], a["comment"], a["customer_ref"], a["lang"]) for a in answers] == [
        (fields["submission"], 9, "Très <bien>", "CUST-7", "fr"), (en["submission"], 5, "fine", None, "en")]
    assert c.get(f"/api/v1/projects/{pa}/surveys").json()[0]["answers"] == 2


def test_json_answers_duplicates_and_closed_links(store, world):
    pa = world["pa"].id
    c, h = client_for(store, "alice")
    link = make_link(c, h, pa, "checkout", "ces", "en")
    anon = TestClient(c.app)
    url = f"/api/v1/surveys/{link['token']}/answers"
    first = anon.post(url, json={"submission_id": "s-1", "score": 7, "comment": "ok", "customer_ref": "C9"})
    assert first.status_code == 201 and first.json()["stored"] is True
    again = anon.post(url, json={"submission_id": "s-1", "score": 7, "comment": "ok", "customer_ref": "C9"})
    assert again.status_code == 200 and again.json()["stored"] is False
    for body, field in (({"submission_id": "s-2", "score": 8}, "1–7"), ({"submission_id": "s-2", "score": 0}, "1–7"),
                        ({"submission_id": "s-2"}, "score"), ({"score": 3}, "submission_id"),
                        ({"submission_id": "s 2", "score": 3}, "submission_id"),
                        ({"submission_id": "s-2", "score": 3, "lang": "de"}, "lang"),
                        ({"submission_id": "s-2", "score": 3, "customer_ref": "r" * 201}, "customer reference")):
        r = anon.post(url, json=body)
        assert r.status_code == 422 and field in str(r.json()["detail"]), (body, r.text)
    assert c.delete(f"/api/v1/projects/{pa}/surveys/999999", headers=h).status_code == 404
    closed = c.delete(f"/api/v1/projects/{pa}/surveys/{link['id']}", headers=h)
    assert closed.status_code == 200 and closed.json()["active"] is False and closed.json()["answers"] == 1
    assert anon.post(url, json={"submission_id": "s-3", "score": 3}).status_code == 404
    assert anon.get(f"/s/{link['token']}").status_code == 404
    assert anon.post(f"/s/{link['token']}", data={"submission": "s-4", "score": "3"}).status_code == 404
    assert anon.post("/api/v1/surveys/unknown/answers", json={"submission_id": "s-5", "score": 3}).status_code == 404
    assert [a.submission_id for a in _all_answers(store)] == ["s-1"]


def test_concurrent_identical_posts_store_one_row(store, world):
    """Six clients post the same submission at once (a double click, retries): one row, one 201."""
    pa = world["pa"].id
    c, h = client_for(store, "alice")
    link = make_link(c, h, pa)
    url = f"/api/v1/surveys/{link['token']}/answers"
    barrier, codes = threading.Barrier(6), []

    def post() -> None:
        with TestClient(c.app) as client:
            barrier.wait(timeout=30)
            codes.append(client.post(url, json={"submission_id": "double-click", "score": 10}).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [200] * 5 + [201]
    assert [a.submission_id for a in _all_answers(store)] == ["double-click"]


def test_rate_limit_answers_429_then_recovers(store, world):
    pa = world["pa"].id
    c, h = client_for(store, "alice")
    link = make_link(c, h, pa)
    now = [1000.0]
    c.app.state.survey_limiter = RateLimiter(Rate(3, 60.0), Rate(1000, 60.0), clock=lambda: now[0])
    anon = TestClient(c.app)
    url = f"/api/v1/surveys/{link['token']}/answers"
    codes = [anon.post(url, json={"submission_id": f"r{i}", "score": 5}).status_code for i in range(3)]
    assert codes == [201, 201, 201]
    over = anon.post(url, json={"submission_id": "r3", "score": 5})
    assert over.status_code == 429 and over.headers["retry-after"] == "20" and "try again" in over.json()["detail"]
    page = anon.get(f"/s/{link['token']}")
    assert page.status_code == 429 and page.headers["retry-after"] == "20" and "Réessayez dans 20 secondes" in page.text
    assert anon.post(f"/s/{link['token']}", data={"submission": "r4", "score": "5"}).status_code == 429
    now[0] += 20.0  # one token back (3 per minute)
    assert anon.post(url, json={"submission_id": "r3", "score": 5}).status_code == 201
    assert anon.post(url, json={"submission_id": "r5", "score": 5}).status_code == 429
    assert sorted(a.submission_id for a in _all_answers(store)) == ["r0", "r1", "r2", "r3"]  # refused ones not stored


def test_token_buckets_per_address_and_per_link_are_thread_safe():
    limiter = RateLimiter(Rate(50, 60.0), Rate(120, 60.0), clock=lambda: 0.0)
    granted: list[bool] = []

    def hammer(ip: str) -> None:
        for _ in range(100):
            granted.append(limiter.hit(ip, "link-a") == 0.0)

    threads = [threading.Thread(target=hammer, args=(f"198.51.100.{i % 4}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 4 addresses x 50 = 200 allowed by address, but the link allows 120
    assert sum(granted) == 120 and len(granted) == 800
    assert limiter.hit("203.0.113.9") == 0.0  # another address, no link: its own bucket
    assert limiter.hit("203.0.113.9", "link-a") == pytest.approx(0.5)  # the link waits 60/120 s
    assert limiter.hit("203.0.113.9", "link-b") == 0.0  # the refused hit gave its address token back
    assert retry_after(0.2) == "1" and retry_after(19.01) == "20"


def test_rates_come_from_the_environment():
    limiter = RateLimiter.from_env({"PARCOURS_SURVEY_RATE": "5/second", "PARCOURS_SURVEY_LINK_RATE": "100/hour"})
    assert (limiter.ip.rate, limiter.link.rate) == (Rate(5, 1.0), Rate(100, 3600.0))
    defaults = RateLimiter.from_env({})
    assert (str(defaults.ip.rate), str(defaults.link.rate)) == ("60/minute", "1200/minute")
    for bad in ("lots", "0/minute", "5/fortnight"):
        with pytest.raises(Exception, match="PARCOURS_SURVEY_RATE"):
            parse_rate(bad)


def test_surveys_page_for_editors_and_viewers(store, world):
    pa = world["pa"].id
    c, h = client_for(store, "alice")
    make_link(c, h, pa, "checkout", "csat", "en")
    closed = make_link(c, h, pa, "delivery_tracking", "nps", "fr")
    c.delete(f"/api/v1/projects/{pa}/surveys/{closed['id']}", headers=h)
    r = c.get(f"/projects/{pa}/surveys")
    assert r.status_code == 200 and 'aria-current="page">Surveys' in r.text
    assert 'id="create"' in r.text and '<option value="delivery_tracking">Delivery tracking (delivery_tracking)</option>' in r.text
    links = c.get(f"/api/v1/projects/{pa}/surveys").json()
    assert f'value="http://testserver/s/{links[1]["token"]}"' in r.text  # the open link, to copy
    assert f"/s/{closed['token']}" not in r.text and "closed" in r.text
    assert r.text.count('class="danger deactivate"') == 1
    v, _ = client_for(store, "bob")
    r = v.get(f"/projects/{pa}/surveys")
    assert r.status_code == 200 and 'id="create"' not in r.text and "deactivate" not in r.text and "DELETE" not in r.text
    assert f'/s/{links[1]["token"]}' in r.text
    o, _ = client_for(store, "carol")
    assert o.get(f"/projects/{pa}/surveys", headers={"accept": "text/html"}).status_code == 404
    anon, _ = client_for(store)
    r = anon.get(f"/projects/{pa}/surveys", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_in_the_browser_an_editor_makes_a_link_and_a_double_click_answers_once(browser, tmp_path):
    """Debian's Chromium on a real server: the editor creates a link on the Surveys page and copies
    it; a customer opens it, picks a score, double-clicks Send: one answer, the thank-you page."""
    from parcours.store import connect
    from tests.web.test_serve import stop

    db = f"sqlite:///{tmp_path / 'app.db'}"
    store = connect(db)
    store.migrate()
    alice = create_user(store, "alice@example.org", "Alice", "alice-password-1")
    ws = create_workspace(store, "Agence A")
    add_member(store, ws.id, alice.id, "editor")
    project = create_project(store, ws.id, "Parcours achat")
    save_map(store, project.id, _MAP_YAML, alice.id, base=None)
    proc, base = serve(tmp_path, "--db", db)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(base + "/login")
        page.fill("#email", "alice@example.org")
        page.fill("#password", "alice-password-1")
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        page.goto(f"{base}/projects/{project.id}/surveys")
        page.select_option("#touchpoint", "support_chat")
        page.select_option("#metric", "ces")
        page.select_option("#lang", "en")
        page.click("#create button[type=submit]")
        page.wait_for_selector("td >> text=Customer service contact (chat)")
        url = page.input_value("input[id^=url-]")
        assert url.startswith(f"{base}/s/") and page.locator("tbody tr").count() == 1

        customer = browser.new_page()  # no cookie
        customer.on("pageerror", lambda e: errors.append(str(e)))
        posts: list[str] = []
        customer.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        customer.goto(url + "?ref=C77")
        assert customer.inner_text("legend") == "It was easy to do what I wanted with “Customer service contact (chat)”."
        customer.click("label:has(input[value='6'])")
        customer.fill("#comment", "Quick <and> kind")
        # the button is disabled as the form is sent (held back here to look at it)
        customer.evaluate("document.getElementById('survey').addEventListener('submit', e => e.preventDefault())")
        customer.click("#send")
        assert customer.is_disabled("#send") and customer.inner_text("#send") == "Sending…" and posts == []
        customer.evaluate("document.getElementById('survey').submit()")
        customer.wait_for_selector("text=Thank you!")
        assert "Your answer is saved." in customer.inner_text("main") and posts == [url]
        customer.go_back()  # Back, and the same form sent again: recognised, not stored twice
        customer.wait_for_selector("#send:not([disabled])")
        customer.click("label:has(input[value='2'])")
        customer.click("#send")
        customer.wait_for_selector("text=Thank you!")
        assert "Your answer was already saved" in customer.inner_text("main") and posts == [url, url]
        page.reload()
        assert page.inner_text("tbody tr td:nth-child(4)") == "1"
    finally:
        page.close()
        stop(proc)
    store = connect(db)
    from parcours.store import surveys as stored

    answers = stored.answers(store, project.id)
    store.close()
    assert [(a.score, a.comment, a.customer_ref, a.lang) for a in answers] == [(6, "Quick <and> kind", "C77", "en")]
    assert errors == []
