"""The ``explanation`` of each friction and opportunity in the run's results, in its language.

The analysis keeps data, not sentences (:mod:`parcours.analysis.frictions`,
:mod:`parcours.analysis.opportunities`); the report and the CLI write the sentence in the
language they show (:mod:`parcours.report.explain`). The results still carry one sentence per
record, in the analysis' language, for readers of ``analysis.json`` and of the CSV tables
(``frictions.csv``, ``opportunities.csv``, ``breakdown_frictions.csv``): written here, by the
same functions.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from parcours.model.journey_map import JourneyMap
from parcours.report.explain import explain_friction, explain_opportunity

_EXPLAIN = {"frictions": explain_friction, "opportunities": explain_opportunity}


def add_explanations(data: dict[str, Any], tables: dict[str, pa.Table], m: JourneyMap, lang: str) -> None:
    """Give each record of ``data["frictions"]`` and ``data["opportunities"]`` its
    ``explanation`` in ``lang``, and the tables of the same names their ``explanation`` column
    (last, one row per record, in the same order)."""
    for key, explain in _EXPLAIN.items():
        records = data.get(key)
        if records is None:
            continue
        for r in records:
            r["explanation"] = explain(r, m, lang)
        table = tables.get(key)
        if table is not None and table.num_rows == len(records) and records and "explanation" not in table.column_names:
            tables[key] = table.append_column("explanation", pa.array([r["explanation"] for r in records], pa.string()))
