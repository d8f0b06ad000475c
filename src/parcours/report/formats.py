"""Numbers, shares, durations, units and dates as a reader expects them in French or English.

The one place that decides how a figure is written for a language, used by the report, its
exports and the CLI's summaries alike, so that one output never mixes ``9,153`` and
``2 364``, or ``4 d`` and ``4 j``. French groups thousands with a narrow no-break space and
writes decimals with a comma; English uses ``,`` and ``.``.

>>> number(1234.5, "fr", 1), number(1234.5, "en", 1)
('1\u202f234,5', '1,234.5')
>>> pct(0.256, "fr"), pct(0.256, "en")
('26\u202f%', '26%')
>>> duration(4 * 86400, "fr"), duration(4 * 86400, "en")
('4,0\u202fj', '4.0\u202fd')
>>> quantity(4, "d", "fr"), quantity(35, "%", "en")
('4\u202fj', '35%')
>>> date("2026-01-01", "fr"), date("2026-06-30", "en")
('1er janv. 2026', '30 Jun 2026')
>>> count(1, "fr", "ligne", "lignes"), count(0, "en", "row", "rows"), count(1234, "fr", "test", "tests")
('1 ligne', '0 rows', '1\u202f234 tests')
>>> shorten("Contact service client (téléphone)", 20)
('Contact service…', True)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

NBSP = "\u202f"  # narrow no-break space: French thousands, and before % : j h...
MONTHS = {"fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}
# Units of time as each language abbreviates them (a map's KPI may say "d", "days", "j"...).
_UNITS = {"d": ("j", "d"), "day": ("j", "d"), "days": ("j", "d"), "j": ("j", "d"), "jours": ("j", "d"),
          "h": ("h", "h"), "hours": ("h", "h"), "heures": ("h", "h"), "min": ("min", "min"),
          "s": ("s", "s"), "w": ("sem.", "wk"), "week": ("sem.", "wk"), "weeks": ("sem.", "wk")}


def number(v: Any, lang: str, digits: int = 0) -> str:
    """``1 234,5`` / ``1,234.5``; ``–`` for no value."""
    if v is None:
        return "–"
    text = f"{v:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", NBSP)
    return text


def pct(v: Any, lang: str, digits: int = 0) -> str:
    """A share (0–1) as a percentage: ``26 %`` / ``26%``."""
    if v is None:
        return "–"
    return number(100 * v, lang, digits) + percent(lang)


def count(n: Any, lang: str, one: str, many: str) -> str:
    """``n`` and its noun, singular or plural as ``lang`` wants it: French takes the singular
    for 0 and 1 (``0 écart``, ``1 ligne``), English for 1 alone (``0 rows``, ``1 row``)."""
    singular = abs(n) < 2 if lang == "fr" else n == 1
    return f"{number(n, lang)} {one if singular else many}"


def percent(lang: str) -> str:
    """The percent sign as written after a number: `` %`` (French, no-break) or ``%``."""
    return f"{NBSP}%" if lang == "fr" else "%"


def duration(seconds: Any, lang: str) -> str:
    """``3,5 j`` / ``3.5 d``, ``1,2 h``, ``1,5 min`` (one decimal from a minute), ``40 s``."""
    if seconds is None:
        return "–"
    s = float(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if abs(s) >= size:
            return f"{number(s / size, lang, 1)}{NBSP}{unit_in(unit, lang)}"
    return f"{number(s, lang)}{NBSP}s"


def unit_in(unit: str | None, lang: str) -> str:
    """A unit as ``lang`` writes it: ``d`` is ``j`` in French; others are kept.

    >>> unit_in("d", "fr"), unit_in("j", "en"), unit_in("points", "fr")
    ('j', 'd', 'points')
    """
    if not unit:
        return ""
    known = _UNITS.get(unit.strip().lower())
    return (known[0] if lang == "fr" else known[1]) if known else unit


def quantity(v: Any, unit: str | None, lang: str) -> str:
    """A number with its unit: ``35 %`` / ``35%``, ``4 j`` / ``4 d``, ``40 points``; whole
    numbers without decimals, others with one."""
    if v is None:
        return "–"
    text = number(v, lang, 0 if float(v).is_integer() else 1)
    if not unit:
        return text
    if unit.strip() == "%":
        return text + percent(lang)
    return f"{text}{NBSP}{unit_in(unit, lang)}"


def metric(name: str, v: Any, lang: str) -> str:
    """An NPS (``+23``), a CSAT (``62 %``) or a CES (``3,4``)."""
    if v is None:
        return "–"
    if name == "nps":
        return ("+" if v > 0 else "") + number(v, lang)
    if name == "csat":
        return number(v, lang) + percent(lang)
    return number(v, lang, 1)


def colon(lang: str) -> str:
    """The colon of ``label: value`` (French puts a narrow no-break space before it)."""
    return f"{NBSP}:" if lang == "fr" else ":"


def date(value: Any, lang: str) -> str:
    """A day as the language writes it: ``5 janv. 2026`` (``1er`` the first) / ``5 Jan 2026``;
    ``–`` for no value; text that is not a date is kept."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    months = MONTHS.get(lang, MONTHS["en"])
    first = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{first} {months[day.month - 1]} {day.year}"


def period(d: dict[str, Any], lang: str | None = None) -> str:
    """The analysed period of an analysis.json, or "": ``5 janv. 2026 → 30 juin 2026`` in
    ``lang``, or ``2026-01-05 → 2026-06-30`` without one."""
    p = (d.get("summary") or {}).get("period") or {}
    a, b = str(p.get("start") or "")[:10], str(p.get("end") or "")[:10]
    if not a:
        return ""
    return f"{date(a, lang)} → {date(b, lang)}" if lang else f"{a} → {b}"


def shorten(text: Any, limit: int) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` characters at a word boundary, with ``…``; and whether
    it was cut. A first word longer than the limit is the only one cut inside."""
    s = " ".join(str(text).split())
    if len(s) <= limit:
        return s, False
    room = s[: max(1, limit - 1) + 1]
    cut = room.rfind(" ")
    kept = room[:cut] if cut > 0 else room[: max(1, limit - 1)]
    return kept.rstrip(" ,;:–-") + "…", True
