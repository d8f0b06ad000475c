"""Where the events are and how to read them, from the map's ``source`` block.

Shared by every project command (analyze, feedback, compare, segments) and the web app; it
imports no other project module, so none of them import each other for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parcours.errors import OptionError
from parcours.model import JourneyMap


def source_defaults(m: JourneyMap) -> dict[str, Any]:
    """How to read the events, from the map's ``source`` block (``read_events`` arguments and
    ``journey_gap``); empty values when the map has none.

    >>> source_defaults(JourneyMap())["columns"]
    {}
    """
    src = m.source
    return {"columns": dict(src.columns) if src else {}, "timezone": src.timezone if src else None,
            "time_unit": src.time_unit if src else None, "date_format": src.date_format if src else None,
            "milestones": src.milestones if src else None, "sheet": src.sheet if src else None,
            "stitch": src.stitch if src else None,
            "delimiter": src.delimiter if src else None,
            "fmt": src.format if src else None, "journey_gap": src.journey_gap if src else None}


def source_path(m: JourneyMap, journey_map: Any) -> Path | list[dict[str, Any]]:
    """The map's ``source.path``, relative to the map file's folder (``journey_map``: the path
    the map was read from, if any); with ``source.sources``, one ``read_events`` settings dict per
    source (``name``, ``path`` and its own reading options, paths made relative to the map)."""
    if m.source is not None and m.source.sources:
        parts = []
        for part in m.source.sources:
            d = part.model_dump(exclude_none=True, exclude={"format"})
            d["fmt"] = part.format
            d["path"] = _near_map(part.path, journey_map)
            if isinstance(part.stitch, tuple) and len(part.stitch) > 2:  # an id table, near the map
                d["stitch"] = (*part.stitch[:2], str(_near_map(part.stitch[2], journey_map)))
            if part.join is not None:
                d["join"] = {**part.join.model_dump(exclude_none=True), "path": _near_map(part.join.path, journey_map)}
            parts.append(d)
        return parts
    if m.source is None or not m.source.path:
        raise OptionError("no events to analyse: give an event file, or a map whose source block has a path",
                          hint="e.g. parcours analyze events.csv --map map.yaml, or 'source: {path: events.csv}' in the map")
    return _near_map(m.source.path, journey_map)


def _near_map(text: str, journey_map: Any) -> Path:
    path = Path(text).expanduser()
    if not path.is_absolute() and isinstance(journey_map, (str, Path)):
        path = Path(journey_map).resolve().parent / path
    return path
