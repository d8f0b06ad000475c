"""Survey-tool exports read as they are: the header rows a tool writes under the column names.

**Qualtrics** CSV/TSV exports have three header rows: the column ids (``StartDate``, ``Q1``…),
then each question's text, then a JSON object per column (``{"ImportId":"QID1"}``; the date
columns carry the export's time zone: ``{"ImportId":"startDate","timeZone":"America/Denver"}``).
The two rows under the column names are no answers: they are recognised by their import ids,
left out of the records (read = accepted + quarantined counts answers only), and the export's
time zone reads the dates when no ``--timezone`` is given.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from parcours.engine.fetch import rows
from parcours.ingest.readers import RawInput
from parcours.ingest.said import said

_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:')


@dataclasses.dataclass
class Export:
    """What a tool's header rows said: the tool, and the export's time zone."""

    tool: str
    timezone: str | None = None


def recognise(con: Any, raw: RawInput) -> tuple[RawInput, Export | None]:
    """``raw`` without a survey tool's extra header rows, and what they said (None: no such rows)."""
    if raw.format not in ("csv", "tsv") or not raw.data_columns:
        return raw, None
    t = raw.table
    head = rows(con, t.order_by("__seq").select("__seq", *raw.data_columns).limit(2))
    if len(head) < 2:
        return raw, None
    ids = {c: head[1][c] for c in raw.data_columns if isinstance(head[1][c], str) and _IMPORT_ID.match(head[1][c])}
    if len(ids) * 2 < len(raw.data_columns):  # most columns of a Qualtrics export carry an import id
        return raw, None
    zone = None
    for value in ids.values():
        try:
            zone = zone or json.loads(value).get("timeZone")
        except (ValueError, AttributeError):
            continue
    zone = "UTC" if zone in ("Z", "z", "GMT") else zone
    kept = t.filter(~t["__seq"].isin([head[0]["__seq"], head[1]["__seq"]]))
    name = Path(raw.source).name
    note = said("note.qualtrics", file=name, zone=zone or "none given")
    return dataclasses.replace(raw, table=kept, notes=[*raw.notes, note]), Export("qualtrics", zone)
