"""Survey metrics and their scales (domain definitions, no computation)."""

from __future__ import annotations

# Default answer scale of each metric: NPS 0–10, CSAT 1–5, CES 1–7. A survey on another
# scale declares it (``--scale``), except NPS, which is defined on 0–10.
SCALES: dict[str, tuple[float, float]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
METRICS = tuple(SCALES)
