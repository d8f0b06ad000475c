"""The journey map people look at: a self-contained HTML report (plotly.js inline, no
network), rendered from an analysis' data and its map.

>>> from parcours.report import render_html                                       # doctest: +SKIP
>>> html = render_html(result.data, journey_map, lang="fr")                         # doctest: +SKIP
"""

from __future__ import annotations

from parcours.report.html import render_html, save_report

__all__ = ["render_html", "save_report"]
