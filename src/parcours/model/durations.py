"""Human durations such as ``30m``, ``7d`` or ``1h30m``, used by the map and the CLI."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+$")


def parse_duration(text: str | int | float) -> float:
    """Return the number of seconds in a duration written ``30m``, ``7d``, ``1h30m`` or seconds.

    >>> parse_duration("1h30m")
    5400.0
    >>> parse_duration(90)
    90.0
    """
    if isinstance(text, bool):
        raise ValueError("a duration cannot be true/false")
    if isinstance(text, (int, float)):
        if text <= 0:
            raise ValueError(f"a duration must be positive, got {text}")
        return float(text)
    if not _WHOLE.match(str(text)):
        raise ValueError(
            f"{text!r} is not a duration: write a number and a unit, "
            "s (seconds), m (minutes), h (hours), d (days) or w (weeks), e.g. 30m, 7d, 1h30m"
        )
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(str(text)))
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """Write seconds back in the largest exact unit: 5400 -> ``90m``, 86400 -> ``1d``.

    >>> format_duration(604800)
    '1w'
    """
    for unit in ("w", "d", "h", "m"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
