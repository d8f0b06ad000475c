"""The journey map grid as a standalone SVG, for slides, wikis and Inkscape.

Draws what ``grid(d, m, lang)`` gives the HTML report, with native SVG shapes and text
only (no foreignObject, no font or image to fetch): a column of lane names, one column per
stage, one row per lane. Columns have a fixed width and rows grow with their content, so
a big map makes a bigger picture, never a cramped one. Text is wrapped on an estimate of
character widths (sized for DejaVu Sans, the widest usual fallback font); long items are
cut after a whole word with "…" and keep their full text in a ``<title>``, shown on hover.
Texts the map gives in two languages are drawn in ``lang``.

>>> from parcours.report.labels import labels
>>> svg = grid_svg({"stages": [], "has_blueprint": False}, labels("en"), "en", title="Empty <map>")
>>> "Empty &lt;map&gt;" in svg and svg.rstrip().endswith("</svg>")
True
"""

from __future__ import annotations

import re
from typing import Any
from unicodedata import combining
from xml.sax.saxutils import escape, quoteattr

from parcours.model.journey_map import texts_in
from parcours.report import formats as F

COL_W, LANE_W, PAD, MARGIN, EMOTION_H = 240, 190, 10, 20, 170
INNER = COL_W - 2 * PAD  # width of a cell's content
LINE_HEIGHT = 1.3
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif'
INK, MUTED, RULE, LANE_BG, BLUEPRINT_BG, BLUE = "#212529", "#6c757d", "#dee2e6", "#f8f9fa", "#edf2ff", "#3b5bdb"
SAT = {"sat-good": ("#2b8a3e", "#f3fbf4"), "sat-mid": ("#e67700", "#fff8ef"), "sat-bad": ("#c92a2a", "#fff5f5"),
       "sat-none": ("#adb5bd", "#ffffff")}  # card: (left bar, background), as report.css
_RED, _BLUE, _GREY = ("#ffe3e3", "#8a1c1c"), ("#d0ebff", "#0b3d75"), ("#e9ecef", "#343a40")
TAGS = {"declared": ("#fff3bf", "#5c3c00"), "measured": _RED, "done": ("#d3f9d8", "#1b5e20"), "in_progress": _BLUE,
        "planned": _BLUE, "idea": _GREY, "todo": _GREY, "blocked": _RED, "dropped": _RED}  # (background, text)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACES = re.compile("[ \t\r\n]+")  # where a line may break
_NARROW, _WIDE = set("iljftrI.,:;'!|()[]/- \u00a0\u202f"), set("mwMW%@—…")


def text_width(s: str, size: float, bold: bool = False) -> float:
    """Estimated width of ``s`` in px (generous: DejaVu Sans fits, narrower fonts have room)."""
    em = 0.0
    for ch in s:
        o = ord(ch)
        if combining(ch) or 0xFE00 <= o <= 0xFE0F or o == 0x200D:
            continue
        em += (0.34 if ch in _NARROW else 1.3 if o >= 0x1F000 or 0x2600 <= o < 0x2800 else
               1.0 if ch in _WIDE or o >= 0x2000 else 0.72 if ch.isupper() else 0.64 if ch.isdigit() else 0.62)
    return em * size * (1.12 if bold else 1.0)


def wrap(s: Any, size: float, width: float, lines: int = 3, bold: bool = False,
         indent: float = 0) -> tuple[list[str], bool]:
    """Lines of ``s`` within ``width`` px (the first one ``indent`` px shorter), at most
    ``lines`` of them; and whether the text was cut."""
    out: list[str] = []
    line = ""
    room = lambda: width - (0 if out else indent)  # noqa: E731
    for word in _SPACES.split(str(s).strip()):  # not at a no-break space: "30 min", "35 %" stay whole
        if text_width(f"{line} {word}".strip(), size, bold) <= room():
            line = f"{line} {word}".strip()
            continue
        if line:
            out.append(line)
        while word and text_width(word, size, bold) > room():  # a word longer than a line: cut it
            k = next((i for i in range(len(word), 0, -1) if text_width(word[:i], size, bold) <= room()), 1)
            out.append(word[:k])
            word = word[k:]
        line = word
    if line or not out:
        out.append(line)
    cut = len(out) > lines
    if cut:
        out = out[:lines]
        last = out[-1]
        while last and text_width(last + "…", size, bold) > (width - (indent if lines == 1 else 0)):
            # drop the last word, so that no word is cut in the middle (a single word too long for
            # the line is the exception: it loses letters)
            last = last.rsplit(" ", 1)[0] if " " in last.strip() else last[:-1]
        out[-1] = last.rstrip(" ,;:–-") + "…"
    return out, cut


