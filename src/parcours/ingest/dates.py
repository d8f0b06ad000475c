"""Dates as people write them: ``03/01/2026 10:02:00 AM``, ``06/09/2021``, ``1er mars 2026``.

ISO 8601 (``2026-03-01T10:02:00+01:00``) and epoch numbers are read as before
(:func:`parcours.ingest.normalize.parse_time`). A time column whose values are not all ISO is
read with a **date format**: a named style or a ``strftime`` pattern
(``--date-format``, the map's ``source.date_format``, the upload's reading options):

- ``us``: month first (``03/01/2026`` is 1 March), ``eu``: day first (``03/01/2026`` is
  3 January); with ``/``, ``-`` or ``.`` between the parts, a year of 2 or 4 digits, and an
  optional time of day on a 24-hour clock or a 12-hour one with AM/PM;
- month names in English or French, full or short, in either style (``1er mars 2026``,
  ``March 1, 2026 10:02``), a weekday before them left out;
- ``iso``: ISO 8601 only (the values that are not ISO are quarantined);
- a pattern with ``%`` (``%d.%m.%Y %H:%M``): DuckDB's ``strptime`` directives.

Without a format, Parcours looks at the values that are not ISO: month names are read
as such; day-and-month dates are read day first when some first number is above 12 (``31/12``)
and month first when some second number is (``12/31``); when every day is ≤ 12 the file is
**ambiguous**, and reading stops, naming an example and how to choose (``--date-format eu`` or
``us``), instead of guessing. A column with both (``31/12`` and ``12/31``) mixes the two styles,
which is an error too. Values that are ISO stay ISO whatever the format (events the app
collected beside a file are). Dates are read in ``--timezone`` (UTC when not given), as ISO
times without an offset are.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from typing import Any, Callable

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from parcours.errors import DateFormatError

DAY_MONTH = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\b"  # a date of numbers, day and month in some order

# Month and weekday names (English and French, full or short) → the English short month names
# strptime's %b reads; weekdays and the French "1er" are left out.
_MONTHS = [
    ("jan", r"janvier|janv\.?|january|jan\.?"), ("feb", r"f[ée]vrier|f[ée]vr?\.?|february|feb\.?"),
    ("mar", r"mars|march|mar\.?"), ("apr", r"avril|avr\.?|april|apr\.?"), ("may", r"mai|may"),
    ("jun", r"juin|june|jun\.?"), ("jul", r"juillet|juil\.?|july|jul\.?"), ("aug", r"ao[ûu]t|august|aug\.?"),
    ("sep", r"septembre|sept?\.?|september"), ("oct", r"octobre|october|oct\.?"),
    ("nov", r"novembre|november|nov\.?"), ("dec", r"d[ée]cembre|d[ée]c\.?|december"),
]
NAMES = r"\b(" + "|".join(p for _, p in _MONTHS) + r")(\s|,|$)"
# a weekday before the date (never "mar", which is March too)
_WEEKDAYS = (r"^\s*(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|"
             r"saturday|sunday|lun|mer|jeu|ven|sam|dim|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b\.?,?\s*")

_TIMES = ["", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %I %p", "T%H:%M", "T%H:%M:%S",
          " %H:%M:%S.%f", " %Hh%M", " à %H:%M", " à %H:%M:%S", " à %Hh%M", " %H.%M"]


def names_in(style: str) -> bool:
    """Whether a pattern reads month or weekday names (``%b``, ``%B``, ``%a``, ``%A``)."""
    return "%" in style and bool(re.search(r"%[aAbB]", style))


def has_offset(style: str) -> bool:
    """Whether a pattern reads each value's own UTC offset or zone (``%z``, ``%Z``)."""
    return "%" in style and bool(re.search(r"%[zZ]", style))


def formats(style: str) -> list[str]:
    """The patterns a style reads (2-digit years first: ``%Y`` would take ``21`` for the year 21).
    A pattern of the user's with names is read after :func:`prepare`, like the styles: its full
    month name as the short one, its weekday left out."""
    if "%" in style:
        if names_in(style):
            style = re.sub(r"^\s*%[aA]\.?,?\s*", "", style).replace("%B", "%b")
        return [style]
    out: list[str] = []
    if style in ("us", "eu"):
        for sep in ("/", "-", "."):
            for year in ("%y", "%Y"):
                day_month = f"%m{sep}%d{sep}{year}" if style == "us" else f"%d{sep}%m{sep}{year}"
                out += [day_month + t for t in _TIMES]
    for date in ("%d %b %Y", "%b %d, %Y", "%b %d %Y", "%d %b, %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y"):
        out += [date + t for t in _TIMES]
    return out


