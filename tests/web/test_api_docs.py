"""The API's documentation (/docs, Swagger UI) is served by the app itself: its script and style
vendored in web/static/swagger-ui/ with their licence, the page under the app's own
Content-Security-Policy (self + nonce), and it works in a browser that may reach nothing else."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from parcours.store.db import connect
from parcours.web.app import create_app
from tests.web.test_serve import serve, stop

STATIC = Path(__file__).resolve().parents[2] / "src" / "parcours" / "web" / "static"
# swagger-ui-dist 5.35.0 (npm), copied unchanged: an edit or an update is noticed here (and
# static/README.md says how to update them).
SHA256 = {
    "swagger-ui-bundle.js": "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2",
    "swagger-ui.css": "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    store = connect(f"sqlite:///{tmp / 'app.db'}")
    store.migrate()
    yield TestClient(create_app(store, secret="s" * 40, data_dir=tmp / "data", https_only=False))
    store.close()


def test_the_docs_page_is_under_the_apps_own_policy(client):
    r = client.get("/docs", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    directives = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    nonce = re.fullmatch(r"'self' 'nonce-([\w-]{20,})'", directives["script-src"])
    assert nonce, directives  # no CDN, no 'unsafe-inline' for scripts
    assert directives["default-src"] == "'self'" and directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["img-src"] == "'self' data:"
    scripts = re.findall(r"<script[^>]*>", r.text)
    assert scripts == [f'<script nonce="{nonce[1]}" src="/static/swagger-ui/swagger-ui-bundle.js">',
                       f'<script nonce="{nonce[1]}">']
    assert re.findall(r'(?:href|src)="([^"]+)"', r.text) == [
        "/static/swagger-ui/swagger-ui.css", "/favicon.ico", "/static/swagger-ui/swagger-ui-bundle.js"]
    assert "url: '/api/v1/openapi.json'" in r.text and '"validatorUrl": null' in r.text
    assert "https://" not in r.text and "http://" not in r.text


def test_swagger_ui_files_are_served_as_vendored(client):
    for name, media in [("swagger-ui-bundle.js", "application/javascript"), ("swagger-ui.css", "text/css")]:
        r = client.get(f"/static/swagger-ui/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), name
        assert hashlib.sha256(r.content).hexdigest() == SHA256[name], name
        assert r.content == (STATIC / "swagger-ui" / name).read_bytes()
    for name in ("LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt", "..%2F..%2Fapp.py", "other.js"):
        assert client.get(f"/static/swagger-ui/{name}").status_code == 404, name  # only the two files
    assert client.get("/redoc").status_code == 404  # FastAPI's CDN-loaded pages are off
    assert client.get("/docs/oauth2-redirect").status_code == 404


def test_the_vendored_files_carry_their_licence():
    folder = STATIC / "swagger-ui"
    assert "Apache License" in (folder / "LICENSE").read_text() and "Version 2.0" in (folder / "LICENSE").read_text()
    assert "SmartBear" in (folder / "NOTICE").read_text()
    assert (folder / "swagger-ui-bundle.js").read_text()[:80].startswith(
        "/*! For license information please see swagger-ui-bundle.js.LICENSE.txt */")
    assert (folder / "swagger-ui-bundle.js.LICENSE.txt").is_file()
    readme = (STATIC / "README.md").read_text()
    assert "swagger-ui-dist" in readme and "5.35.0" in readme


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve-docs")
    proc, base = serve(tmp, env={"PARCOURS_HOME": str(tmp / "home")})
    yield base
    stop(proc)


def test_the_docs_page_shows_the_operations_with_nothing_reachable_but_the_app(server, browser):
    base = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, refused, seen = [], [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def only_the_app(route):  # offline: every request to another host is aborted (and noted)
        url = route.request.url
        if urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            seen.append(url)
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    page.route("**/*", only_the_app)
    page.goto(f"{base}/docs")
    page.wait_for_function("() => document.querySelectorAll('.opblock').length >= 20", timeout=60_000)
    paths = page.eval_on_selector_all(".opblock .opblock-summary-path", "els => els.map(e => e.textContent)")
    assert {"/api/v1/health", "/api/v1/session", "/api/v1/projects"} <= {p.replace("\u200b", "") for p in paths}
    assert "Parcours" in page.inner_text(".info .title")
    health = page.locator(".opblock-summary").filter(has=page.locator(".opblock-summary-path[data-path='/api/v1/health']"))
    health.first.click()  # an operation opens: its details are drawn
    page.wait_for_selector(".opblock.is-open .opblock-body")
    assert refused == [] and errors == []
    assert f"{base}/static/swagger-ui/swagger-ui-bundle.js" in seen and f"{base}/api/v1/openapi.json" in seen
    page.close()
