"""The report's charts: Plotly figures built from ``analysis.json``'s data, each with a
title, axis units and a caption saying what data and period it shows.

The report lays the charts out two by two, so each is drawn to stay legible from about
600 px wide up to full width: labels are shortened and wrapped (full text on hover), numbers
are formatted by :mod:`parcours.report.formats` in the report's language, and the heights
grow with the number of things drawn.
"""

from __future__ import annotations

import math
import re
import textwrap
import html
from typing import Any

import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from parcours.model.journey_map import JourneyMap, text_in
from parcours.report import formats as F

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif"
PALETTE = ["#3b5bdb", "#e8590c", "#2b8a3e", "#c2255c", "#5f3dc4", "#0b7285", "#e67700", "#495057"]
INK, MUTED, LINE, END, MORE = "#212529", "#6c757d", "#dee2e6", "#c92a2a", "#868e96"
SANKEY_VARIANTS, SANKEY_STEPS, GRAPH_EDGES = 12, 5, 40
# median time of a transition, fast to slow: dark blue, purple, pink, orange (plasma without its pale
# yellow end, readable on white and by colour-blind readers)
TIME_SCALE = [[0.0, "#0d0887"], [0.33, "#7e03a8"], [0.66, "#cc4778"], [1.0, "#f89540"]]


def _layout(fig: go.Figure, title: str, height: int = 380, lang: str = "en", **kw: Any) -> go.Figure:
    margin = {"l": 60, "r": 20, "t": 50, "b": 50, **kw.pop("margin", {})}
    kw.setdefault("separators", ",\u202f" if lang == "fr" else ".,")  # numbers plotly writes itself
    fig.update_layout(title={"text": title, "x": 0, "xref": "container", "pad": {"l": 10}, "font": {"size": 16}},
                      height=height,
                      font={"family": FONT, "size": 12, "color": INK}, margin=margin,
                      paper_bgcolor="white", plot_bgcolor="white",
                      hoverlabel={"font": {"family": FONT, "size": 12}, "align": "left"}, **kw)
    return fig


def _t(text: Any) -> str:
    """User text (a map's name, an event from the data) for Plotly, which reads labels as
    HTML-like markup: ``<b>``, ``<br>`` or a link in a name stay text."""
    return html.escape(str(text), quote=False)


def _names(m: JourneyMap, lang: str) -> dict[str, str]:
    return {t.id: _t(text_in(t.name, lang) or t.id) for t in m.touchpoints}


def _short(text: str, width: int, lines: int = 2) -> str:
    """``text`` wrapped on at most ``lines`` lines of about ``width`` characters (``<br>``), cut
    with ``…`` past that, keeping a final ``(…)`` that tells two names apart (``Contact…
    (chat)``); the full text goes in the hover.

    ``text`` may be escaped for Plotly already (:func:`_t`): it is wrapped and cut as the reader
    sees it, then escaped, so that ``&amp;`` is never cut into ``&amp…``.

    >>> _short("Fidélisation &amp; recommandation", 12)
    'Fidélisation<br>&amp; recommand…'
    """
    text = " ".join(html.unescape(str(text)).split())

    def wrap(t: str) -> list[str]:
        return textwrap.wrap(t, width, break_long_words=False, break_on_hyphens=False) or [""]

    def cut(parts: list[str], n: int) -> list[str]:
        rest = " ".join(parts[n - 1:])  # what the last line would have to hold
        last = rest[: max(1, width - 1)]
        space = last.rfind(" ")
        if rest[len(last):len(last) + 1] not in ("", " ") and space >= len(last) / 2:
            last = last[:space]  # end on a whole word when that keeps most of the line
        return parts[: n - 1] + [last.rstrip(" ,;:–-&") + "…"]

    def out(parts: list[str]) -> str:
        return "<br>".join(_t(p) for p in parts)

    parts = wrap(text)
    if len(parts) <= lines:
        return out(parts)
    tail = re.match(r"^(.*\S)\s*(\([^()]*\))$", text)
    if tail and lines > 1 and len(tail.group(2)) <= width + 2:
        head = wrap(tail.group(1))
        return out((head if len(head) < lines else cut(head, lines - 1)) + [tail.group(2)])
    return out(cut(parts, lines))


def _units(lang: str) -> dict[str, str]:
    return ({"s": "s", "min": "min", "h": "h", "d": "j", "w": "sem.", "y": "an"} if lang == "fr" else
            {"s": "s", "min": "min", "h": "h", "d": "d", "w": "wk", "y": "yr"})


def _time_ticks(lo: float, hi: float, lang: str) -> tuple[list[float], list[str]]:
    """Round durations (1 min, 1 h, 1 d, 1 week…) between ``lo`` and ``hi`` seconds, as
    (seconds, label) for a log axis."""
    u, sp = _units(lang), F.NBSP
    marks = [(1, f"1{sp}{u['s']}"), (10, f"10{sp}{u['s']}"), (60, f"1{sp}{u['min']}"), (600, f"10{sp}{u['min']}"),
             (3600, f"1{sp}{u['h']}"), (6 * 3600, f"6{sp}{u['h']}"), (86400, f"1{sp}{u['d']}"),
             (7 * 86400, f"1{sp}{u['w']}"), (30 * 86400, f"30{sp}{u['d']}"), (365 * 86400, f"1{sp}{u['y']}")]
    inside = [(s, t) for s, t in marks if lo * 0.999 <= s <= hi * 1.001]
    if len(inside) < 2:  # a narrow range: the nearest marks around it
        below = [x for x in marks if x[0] <= lo] or marks[:1]
        above = [x for x in marks if x[0] >= hi] or marks[-1:]
        inside = sorted({below[-1], *inside, above[0]})
    return [s for s, _ in inside], [t for _, t in inside]


