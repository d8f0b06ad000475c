"""Exports of the journey map: the report with links to its exports, a print-ready PDF (A4 or
A3 landscape), PNG and SVG of each chart (kaleido) and of the map grid, every result table as
CSV and Parquet, and the map as a Mermaid ``journey`` diagram.

The PDF and the grid PNG are made by Chromium printing or photographing the report itself, so
they show what the HTML shows. Chromium is found on PATH (``chromium``, ``google-chrome``...) or
at ``$PARCOURS_CHROMIUM``; kaleido (the charts) and choreographer (its browser driver, which
prints the PDF) are in the base install: no browser is downloaded.

>>> files = export_all(result.data, journey_map, "exports/", tables=result.tables)   # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from parcours.errors import ExportError, OptionError
from parcours.model.journey_map import JourneyMap, text_in
from parcours.model.specs import report_lang
from parcours.report.grid import grid
from parcours.report.grid_svg import grid_svg
from parcours.report import formats as F
from parcours.report.html import figures, save_report
from parcours.report.labels import labels
from parcours.report.mermaid import mermaid_journey, mermaid_markdown

FORMATS = ("html", "pdf", "png", "svg", "csv", "parquet", "mermaid")
PAPERS = {"a4": (297.0, 210.0), "a3": (420.0, 297.0)}  # landscape, mm
MARGIN_MM = 10.0
CHART_WIDTH = 1200  # px of an exported chart (PNG at twice that for sharpness)
# The page footer is printed in every page's bottom margin (``_footer``), not after the content,
# where it could fall alone onto a last page; nor does the page's bottom padding start one.
PRINT_CSS = "body > footer, .modebar-container { display: none; } main { padding-bottom: 0; }"
# The grid's photograph: sticky headers where the page lays them (not where the window's scroll
# left them), and every text whole, as printed (report.css cuts long ones on screen, with a hover)
GRID_PNG_CSS = ("header.top, .grid thead th.stage, .grid tbody th { position: static; } "
                ".grid li, .cname { display: block; -webkit-line-clamp: unset; overflow: visible; }")
# Chromium's flags for a browser driven by Playwright (the browser tests launch it so);
# the exports' Chromium is started by choreographer (parcours.report.chromium) with its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def chromium_path() -> str:
    """Where Chromium is: ``$PARCOURS_CHROMIUM``, ``$BROWSER_PATH``, or the first browser on PATH."""
    for var in ("PARCOURS_CHROMIUM", "BROWSER_PATH"):
        if os.environ.get(var):
            if not Path(os.environ[var]).is_file():
                raise ExportError(f"${var} is {os.environ[var]!r}, which is not a file",
                                  hint=f"point {var} at a Chromium or Chrome executable, or unset it")
            return os.environ[var]
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    raise ExportError("the PDF and images need Chromium, and none was found on PATH",
                      hint="install it (Debian/Ubuntu: apt install chromium) or set PARCOURS_CHROMIUM=/path/to/chrome; "
                           "--only csv,parquet,mermaid,html needs no browser")


def _need(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ExportError(f"the PDF and images need the Python package {module.split('.')[0]!r}, which is not installed",
                          hint="reinstall Parcours (pip install parcours): kaleido is one of its dependencies") from e


def grid_width_px(n_stages: int) -> int:
    """The map grid's natural width in CSS px (report.css: a 13rem lane column, 12.5rem a stage)."""
    return 16 * (13 + 12.5 * max(n_stages, 1))


