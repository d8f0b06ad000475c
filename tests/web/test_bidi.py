"""Unicode direction controls in what people write (issue 21): a right-to-left override
(U+202E) in a comment, a member's name or a map's name must not reorder the page. Through the
real app (TestClient, SQLite and PostgreSQL): each user-written text is isolated (``<bdi>``,
``dir="auto"``) and its controls are shown as ``[U+202E]``, not applied; then in Chromium, the
words after such a text keep their order on screen."""

from __future__ import annotations

import re

import pytest

from parcours.store.users import create_user
from parcours.store.workspaces import add_member, create_project, create_workspace
from parcours.web.team import FEED_PAGE
from tests.web.test_api import client_for

API = "/api/v1"
RLO, LRE = "\u202e", "\u202a"
CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
MAP = f"""name: "Parcours{RLO} achat"
stages:
  - {{id: pay, name: "Paiement {RLO}lapyap"}}
touchpoints:
  - {{id: card, stage: pay, name: "Carte"}}
"""
COMMENT = f"Refund to {RLO}evil.exe and {LRE}more BEFORE AFTER"
# Where the first letter of each needle is drawn (x), in a selector's text: an override would
# draw "AFTER" left of "BEFORE". The pages are drawn wide enough for a line not to wrap.
LEFT_OF = """([selector, needles]) => {
  const root = document.querySelector(selector);
  const text = [], nodes = [];
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) { nodes.push([walk.currentNode, text.join("").length]); text.push(walk.currentNode.data); }
  const all = text.join("");
  return needles.map(needle => {
    const at = all.indexOf(needle);
    if (at < 0) return null;
    const [node, start] = nodes.filter(([n, s]) => s <= at).pop();
    const range = document.createRange();
    range.setStart(node, at - start);
    range.setEnd(node, at - start + 1);
    return range.getBoundingClientRect().left;
  });
}"""


@pytest.fixture
def project(store) -> tuple:
    """A project whose map, a member's name and a comment hold overrides: (client, headers, id)."""
    mallory = create_user(store, "mallory@example.org", f"Mallory{RLO}", "mallory-password-1")
    create_user(store, "alice@example.org", "Alice", "alice-password-1")
    team = create_workspace(store, "Agence A")
    add_member(store, team.id, mallory.id, "editor")
    project = create_project(store, team.id, f"Achat {RLO}tejorp").id
    c, h = client_for(store, "mallory")
    assert c.post(f"{API}/projects/{project}/map/versions", json={"yaml": MAP, "base": None},
                  headers=h).status_code == 201
    r = c.post(f"{API}/projects/{project}/comments", headers=h,
               json={"target_kind": "stage", "target_id": "pay", "body": COMMENT})
    assert r.status_code == 201, r.text
    assert r.json()["body"] == COMMENT  # stored and answered as written: only the page shows it safely
    return c, h, project


@pytest.fixture
def discussion(project) -> str:
    """The project's discussion page."""
    c, _h, pid = project
    page = c.get(f"/projects/{pid}/discussion")
    assert page.status_code == 200
    return page.text


def test_no_direction_control_reaches_the_discussion_from_user_text(discussion):
    page = discussion
    main = page.split("<main>", 1)[1]  # what discussion.html draws (the header and tabs: base.html)
    assert CONTROLS.findall(main) == []  # none left to apply: comments, headings, options, feed, labels
    assert "Refund to [U+202E]evil.exe and [U+202A]more BEFORE AFTER" in page
    assert re.search(r'<p class="body" dir="auto">Refund to \[U\+202E\]evil\.exe', page)  # its own paragraph direction
    assert "<strong><bdi>Mallory[U+202E]</bdi></strong>" in page  # the author isolated
    assert "<bdi>Stage: Paiement [U+202E]lapyap</bdi>" in page  # the thread's heading
    assert ">Paiement [U+202E]lapyap</option>" in page and 'aria-label="Delete the comment of Mallory[U+202E] from' in page
    assert "<title>Discussion · Achat [U+202E]tejorp — Parcours</title>" in page
    feed = page.split('id="feed"', 1)[1].split("</ol>", 1)[0]
    assert "<strong><bdi>Mallory[U+202E]</bdi></strong> <bdi>" in feed  # who and what, each isolated