def _esc(s: Any) -> str:
    return escape(_NOT_XML.sub("", str(s)), {'"': "&quot;"})


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, s: Any, size: float, fill: str = "", bold: bool = False, anchor: str = "",
          more: str = "") -> str:
    """One line of text, ``y`` being its baseline."""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"' + (f' fill="{fill}"' if fill else "")
            + (' font-weight="bold"' if bold else "") + (f' text-anchor="{anchor}"' if anchor else "")
            + more + f">{_esc(s)}</text>")


def _para(x: float, y: float, s: Any, size: float, width: float, lines: int = 3, bold: bool = False,
          fill: str = "", indent: float = 0, title: Any = None, more: str = "") -> tuple[str, float]:
    """A text wrapped from the top ``y``: (markup, height). Cut text keeps its whole in a
    <title> (before ``title``, the detail shown on hover, when there is one)."""
    rows, cut = wrap(s, size, width, lines, bold, indent)
    lh = size * LINE_HEIGHT
    body = "".join(_text(x + (0 if i else indent), y + size + i * lh, r, size, fill, bold, more=more)
                   for i, r in enumerate(rows))
    if cut or title:
        full = f"{s} — {title}" if cut and title and str(title) != str(s) else (title or s)
        body = f"<g><title>{_esc(full)}</title>{body}</g>"
    return body, len(rows) * lh


def _pill(x: float, baseline: float, label: str, colours: tuple[str, str], size: float = 10) -> tuple[str, float]:
    w = text_width(label, size, True) + 8
    return (f'<rect x="{_n(x)}" y="{_n(baseline - size - 2)}" width="{_n(w)}" height="{_n(size + 5)}" rx="3" '
            f'fill="{colours[0]}"/>' + _text(x + 4, baseline, label, size, colours[1], True)), w


def _stack(blocks: list[tuple[str, float]], gap: float) -> tuple[str, float]:
    """Blocks drawn from y = 0 (each in its own coordinates) put one under the other."""
    out, y = [], 0.0
    for markup, h in blocks:
        out.append(f'<g transform="translate(0 {_n(y)})">{markup}</g>' if y else markup)
        y += h + gap
    return "".join(out), max(0.0, y - gap)


def _bullets(items: list[str]) -> tuple[str, float]:
    def item(s: str) -> tuple[str, float]:
        markup, h = _para(16, 0, s, 13, INNER - 16)
        return _text(0, 13, "•", 13, MUTED) + markup, h
    return _stack([item(s) for s in items], 6)


def _card(c: dict[str, Any], L: dict[str, str], lang: str, full: bool = True) -> tuple[str, float]:
    """A touchpoint: channel (icon and name), satisfaction, name, journeys, exit rate."""
    bar, bg = SAT.get(c["sat_class"], SAT["sat-none"])
    x, right = 14.0, INNER - 8
    out: list[str] = []
    pill_w = 0.0
    if full and c.get("satisfaction") is not None:
        label = f"☺ {c['satisfaction']}{'*' if c.get('small') else ''}"
        pill_w = text_width(label, 11, True) + 8
        out.append(f"<g><title>{_esc(L['satisfaction'])} /100</title>"
                   f'<rect x="{_n(right - pill_w)}" y="9" width="{_n(pill_w)}" height="17" rx="8" fill="{bar}"/>'
                   + _text(right - 4, 22, label, 11, "#ffffff", True, "end") + "</g>")
    if c["channel"]:  # the icon may not render everywhere: the channel's name says it too
        out.append(_text(x, 22, c["icon"], 12)
                   + _para(x + 20, 11, c["channel"].upper(), 10, right - x - 20 - pill_w - 6, 1, fill=MUTED)[0])
    top = 30 if out else 9
    name, h = _para(x, top, c["name"], 13, right - x, 2, True)
    out.append(name)
    y = top + h + 2
    journeys = f"{c['journeys']} {L['journeys']}"
    exit_ = f"↘ {c['exit']} {L['exit']}"
    out.append(_text(x, y + 11, journeys, 11))
    if full:
        if text_width(journeys, 11) + text_width(exit_, 11) + 10 > right - x:
            y += 11 * LINE_HEIGHT
        out.append(_text(right, y + 11, exit_, 11, MUTED, anchor="end"))
    height = y + 22
    owner = f" — {L['owner']}{F.colon(lang)} {c['owner']}" if c.get("owner") else ""
    return (f'<g class="card"><title>{_esc(c["name"] + owner)}</title>'
            f'<rect width="{INNER}" height="{_n(height)}" rx="5" fill="{bg}" stroke="{RULE}"/>'
            f'<rect width="5" height="{_n(height)}" rx="2" fill="{bar}"/>' + "".join(out) + "</g>"), height