def export_all(data: dict[str, Any], m: JourneyMap, out_dir: str | Path, *, tables: dict[str, Any] | None = None,
               lang: str | None = None, paper: str = "a3", formats: Iterable[str] = FORMATS,
               compare: dict[str, Any] | None = None, on_progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write the exports asked for into ``out_dir``; returns {relative name: path}.

    ``tables``: {name: Arrow table} (an ``AnalysisResult.tables``) for the CSV and Parquet files;
    ``compare``: a compare.json's content, the report's before/after table and ``tables/compare``.
    """
    say = on_progress or (lambda _msg: None)
    formats = {f.lower() for f in formats}
    if unknown := formats - set(FORMATS):
        raise OptionError(f"unknown export format(s): {', '.join(sorted(unknown))}", hint=f"use {', '.join(FORMATS)}")
    if paper.lower() not in PAPERS:
        raise OptionError(f"unknown paper {paper!r}", hint="use a4 or a3 (both landscape)")
    if not m.stages:
        raise ExportError("the map has no stages: there is no journey map to export",
                          hint="add stages to the map (parcours schema shows the format)")
    if not formats:
        raise OptionError("no export format given", hint=f"use some of {', '.join(FORMATS)}")
    browser = chromium_path() if formats & {"pdf", "png", "svg"} else None  # tools first, before writing anything
    if formats & {"pdf", "png", "svg"}:
        _need("kaleido")  # and choreographer, its browser driver, which prints the PDF and the grid PNG
    lang = report_lang(lang, m)  # the one rule: asked, else the map's analysis.lang, else its language
    L = labels(lang)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    def put(name: str, content: str | bytes) -> None:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written[name] = path

    if formats & {"csv", "parquet"}:
        say("writing the tables")
        if compare is not None and compare.get("rows"):
            import pyarrow as pa

            tables = {**(tables or {}), "compare": pa.Table.from_pylist(compare["rows"])}
        written.update(_tables(tables or {}, out, formats))
    if "mermaid" in formats:
        put("map.mmd", mermaid_journey(data, m, lang) + "\n")
        put("map.md", mermaid_markdown(data, m, lang))
    title = text_in(m.name, lang) if m.name else L["report"]
    if "svg" in formats:
        put("map-grid.svg", grid_svg(grid(data, m, lang), L, lang, title=title,
                                        subtitle=f"{L['period']} {F.period(data)}" if F.period(data) else ""))
    figs = figures(data, m, lang, L)
    if formats & {"png", "svg"}:
        say(f"drawing {len(figs)} charts as {' and '.join(sorted(formats & {'png', 'svg'}))}")
        written.update(_charts(figs, out, formats, browser))
    planned = [n for n, kind in (("map.pdf", "pdf"), ("map-grid.png", "png")) if kind in formats]
    links = _links([*written, *planned], L)
    if "html" in formats:
        written["report.html"] = save_report(data, m, out / "report.html", lang=lang, exports=links, compare=compare)
    if formats & {"pdf", "png"}:
        say("printing with Chromium")
        with tempfile.TemporaryDirectory(prefix="parcours-print-") as tmp:  # never touch a report.html not asked for
            page = written.get("report.html") or save_report(data, m, Path(tmp) / "report.html", lang=lang,
                                                             exports=links, compare=compare)
            written.update(_browser(page, out, paper.lower(), len(m.stages), len(figs), browser,
                                    pdf="pdf" in formats, png="png" in formats, footer=_footer(L, title)))
    return dict(sorted(written.items()))


def _tables(tables: dict[str, Any], out: Path, formats: set[str]) -> dict[str, Path]:
    import pyarrow.parquet as pq

    from parcours.spreadsheet import write_csv

    written = {}
    (out / "tables").mkdir(exist_ok=True)
    for name, table in tables.items():
        if "csv" in formats:
            written[f"tables/{name}.csv"] = path = out / "tables" / f"{name}.csv"
            write_csv(table, path)  # formula-safe for spreadsheets; the Parquet file keeps raw values
        if "parquet" in formats:
            written[f"tables/{name}.parquet"] = path = out / "tables" / f"{name}.parquet"
            pq.write_table(table, path)
    return written


def _wrap(text: str, width: int = 150) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def _charts(figs: list[dict[str, Any]], out: Path, formats: set[str], browser: str) -> dict[str, Path]:
    import plotly.graph_objects as go

    pio = _need("plotly.io")
    _need("kaleido")
    pio.defaults.mathjax = None
    (out / "charts").mkdir(exist_ok=True)
    todo: list[tuple[Any, str, Path]] = []
    for f in figs:
        fig = go.Figure(f["fig"])  # a copy: the caption becomes the image's subtitle
        extra = 16 * (1 + len(f["caption"]) // 150)  # the caption's lines, under the title
        fig.update_layout(title_subtitle_text=f"<span style='font-size:11px'>{_wrap(f['caption'])}</span>",
                          margin_t=(fig.layout.margin.t or 50) + extra, width=CHART_WIDTH,
                          height=(fig.layout.height or 450) + extra)
        for fmt in ("svg", "png"):
            if fmt in formats:
                todo.append((fig, fmt, out / "charts" / f"{f['key']}.{fmt}"))
    saved = os.environ.get("BROWSER_PATH")
    os.environ["BROWSER_PATH"] = browser  # kaleido's browser: the one the PDF uses (restored below)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pio.write_images([t[0] for t in todo], [t[2] for t in todo], format=[t[1] for t in todo],
                             width=[CHART_WIDTH for _ in todo], height=[t[0].layout.height for t in todo],
                             scale=[2 if t[1] == "png" else 1 for t in todo])
        except Exception as e:  # kaleido reports a missing or broken browser in many ways
            raise ExportError(f"kaleido could not draw the charts: {e}",
                              hint="check that Chromium runs (chromium --headless --version); set PARCOURS_CHROMIUM") from e
        finally:
            if saved is None:
                os.environ.pop("BROWSER_PATH", None)
            else:
                os.environ["BROWSER_PATH"] = saved
    return {f"charts/{p.name}": p for _f, _fmt, p in todo}


def _links(names: list[str], L: dict[str, str]) -> list[dict[str, Any]]:
    """The report's links to its exports, in groups: the map's files; each chart in PNG and SVG;
    the tables (folded: there are dozens)."""
    kinds = [("map.pdf", L["export_pdf"]), ("map-grid.png", L["export_grid"] + " (PNG)"),
             ("map-grid.svg", L["export_grid"] + " (SVG)"), ("map.md", L["export_mermaid"] + " (Markdown)"),
             ("map.mmd", L["export_mermaid"] + " (.mmd)")]
    groups = [{"label": None, "fold": False, "links": [{"label": label, "href": n} for n, label in kinds if n in names]}]
    for ext in ("png", "svg"):
        charts = [n for n in names if n.startswith("charts/") and n.endswith(f".{ext}")]
        if charts:
            groups.append({"label": f"{L['export_charts']} ({ext.upper()})", "fold": False,
                           "links": [{"label": Path(n).stem, "href": n} for n in charts]})
    tables = [n for n in names if n.startswith("tables/")]
    if tables:
        groups.append({"label": L["export_tables"].format(n=len({Path(n).stem for n in tables})), "fold": True,
                       "links": [{"label": Path(n).name, "href": n, "download": True} for n in tables]})
    return [g for g in groups if g["links"]]


def _footer(L: dict[str, str], title: str) -> str:
    """The printed pages' footer (Chromium's footer template): the map's name, then "Made by
    Parcours" and the page number, in the paper's bottom margin."""
    from html import escape

    from parcours.report.html import _version

    return ('<div style="width:100%;box-sizing:border-box;padding:0 10mm;display:flex;justify-content:space-between;font-size:8px;'
            'color:#555;font-family:system-ui,sans-serif">'
            f'<span>{escape(title)}</span><span>{escape(L["generated"].format(v=_version()))} · '
            '<span class="pageNumber"></span>/<span class="totalPages"></span></span></div>')


