"""End to end in Debian's Chromium: `parcours serve --demo` started as a user starts it, the
admin logs in with the printed one-time password, opens the demo project and sees the live map
(the report's views, measured on the project's data, plotly.js served once by the app)."""

from __future__ import annotations

import pytest

from tests.web.test_serve import serve_demo, stop



@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    proc, base, email, password = serve_demo(tmp)
    yield base, email, password, tmp
    stop(proc)




def test_log_in_and_see_the_live_demo_map(server, browser, tmp_path):
    base, email, password, folder = server
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base + "/")
    assert page.url.endswith("/login")  # not logged in: the login page
    page.fill("#email", email)
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector("#error:not(:empty)")
    assert "wrong email or password" in page.inner_text("#error").lower()
    assert set(errors) <= {"Failed to load resource: the server responded with a status of 401 (Unauthorized)"}
    errors.clear()
    page.fill("#email", email)  # the form was posted: the page is a new one
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Maison Lumière")
    page.click("text=Maison Lumière")
    page.wait_for_selector("#all-funnel .main-svg", timeout=120_000)  # measured on the project's data
    from parcours.demo import demo_map

    m = demo_map()
    assert page.locator("#view-all th.stage").count() == len(m.stages)
    assert page.locator("#view-all .card").count() == len(m.touchpoints)
    assert "map version 1" in page.inner_text("form.filters")
    assert errors == []
    assert all(u.startswith(base) for u in requests)  # nothing from elsewhere
    assert sum(u.endswith("/static/plotly.min.js") for u in requests) == 1
    page.screenshot(path=str(tmp_path / "live.png"))
    # the events in the project's folder are those the map was measured on
    events = folder / ".parcours" / "data" / "1" / "events.csv"
    assert events.exists()
    n = sum(1 for _ in events.open()) - 1
    page.goto(base + "/projects/1?lang=fr")  # an English browser's report is English; asked in French:
    page.wait_for_selector("#all-funnel .main-svg", timeout=120_000)
    assert f"{n:,}".replace(",", "\u202f") in page.inner_text("header.top")  # the report is in French: 12 345
    page.close()


CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + document.location.pathname);
});
"""


def test_the_main_pages_run_under_the_content_security_policy(server, browser):
    """Every page of a project, the live map's plotly.js included, works without one CSP
    violation; a script injected without the page's nonce is refused (and seen refused)."""
    base, email, password, _ = server
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.add_init_script(CSP_WATCH)  # Playwright's own scripts are not subject to the page's CSP
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Maison Lumière")
    violations: list[str] = []
    for path, ready in [("/", "text=Maison Lumière"), ("/projects/1", "#all-funnel .main-svg"),
                        ("/projects/1/edit", "#editor"), ("/projects/1/data", "main h1"),
                        ("/projects/1/surveys", "main h1"), ("/projects/1/versions", "main h1"),
                        ("/projects/1/discussion", "main h1"), ("/workspaces/1/members", "main h1"),
                        ("/account", "main h1")]:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "'nonce-" in response.headers["content-security-policy"], path
        page.wait_for_selector(ready, timeout=120_000)
        page.wait_for_load_state("networkidle")
        violations += page.evaluate("window.__csp")
    assert violations == [] and not [m for m in console if "Content Security Policy" in m], (violations, console)
    # the watch sees a refusal: an inline script without the nonce does not run
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.__ran = true"; document.body.appendChild(s); }""")
    page.wait_for_function("() => window.__csp.length > 0")  # a function: an expression would need eval(), refused by the CSP
    assert page.evaluate("window.__ran === undefined")
    assert page.evaluate("window.__csp")[0].startswith("script-src")
    page.close()
