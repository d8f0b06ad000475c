"""Render the report: grid and charts for all journeys and for each breakdown group, in one
HTML file that opens by double-click, offline."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from parcours.model.journey_map import JourneyMap, text_in, texts_in
from parcours.model.specs import report_lang
from parcours.report import charts as CH
from parcours.report.before_after import before_after
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
def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env


def figures(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str], *, full: bool = True,
            groups: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """[{key, title, caption, fig}] for one view (``full``: the whole analysis, with the charts
    that need data a group does not carry; ``groups``: the breakdown groups to compare)."""
    groups = (d.get("breakdown") or {}).get("groups", []) if groups is None else groups
    period = F.period(d, lang)
    n = F.number((d.get("summary") or {}).get("journeys"), lang)
    out = []

    def add(key: str, fig: Any, caption: str) -> None:
        if fig is not None:
            out.append({"key": key, "title": L[key], "caption": caption, "fig": fig})

    add("funnel", CH.funnel(d, lang, L, m), L["cap_funnel"].format(n=n, p=period))
    if full:
        fig, info = CH.sankey(d, m, lang, L)
        add("sankey", fig, L["cap_sankey"].format(p=period, **info) if info else "")
        add("graph", CH.transition_graph(d, m, lang, L), L["cap_graph"].format(k=CH.GRAPH_EDGES, p=period))
    add("durations", CH.stage_durations(d, m, lang, L), L["cap_durations"].format(p=period))
    fb = d.get("feedback") or {}
    # the designed curve from the map alone, the measured one beside it when there are answers
    answers = sum(p.get("responses") or 0 for p in fb.get("emotion_curve", []))
    add("emotion", CH.emotion(d, m, lang, L),
        (L["cap_emotion"].format(n=F.number(answers, lang)) if answers else L["cap_emotion_designed"])
        + "".join(" " + x for x in text_model_lines(fb.get("text_model"), lang, L)))
    if full:
        add("over_time", CH.over_time(fb, lang, L),
            L["cap_over_time"].format(n=F.number(sum(r["responses"] for r in fb.get("by_period", [])), lang)))
        v = fb.get("verbatims") or {}
        add("aspects", CH.aspects(fb, lang, L), L["cap_aspects"].format(
            n=F.number(v.get("comments"), lang), k=F.number(v.get("comments_with_an_aspect"), lang)))
        add("aspects_over_time", CH.aspects_over_time(fb, lang, L), L["cap_aspects_over_time"].format(k=CH.TREND_ASPECTS))
        add("unmapped", CH.unmapped(d, lang, L), L["cap_unmapped"].format(p=period))
        by_segment = (d.get("breakdown") or {}).get("by") == "segment"  # groups named by the map's segments
        add("segments", CH.segments(groups, lang, L, m if by_segment else None), L["cap_segments"])
    return out


def text_model_lines(tm: dict[str, Any] | None, lang: str, L: dict[str, str]) -> list[str]:
    """Per language, the text model used and how well it read the run's scored comments."""
    out = []
    for rec in (tm or {}).get("languages", []):
        mine = rec["adapted"] if rec["used"] == "adapted" else rec["baseline"]
        b = (mine or {}).get("balanced_accuracy") or {}
        if b.get("value") is None:
            continue
        sep = ";" if lang == "en" else "\u202f;"
        value = f"{F.number(b['value'], lang, 2)} [{F.number(b['ci_low'], lang, 2)}{sep} {F.number(b['ci_high'], lang, 2)}]"
        name = L.get(f"language_{rec['language']}") or L["language_other"].format(code=rec["language"])
        out.append(L["cap_text_model"].format(language=name, used=L[f"text_used_{rec['used']}"], value=value,
                                              n=F.number(b["n"], lang)))
    return out


def _personas(m: JourneyMap, segment: str | None, lang: str) -> list[dict[str, Any]]:
    return [{"name": text_in(p.name, lang), "description": text_in(p.description, lang) if p.description else None,
             "goals": texts_in(p.goals, lang), "frustrations": texts_in(p.frustrations, lang)}
            for p in m.personas if segment and p.segment == segment]


def in_lang(g: dict[str, Any], lang: str) -> dict[str, Any]:
    """A grid (:func:`~parcours.report.grid.grid`) with every text in ``lang``: the map's
    goals and actions that are given in two languages (the KPIs are worded in ``lang`` by
    :mod:`parcours.report.kpis`, units included: ``4 j`` / ``4 d``). Texts already chosen are
    kept, so applying it twice changes nothing."""
    for st in g["stages"]:
        for lane in ("goals", "actions", "company"):
            st[lane] = texts_in(st.get(lane), lang)
    return g


def _only(data: dict[str, Any]) -> list[str] | None:
    """The analyses a run was limited to (``--analyses``), or None when it computed them all."""
    chosen = (data.get("options") or {}).get("analyses", "all")
    return None if chosen == "all" else list(chosen)


def render_html(data: dict[str, Any], m: JourneyMap, *, lang: str | None = None,
                exports: list[dict[str, str]] | None = None, compare: dict[str, Any] | None = None,
                plotly_src: str | None = None) -> str:
    """The report as one HTML string; ``exports``: groups of links ({label, fold, links: [{label, href}]}) to files written beside it
    (by ``parcours export``); ``compare``: a compare.json (parcours compare) for the before/after table;
    ``plotly_src``: a URL of plotly.js to load instead of inlining it (the web app serves it once)."""
    lang = report_lang(lang, m)  # the one rule: asked, else the map's analysis.lang, else its language
    L = labels(lang)
    groups = (data.get("breakdown") or {}).get("groups", [])
    views = [{"id": "all", "name": L["all"], "summary": data["summary"], "grid": in_lang(grid(data, m, lang), lang),
              "personas": [], "figures": figures(data, m, lang, L, full=True, groups=groups)}]
    for i, g in enumerate(groups):
        seg = m.segment(str(g["group"])) if data["breakdown"]["by"] == "segment" else None
        personas = _personas(m, seg.id if seg else None, lang)
        name = text_in(seg.name, lang) if seg and seg.name else str(g["group"])
        views.append({"id": f"g{i}", "name": name, "summary": g["summary"], "grid": in_lang(grid(g, m, lang), lang),
                      "personas": personas, "option": " · ".join([p["name"] for p in personas] + [name]),
                      "figures": figures(g, m, lang, L, full=False, groups=[])})
    figs = {v["id"]: {f"{v['id']}-{f['key']}": json.loads(f["fig"].to_json()) for f in v["figures"]} for v in views}
    return _env().get_template("report.html.j2").render(
        L=L, lang=lang, colon=F.colon(lang), m=m, title=text_in(m.name, lang) if m.name else L["report"], views=views,
        by=(data.get("breakdown") or {}).get("by"), version=_version(), period=F.period(data, lang),
        fmt=F, css=(HERE / "static" / "report.css").read_text(encoding="utf-8"),
        js=(HERE / "static" / "report.js").read_text(encoding="utf-8"),
        exports=exports or [], analyses=_only(data), ba=before_after(compare, lang, L, m) if compare else None, plotly_src=plotly_src, plotly_js="" if plotly_src else plotly_js(), figures_json=json.dumps(figs, ensure_ascii=False).replace("<", "\\u003c"))  # no tag can end the script


def save_report(data: dict[str, Any], m: JourneyMap, path: str | Path, *, lang: str | None = None,
                exports: list[dict[str, str]] | None = None, compare: dict[str, Any] | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data, m, lang=lang, exports=exports, compare=compare), encoding="utf-8")
    return path