def _browser(html: Path, out: Path, paper: str, n_stages: int, n_figs: int, exe: str, *, pdf: bool,
             png: bool, footer: str) -> dict[str, Path]:
    """The PDF (the report printed to fit the paper's width) and the grid PNG, by Chromium."""
    from parcours.report.chromium import ChromiumError, Shot, capture

    natural = grid_width_px(n_stages) + 48  # the grid plus the page's side padding
    ready = f"document.querySelectorAll('#view-all .js-plotly-plot').length >= {int(n_figs)}"
    shots: dict[str, Shot] = {}
    if png:
        shots["map-grid.png"] = Shot(width=max(1400, natural), ready=ready, scale=2, selector="#view-all table.grid",
                                     style=GRID_PNG_CSS)
    if pdf:
        w, h = PAPERS[paper]
        printable = (w - 2 * MARGIN_MM) / 25.4 * 96
        scale = min(1.0, printable / natural)  # the whole grid across the page: no cut column
        inch = MARGIN_MM / 25.4
        shots["map.pdf"] = Shot(width=int(printable / scale), ready=ready, media="print", style=PRINT_CSS, pdf={
            "paperWidth": w / 25.4, "paperHeight": h / 25.4, "scale": round(max(scale, 0.1), 3), "printBackground": True,
            "marginTop": inch, "marginBottom": inch, "marginLeft": inch, "marginRight": inch,
            "displayHeaderFooter": True, "headerTemplate": "<span></span>", "footerTemplate": footer})
    try:
        files, problems = capture(exe, html.resolve().as_uri(), list(shots.values()))
    except ChromiumError as e:
        raise ExportError(f"Chromium ({exe}) failed while printing {html.name}: {e}",
                          hint="check that it starts: chromium --headless --no-sandbox --version") from e
    if problems:
        raise ExportError(f"{html}: the page reported errors while printing: {'; '.join(problems[:3])}",
                          hint="open the report in a browser to see them; please report this as a bug")
    written = {}
    for name, content in zip(shots, files):
        (out / name).write_bytes(content)
        written[name] = out / name
    return written