def _month(period: str, lang: str, L: dict[str, str]) -> str:
    """``2026-03-01`` → ``mars 2026`` / ``Mar 2026``."""
    try:
        y, mo = int(period[:4]), int(period[5:7])
    except (TypeError, ValueError):
        return str(period)
    return f"{L['months'].split(',')[mo - 1]} {y}"


def _sep(lang: str) -> str:
    """The colon of ``label: value``, with French spacing."""
    return F.colon(lang) + " "


def _step(n: int, L: dict[str, str]) -> str:
    return L["step_1"] if n == 1 else L["step_n"].format(n=n)


def funnel(d: dict[str, Any], lang: str, L: dict[str, str], m: JourneyMap | None = None) -> go.Figure | None:
    stages = d.get("stages") or []
    if not stages:
        return None
    first = stages[0]["reached"] or None
    in_lang = {s.id: _t(text_in(s.name, lang)) for s in (m.stages if m else [])}  # analysis.json has the map's language
    names = [in_lang.get(s["stage"]) or _t(s["name"] or s["stage"]) for s in stages]
    text = [f"{F.number(s['reached'], lang)} · {F.pct(s['reached'] / first if first else None, lang)}" for s in stages]
    hover = [f"<b>{n}</b><br>{F.number(s['reached'], lang)} {L['journeys']} · "
             f"{F.pct(s['reached'] / first if first else None, lang)} {L['of_first_stage']}"
             f"<br>{L['conversion']}{_sep(lang)}{F.pct(s.get('conversion_rate'), lang)}" for n, s in zip(names, stages)]
    fig = go.Figure(go.Funnel(y=[_short(n, 22) for n in names], x=[s["reached"] for s in stages], text=text,
                              textinfo="text", marker={"color": PALETTE[0]}, connector={"fillcolor": "#dbe4ff"},
                              hovertext=hover, hoverinfo="text"))
    return _layout(fig, L["funnel"], height=max(300, 110 + 55 * len(stages)), xaxis_title=L["journeys_axis"],
                   margin={"l": 150}, lang=lang)