def test_in_chromium_the_words_after_a_comment_keep_their_order(discussion, browser):
    page = browser.new_page(viewport={"width": 2400, "height": 900})
    page.set_content(discussion.replace("<head>", "<head><base href='http://127.0.0.1:9/'>", 1))  # no static files
    before, after, evil = page.evaluate(LEFT_OF, ["p.body", ["BEFORE", "AFTER", "evil"]])
    assert evil < before < after  # the comment reads in the order it was written
    who, utc = page.evaluate(LEFT_OF, ["ol.comments .meta", ["Mallory", "UTC"]])
    assert who < utc  # the override in the author's name does not reverse the date after it
    heading = page.evaluate(LEFT_OF, [".thread h3", ["Paiement", "Comment on this"]])
    assert heading[0] < heading[1]
    page.close()


def test_the_header_and_project_tabs_show_names_safely_too(discussion):
    assert CONTROLS.findall(discussion) == []


def test_the_feed_s_next_page_built_in_the_browser_is_isolated_too(project, browser):
    """"Load more" adds the older lines with the page's script: the same isolation and marks."""
    c, h, pid = project
    for i in range(FEED_PAGE):  # the map's version and the first comment move to the second page
        assert c.post(f"{API}/projects/{pid}/comments", headers=h, json={"body": f"later {i}"}).status_code == 201
    html = c.get(f"/projects/{pid}/discussion").text
    assert "Mallory[U+202E]</bdi></strong> <bdi>commented on stage" not in html.split('id="feed"', 1)[1]

    def answer(route):  # the browser's requests (page, script, API), answered by the app under test
        assert route.request.method == "GET"
        r = c.get(route.request.url.removeprefix("http://parcours.test"))
        route.fulfill(status=r.status_code, body=r.content, headers=dict(r.headers))

    page = browser.new_page(viewport={"width": 2400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("http://parcours.test/**", answer)
    page.goto(f"http://parcours.test/projects/{pid}/discussion")
    page.click("#more")
    # A function, not an expression: Playwright evaluates a bare expression with eval(), which the
    # page's Content-Security-Policy refuses when the condition is not already true.
    page.wait_for_function("(n) => document.querySelectorAll('#feed li').length > n", arg=FEED_PAGE)
    older = page.locator("#feed li").nth(FEED_PAGE + 1)  # newest first: then the map's saved version
    assert CONTROLS.findall(page.inner_text("#feed")) == []
    first = page.locator("#feed li").nth(FEED_PAGE)
    assert first.locator("strong > bdi").inner_text() == "Mallory[U+202E]"
    # the line is said from its words (the stage's name a value): its override is marked as the names' are
    assert first.locator(":scope > bdi").inner_text() == "commented on stage 'Paiement [U+202E]lapyap'"
    who, what, stage = page.evaluate(LEFT_OF, [f"#feed li:nth-child({FEED_PAGE + 1})", ["Mallory", "commented", "stage"]])
    assert who < what < stage  # the name, then what they did, in the order written (the time is on the next line)
    assert older.locator("strong > bdi").inner_text() == "Mallory[U+202E]"
    assert errors == []
    page.close()


def test_the_account_page_shows_mentions_and_names_safely(store, project):
    """A comment that mentions Alice reaches her account page: its text, author and project name
    are isolated there too, with no control applied."""
    from sqlalchemy import select

    from parcours.store.models import User
    from parcours.store.workspaces import get_project

    c, h, pid = project
    with store.transaction() as session:
        alice = session.scalar(select(User).where(User.email == "alice@example.org"))
    add_member(store, get_project(store, pid).workspace_id, alice.id, "viewer")
    r = c.post(f"{API}/projects/{pid}/comments", headers=h,
               json={"target_kind": "project", "target_id": str(pid), "body": f"@alice@example.org {COMMENT}"})
    assert r.status_code == 201, r.text
    a, _ = client_for(store, "alice")
    html = a.get("/account").text
    assert "evil.exe" in html and CONTROLS.findall(html) == []
    assert "<bdi>Mallory[U+202E]</bdi>" in html
