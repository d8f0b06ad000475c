"""Places in a map file: ``map.yaml, line 12, touchpoints[3].stage``."""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def parse_place(place: str) -> Path:
    """``"touchpoints[3].match.where"`` -> ``("touchpoints", 3, "match", "where")``.

    >>> parse_place("segments[0].where.plan")
    ('segments', 0, 'where', 'plan')
    """
    return tuple(int(i) if i else name for i, name in _PART.findall(place))


def describe(source: str, path: Path, lines: dict[Path, int]) -> str:
    """``map.yaml, line 12, touchpoints[3].stage`` for a path into the document (the line of
    the field itself, else of its closest parent)."""
    dotted = ""
    for part in path:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else str(part))
    line = None
    for k in range(len(path), -1, -1):
        if path[:k] in lines:
            line = lines[path[:k]]
            break
    parts = [source] + ([f"line {line}"] if line else []) + ([dotted] if dotted else [])
    return ", ".join(parts)