def sankey(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str]) -> tuple[go.Figure | None, dict[str, Any]]:
    top = (d.get("variants") or {}).get("top", [])[:SANKEY_VARIANTS]
    if not top:
        return None, {}
    names = _names(m, lang)
    # nodes keyed by (column, what): a touchpoint at step i, the end of the journey after i steps,
    # or "continues" after SANKEY_STEPS steps; links carry the journeys of the variants through them
    value: dict[tuple[int, str], int] = {}
    links: dict[tuple[tuple[int, str], tuple[int, str]], int] = {}
    for v in top:
        path = v["path"][:SANKEY_STEPS]
        keys = [(i, tp) for i, tp in enumerate(path)]
        keys.append((SANKEY_STEPS, "__more") if len(v["path"]) > SANKEY_STEPS else (len(path), "__end"))
        for k in keys:
            value[k] = value.get(k, 0) + v["journeys"]
        for a, b in zip(keys, keys[1:]):
            links[(a, b)] = links.get((a, b), 0) + v["journeys"]
    ncols = max(c for c, _ in value) + 1
    # order in each column: touchpoints by the mean rank of where their journeys come from, then
    # by size; the end of the journey and "continues" at the bottom
    rank: dict[tuple[int, str], float] = {}
    columns: list[list[tuple[int, str]]] = []
    for c in range(ncols):
        col = [k for k in value if k[0] == c]

        def where_from(k: tuple[int, str]) -> float:
            inc = [(rank[a], n) for (a, b), n in links.items() if b == k]
            return sum(r * n for r, n in inc) / sum(n for _, n in inc) if inc else 0.0

        col.sort(key=lambda k: (k[1].startswith("__"), k[1] == "__more", where_from(k), -value[k], k[1]))
        rank.update({k: i for i, k in enumerate(col)})
        columns.append(col)
    # geometry, as plotly's d3-sankey computes it with node.align "left" (a node's column is its
    # step): the scale ky (px per journey) is the tightest column's; y is the node's centre
    wrap = max(11, min(26, 78 // ncols))
    pad = 30
    most = max(len(c) for c in columns)
    top_m, bottom_m = 78, 20
    plot_h = max(280, most * (pad + 14) + 120)
    pad_px = min(pad, plot_h / max(1, most - 1))
    ky = min((plot_h - (len(c) - 1) * pad_px) / sum(value[k] for k in c) for c in columns)
    pos: dict[tuple[int, str], tuple[float, float]] = {}
    for c, col in enumerate(columns):
        y = 0.0
        for k in col:
            h = value[k] * ky
            x = c / (ncols - 1) if ncols > 1 else 0.5  # plotly ignores a position of exactly 0
            pos[k] = (min(max(x, 0.001), 0.999), min(max((y + h / 2) / plot_h, 0.001), 0.999))
            y += h + pad_px
    order = [k for col in columns for k in col]
    index = {k: i for i, k in enumerate(order)}
    jr = L["journeys"]

    def full(k: tuple[int, str]) -> str:
        return L["end"] if k[1] == "__end" else L["more_long"].format(s=SANKEY_STEPS) if k[1] == "__more" \
            else names.get(k[1], _t(k[1]))

    node_colour = [END if k[1] == "__end" else MORE if k[1] == "__more" else PALETTE[0] for k in order]
    node_hover = [f"<b>{full(k)}</b><br>" + (_step(k[0] + 1, L) + " · " if not k[1].startswith("__") else "")
                  + f"{F.number(value[k], lang)} {jr}" for k in order]
    link_rows = sorted(links.items(), key=lambda x: (index[x[0][0]], index[x[0][1]]))
    link_colour = ["rgba(201,42,42,0.22)" if b[1] == "__end" else "rgba(134,142,150,0.3)" if b[1] == "__more"
                   else "rgba(59,91,219,0.22)" for (a, b), _ in link_rows]
    link_hover = [f"{full(a)} → {full(b)}<br>{F.number(n, lang)} {jr}" for (a, b), n in link_rows]
    fig = go.Figure(go.Sankey(
        arrangement="fixed", valueformat=",d",
        # the last column's labels sit left of their nodes, next to the previous column's: short ones
        node={"label": [L["end_short"] if k[1] == "__end" and k[0] == ncols - 1 else L["more_short"] if k[1] == "__more"
                        else _short(full(k), wrap) for k in order], "x": [pos[k][0] for k in order],
              "y": [pos[k][1] for k in order], "align": "left", "pad": pad, "thickness": 12, "color": node_colour,
              "line": {"width": 0}, "customdata": node_hover, "hovertemplate": "%{customdata}<extra></extra>"},
        link={"source": [index[a] for (a, _), _ in link_rows], "target": [index[b] for (_, b), _ in link_rows],
              "value": [n for _, n in link_rows], "color": link_colour, "customdata": link_hover,
              "hovertemplate": "%{customdata}<extra></extra>"},
        textfont={"family": FONT, "size": 11, "color": INK}))
    for c in range(ncols):  # step headers over the columns
        label = _step(c + 1, L) if c < SANKEY_STEPS else L["after_steps"]
        fig.add_annotation(x=pos[columns[c][0]][0], y=1, xref="paper", yref="paper", yanchor="bottom", yshift=6,
                           xanchor="left" if c == 0 else "right" if c == ncols - 1 else "center", text=f"<b>{label}</b>",
                           showarrow=False, font={"size": 11, "color": MUTED})
    shown = sum(v["journeys"] for v in top)
    total = (d.get("summary") or {}).get("journeys") or shown
    fig = _layout(fig, L["sankey"], height=int(plot_h + top_m + bottom_m),
                  margin={"l": 10, "r": 10, "t": top_m, "b": bottom_m}, lang=lang)
    return fig, {"k": len(top), "share": F.pct(shown / total if total else None, lang),
                 "s": SANKEY_STEPS, "o": F.number(total - shown, lang)}


def _bezier(p: list[tuple[float, float]], n: int = 60) -> tuple[list[float], list[float]]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = p
    xs, ys = [], []
    for i in range(n + 1):
        t = i / n
        a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
        xs.append(a * x0 + b * x1 + c * x2 + e * x3)
        ys.append(a * y0 + b * y1 + c * y2 + e * y3)
    return xs, ys


def transition_graph(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str]) -> go.Figure | None:
    stage_of = {t.id: t.stage for t in m.touchpoints}
    # touchpoints of the map only (events on no touchpoint have their own chart); no self-loops
    rows = [r for r in d.get("transitions", [])
            if r["from"] != r["to"] and r["from"] in stage_of and r["to"] in stage_of]
    rows = sorted(rows, key=lambda r: (-r["count"], r["from"], r["to"]))[:GRAPH_EDGES]
    if not rows:
        return None
    names = _names(m, lang)
    channel = {t.id: t.channel for t in m.touchpoints}
    tp_rank = {t.id: i for i, t in enumerate(m.touchpoints)}
    stage_names = [_t(text_in(s.name, lang) or s.id) for s in m.stages]
    order = {s.id: i for i, s in enumerate(m.stages)}
    used = {x for r in rows for x in (r["from"], r["to"])}
    col_of = {t: order.get(stage_of[t], len(order)) for t in used}
    ncols = max(len(order), max(col_of.values()) + 1)
    if ncols > len(stage_names):
        stage_names.append(L["no_stage"])
    # rows in each column: the map's order, then a few passes placing each touchpoint near the
    # touchpoints it exchanges most with (fewer crossings)
    columns = [sorted((t for t in used if col_of[t] == c), key=lambda t: tp_rank[t]) for c in range(ncols)]
    row_of = {t: float(i) for col in columns for i, t in enumerate(col)}
    for _ in range(4):
        for c, col in enumerate(columns):
            def bary(t: str) -> float:
                w = [(row_of[r["to"] if r["from"] == t else r["from"]], r["count"]) for r in rows
                     if t in (r["from"], r["to"]) and col_of[r["to"] if r["from"] == t else r["from"]] != c]
                return (sum(y * n for y, n in w) / sum(n for _, n in w)) if w else row_of[t]
            col.sort(key=lambda t: (0.5 * bary(t) + 0.5 * row_of[t], tp_rank[t]))
            row_of.update({t: float(i) for i, t in enumerate(col)})
    most = max(len(c) for c in columns)
    for c, col in enumerate(columns):  # a short column is centred on the tallest
        off = (most - len(col)) / 2
        row_of.update({t: i + off for i, t in enumerate(col)})
    nx = {t: col_of[t] - 0.3 for t in used}  # nodes left in their stage's band, labels to their right
    ny = {t: -row_of[t] for t in used}

    secs = [max(r["median_seconds"] or 1.0, 1.0) for r in rows]
    lo, hi = math.log10(min(secs)), math.log10(max(secs))
    if hi - lo < 0.3:
        lo, hi = lo - 0.3, hi + 0.3
    top = max(r["count"] for r in rows)
    fig = go.Figure()
    for c in range(ncols):  # stage bands
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=-(most - 1) - 0.6, y1=0.75, layer="below",
                      fillcolor="#f8f9fa" if c % 2 == 0 else "white", line={"width": 0})
        fig.add_annotation(x=c, y=0.75, yanchor="bottom", text=f"<b>{_short(stage_names[c], max(12, 90 // ncols))}</b>",
                           showarrow=False, font={"size": 11, "color": MUTED})
    jr = L["journeys"]
    for r, s in sorted(zip(rows, secs), key=lambda x: x[0]["count"]):  # thick edges drawn last, on top
        a, b = r["from"], r["to"]
        (x0, y0), (x1, y1) = (nx[a], ny[a]), (nx[b], ny[b])
        if x1 > x0:  # forward: an S-curve, leaving and arriving horizontally
            dx = (x1 - x0) * 0.5
            ctrl = [(x0, y0), (x0 + dx, y0), (x1 - dx, y1), (x1, y1)]
        elif x1 < x0:  # backward: an arc over the nodes
            h = 0.55 + 0.2 * (x0 - x1)
            ctrl = [(x0, y0), (x0 - 0.1, y0 + h), (x1 + 0.1, y1 + h), (x1, y1)]
        else:  # same stage: an arc on the left of the column, wider going up than going down
            bend = min((0.04 if y1 < y0 else 0.07) + 0.045 * abs(y1 - y0), 0.26)  # nested: longer, wider
            ctrl = [(x0, y0), (x0 - bend, y0), (x1 - bend, y1), (x1, y1)]
        xs, ys = _bezier(ctrl)
        k = (math.log10(s) - lo) / (hi - lo)
        colour = sample_colorscale(TIME_SCALE, [min(max(k, 0.0), 1.0)])[0]
        width = 1 + 7 * math.sqrt(r["count"] / top)
        # the arrowhead, about 12 px before the target's centre (the chart taken as ~700 px wide)
        tip = len(xs) - 1
        while tip > len(xs) // 2 and math.hypot((xs[-1] - xs[tip]) * 700 / ncols, (ys[-1] - ys[tip]) * 62) < 12:
            tip -= 1
        text = (f"<b>{names.get(a, a)} → {names.get(b, b)}</b><br>{F.number(r['count'], lang)} {L['transitions']}"
                f" · {F.number(r.get('journeys'), lang)} {jr}"
                f"<br>{L['median_time']}{_sep(lang)}{F.duration(r['median_seconds'], lang)}")
        fig.add_trace(go.Scatter(
            x=xs[: tip + 1], y=ys[: tip + 1], mode="lines+markers", line={"width": width, "color": colour},
            opacity=0.75, showlegend=False, hovertemplate="%{text}<extra></extra>", text=[text] * (tip + 1),
            marker={"symbol": "arrow", "angleref": "previous", "color": colour, "line": {"width": 0},
                    "size": [0] * tip + [8 + 1.6 * width]}))
    info = {t["touchpoint"]: t for t in d.get("touchpoints", [])}
    wrap = max(10, min(28, 62 // ncols))
    node_list = sorted(used, key=lambda t: (col_of[t], row_of[t]))
    hover = []
    for t in node_list:
        i = info.get(t) or {}
        hover.append(f"<b>{names.get(t, t)}</b><br>{stage_names[col_of[t]]}" + (f" · {channel[t]}" if channel.get(t) else "")
                     + f"<br>{F.number(i.get('journeys'), lang)} {jr} · {F.number(i.get('events'), lang)} {L['events']}")
    fig.add_trace(go.Scatter(x=[nx[t] for t in node_list], y=[ny[t] for t in node_list], mode="markers",
                             marker={"size": 11, "color": INK, "line": {"color": "white", "width": 2}},
                             hovertemplate="%{text}<extra></extra>", text=hover, showlegend=False))
    for t in node_list:
        fig.add_annotation(x=nx[t], y=ny[t], xanchor="left", xshift=8, text=_short(names.get(t, t), wrap, 3),
                           showarrow=False,
                           align="left", font={"size": 11, "color": INK}, bgcolor="white", borderpad=1)
    fig.add_annotation(x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="top", yshift=-14, showarrow=False,
                       text=L["graph_key"], font={"size": 11, "color": MUTED}, align="left")
    # colour bar of median time, in readable durations
    tv, tt = _time_ticks(10 ** lo, 10 ** hi, lang)
    fig.add_trace(go.Scatter(
        x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
        marker={"colorscale": TIME_SCALE, "cmin": lo, "cmax": hi, "color": [lo], "showscale": True,
                "colorbar": {"title": {"text": L["median_time"], "side": "top", "font": {"size": 11}},
                             "orientation": "h", "x": 1, "xanchor": "right", "y": 0, "yanchor": "top", "ypad": 0,
                             "tickvals": [math.log10(v) for v in tv], "ticktext": tt, "thickness": 10, "len": 0.45,
                             "outlinewidth": 0, "tickfont": {"size": 10}}}))
    fig.update_xaxes(visible=False, range=[-0.5, ncols - 0.5], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-(most - 1) - 0.7, 1.2], fixedrange=True)
    return _layout(fig, L["graph"], height=int(190 + 62 * max(most, 3)), hovermode="closest",
                   margin={"l": 10, "r": 10, "t": 50, "b": 70}, lang=lang)


def stage_durations(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str]) -> go.Figure | None:
    rows = [r for r in d.get("stage_durations", []) if r["measure"] == "to_next_stage" and r["count"]]
    if not rows:
        return None
    names = {s.id: _t(text_in(s.name, lang) or s.id) for s in m.stages}
    x = [f"{_short(names.get(r['stage'], r['stage']), 16)}"  # and the journeys measured, under the name
         f"<br><span style='color:{MUTED}'>{F.number(r['count'], lang)}</span>" for r in rows]
    h = 3600.0  # the axis is in hours, its ticks say round durations (1 min, 1 h, 1 d…)

    def at(v: Any) -> float:
        return max(float(v or 0), 1.0) / h

    fig = go.Figure(go.Box(x=x, q1=[at(r["p25"]) for r in rows], median=[at(r["median"]) for r in rows],
                           q3=[at(r["p75"]) for r in rows], lowerfence=[at(r["min"]) for r in rows],
                           upperfence=[at(r["p90"]) for r in rows], mean=[at(r["mean"]) for r in rows],
                           marker={"color": PALETTE[0]}, fillcolor="rgba(59,91,219,0.25)", boxmean=True, name="",
                           hoverinfo="skip", showlegend=False))
    sep = _sep(lang)
    text = [f"<b>{names.get(r['stage'], r['stage'])}</b><br>{F.number(r['count'], lang)} {L['journeys']}"
            + "".join(f"<br>{lab}{sep}{F.duration(r[k], lang)}" for lab, k in (
                (L["min"], "min"), (L["q1"], "p25"), (L["median"], "median"), (L["mean"], "mean"),
                (L["q3"], "p75"), (L["p90"], "p90"), (L["max"], "max")))
            for r in rows]
    fig.add_trace(go.Scatter(x=x, y=[at(r["median"]) for r in rows], mode="markers", marker={"size": 18, "opacity": 0},
                             text=text, hovertemplate="%{text}<extra></extra>", showlegend=False))
    lo = min(at(r["min"]) for r in rows) * h
    hi = max(max(at(r["p90"]), at(r["mean"])) for r in rows) * h
    tv, tt = _time_ticks(lo, hi, lang)
    fig.update_yaxes(type="log", title=L["duration_log"], tickvals=[v / h for v in tv], ticktext=tt,
                     gridcolor=LINE, zeroline=False)
    fig.update_xaxes(title=L["stage"])
    return _layout(fig, L["durations"], margin={"l": 80}, lang=lang)