def _tagged(tag: str, colours: tuple[str, str], name: Any, title: Any = None, fill: str = "",
            meta: str = "") -> tuple[str, float]:
    """A pain point or opportunity: a coloured tag, its name, and a line of owner / due date."""
    pill, w = _pill(0, 13, tag, colours)
    text, h = _para(0, 0, name, 13, INNER, 3, fill=fill, indent=w + 5, title=title)
    if meta:
        more, mh = _para(0, h + 1, meta, 11, INNER, 2, fill=MUTED, more=' font-style="italic"')
        text, h = text + more, h + mh + 1
    return pill + text, h


def _pains(s: dict[str, Any], L: dict[str, str]) -> tuple[str, float]:
    """Declared pain points tagged with their severity, measured ones with their score (and why, on hover)."""
    def item(p: dict[str, Any]) -> tuple[str, float]:
        if p["kind"] == "measured":
            return _tagged(p["score"], TAGS["measured"], p["name"], p.get("why"), "#5a1010")
        return _tagged(L.get(p["severity"], p["severity"]), TAGS["declared"], p["name"])
    return _stack([item(p) for p in s["pains"]], 8)


def _opportunities(s: dict[str, Any], L: dict[str, str]) -> tuple[str, float]:
    """The map's opportunities and actions tagged with their status, measured ones with their impact."""
    def item(o: dict[str, Any]) -> tuple[str, float]:
        meta = " · ".join(x for x in (o.get("owner"), o.get("due") and f"{L['due']} {o['due']}") if x)
        if o["kind"] == "measured":
            return _tagged(f"{L['impact']} {o['impact']}", TAGS["measured"], o["name"], meta=meta)
        status = o.get("status") or "idea"
        return _tagged(L.get(status, status), TAGS.get(status, _GREY), o["name"], meta=meta)
    return _stack([item(o) for o in s["opportunities"]], 8)


def _stat(label: str, value: Any, detail: Any = "", colour: str = INK) -> tuple[str, float]:
    """A KPI: its label, then its value in bold with a detail after it."""
    text, h = _para(0, 0, label, 11, INNER, 2, fill=MUTED)
    w = text_width(str(value), 14, True)
    out = text + _text(0, h + 14, value, 14, colour, True)
    if detail and INNER - w - 6 > 20:
        out += _para(w + 6, h + 4, detail, 10, INNER - w - 6, 1, fill=MUTED)[0]
    rule = f'<line x1="0" x2="{INNER}" y1="{_n(h + 22)}" y2="{_n(h + 22)}" stroke="{RULE}" stroke-dasharray="1 2"/>'
    return out + rule, h + 22


STATUS = {"met": TAGS["done"], "not_met": TAGS["blocked"], "not_measurable": TAGS["todo"]}  # (background, text)


def _target(t: dict[str, Any], L: dict[str, str], lang: str) -> tuple[str, float]:
    """A KPI of the map (:func:`parcours.report.kpis.cell`): its name, its measured value with
    its status, then its target and why it is not measurable (the whole on hover)."""
    text, h = _para(0, 0, t["name"], 11, INNER, 2, fill=MUTED)
    colours = STATUS.get(t.get("status") or "")
    out = text + _text(0, h + 14, t["value"], 14, colours[1] if colours else BLUE, True)
    if colours:
        pill, _ = _pill(text_width(str(t["value"]), 14, True) + 6, h + 13, t["status_text"], colours)
        out += pill
    h += 20
    detail = " · ".join(x for x in (t.get("target") and f"{L['target']} {t['target']}", t.get("why")) if x)
    if detail:
        more, mh = _para(0, h, detail, 10, INNER, 3, fill=MUTED)
        out, h = out + more, h + mh
    rule = f'<line x1="0" x2="{INNER}" y1="{_n(h + 3)}" y2="{_n(h + 3)}" stroke="{RULE}" stroke-dasharray="1 2"/>'
    full = f"{t['name']}{F.colon(lang)} {t['text']}" + (f" — {t['why']}" if t.get("why") else "")
    return f'<g class="kpi"><title>{_esc(full)}</title>{out}{rule}</g>', h + 3


def _kpis(s: dict[str, Any], L: dict[str, str], lang: str) -> tuple[str, float]:
    blocks = []
    for k in s["kpis"]:
        markup, h = _stat(L.get(k["label"], k["label"]), k["value"], k.get("detail") or "")
        if k.get("small"):  # few answers: shown, but faded
            markup = f'<g opacity=".6"><title>{_esc(L["small"])}</title>{markup}</g>'
        blocks.append((markup, h))
    blocks += [_target(t, L, lang) for t in s["targets"]]
    return _stack(blocks, 4)


