"""The map editor in Debian's Chromium, on a real `parcours serve --demo`: rename a stage and see
version 2 and the new name on the live map; type a rule pattern and see its count follow; move a
stage; restore version 1 from the versions page; no console errors on the way."""

from __future__ import annotations

import pytest

from tests.web.test_serve import serve_demo, stop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve-editor")
    proc, base, email, password = serve_demo(tmp)
    yield base, email, password, tmp
    stop(proc)


def test_edit_the_demo_map_in_the_browser(server, browser):
    import pandas as pd

    base, email, password, folder = server
    events = pd.read_csv(folder / ".parcours" / "data" / "1" / "events.csv")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Maison Lumière")
    page.goto(base + "/projects/1/edit")
    page.wait_for_selector("#live-summary strong", timeout=120_000)  # measured on the project's data
    assert page.locator("#sec-stages .stage-row").count() == 5
    assert f"{len(events):,}" in page.inner_text("#live-summary")
    page.screenshot(path="/tmp/editor.png")

    # rename a stage: one new version, and the live map shows the new name
    page.click("#el-stages-2 > summary")
    page.fill("#f-stages-2-name-fr", "Achat en ligne")
    page.screenshot(path="/tmp/editor-form.png")
    page.click("#f-stages-2 button[type=submit]:not(.danger)")
    page.wait_for_selector("text=Saved version 2: edited stage 'purchase'.")
    assert "Achat en ligne" in page.inner_text("#el-stages-2 > summary")
    page.screenshot(path="/tmp/editor-saved.png")
    page.goto(base + "/projects/1?lang=fr")  # measured again (the page may show progress first, then reload)
    page.wait_for_function("() => document.body.innerText.includes('Achat en ligne')", timeout=180_000)
    assert "version 2" in page.inner_text("body")

    # type a rule: the count of events it catches follows the typing
    page.goto(base + "/projects/1/edit")
    page.click("#add-touchpoints > summary")
    field = "#f-touchpoints-new-match-event"
    count = "#f-touchpoints-new-count .n-events"
    page.click(field)
    page.keyboard.type("product_view*")
    want = int(events["event"].str.startswith("product_view").sum())
    page.wait_for_function("([sel, n]) => document.querySelector(sel)?.textContent === n",
                           arg=[count, f"{want:,}"], timeout=30_000)
    page.locator("#f-touchpoints-new-count").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/editor-rule.png")
    page.fill(field, "")
    page.click(field)
    page.keyboard.type("ad_click")
    want = int((events["event"] == "ad_click").sum())
    page.wait_for_function("([sel, n]) => document.querySelector(sel)?.textContent === n",
                           arg=[count, f"{want:,}"], timeout=30_000)

    # move the last stage up
    page.click("button[aria-label^='Move stage'][aria-label$='(advocacy) up']")
    page.wait_for_selector("text=Saved version 3: moved stage 'advocacy' up.")
    order = page.eval_on_selector_all("#sec-stages .stage-row details", "els => els.map(e => e.dataset.id)")
    assert order == ["discovery", "consideration", "purchase", "advocacy", "post_purchase"]

    # the versions page: the last change, then restore version 1
    page.goto(base + "/projects/1/versions")
    assert "Changes from version 2 to version 3" in page.inner_text("main")
    page.click("button.restore[data-number='1']")
    page.wait_for_selector("text=Restored: saved as version 4.")
    page.screenshot(path="/tmp/versions.png", full_page=True)
    yaml_v1 = page.evaluate("async () => (await (await fetch('/api/v1/projects/1/map/versions/1')).json()).yaml")
    latest = page.evaluate("async () => (await (await fetch('/api/v1/projects/1/map')).json())")
    assert latest["number"] == 4 and latest["yaml"] == yaml_v1 and latest["message"] == "restored v1"
    assert errors == []
    assert all(u.startswith(base) for u in requests)  # nothing from elsewhere
    page.close()
