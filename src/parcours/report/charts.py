"""The report's charts: Plotly figures built from ``analysis.json``'s data, each with a
title, axis units and a caption saying what data and period it shows."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from parcours.model.journey_map import JourneyMap, text_in
from parcours.report import formats as F

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif"
PALETTE = ["#3b5bdb", "#e8590c", "#2b8a3e", "#c2255c", "#5f3dc4", "#0b7285", "#e67700", "#495057"]
SANKEY_VARIANTS, SANKEY_STEPS, GRAPH_EDGES = 12, 5, 40


def _layout(fig: go.Figure, title: str, height: int = 380, **kw: Any) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 16}}, height=height, font={"family": FONT, "size": 12},
                      margin={"l": 60, "r": 20, "t": 50, "b": 50}, paper_bgcolor="white", plot_bgcolor="white",
                      **kw)
    return fig


def _names(m: JourneyMap, lang: str) -> dict[str, str]:
    return {t.id: text_in(t.name, lang) or t.id for t in m.touchpoints}


def funnel(d: dict[str, Any], lang: str, L: dict[str, str]) -> go.Figure | None:
    stages = d.get("stages") or []
    if not stages:
        return None
    fig = go.Figure(go.Funnel(y=[s["name"] or s["stage"] for s in stages], x=[s["reached"] for s in stages],
                              textinfo="value+percent initial", marker={"color": PALETTE[0]},
                              hovertemplate="%{y}: %{x} " + L["journeys"] + "<extra></extra>"))
    return _layout(fig, L["funnel"], xaxis_title=L["journeys_axis"])


def sankey(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str]) -> tuple[go.Figure | None, dict[str, Any]]:
    top = (d.get("variants") or {}).get("top", [])[:SANKEY_VARIANTS]
    if not top:
        return None, {}
    names = _names(m, lang)
    nodes: dict[tuple[int, str], int] = {}
    labels: list[str] = []
    links: dict[tuple[int, int], int] = {}

    def node(key: tuple[int, str], label: str) -> int:
        if key not in nodes:
            nodes[key] = len(labels)
            labels.append(label)
        return nodes[key]

    for v in top:
        path = v["path"][:SANKEY_STEPS]
        ids = [node((i, tp), f"{i + 1}. {names.get(tp, tp)}") for i, tp in enumerate(path)]
        tail = node((SANKEY_STEPS, "__more"), L["more"]) if len(v["path"]) > SANKEY_STEPS else \
            node((len(path), "__end"), L["end"])
        for a, b in zip(ids, [*ids[1:], tail]):
            links[(a, b)] = links.get((a, b), 0) + v["journeys"]
    src, dst, val = zip(*[(a, b, n) for (a, b), n in links.items()])
    fig = go.Figure(go.Sankey(node={"label": labels, "pad": 12, "thickness": 14, "color": PALETTE[0]},
                              link={"source": src, "target": dst, "value": val, "color": "rgba(59,91,219,0.25)"},
                              arrangement="snap"))
    shown = sum(v["journeys"] for v in top)
    total = (d.get("summary") or {}).get("journeys") or shown
    return _layout(fig, L["sankey"], height=460), {"k": len(top), "share": F.pct(shown / total if total else None, lang),
                                                   "s": SANKEY_STEPS, "o": F.number(total - shown, lang)}


def transition_graph(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str]) -> go.Figure | None:
    rows = [r for r in d.get("transitions", []) if r["from"] != r["to"] and r["from"] and r["to"]]
    rows = sorted(rows, key=lambda r: -r["count"])[:GRAPH_EDGES]
    if not rows:
        return None
    names = _names(m, lang)
    order = {s.id: i for i, s in enumerate(m.stages)}
    stage_of = {t.id: t.stage for t in m.touchpoints}
    used = sorted({x for r in rows for x in (r["from"], r["to"])},
                  key=lambda t: (order.get(stage_of.get(t), len(order)), t))
    per_col: dict[int, int] = {}
    pos = {}
    for t in used:
        col = order.get(stage_of.get(t), len(order))
        pos[t] = (col, per_col.get(col, 0))
        per_col[col] = per_col.get(col, 0) + 1
    top = max(r["count"] for r in rows)
    med = [r["median_seconds"] or 0 for r in rows]
    lo, hi = min(med), max(med) or 1
    fig = go.Figure()
    scale = ["#2b8a3e", "#f08c00", "#c92a2a"]
    for r, mt in zip(rows, med):
        (x0, y0), (x1, y1) = pos[r["from"]], pos[r["to"]]
        k = 0 if hi == lo else (mt - lo) / (hi - lo)
        colour = scale[0] if k < 1 / 3 else scale[1] if k < 2 / 3 else scale[2]
        fig.add_trace(go.Scatter(x=[x0, (x0 + x1) / 2 + 0.15, x1], y=[-y0, -(y0 + y1) / 2 - 0.3, -y1], mode="lines",
                                 line={"width": 1 + 9 * r["count"] / top, "color": colour, "shape": "spline"},
                                 opacity=0.6, hoverinfo="text", showlegend=False,
                                 text=f"{names.get(r['from'], r['from'])} → {names.get(r['to'], r['to'])}: "
                                      f"{F.number(r['count'], lang)} · {F.duration(r['median_seconds'], lang)}"))
    fig.add_trace(go.Scatter(x=[pos[t][0] for t in used], y=[-pos[t][1] for t in used], mode="markers+text",
                             text=[names.get(t, t) for t in used], textposition="top center",
                             marker={"size": 12, "color": PALETTE[0]}, hoverinfo="text", showlegend=False))
    fig.update_xaxes(tickvals=list(range(len(m.stages))), ticktext=[text_in(s.name, lang) for s in m.stages],
                     showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, L["graph"], height=520)


def stage_durations(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str]) -> go.Figure | None:
    rows = [r for r in d.get("stage_durations", []) if r["measure"] == "to_next_stage" and r["count"]]
    if not rows:
        return None
    names = {s.id: text_in(s.name, lang) for s in m.stages}
    h = 3600.0
    fig = go.Figure(go.Box(x=[names.get(r["stage"], r["stage"]) for r in rows],
                           q1=[max(r["p25"], 1) / h for r in rows], median=[max(r["median"], 1) / h for r in rows],
                           q3=[max(r["p75"], 1) / h for r in rows], lowerfence=[max(r["min"], 1) / h for r in rows],
                           upperfence=[max(r["p90"], 1) / h for r in rows], mean=[r["mean"] / h for r in rows],
                           marker={"color": PALETTE[0]}, boxmean=True, name=""))
    fig.update_yaxes(type="log", title=L["hours"])
    return _layout(fig, L["durations"])


def over_time(fb: dict[str, Any], lang: str, L: dict[str, str]) -> go.Figure | None:
    rows = fb.get("by_period") or []
    if not rows:
        return None
    fig = go.Figure()
    for i, metric in enumerate(fb.get("metrics", [])):
        r = [x for x in rows if x["metric"] == metric and x["value"] is not None]
        if not r:
            continue
        fig.add_trace(go.Scatter(
            x=[x["period"] for x in r], y=[x["value"] for x in r], name=metric.upper(), mode="lines+markers",
            line={"color": PALETTE[i]},
            error_y={"type": "data", "symmetric": False,  # no interval for a group too small to have one
                     "array": [None if x["ci_high"] is None else x["ci_high"] - x["value"] for x in r],
                     "arrayminus": [None if x["ci_low"] is None else x["value"] - x["ci_low"] for x in r]}))
    return _layout(fig, L["over_time"], xaxis_title=L["month"])


def unmapped(d: dict[str, Any], lang: str, L: dict[str, str]) -> go.Figure | None:
    rows = sorted(d.get("unmapped") or [], key=lambda r: -r["events"])[:15]
    if not rows:
        return None
    fig = go.Figure(go.Bar(y=[r["event"] for r in rows][::-1], x=[r["journeys"] for r in rows][::-1], orientation="h",
                           marker={"color": PALETTE[1]}, text=[F.number(r["journeys"], lang) for r in rows][::-1]))
    return _layout(fig, L["unmapped"], xaxis_title=L["journeys_axis"], height=120 + 30 * len(rows))


def segments(groups: list[dict[str, Any]], lang: str, L: dict[str, str]) -> go.Figure | None:
    if not groups:
        return None
    names = [f"{g['group']}<br>({F.number(g['summary']['journeys'], lang)})" for g in groups]
    conv = [g["summary"].get("conversion_rate") for g in groups]
    fig = go.Figure()
    if any(c is not None for c in conv):
        fig.add_trace(go.Bar(x=names, y=[None if c is None else 100 * c for c in conv], name="% conversion",
                             marker={"color": PALETTE[0]}))
    nps = [next((r["value"] for r in (g.get("feedback") or {}).get("overall_by_metric", []) if r["metric"] == "nps"), None)
           for g in groups]
    if any(v is not None for v in nps):
        fig.add_trace(go.Bar(x=names, y=nps, name="NPS", marker={"color": PALETTE[1]}))
    return _layout(fig, L["segments"], barmode="group")
