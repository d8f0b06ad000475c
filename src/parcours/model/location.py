"""Places in a map file: ``map.yaml, line 12, touchpoints[3].stage``, kept as values (file,
line, column, field) and shown as that text (:class:`Place`)."""

from __future__ import annotations

import re

Path = tuple[str | int, ...]


class Place(str):
    """A place in a file: reads as ``map.yaml, line 12, column 3, touchpoints[3].stage`` and keeps
    its parts as values (``source``, ``line``, ``column``, ``field``), so that a caller pointing at
    the line never parses the text back.

    >>> p = Place("map.yaml", line=12, field="touchpoints[3].stage")
    >>> p, p.line, p.field
    ('map.yaml, line 12, touchpoints[3].stage', 12, 'touchpoints[3].stage')
    """

    source: str
    line: int | None
    column: int | None
    field: str | None

    def __new__(cls, source: str, line: int | None = None, column: int | None = None,
                field: str | None = None) -> Place:
        parts = [source] + ([f"line {line}"] if line else []) + ([f"column {column}"] if column else []) \
            + ([field] if field else [])
        self = super().__new__(cls, ", ".join(parts))
        self.source, self.line, self.column, self.field = source, line or None, column or None, field or None
        return self

    def __getnewargs__(self) -> tuple[str, int | None, int | None, str | None]:  # type: ignore[override]
        return (self.source, self.line, self.column, self.field)

_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def parse_place(place: str) -> Path:
    """``"touchpoints[3].match.where"`` -> ``("touchpoints", 3, "match", "where")``.

    >>> parse_place("segments[0].where.plan")
    ('segments', 0, 'where', 'plan')
    """
    return tuple(int(i) if i else name for i, name in _PART.findall(place))


def describe(source: str, path: Path, lines: dict[Path, int]) -> Place:
    """``map.yaml, line 12, touchpoints[3].stage`` for a path into the document (the line of
    the field itself, else of its closest parent), as a :class:`Place`."""
    dotted = ""
    for part in path:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else str(part))
    line = None
    for k in range(len(path), -1, -1):
        if path[:k] in lines:
            line = lines[path[:k]]
            break
    return Place(source, line=line, field=dotted or None)
