"""The Markdown and Mermaid export cannot carry markup (issue 21): a map whose title is
``<img src=x onerror=alert(1)>`` and whose names hold ``<script>``, ``"]``, backticks and line
breaks, exported by ``parcours export --only mermaid``. map.md is rendered by a Markdown renderer
that lets raw HTML through (markdown-it with ``html``, as many wikis do) and shown in Chromium;
the diagram is read by the journey grammar and drawn by mermaid.js."""

from __future__ import annotations

import os
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from parcours.model.journey_map import JourneyMap
from parcours.report.mermaid import markdown_text, mermaid_journey, mermaid_markdown
from tests.report.test_mermaid import RENDER, mermaid_js, mermaid_page, parse  # noqa: F401 - fixtures reused

ENV = {"COLUMNS": "120", "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": os.environ.get("HOME", "/tmp")}
TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_MAP = f"""name: '{TITLE}'
stages:
  - id: pay
    name: 'Pay "] `code` <script>alert(2)</script>'
  - id: after
    name: "Two\\nlines *and* [a link](javascript:alert(3)) ###"
touchpoints:
  - {{id: visit, stage: pay, name: '"]-->B[evil] <b onmouseover=alert(4)>bold</b>', channel: web}}
  - {{id: buy, stage: after, name: "```end ![x](http://evil.example/x.png) <!-- c -->", channel: app}}
"""
EVENTS = ("customer_id,timestamp,event\nc1,2026-01-01T10:00:00Z,visit\nc1,2026-01-01T10:05:00Z,buy\n"
          "c2,2026-01-02T09:00:00Z,visit\n")


class Tags(HTMLParser):
    """Every element a browser would build from an HTML text, and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def tags(html: str) -> list[tuple[str, list]]:
    parser = Tags()
    parser.feed(html)
    return parser.found


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[str, str, JourneyMap]:
    root = tmp_path_factory.mktemp("mermaid-escaping")
    (root / "map.yaml").write_text(HOSTILE_MAP, encoding="utf-8")
    (root / "events.csv").write_text(EVENTS, encoding="utf-8")
    for args in (["analyze", root / "events.csv", "--map", root / "map.yaml", "--out", root / "results", "--no-report"],
                 ["export", "--map", root / "map.yaml", "--results", root / "results", "--out", root / "out",
                  "--only", "mermaid", "--lang", "en"]):
        p = subprocess.run([sys.executable, "-m", "parcours", *map(str, args)], capture_output=True, text=True, env=ENV)
        assert p.returncode == 0, p.stderr
    import parcours

    return ((root / "out" / "map.md").read_text(encoding="utf-8"), (root / "out" / "map.mmd").read_text(encoding="utf-8"),
            parcours.load_map(root / "map.yaml"))


def test_map_md_renders_no_markup_of_the_names(exported):
    md, mmd, _m = exported
    heading = md.split("\n", 1)[0]
    assert heading == "### Customer journey map: &lt;img src=x onerror=alert\\(1\\)&gt;"
    html = MarkdownIt("commonmark", {"html": True}).render(md)  # raw HTML allowed, as on many wikis
    # What a browser builds: the heading, the legend, the code block; no image, script, link or bold
    assert [t for t, _ in tags(html)] == ["h3", "p", "pre", "code"]
    assert "<h3>Customer journey map: &lt;img src=x onerror=alert(1)&gt;</h3>" in html  # shown as written
    assert html.count("<pre><code class=\"language-mermaid\">") == 1 and html.rstrip().endswith("</code></pre>")
    assert md.endswith(f"mermaid\n{mmd}````\n")  # the diagram's ``` cannot close the longer fence


def test_in_chromium_nothing_runs_and_the_title_reads_as_written(exported, browser):
    md, _mmd, _m = exported
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_content("<!doctype html><meta charset='utf-8'><body>" +
                     MarkdownIt("commonmark", {"html": True}).render(md) + "</body>")
    assert page.evaluate("document.querySelectorAll('img, script, a, b, [onerror], [onmouseover]').length") == 0
    assert page.inner_text("h3") == f"Customer journey map: {TITLE}"
    page.hover("pre")
    assert dialogs == []
    page.close()


def test_diagram_names_are_text_for_the_grammar(exported):
    _md, mmd, m = exported
    assert "<" not in mmd and ">" not in mmd  # look-alikes: no renderer reads a name as HTML
    d = parse(mmd.rstrip("\n"))
    assert d["title"] == "＜img src=x onerror=alert(1)＞"
    assert [name for name, _ in d["sections"]] == ['Pay "] `code` ＜script＞alert(2)＜/script＞',
                                                   "Two lines *and* [a link](javascript∶alert(3)) ♯♯♯"]
    tasks = [task for _, ts in d["sections"] for task, _, _ in ts]
    assert len(tasks) == 2
    assert tasks[0].startswith('"]--＞B[evil] ＜b onmouseover=alert(4)＞bold＜/b＞ (')
    assert tasks[1].startswith("```end ![x](http∶//evil.example/x.png) ＜!-- c --＞ (")


def test_markdown_text_escapes_what_markdown_and_html_read():
    for hostile in ("<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](http://e/x.png)", "*b* _i_ `c`",
                    "a | b", "~~s~~", "title ###", "&lt;b&gt;", "\\<b>", "<!-- c -->", "{{ x }}"):
        rendered = MarkdownIt("commonmark", {"html": True}).render(f"### Map: {markdown_text(hostile)}")
        assert [t for t, _ in tags(rendered)] == ["h3"], hostile
        text = rendered.removeprefix("<h3>Map: ").removesuffix("</h3>\n")
        assert unescape(text) == hostile, hostile  # shown exactly as written


def test_mermaid_js_draws_the_hostile_names_as_text(mermaid_page, exported):  # noqa: F811 - fixture
    page, errors = mermaid_page
    _md, mmd, _m = exported
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    out = page.evaluate(RENDER, ["hostile", mmd.rstrip("\n")])
    assert "error" not in out, out.get("error")
    mine = parse(mmd.rstrip("\n"))
    assert out["title"] == mine["title"]
    assert out["tasks"] == [[section, task, score, actors] for section, tasks in mine["sections"]
                            for task, score, actors in tasks]
    elements = {t for t, _ in tags(out["svg"])}
    assert not elements & {"img", "script", "b", "a", "iframe"}, elements
    assert not [a for _, attrs in tags(out["svg"]) for a, _ in attrs if a.startswith("on")]
    assert dialogs == [] and errors == []


def test_unchanged_for_plain_names():
    m = JourneyMap.model_validate({"name": "Parcours d'achat — 2026", "stages": [{"id": "s", "name": "Découverte"}],
                                   "touchpoints": [{"id": "t", "stage": "s", "name": "Site web"}]})
    md = mermaid_markdown({}, m, "fr")
    assert md.startswith("### Carte du parcours client : Parcours d'achat — 2026\n")
    assert "Découverte" in mermaid_journey({}, m, "fr")