# what :func:`prepare` does, step by step: (pattern, replacement), the same in the engine and in Python
_STEPS = [(_WEEKDAYS, ""), (r"\b(\d{1,2})er\b", r"\1"),
          *((r"\b(" + pattern + r")(\s|,|$)", short + r"\2") for short, pattern in _MONTHS)]


def prepare(text: ir.StringValue) -> ir.StringValue:
    """Lower case; month names as English short names; no weekday; ``1er`` → ``1``."""
    out = text.lower()
    for pattern, replacement in _STEPS:
        out = out.re_replace(pattern, replacement)
    return out


def _python_prepare(text: str) -> str:
    out = text.lower()
    for pattern, replacement in _STEPS:
        out = re.sub(pattern, replacement, out)
    return out


def by_use(patterns: list[str], sample: list[str], *, names: bool = True) -> list[str]:
    """``patterns`` with those the sample's values are written in first (most used first): the
    engine tries them in order, and a pattern that fails costs far more than one that reads."""
    used: Counter[str] = Counter()
    for value in sample:
        text = _python_prepare(value.strip()) if names else value.strip()
        for p in patterns:
            try:
                _dt.datetime.strptime(text, p)
            except ValueError:
                continue
            used[p] += 1
            break
    return [p for p, _ in used.most_common()] + [p for p in patterns if p not in used]


@ibis.udf.scalar.builtin(name="try_strptime")
def _try_strptime(text: str, patterns: dt.Array(dt.string)) -> dt.Timestamp():  # type: ignore[valid-type]
    """DuckDB's ``try_strptime(text, [pattern, …])``: the first pattern that reads, else null."""


@ibis.udf.scalar.builtin(name="try_strptime")
def _try_strptime_instant(text: str, patterns: dt.Array(dt.string)) -> dt.Timestamp(timezone="UTC"):  # type: ignore[valid-type]
    """The same with patterns that read an offset (``%z``): instants."""


def parse(text: ir.StringValue, patterns: list[str], *, names: bool, instants: bool = False) -> ir.TimestampValue:
    """The naive timestamp of each value read with the first of ``patterns`` that fits (null if
    none); ``names``: some values hold month or weekday names (read after :func:`prepare`);
    ``instants``: the patterns read each value's offset (the result is then an instant)."""
    read = _try_strptime_instant if instants else _try_strptime
    return read(prepare(text) if names else text, ibis.literal(patterns, type="array<string>"))


def detect(counts: dict[str, Any], column: str, source: str, example: Callable[[str], dict[str, Any]]) -> str:
    """The style of a column's day-and-month dates from their counts (``day_month``: values
    written so; ``first_over``/``second_over``: values whose first / second number is above 12;
    ``differ``: values whose two numbers differ), or an :class:`InputError` when they do not
    say it (``example(kind)``: the row and value of the first value of that kind)."""
    if not counts["day_month"]:
        return "eu"  # month names only: both styles read them
    first, second = counts["first_over"], counts["second_over"]
    if first and second:
        a, b = example("first_over"), example("second_over")
        raise DateFormatError(
            f"{source}: column {column!r} mixes day-first and month-first dates (row {a['row']}: "
            f"{a['value']!r} has a day first; row {b['row']}: {b['value']!r} a month first)",
            hint="export the dates in one format (ISO 8601 is safest), then read the file again",
            source=source, column=column, kind="mixed", examples=[a, b])
    if first:
        return "eu"
    if second:
        return "us"
    if not counts["differ"]:
        return "eu"  # every day equals its month: both styles read the same dates
    e = example("differ")
    raise DateFormatError(
        f"{source}: the dates in column {column!r} are ambiguous: every day and month is 12 or less "
        f"(row {e['row']}: {e['value']!r} could be day first or month first)",
        hint="say how they are written: --date-format eu (day first, 31/12/2026) or --date-format us "
             "(month first, 12/31/2026), or date_format in the map's source or the upload's reading options",
        source=source, column=column, kind="ambiguous", examples=[e])