def emotion(d: dict[str, Any], m: JourneyMap, lang: str, L: dict[str, str]) -> go.Figure | None:
    """The emotion curve across the stages, on the 0–100 satisfaction scale: the map's designed
    emotion (dotted; drawn from the map alone, with or without answers) and the measured
    satisfaction (solid, with its 95 % interval; hollow for a small group) where there are
    answers (:mod:`parcours.analysis.emotion`). None when the map has neither."""
    from parcours.analysis.emotion import declared

    fb = d.get("feedback") or {}
    measured = {p["stage"]: p for p in fb.get("emotion_curve", [])}
    stages = list(m.stages)
    designed = [declared(s.emotion) for s in stages]
    sat = [(measured.get(s.id) or {}).get("satisfaction") for s in stages]
    if all(v is None for v in designed + sat):
        return None
    names = [_t(text_in(s.name, lang) or s.id) for s in stages]
    x = [_short(n, max(10, 80 // max(1, len(stages)))) for n in names]
    sep = _sep(lang)
    fig = go.Figure()
    fig.add_hline(y=50, line={"color": LINE, "width": 1})
    if any(v is not None for v in designed):
        fig.add_trace(go.Scatter(
            x=x, y=designed, name=L["designed"], mode="lines+markers", connectgaps=False,
            line={"color": MUTED, "width": 2, "dash": "dot"},
            marker={"size": 8, "color": "white", "line": {"color": MUTED, "width": 2}},
            text=[f"<b>{n}</b><br>{L['designed']}{sep}{F.number(v, lang)}/100" for n, v in zip(names, designed)],
            hovertemplate="%{text}<extra></extra>"))
    if any(v is not None for v in sat):
        pts = [measured.get(s.id) or {} for s in stages]
        small = [bool(p.get("small")) for p in pts]
        fig.add_trace(go.Scatter(
            x=x, y=sat, name=L["measured"], mode="lines+markers", line={"color": PALETTE[0], "width": 3},
            marker={"size": 10, "color": ["white" if sm else PALETTE[0] for sm in small],
                    "line": {"color": PALETTE[0], "width": 2}},
            error_y={"type": "data", "symmetric": False, "color": PALETTE[0], "thickness": 1.2, "width": 4,
                     "array": [None if p.get("ci_high") is None or v is None else min(p["ci_high"], 100) - v
                               for p, v in zip(pts, sat)],
                     "arrayminus": [None if p.get("ci_low") is None or v is None else v - max(p["ci_low"], 0)
                                    for p, v in zip(pts, sat)]},
            text=[f"<b>{n}</b><br>{L['satisfaction']}{sep}{F.number(v, lang)}/100"
                  + (f"<br>{L['ci95']}{sep}{F.number(p['ci_low'], lang)} – {F.number(p['ci_high'], lang)}"
                     if p.get("ci_low") is not None and p.get("ci_high") is not None else "")
                  + f"<br>{F.number(p.get('responses', 0), lang)} {L['answers']}" + (f" · {L['small']}" if sm else "")
                  for n, v, p, sm in zip(names, sat, pts, small)],
            hovertemplate="%{text}<extra></extra>"))
    fig.update_yaxes(range=[-4, 104], tickvals=[0, 25, 50, 75, 100], title=f"{L['satisfaction']} (0–100)",
                     gridcolor=LINE, zeroline=False)
    fig.update_xaxes(title=L["stage"], showgrid=False)
    fig.update_layout(legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1, "yanchor": "bottom"})
    return _layout(fig, L["emotion"], height=360, margin={"t": 70}, lang=lang)


def _metric_axis(metric: str, fb: dict[str, Any], lang: str,
                 L: dict[str, str]) -> tuple[str, list[float], list[float], list[str]]:
    """(title, range, tick values, tick labels) of a metric's own scale."""
    if metric == "nps":
        vals = [-100, -50, 0, 50, 100]
        return L["nps_axis"], [-108, 108], vals, [F.metric("nps", v, lang) for v in vals]
    if metric == "csat":
        vals = [0, 25, 50, 75, 100]
        return L["csat_axis"], [-5, 105], vals, [F.metric("csat", v, lang) for v in vals]
    a, b = (fb.get("scales") or {}).get(metric) or (1, 7)
    vals = list(range(int(a), int(b) + 1))
    title = L["ces_axis"] if metric == "ces" else metric.upper() + " ({a}–{b})"
    return (title.format(a=F.number(a, lang), b=F.number(b, lang)), [a - 0.3, b + 0.3], vals,
            [F.number(v, lang) for v in vals])


def over_time(fb: dict[str, Any], lang: str, L: dict[str, str]) -> go.Figure | None:
    rows = fb.get("by_period") or []
    metrics = [mt for mt in fb.get("metrics", []) if any(x["metric"] == mt and x["value"] is not None for x in rows)]
    if not metrics:
        return None
    # small multiples: one panel per metric, each on its own scale, months shared
    titles = [_metric_axis(mt, fb, lang, L)[0] for mt in metrics]
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, vertical_spacing=0.22 / len(metrics) + 0.04,
                        subplot_titles=titles)
    for a in fig.layout.annotations:  # panel titles on the left, like axis titles read horizontally
        a.update(x=0, xanchor="left", font={"size": 12, "color": INK})
    unit = fb.get("period_unit") or "month"
    when = (lambda p: _month(p, lang, L)) if unit == "month" else str
    periods = sorted({x["period"] for x in rows if x["value"] is not None})
    few = fb.get("min_responses")
    sep = _sep(lang)
    smalls, enough = False, False
    for i, metric in enumerate(metrics, start=1):
        r = [x for x in rows if x["metric"] == metric and x["value"] is not None]
        title, rng, tv, tt = _metric_axis(metric, fb, lang, L)
        colour = PALETTE[(i - 1) % len(PALETTE)]
        small = [bool(x.get("small")) for x in r]
        smalls, enough = smalls or any(small), enough or not all(small)
        hover = [f"<b>{when(x['period'])}</b><br>{metric.upper()}{sep}{F.metric(metric, x['value'], lang)}"
                 + (f"<br>{L['ci95']}{sep}{F.metric(metric, x['ci_low'], lang)} – {F.metric(metric, x['ci_high'], lang)}"
                    if x.get("ci_low") is not None and x.get("ci_high") is not None else "")
                 + f"<br>{F.number(x['responses'], lang)} {L['answers']}" + (f" · {L['small']}" if s else "")
                 for x, s in zip(r, small)]
        lo_b, hi_b = rng[0], rng[1]

        def clip(v: float) -> float:  # an interval drawn no further than the scale
            return min(max(v, lo_b), hi_b)

        fig.add_trace(go.Scatter(
            x=[x["period"] for x in r], y=[x["value"] for x in r], name=metric.upper(), mode="lines+markers",
            line={"color": colour, "width": 2}, showlegend=False, text=hover, hovertemplate="%{text}<extra></extra>",
            marker={"size": 9, "color": ["white" if s else colour for s in small], "line": {"color": colour, "width": 2},
                    "symbol": "circle"},
            error_y={"type": "data", "symmetric": False, "color": colour, "thickness": 1.2, "width": 4,
                     # no interval for a group too small to have one
                     "array": [None if x.get("ci_high") is None else clip(x["ci_high"]) - x["value"] for x in r],
                     "arrayminus": [None if x.get("ci_low") is None else x["value"] - clip(x["ci_low"]) for x in r]}),
            row=i, col=1)
        fig.update_yaxes(range=rng, tickvals=tv, ticktext=tt, gridcolor=LINE, zeroline=metric == "nps",
                         zerolinecolor="#adb5bd", row=i, col=1)
    step = max(1, math.ceil(len(periods) / 8))
    fig.update_xaxes(tickvals=periods[::step], ticktext=[when(p) for p in periods[::step]], showgrid=False)
    fig.update_xaxes(title=L["month"] if unit == "month" else L["period"], row=len(metrics), col=1)
    # legend of the markers: filled, enough answers; hollow, a small group
    if smalls:
        for name, fill in [*([(L["enough_answers"].format(n=few), MUTED)] if enough else []),
                           (L["small_answers"].format(n=few), "white")]:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                                     marker={"size": 9, "color": fill, "line": {"color": MUTED, "width": 2}}),
                          row=1, col=1)
    fig.update_layout(legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1, "yanchor": "bottom",
                              "font": {"size": 11}})
    return _layout(fig, L["over_time"], height=110 + 150 * len(metrics), margin={"t": 80}, lang=lang)


