"""The ``kpis`` analysis as the registry runs it: derived after the others and the feedback,
like the frictions, from their results (no query of its own).

Kept apart from :mod:`parcours.analysis.kpis` (plain Python, which the report reads) because
the registry's types bring the engine's with them.
"""

from __future__ import annotations

from parcours.analysis.kpis import measure_kpis
from parcours.analysis.registry import Inputs, Output


def derive(inp: Inputs) -> Output:
    """:func:`~parcours.analysis.kpis.measure_kpis` under ``kpis`` in analysis.json and as
    ``kpis.csv``; nothing for a map without KPIs."""
    import pyarrow as pa

    if not inp.map.kpis:
        return Output()
    rows = measure_kpis(dict(inp.data), inp.map, lang=inp.options.lang)
    return Output(data={"kpis": rows}, tables={"kpis": pa.Table.from_pylist(rows)})
