"""Numbers as a reader expects them in French or English (1 234,5 % / 1,234.5%)."""

from __future__ import annotations

from typing import Any

NBSP = "\u202f"


def number(v: Any, lang: str, digits: int = 0) -> str:
    if v is None:
        return "–"
    text = f"{v:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", NBSP)
    return text


def pct(v: Any, lang: str, digits: int = 0) -> str:
    if v is None:
        return "–"
    return number(100 * v, lang, digits) + (f"{NBSP}%" if lang == "fr" else "%")


def duration(seconds: Any, lang: str) -> str:
    """``3,5 j`` / ``3.5 d``, ``12 min``, ``40 s``."""
    if seconds is None:
        return "–"
    s = float(seconds)
    for unit, size, fr in (("d", 86400, "j"), ("h", 3600, "h"), ("min", 60, "min")):
        if s >= size:
            return f"{number(s / size, lang, 1)}{NBSP}{fr if lang == 'fr' else unit}"
    return f"{number(s, lang)}{NBSP}s"


def metric(name: str, v: Any, lang: str) -> str:
    if v is None:
        return "–"
    if name == "nps":
        return ("+" if v > 0 else "") + number(v, lang)
    if name == "csat":
        return number(v, lang) + (f"{NBSP}%" if lang == "fr" else "%")
    return number(v, lang, 1)


def colon(lang: str) -> str:
    """The colon of ``label: value`` (French puts a narrow no-break space before it)."""
    return f"{NBSP}:" if lang == "fr" else ":"


def period(d: dict[str, Any]) -> str:
    """``2026-01-05 → 2026-06-30``: the analysed period of an analysis.json, or ""."""
    p = (d.get("summary") or {}).get("period") or {}
    a, b = str(p.get("start") or "")[:10], str(p.get("end") or "")[:10]
    return f"{a} → {b}" if a else ""
