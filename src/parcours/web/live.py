"""The live map: a project's latest map measured on the project's data, as the report's views.

A project's data live in ``<data folder>/<project id>/`` (the demo writes its events and survey
answers there; uploads will too). The map's ``source.path`` is read relative to that folder.
An analysis is kept in memory for a (project, map version, data files' sizes and times) key, so
a page view after the first is immediate and a new version or new data measures again.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from parcours.errors import InputError
from parcours.model.journey_map import JourneyMap

FEEDBACK = "feedback.csv"  # survey answers of the project, when the folder has them


class LiveMaps:
    """Analyses of the projects' latest maps, cached by map version and data files."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._cache: dict[int, tuple[tuple[Any, ...], dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def folder(self, project_id: int) -> Path:
        return self.data_dir / str(project_id)

    def _files(self, project_id: int, m: JourneyMap) -> tuple[Path, Path | None]:
        if m.source is None or not m.source.path:
            raise InputError("the map has no source.path: the app does not know which events to measure it on",
                             hint="add `source: {path: events.csv}` to the map and put the file in the project's data")
        events = self.folder(project_id) / m.source.path
        if not events.exists():
            raise InputError(f"the project's data has no {m.source.path}",
                             hint=f"put the events file at {events} (uploads come with the data page)")
        feedback = self.folder(project_id) / FEEDBACK
        return events, feedback if feedback.exists() else None

    def analysis(self, project_id: int, version: int, m: JourneyMap) -> dict[str, Any]:
        """analysis.json's content for this project's map version on its data (cached)."""
        from parcours.project import analyze

        events, feedback = self._files(project_id, m)
        key = (version, *[(p.stat().st_size, p.stat().st_mtime_ns) for p in (events, feedback) if p is not None])
        with self._lock:  # one analysis at a time per app: they use the machine's cores already
            hit = self._cache.get(project_id)
            if hit is not None and hit[0] == key:
                return hit[1]
            data = analyze(str(events), m, feedback=str(feedback) if feedback else None,
                           by="segment" if m.segments else None).data
            self._cache[project_id] = (key, data)
            return data
