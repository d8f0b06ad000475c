"""Survey-tool exports read as they are: which tool wrote a file, and the header rows it writes
under the column names.

- **Qualtrics** CSV/TSV exports have three header rows: the column ids (``StartDate``, ``Q1``…),
  then each question's text, then a JSON object per column (``{"ImportId":"QID1"}``; the date
  columns carry the export's time zone: ``{"ImportId":"startDate","timeZone":"America/Denver"}``).
  Its **legacy** form has two: ``V1``…``V10``, ``Q1``… then the names and texts (``ResponseID``,
  ``StartDate``…, the questions); its ``V`` columns take the names of the second row.
- **SurveyMonkey** writes the question texts as column names and a second row naming each
  column's answer (``Response``, ``Open-Ended Response``, or an option of a question with
  several columns, whose own header is blank); its dates are month first (``us``).
- **Typeform** (``#``, ``Submit Date (UTC)``, ``Network ID``) and **Google Forms** (``Timestamp``
  / ``Horodateur`` first) have one header row: the questions' texts.

The rows under the column names are no answers: they are left out of the records (read =
accepted + quarantined counts answers only). What they said — the tool, each column's question
text, the export's time zone and how its dates are written — is an :class:`Export`.
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
_LEGACY = re.compile(r"^V\d+$")
_BLANK = re.compile(r"^column\d+$")  # DuckDB's name for a blank header
_MONKEY_ANSWER = {"response", "open-ended response", "réponse", "réponse ouverte"}
NAMES = {"qualtrics": "Qualtrics", "surveymonkey": "SurveyMonkey", "typeform": "Typeform", "google_forms": "Google Forms"}
TIMESTAMP = {"timestamp", "horodateur", "horodatage", "marca temporal", "zeitstempel", "informazioni cronologiche"}


@dataclasses.dataclass
class Export:
    """What a tool's file said: the tool, each column's question text (when the tool writes one
    apart from the column name), the export's time zone and date style."""

    tool: str
    timezone: str | None = None
    texts: dict[str, str] = dataclasses.field(default_factory=dict)
    date_format: str | None = None

    def text(self, column: str) -> str:
        return self.texts.get(column) or column


def recognise(con: Any, raw: RawInput) -> tuple[RawInput, Export | None]:
    """``raw`` without a survey tool's extra header rows, and what the file said (None: not a
    survey tool's export)."""
    if raw.format not in ("csv", "tsv", "xlsx") or not raw.data_columns:
        return raw, None
    cols = raw.data_columns
    head = rows(con, raw.table.order_by("__seq").select("__seq", *cols).limit(2))
    name = Path(raw.source).name
    if len(head) >= 2:
        found = _qualtrics(raw, head, name)
        if found:
            return found
    if len(head) >= 1:
        for attempt in (_legacy_qualtrics, _surveymonkey):
            found = attempt(raw, head, name)
            if found:
                return found
    low = {c.strip().lower(): c for c in cols}
    if "#" in low and ("submit date (utc)" in low or "network id" in low):
        note = said("note.survey_tool", file=name, tool=NAMES["typeform"])
        return dataclasses.replace(raw, notes=[*raw.notes, note]), Export("typeform", "UTC")
    if cols[0].strip().lower() in TIMESTAMP:
        note = said("note.survey_tool", file=name, tool=NAMES["google_forms"])
        return dataclasses.replace(raw, notes=[*raw.notes, note]), Export("google_forms")
    return raw, None


def _without(raw: RawInput, head: list[dict], n: int) -> Any:
    t = raw.table
    return t.filter(~t["__seq"].isin([h["__seq"] for h in head[:n]]))


def _qualtrics(raw: RawInput, head: list[dict], name: str) -> tuple[RawInput, Export] | None:
    cols = raw.data_columns
    ids = {c: head[1][c] for c in cols if isinstance(head[1][c], str) and _IMPORT_ID.match(head[1][c])}
    if len(ids) * 2 < len(cols):  # most columns of a Qualtrics export carry an import id
        return None
    zone = None
    for value in ids.values():
        try:
            zone = zone or json.loads(value).get("timeZone")
        except (ValueError, AttributeError):
            continue
    zone = "UTC" if zone in ("Z", "z", "GMT") else zone
    texts = {c: str(head[0][c]) for c in cols if head[0][c] not in (None, "")}
    note = said("note.qualtrics", file=name, zone=zone or "none given")
    return (dataclasses.replace(raw, table=_without(raw, head, 2), notes=[*raw.notes, note]),
            Export("qualtrics", zone, texts))


def _legacy_qualtrics(raw: RawInput, head: list[dict], name: str) -> tuple[RawInput, Export] | None:
    cols = raw.data_columns
    v = [c for c in cols if _LEGACY.match(c)]
    first = {str(head[0][c]).strip() for c in v if head[0][c] is not None}
    if len(v) < 3 or not first & {"ResponseID", "ResponseId"}:
        return None
    names = {c: str(head[0][c]).strip() for c in v if head[0][c] not in (None, "")}
    taken = set(cols) - set(names)
    renamed: dict[str, str] = {}
    for c, new in names.items():
        new = new if new not in taken and new not in renamed.values() else c
        renamed[c] = new
    texts = {renamed.get(c, c): str(head[0][c]) for c in cols if head[0][c] not in (None, "") and c not in names}
    table = _without(raw, head, 1).rename({new: old for old, new in renamed.items() if new != old})
    note = said("note.qualtrics_legacy", file=name)
    return dataclasses.replace(raw, table=table, notes=[*raw.notes, note]), Export("qualtrics", None, texts)


def _surveymonkey(raw: RawInput, head: list[dict], name: str) -> tuple[RawInput, Export] | None:
    cols = raw.data_columns
    low = {c.strip().lower() for c in cols}
    if not ({"respondent id", "collector id"} <= low or {"id du répondant", "id du collecteur"} <= low):
        return None
    second = {c: ("" if head[0][c] is None else str(head[0][c]).strip()) for c in cols}
    if any(second[c] for c in cols if c.strip().lower() in ("respondent id", "id du répondant")):
        return None  # its second row is an answer: a one-row header
    renamed: dict[str, str] = {}
    texts: dict[str, str] = {}
    question = None
    for c in cols:
        label = second[c]
        if _BLANK.match(c) and question is not None:
            new = f"{question} - {label}" if label else c
            renamed[c] = new if new not in cols and new not in renamed.values() else c
            texts[renamed[c]] = new
            continue
        question = c
        if label and label.lower() not in _MONKEY_ANSWER:
            texts[c] = f"{c} - {label}"
    table = _without(raw, head, 1).rename({new: old for old, new in renamed.items() if new != old})
    note = said("note.surveymonkey", file=name)
    return dataclasses.replace(raw, table=table, notes=[*raw.notes, note]), Export("surveymonkey", None, texts, "us")