def _lane_head(key: str, L: dict[str, str]) -> tuple[str, float]:
    text, h = _para(0, 0, L[f"lane_{key}"], 13, LANE_W - 2 * PAD, 4, True)
    if key == "emotion":
        y = h + 14
        text += (f'<line x1="0" x2="22" y1="{_n(y)}" y2="{_n(y)}" stroke="{BLUE}" stroke-width="3"/>'
                 + _text(28, y + 4, L["measured"], 11, MUTED)
                 + f'<line x1="1" x2="22" y1="{_n(y + 18)}" y2="{_n(y + 18)}" stroke="{MUTED}" stroke-width="2.5" '
                   f'stroke-dasharray="0.1 5" stroke-linecap="round"/>' + _text(28, y + 22, L["designed"], 11, MUTED))
        h = y + 26
    elif key == "pains":
        a, w = _pill(0, h + 16, L["declared"], TAGS["declared"])
        b, _ = _pill(w + 6, h + 16, L["measured"], TAGS["measured"])
        text, h = text + a + b, h + 20
    return text, h


def _emotion(stages: list[dict[str, Any]], top: float, height: float, L: dict[str, str], lang: str) -> str:
    """The emotion curve across the stage columns: measured solid with values, designed dotted."""
    y0, y1 = top + 30, top + height - 18
    y = lambda v: y1 - (y1 - y0) * max(0.0, min(100.0, v)) / 100  # noqa: E731
    cx = [MARGIN + LANE_W + (i + 0.5) * COL_W for i in range(len(stages))]
    left, right = MARGIN + LANE_W, MARGIN + LANE_W + len(stages) * COL_W
    out = [f'<line x1="{left}" x2="{right}" y1="{_n(y(v))}" y2="{_n(y(v))}" stroke="{RULE}" stroke-dasharray="2 4"/>'
           + _text(left + 4, y(v) - 3, v, 9, MUTED) for v in (0, 50, 100)]
    dotted = f'stroke="{MUTED}" stroke-width="2.5" stroke-dasharray="0.1 6" stroke-linecap="round"'
    for key, style in (("declared", dotted), ("value", f'stroke="{BLUE}" stroke-width="3"')):
        vs = [s["emotion"].get(key) for s in stages]
        out += [f'<line x1="{_n(cx[i])}" x2="{_n(cx[i + 1])}" y1="{_n(y(a))}" y2="{_n(y(b))}" {style}/>'
                for i, (a, b) in enumerate(zip(vs, vs[1:])) if a is not None and b is not None]
    measured = any(s["emotion"].get("value") is not None for s in stages)
    designed_only = not measured and any(s["emotion"].get("declared") is not None for s in stages)
    if designed_only:  # no answers: the designed curve alone, named as such (in the first column, after the scale)
        out.append(_para(left + 24, top + 4, L["designed_only"], 11, COL_W - 24 - PAD, 2, fill=MUTED)[0])
    for i, s in enumerate(stages):
        e = s["emotion"]
        d = e.get("declared")
        if d is not None:
            out.append(f'<circle cx="{_n(cx[i])}" cy="{_n(y(d))}" r="4" fill="#ffffff" stroke="{MUTED}" '
                       f'stroke-width="2"><title>{_esc(s["name"])}{F.colon(lang)} {_esc(L["designed"])} '
                       f'{F.number(d, lang)}/100</title></circle>')
        if e.get("value") is None:
            if d is not None:
                out.append(_text(cx[i], y(d) + (17 if d > 80 else -9), F.number(d, lang), 11, MUTED, anchor="middle"))
            if not designed_only:
                out.append(_text(cx[i], y1 + 14 if d is not None else y(50) + 16, L["no_data"], 11, MUTED,
                                 anchor="middle"))
            continue
        out.append(f'<circle cx="{_n(cx[i])}" cy="{_n(y(e["value"]))}" r="6" fill="{BLUE}"><title>'
                   f'{_esc(s["name"])}{F.colon(lang)} {_esc(e["text"])}/100 ({e.get("responses", 0)})</title></circle>'
                   + _text(cx[i], y(e["value"]) - 11, e["text"], 12, bold=True, anchor="middle"))
    return "".join(out)