def unmapped(d: dict[str, Any], lang: str, L: dict[str, str]) -> go.Figure | None:
    rows = sorted(d.get("unmapped") or [], key=lambda r: (-r["journeys"], -r["events"], r["event"]))[:15][::-1]
    rows = [{**r, "event": _t(r["event"])} for r in rows]
    if not rows:
        return None
    jr = L["journeys"]
    hover = [f"<b>{r['event']}</b><br>{F.number(r['journeys'], lang)} {jr} ({F.pct(r.get('share_of_journeys'), lang)})"
             f"<br>{F.number(r['events'], lang)} {L['events']}" for r in rows]
    fig = go.Figure(go.Bar(y=[_short(r["event"], 24, 1) for r in rows], x=[r["journeys"] for r in rows], orientation="h",
                           marker={"color": PALETTE[1]}, text=[F.number(r["journeys"], lang) for r in rows],
                           textposition="auto", hovertext=hover, hoverinfo="text"))
    fig.update_xaxes(gridcolor=LINE, separatethousands=True)
    fig.update_yaxes(ticksuffix=" ")
    return _layout(fig, L["unmapped"], xaxis_title=L["journeys_axis"], height=130 + 28 * len(rows),
                   margin={"l": 160}, lang=lang)


def aspects(fb: dict[str, Any], lang: str, L: dict[str, str]) -> go.Figure | None:
    """Comments per aspect, negative ones first (stacked), with the shares and intervals on hover."""
    from parcours.text.aspects import ASPECTS, name

    rows = (fb.get("aspects") or [])[::-1]  # the aspect most spoken of on top
    if not rows:
        return None
    # named in the report's language, whatever the run's
    rows = [{**a, "name": name(a["aspect"], lang) if a["aspect"] in ASPECTS else a["name"]} for a in rows]
    sep = _sep(lang)

    def share(v: Any, low: Any, high: Any) -> str:
        return f"{F.pct(v, lang)} [{F.pct(low, lang)}{sep} {F.pct(high, lang)}]"

    hover = [f"<b>{_t(a['name'])}</b><br>{F.number(a['comments'], lang)} {L['comments_axis'].lower()} "
             f"({share(a['share_of_comments'], a['share_ci_low'], a['share_ci_high'])})<br>"
             f"{L['negative_comments']}{F.colon(lang)} {share(a['negative_share'], a['negative_ci_low'], a['negative_ci_high'])}"
             f", n = {F.number(a['labelled'], lang)}" for a in rows]
    names = [_short(_t(a["name"]), 30, 1) for a in rows]
    fig = go.Figure([
        go.Bar(y=names, x=[a["negative"] for a in rows], orientation="h", name=L["negative_comments"],
               marker={"color": PALETTE[1]}, hovertext=hover, hoverinfo="text",
               text=[F.pct(a["negative_share"], lang) for a in rows], textposition="inside", textangle=0,
               insidetextanchor="middle"),
        go.Bar(y=names, x=[a["comments"] - a["negative"] for a in rows], orientation="h", name=L["other_comments"],
               marker={"color": PALETTE[7]}, opacity=0.35, hovertext=hover, hoverinfo="text"),
    ])
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_xaxes(gridcolor=LINE, separatethousands=True)
    fig.update_yaxes(ticksuffix=" ")
    return _layout(fig, L["aspects"], xaxis_title=L["comments_axis"], height=150 + 30 * len(rows),
                   margin={"l": 210}, lang=lang)


