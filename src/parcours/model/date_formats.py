"""The date format setting (``--date-format``, ``source.date_format``): its values, checked
before anything is read. How values are read: :mod:`parcours.ingest.dates`."""

from __future__ import annotations

import re

from parcours.errors import OptionError

STYLES = ("iso", "us", "eu")
DIRECTIVES = "dmYyHIMSfpbBaAjzZ%"  # the strptime directives DuckDB and Python both read alike
HELP = ("How dates that are not ISO 8601 are written: us (month first, 03/31/2026), eu (day first, 31/03/2026), "
        "iso, or a strftime pattern such as %d.%m.%Y %H:%M (default: detected; ambiguous dates stop the run and ask).")


def check(value: str | None) -> str | None:
    """A date format as given (None: detect); an unknown style or a pattern without a
    directive is refused.

    >>> check("EU"), check("%d.%m.%Y"), check("auto")
    ('eu', '%d.%m.%Y', None)
    """
    if value is None or str(value).strip() in ("", "auto"):
        return None
    v = str(value).strip()
    if v.lower() in STYLES:
        return v.lower()
    if "%" not in v:
        raise OptionError(f"unknown date format {v!r}",
                          hint="give us (month first: 03/31/2026), eu (day first: 31/03/2026), iso, or a "
                               "strftime pattern such as %d.%m.%Y %H:%M")
    unknown = [d for d in re.findall(r"%(.?)", v) if not d or d not in DIRECTIVES]
    if unknown:
        shown = f"%{unknown[0]}" if unknown[0] else "a lone %"
        raise OptionError(f"date format {v!r}: {shown} is no date directive Parcours reads",
                          hint="use " + " ".join(f"%{d}" for d in DIRECTIVES if d != "%") + " (and %% for a % sign)")
    return v
