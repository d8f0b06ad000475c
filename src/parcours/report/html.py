"""Render the report: grid and charts for all journeys and for each breakdown group, in one
HTML file that opens by double-click, offline."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from parcours.model.journey_map import JourneyMap, text_in
from parcours.report import charts as CH
from parcours.report import formats as F
from parcours.report.grid import grid
from parcours.report.labels import labels

HERE = Path(__file__).parent


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:  # not `from parcours import __version__`: the report layer does not import the façade
        return version("parcours")
    except PackageNotFoundError:  # pragma: no cover - a source tree not installed
        return "dev"


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env


def _period(d: dict[str, Any], lang: str) -> str:
    p = (d.get("summary") or {}).get("period") or {}
    a, b = (str(p.get("start") or "")[:10], str(p.get("end") or "")[:10])
    return f"{a} → {b}" if a else ""


def _figures(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str], *, full: bool,
             groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{id, title, caption, json}] for one view (``full``: the whole analysis, with the charts
    that need data a group does not carry)."""
    period = _period(d, lang)
    n = F.number((d.get("summary") or {}).get("journeys"), lang)
    out = []

    def add(key: str, fig: Any, caption: str) -> None:
        if fig is not None:
            out.append({"key": key, "title": L[key], "caption": caption, "json": fig.to_json()})

    add("funnel", CH.funnel(d, lang, L), L["cap_funnel"].format(n=n, p=period))
    if full:
        fig, info = CH.sankey(d, m, lang, L)
        add("sankey", fig, L["cap_sankey"].format(p=period, **info) if info else "")
        add("graph", CH.transition_graph(d, m, lang, L), L["cap_graph"].format(k=CH.GRAPH_EDGES, p=period))
    add("durations", CH.stage_durations(d, m, lang, L), L["cap_durations"].format(p=period))
    fb = d.get("feedback") or {}
    if full:
        add("over_time", CH.over_time(fb, lang, L),
            L["cap_over_time"].format(n=F.number(sum(r["responses"] for r in fb.get("by_period", [])), lang)))
        add("unmapped", CH.unmapped(d, lang, L), L["cap_unmapped"].format(p=period))
        add("segments", CH.segments(groups, lang, L), L["cap_segments"])
    return out


def render_html(data: dict[str, Any], m: JourneyMap, *, lang: str | None = None) -> str:
    """The report as one HTML string."""
    lang = lang or m.language or "en"
    L = labels(lang)
    groups = (data.get("breakdown") or {}).get("groups", [])
    views = [{"id": "all", "name": L["all"], "summary": data["summary"], "grid": grid(data, m, lang),
              "figures": _figures(data, m, lang, L, full=True, groups=groups)}]
    for i, g in enumerate(groups):
        seg = m.segment(str(g["group"])) if data["breakdown"]["by"] == "segment" else None
        views.append({"id": f"g{i}", "name": text_in(seg.name, lang) if seg and seg.name else str(g["group"]),
                      "summary": g["summary"], "grid": grid(g, m, lang),
                      "figures": _figures(g, m, lang, L, full=False, groups=[])})
    figures = {v["id"]: {f"{v['id']}-{f['key']}": json.loads(f["json"]) for f in v["figures"]} for v in views}
    return _env().get_template("report.html.j2").render(
        L=L, lang=lang, m=m, title=text_in(m.name, lang) if m.name else L["report"], views=views,
        by=(data.get("breakdown") or {}).get("by"), version=_version(), period=_period(data, lang),
        fmt=F, css=(HERE / "static" / "report.css").read_text(encoding="utf-8"),
        js=(HERE / "static" / "report.js").read_text(encoding="utf-8"),
        plotly_js=_plotly_js(), figures_json=json.dumps(figures, ensure_ascii=False).replace("</", "<\\/"))


def save_report(data: dict[str, Any], m: JourneyMap, path: str | Path, *, lang: str | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data, m, lang=lang), encoding="utf-8")
    return path