TREND_ASPECTS = 4


def aspects_over_time(fb: dict[str, Any], lang: str, L: dict[str, str]) -> go.Figure | None:
    """Negative comments per period of the aspects most spoken of (up to ``TREND_ASPECTS``):
    counts, not shares, since a month holds few comments; all comments of the period on hover."""
    from parcours.text.aspects import ASPECTS, name

    rows = [a for a in (fb.get("aspects") or []) if len(a.get("by_period") or []) >= 2][:TREND_ASPECTS]
    if not rows:
        return None
    unit = fb.get("period_unit") or "month"
    when = (lambda p: _month(p, lang, L)) if unit == "month" else str
    sep = _sep(lang)
    fig = go.Figure()
    for i, a in enumerate(rows):
        label = _t(name(a["aspect"], lang) if a["aspect"] in ASPECTS else a["name"])
        points = a["by_period"]
        fig.add_trace(go.Scatter(
            x=[p["period"] for p in points], y=[p["negative"] for p in points], name=label, mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)], "width": 2},
            text=[f"<b>{label}</b> · {when(p['period'])}<br>{L['negative_comments']}{sep}{F.number(p['negative'], lang)}"
                  f" / {F.number(p['comments'], lang)} {L['comments_axis'].lower()}" for p in points],
            hovertemplate="%{text}<extra></extra>"))
    periods = sorted({p["period"] for a in rows for p in a["by_period"]})
    fig.update_xaxes(type="category", tickvals=periods, ticktext=[when(p) for p in periods], gridcolor=LINE)
    fig.update_yaxes(gridcolor=LINE, rangemode="tozero", separatethousands=True)
    return _layout(fig, L["aspects_over_time"], yaxis_title=L["negative_comments_axis"], height=360, lang=lang)


