"""``parcours export`` as a user runs it: every file it names, checked against the analysis it
exports (tables equal, charts drawn, PDF pages of the right paper with no chart cut), and the
errors when a tool is missing. Real Chromium, kaleido and poppler."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import parcours
from parcours.demo import write_demo
from parcours.model.journey_map import text_in
from parcours.report.html import figures
from parcours.report.labels import labels

ENV = {"COLUMNS": "120", "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": os.environ.get("HOME", "/tmp")}


def parcours_cli(*args, **env):
    return subprocess.run([sys.executable, "-m", "parcours", *map(str, args)], capture_output=True, text=True,
                          env={**ENV, **env})


def need(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing in CI (.ci/run installs poppler-utils and chromium)")
        pytest.skip(f"{tool} is not installed (Debian: apt install poppler-utils chromium)")
    return found


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    need("chromium")
    root = tmp_path_factory.mktemp("export")
    files = write_demo(root / "demo", customers=800, seed=11)
    results = root / "results"
    p = parcours_cli("analyze", files.events_path, "--map", files.map_path, "--feedback", files.feedback_path,
                     "--by", "segment", "--out", results, "--no-report")
    assert p.returncode == 0, p.stderr
    p = parcours_cli("export", "--map", files.map_path, "--results", results, "--out", root / "a3", "--lang", "fr")
    assert p.returncode == 0, p.stderr
    return files, results, root / "a3", p


def pdf_pages(path: Path) -> list[str]:
    """Each page's text in reading order, on one line (a name wrapped in its column is joined again)."""
    text = subprocess.run([need("pdftotext"), "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(re.sub(r"-\n", "-", page).split()) for page in text.split("\f")[:-1]]


def pdf_size(path: Path) -> tuple[float, float]:
    info = subprocess.run([need("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    return float(w), float(h)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def texts(table) -> list[dict]:
    return [{k: None if v is None else str(v) for k, v in row.items()} for row in table.to_pylist()]


def test_every_table_as_csv_and_parquet_equal_to_the_analysis(exported):
    _files, results, out, _p = exported
    csvs = sorted(results.glob("*.csv"))
    assert {c.stem for c in csvs} >= {"transitions", "variants", "touchpoints", "stages", "frictions"}
    for c in csvs:
        original = pacsv.read_csv(c)
        assert texts(pacsv.read_csv(out / "tables" / c.name)) == texts(original), c.name
        # the same values (as text: ids and names are kept as text, where pyarrow would guess numbers or dates)
        assert texts(pq.read_table(out / "tables" / f"{c.stem}.parquet")) == texts(original), c.stem
    # and the tables hold analysis.json's numbers: the funnel as a table and as JSON agree
    data = json.loads((results / "analysis.json").read_text())
    stages = pq.read_table(out / "tables" / "stages.parquet").to_pylist()
    assert [(r["stage"], r["reached"]) for r in stages] == [(r["stage"], r["reached"]) for r in data["stages"]]


def test_each_chart_as_svg_and_png(exported):
    files, results, out, _p = exported
    m = parcours.load_map(files.map_path)
    data = json.loads((results / "analysis.json").read_text())
    figs = figures(data, m, "fr", labels("fr"))
    assert len(figs) == 10 and {"emotion", "aspects", "aspects_over_time"} <= {f["key"] for f in figs}  # issues 23, 24
    for f in figs:
        svg = ET.parse(out / "charts" / f"{f['key']}.svg").getroot()
        texts = " ".join(t for t in svg.itertext())
        assert f["title"][:20] in texts, f"{f['key']}.svg lacks its title"
        assert len(list(svg.iter("{http://www.w3.org/2000/svg}path"))) > 3, f"{f['key']}.svg draws nothing"
        w, h = png_size(out / "charts" / f"{f['key']}.png")
        assert w == 2400 and h > 400, (f["key"], w, h)


def test_grid_as_png_and_svg(exported):
    files, _results, out, _p = exported
    m = parcours.load_map(files.map_path)
    w, _h = png_size(out / "map-grid.png")
    assert w >= 2 * 16 * (13 + 12.5 * len(m.stages))  # the whole grid at twice the CSS size, no column cut
    words = " ".join(" ".join(ET.parse(out / "map-grid.svg").getroot().itertext()).split())
    for s in m.stages:  # (a long name wraps over two lines)
        assert text_in(s.name, "fr") in words


def test_pdf_is_a3_landscape_with_no_chart_cut(exported):
    files, _results, out, _p = exported
    m = parcours.load_map(files.map_path)
    w, h = pdf_size(out / "map.pdf")
    assert abs(w / 72 * 25.4 - 420) < 1 and abs(h / 72 * 25.4 - 297) < 1  # A3 landscape, in mm
    pages = pdf_pages(out / "map.pdf")
    assert len(pages) >= 2
    for s in m.stages:  # every stage column on the first page: the grid is never cut on its width
        assert text_in(s.name, "fr") in pages[0], s.name
    data = json.loads((out.parent / "results" / "analysis.json").read_text())
    for f in figures(data, m, "fr", labels("fr")):  # a chart's title and its caption on one page
        def flat(text):  # pdftotext writes the narrow no-break space as a plain one
            return " ".join(text.replace("\u202f", " ").split())

        title, caption = flat(f["title"])[:25], flat(f["caption"])[:25]
        on = [i for i, p in enumerate(pages) if title in flat(p) and caption in flat(p)]
        assert on, f"{f['key']}: title and caption not on the same page"


def test_a4_pdf_scales_the_grid_to_the_width(exported, tmp_path):
    files, results, _out, _p = exported
    (tmp_path / "report.html").write_text("an earlier report")  # not asked for: left as it is
    p = parcours_cli("export", "--map", files.map_path, "--results", results, "--out", tmp_path, "--paper", "a4",
                     "--only", "pdf")
    assert p.returncode == 0, p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["map.pdf", "report.html"]
    assert (tmp_path / "report.html").read_text() == "an earlier report"
    w, h = pdf_size(tmp_path / "map.pdf")
    assert abs(w / 72 * 25.4 - 297) < 1 and abs(h / 72 * 25.4 - 210) < 1  # A4 landscape, in mm
    m = parcours.load_map(files.map_path)
    first = pdf_pages(tmp_path / "map.pdf")[0]
    assert all(text_in(s.name, "fr") in first for s in m.stages)


def test_report_links_to_every_export_and_each_link_exists(exported):
    _files, _results, out, p = exported
    html = (out / "report.html").read_text(encoding="utf-8")
    nav = html.split('<nav class="exports"', 1)[1].split("</nav>", 1)[0]
    hrefs = re.findall(r'href="([^"]+)"', nav)
    written = {str(x.relative_to(out)) for x in out.rglob("*") if x.is_file()} - {"report.html"}
    assert set(hrefs) == written
    listed = {line.split()[0] for line in p.stdout.splitlines()}  # the command lists what it wrote
    assert listed == {n.split("/")[0] + "/" if "/" in n else n for n in written} | {"report.html"}
    assert f"charts/          {len(list((out / 'charts').iterdir()))} files (PNG, SVG)" in p.stdout


def test_mermaid_file(exported):
    files, _results, out, _p = exported
    text = (out / "map.mmd").read_text(encoding="utf-8")
    assert text.startswith("journey\n")
    m = parcours.load_map(files.map_path)
    assert text.count("section ") == len(m.stages)
    assert "```mermaid" in (out / "map.md").read_text(encoding="utf-8")


def test_without_chromium_the_error_says_how_and_tables_still_export(exported, tmp_path):
    files, results, _out, _p = exported
    p = parcours_cli("export", "--map", files.map_path, "--results", results, "--out", tmp_path / "x",
                     "--only", "pdf", PARCOURS_CHROMIUM="/nowhere/chromium")
    assert p.returncode == 6
    assert "PARCOURS_CHROMIUM" in p.stderr and "/nowhere/chromium" in p.stderr
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())  # stopped before writing anything
    p = parcours_cli("export", "--map", files.map_path, "--results", results, "--out", tmp_path / "y",
                     "--only", "csv,parquet,mermaid,html", PARCOURS_CHROMIUM="/nowhere/chromium")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "y" / "tables" / "stages.parquet").exists() and (tmp_path / "y" / "report.html").exists()


def test_bad_options_and_missing_results(exported, tmp_path):
    files, results, _out, _p = exported
    p = parcours_cli("export", "--map", files.map_path, "--results", results, "--out", tmp_path, "--only", "pdf,docx")
    assert p.returncode == 2 and "docx" in p.stderr and "How to fix" in p.stderr
    p = parcours_cli("export", "--map", files.map_path, "--results", results, "--out", tmp_path, "--paper", "letter")
    assert p.returncode == 2 and "letter" in p.stderr
    p = parcours_cli("export", "--map", files.map_path, "--results", tmp_path / "none", "--out", tmp_path)
    assert p.returncode == 3 and "analysis.json" in p.stderr
    (tmp_path / "not-compare.json").write_text('{"rows": 3}')
    p = parcours_cli("export", "--map", files.map_path, "--results", results, "--out", tmp_path, "--compare",
                     tmp_path / "not-compare.json")
    assert p.returncode == 3 and "not-compare.json" in p.stderr and "parcours compare" in p.stderr
    (tmp_path / "broken.json").write_text('{"rows": [')
    p = parcours_cli("report", "--map", files.map_path, "--results", results, "--out", tmp_path / "r.html", "--compare",
                     tmp_path / "broken.json")
    assert p.returncode == 3 and "broken.json, line 1" in p.stderr


def test_ids_that_look_like_numbers_stay_text(tmp_path):
    """A results folder read back: an event "404" and a customer "007" are not turned into numbers."""
    import pandas as pd

    files = write_demo(tmp_path / "demo", customers=150, seed=5)
    ev = pd.read_csv(files.events_path, dtype=str)
    extra = ev.head(30).assign(event="404")  # an event on no map, named like a number
    extra["customer_id"] = "007"
    pd.concat([ev, extra]).to_csv(tmp_path / "events.csv", index=False)
    results = tmp_path / "results"
    p = parcours_cli("analyze", tmp_path / "events.csv", "--map", files.map_path, "--out", results, "--no-report")
    assert p.returncode == 0, p.stderr
    p = parcours_cli("export", "--map", files.map_path, "--results", results, "--out", tmp_path / "x", "--only", "parquet")
    assert p.returncode == 0, p.stderr
    unmapped = pq.read_table(tmp_path / "x" / "tables" / "unmapped.parquet")
    assert "404" in unmapped.column("event").to_pylist()


def test_a_hint_with_brackets_is_printed_as_written():
    """Rich markup must not eat "[export]" out of "pip install 'parcours[export]'", nor a file name's brackets."""
    code = ("import typer\nfrom parcours.cli.output import user_errors\nfrom parcours.errors import ExportError\n"
            "try:\n    with user_errors():\n"
            "        raise ExportError('a [bold]file[/] data[1].csv', hint=\"pip install 'parcours[export]'\")\n"
            "except typer.Exit as e:\n    raise SystemExit(e.exit_code)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert p.returncode == 6, p.stderr
    assert "a [bold]file[/] data[1].csv" in p.stderr and "pip install 'parcours[export]'" in p.stderr