def _stage_head(i: int, s: dict[str, Any]) -> tuple[str, float]:
    name, h = _para(30, 1, s["name"], 15, INNER - 30, 2, True, "#ffffff")
    if s.get("owner"):
        owner, oh = _para(30, h + 2, s["owner"], 12, INNER - 30, 1, fill="#dbe4ff")
        name, h = name + owner, h + oh + 2
    return ('<circle cx="11" cy="11" r="11" fill="#ffffff"/>'
            + _text(11, 15.5, i + 1, 12, BLUE, True, "middle") + name), max(h, 22)


def grid_svg(g: dict[str, Any], L: dict[str, str], lang: str, *, title: str, subtitle: str = "") -> str:
    """The journey map ``g = grid(d, m, lang)`` as an SVG document, labelled with ``L = labels(lang)``."""
    stages = g["stages"]
    width = 2 * MARGIN + LANE_W + max(1, len(stages)) * COL_W
    col = lambda i: MARGIN + LANE_W + i * COL_W  # noqa: E731
    out, y = [], float(MARGIN)
    head, h = _para(MARGIN, y, title, 22, width - 2 * MARGIN, 2, True)
    out.append(head)
    y += h + 2
    if subtitle:
        sub, h = _para(MARGIN, y, subtitle, 13, width - 2 * MARGIN, 3, fill=MUTED)
        out.append(sub)
        y += h
    out.append(f'<rect x="{MARGIN}" y="{_n(y + 6)}" width="{width - 2 * MARGIN}" height="3" fill="{BLUE}"/>')
    y += 18
    heads = [_stage_head(i, s) for i, s in enumerate(stages)]
    hh = max([h for _, h in heads], default=22) + 2 * PAD
    out += [f'<g class="stage"><rect x="{col(i) + 1}" y="{_n(y)}" width="{COL_W - 2}" height="{_n(hh)}" rx="4" '
            f'fill="{BLUE}"/><g transform="translate({col(i) + PAD} {_n(y + PAD)})">{m}</g></g>'
            for i, (m, _) in enumerate(heads)]
    y += hh + 2
    lanes: list[tuple[str, Any]] = [
        ("goals", lambda s: _bullets(texts_in(s["goals"], lang))),
        ("actions", lambda s: _bullets(texts_in(s["actions"], lang))),
        ("touchpoints", lambda s: _stack([_card(c, L, lang) for c in s["cards"]], 8)), ("emotion", None),
        ("pains", lambda s: _pains(s, L)), ("opportunities", lambda s: _opportunities(s, L)),
        ("kpis", lambda s: _kpis(s, L, lang))]
    if g.get("has_blueprint"):
        lanes += [("company", lambda s: _bullets(texts_in(s["company"], lang))),
                  ("backstage", lambda s: _stack([_card(c, L, lang, False) for c in s["backstage"]], 8)),
                  ("support", lambda s: _stack([_card(c, L, lang) for c in s["support"]], 8))]
    for key, cell in lanes:
        lane, lh = _lane_head(key, L)
        cells = [cell(s) for s in stages] if cell else []
        h = max([lh, EMOTION_H - 2 * PAD if key == "emotion" else 16] + [ch for _, ch in cells]) + 2 * PAD
        bg = BLUEPRINT_BG if key in ("company", "backstage", "support") else LANE_BG
        out.append(f'<g class="lane" id="lane-{key}"><rect x="{MARGIN}" y="{_n(y)}" width="{LANE_W}" height="{_n(h)}" '
                   f'fill="{bg}" stroke="{RULE}"/><g transform="translate({MARGIN + PAD} {_n(y + PAD)})">{lane}</g>')
        out += [f'<rect x="{col(i)}" y="{_n(y)}" width="{COL_W}" height="{_n(h)}" fill="#ffffff" stroke="{RULE}"/>'
                for i in range(len(stages))]
        if key == "company":  # the line of visibility: what the customer does not see is below
            out.append(f'<line x1="{MARGIN}" x2="{width - MARGIN}" y1="{_n(y)}" y2="{_n(y)}" stroke="{BLUE}" '
                       f'stroke-width="2" stroke-dasharray="8 4"/>')
        out += [f'<g transform="translate({col(i) + PAD} {_n(y + PAD)})">{m}</g>'
                for i, (m, _) in enumerate(cells) if m]
        out.append((_emotion(stages, y, h, L, lang) if key == "emotion" else "") + "</g>")
        y += h
    height = round(y + MARGIN)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" font-family={quoteattr(FONT)} '
            f'xml:lang={quoteattr(lang)}>'
            f"<title>{_esc(title)}</title><style>text {{ font-family: {FONT}; }}</style>"
            f'<rect width="{width}" height="{height}" fill="#ffffff"/><g fill="{INK}">' + "".join(out) + "</g></svg>\n")