def segments(groups: list[dict[str, Any]], lang: str, L: dict[str, str], m: JourneyMap | None = None) -> go.Figure | None:
    """Groups side by side; a group that is a segment of the map shows the segment's name."""
    if not groups:
        return None
    seg_names = {g.id: _t(text_in(g.name, lang)) for g in (m.segments if m else []) if g.name}
    # two panels side by side, each on its own scale: conversion (% of journeys) as bars, NPS
    # (−100 to +100) as a dot with its 95% interval, hollow for a small group
    gs = groups[::-1]  # the first group on top
    names = [f"{_short(seg_names.get(str(g['group']), _t(g['group'])), 20, 1)} ({F.number(g['summary']['journeys'], lang)})"
             for g in gs]
    conv = [g["summary"].get("conversion_rate") for g in gs]
    nps = [next((r for r in (g.get("feedback") or {}).get("overall_by_metric", []) if r["metric"] == "nps"), None)
           for g in gs]
    has_conv, has_nps = any(c is not None for c in conv), any(r and r["value"] is not None for r in nps)
    if not (has_conv or has_nps):
        return None
    panels = [p for p, ok in (("conv", has_conv), ("nps", has_nps)) if ok]
    fig = make_subplots(rows=1, cols=len(panels), shared_yaxes=True, horizontal_spacing=0.1,
                        subplot_titles=[L["conversion_axis"] if p == "conv" else L["nps_axis"] for p in panels])
    for a in fig.layout.annotations:
        a.update(font={"size": 12, "color": INK})
    sep = _sep(lang)
    for c, p in enumerate(panels, start=1):
        if p == "conv":
            fig.add_trace(go.Bar(y=names, x=[None if v is None else 100 * v for v in conv], orientation="h",
                                 marker={"color": PALETTE[0]}, text=[F.pct(v, lang) for v in conv], textposition="auto",
                                 hovertext=[f"<b>{n}</b><br>{L['conversion_rate']}{sep}{F.pct(v, lang)}"
                                            for n, v in zip(names, conv)],
                                 hoverinfo="text", showlegend=False), row=1, col=c)
            fig.update_xaxes(range=[0, 100], tickvals=[0, 50, 100], ticktext=[F.pct(v / 100, lang) for v in (0, 50, 100)],
                             gridcolor=LINE, row=1, col=c)
        else:
            ok = [r if r and r.get("value") is not None else None for r in nps]
            small = [bool(r and r.get("small")) for r in ok]
            fig.add_trace(go.Scatter(
                y=names, x=[r and r["value"] for r in ok], mode="markers+text", showlegend=False,
                marker={"size": 11, "color": ["white" if s else PALETTE[1] for s in small],
                        "line": {"color": PALETTE[1], "width": 2}},
                text=[F.metric("nps", r and r["value"], lang) if r else "" for r in ok], textposition="top center",
                textfont={"size": 11}, cliponaxis=False,
                error_x={"type": "data", "symmetric": False, "color": PALETTE[1], "thickness": 1.5, "width": 5,
                         "array": [None if not r or r.get("ci_high") is None else min(r["ci_high"], 100) - r["value"]
                                   for r in ok],
                         "arrayminus": [None if not r or r.get("ci_low") is None else r["value"] - max(r["ci_low"], -100)
                                        for r in ok]},
                hovertext=[f"<b>{n}</b><br>NPS{sep}{F.metric('nps', r and r['value'], lang)}" + (
                    f"<br>{L['ci95']}{sep}{F.metric('nps', r['ci_low'], lang)} – {F.metric('nps', r['ci_high'], lang)}"
                    if r and r.get("ci_low") is not None else "")
                    + (f"<br>{F.number(r['responses'], lang)} {L['answers']}" if r else "")
                    + (f" · {L['small']}" if s else "") for n, r, s in zip(names, ok, small)],
                hoverinfo="text"), row=1, col=c)
            fig.update_xaxes(range=[-105, 105], tickvals=[-100, -50, 0, 50, 100],
                             ticktext=[F.metric("nps", v, lang) for v in (-100, -50, 0, 50, 100)], gridcolor=LINE,
                             zeroline=True, zerolinecolor="#adb5bd", row=1, col=c)
    fig.update_yaxes(ticksuffix=" ", range=[-0.6, len(groups) - 0.4])
    return _layout(fig, L["segments"], height=140 + 48 * len(groups), margin={"l": 170, "t": 80}, lang=lang)
