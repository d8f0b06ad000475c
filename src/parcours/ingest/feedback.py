"""``read_feedback``: survey exports and verbatims -> a feedback table on the engine.

Roles (all optional, detected from common names or given with ``--columns``): ``customer``,
``time``, ``score``, ``metric``, ``comment``, ``stage``, ``touchpoint``, ``language``; every
other column is kept as an attribute. A row needs a score or a comment.

The metric of a row is its ``metric`` column (``nps``, ``csat``, ``ces``), else the one given
for the whole file (``--metric``), else the score column's own name when it is one of them.
Scales: NPS 0–10, CSAT 1–5, CES 1–7, or a declared ``--scale MIN-MAX`` for the file's metric.

Rows are quarantined, never dropped: unparseable time, a score that is not a number or is out
of its metric's scale, an unknown metric, a stage or touchpoint the map does not know, no score
and no comment. ``read = accepted + quarantined``, as for events.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.engine.connection import connect
from parcours.engine.fetch import rows, scalar
from parcours.engine.handoff import hand_over
from parcours.errors import ColumnRoleError, OptionError, TooManyBadRows
from parcours.ingest.events import DEFAULT_MAX_BAD_ROWS, IngestReport, parse_max_bad_rows, quarantine_records
from parcours.ingest.normalize import _blank, check_timezone, parse_time
from parcours.ingest.questions import kind_of
from parcours.ingest.survey_exports import recognise as recognise_export
from parcours.ingest.surveys import Survey, lengthen
from parcours.model.survey_questions import parse_questions
from parcours.model.date_formats import check as check_date_format
from parcours.ingest.readers import RawInput, read_raw
from parcours.ingest.roles import FEEDBACK_ROLES, resolve_roles
from parcours.model.journey_map import JourneyMap, text_in
from parcours.model.metrics import SCALES
from parcours.ingest.said import said, said_expr

_counter = itertools.count(1)

# Canonical feedback columns (role columns carry a leading underscore, as for events).
CUSTOMER, TS, SEQ, SCORE, METRIC, COMMENT, STAGE, TOUCHPOINT, LANGUAGE = (
    "_customer", "_ts", "_seq", "_score", "_metric", "_comment", "_stage", "_touchpoint", "_language")
ROW = "_row"  # row of the response in its file (1-based), to join results back to the input


@dataclass
class FeedbackLog:
    """Parsed feedback on an engine connection, with the report of how it was read."""

    con: Any
    table: ir.Table
    report: IngestReport
    metrics: list[str]  # metrics present, in the order nps, csat, ces
    scales: dict[str, tuple[float, float]]
    attributes: list[str]
    raw: RawInput
    checked: ir.Table  # every raw row (``__seq`` order) with ``__reason``: why it was quarantined, else null
    survey: Survey | None = None  # a wide survey made long: the questions chosen

    @property
    def roles(self) -> dict[str, str]:
        return dict(self.report.detection.roles)

    def __len__(self) -> int:
        return self.report.accepted


_SCALE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|\.\.|:|–)\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_scale(text: str | None) -> tuple[float, float] | None:
    """``"0-5"`` or ``"1..10"`` -> (0.0, 5.0).

    >>> parse_scale("1-10")
    (1.0, 10.0)
    """
    if not text:
        return None
    m = _SCALE.match(text)
    if m and float(m.group(1)) < float(m.group(2)):
        return float(m.group(1)), float(m.group(2))
    raise OptionError(f"--scale {text!r}: write MIN-MAX with MIN < MAX", hint="e.g. --scale 0-5 or --scale 1-10")


def _names(m: JourneyMap, kind: str) -> dict[str, str]:
    """Lower-cased id and names (French and English) of the map's stages or touchpoints -> id."""
    out: dict[str, str] = {}
    for item in (m.stages if kind == "stage" else m.touchpoints):
        out[item.id.lower()] = item.id
        for lang in ("fr", "en"):
            name = text_in(item.name, lang) if item.name is not None else None
            if name:
                out.setdefault(name.strip().lower(), item.id)
    return out


def read_feedback(source: str | Path | ir.Table, journey_map: JourneyMap | None = None, *,
                  columns: dict[str, str] | None = None, metric: str | None = None, scale: str | None = None,
                  fmt: str | None = None, delimiter: str | None = None, timezone: str | None = None,
                  date_format: str | None = None, questions: str | dict[str, str] | None = None,
                  sheet: str | int | None = None,
                  max_bad_rows: str | int | float | None = None, con: Any = None,
                  engine: str | None = None) -> FeedbackLog:
    """Read survey answers and verbatims (CSV/TSV, Parquet, JSON Lines, or a table); answer
    dates that are not ISO 8601 are read as ``date_format`` says (:mod:`parcours.ingest.dates`).

    A survey tool's export, or any file with a row per respondent and several score questions,
    gives one response per answered score question (:mod:`parcours.ingest.surveys`); its
    questions are found by their wording, or as ``questions`` says (``"Q1=nps,Q2=comment"``)."""
    kind, limit = parse_max_bad_rows(max_bad_rows)
    if metric is not None and metric not in SCALES:
        raise OptionError(f"--metric {metric!r}: unknown metric", hint=f"metrics are: {', '.join(SCALES)}")
    declared = parse_scale(scale)
    if declared and not metric:
        raise OptionError("--scale needs --metric (the metric whose scale it is)")
    if declared and metric == "nps":
        raise OptionError("--scale: the NPS is defined on 0–10", hint="for another scale, use --metric csat or ces")
    con = con if con is not None else connect(engine)
    if not isinstance(source, ir.Table) and con.name != "duckdb":
        # A file is read and checked by DuckDB, then handed to the engine (engine/handoff.py).
        log = read_feedback(source, journey_map, columns=columns, metric=metric, scale=scale, fmt=fmt,
                            delimiter=delimiter, timezone=timezone, date_format=date_format, questions=questions,
                            sheet=sheet, max_bad_rows=max_bad_rows,
                            con=connect(None))
        return dataclasses.replace(log, con=con, table=hand_over(log.con, log.table, con),
                                   checked=hand_over(log.con, log.checked, con))
    raw, export = recognise_export(con, read_raw(con, source, fmt=fmt, delimiter=delimiter, sheet=sheet))
    if export is not None and export.timezone and not timezone:
        timezone = export.timezone  # the export's own: its dates are written in it
    if export is not None and export.date_format and not date_format:
        date_format = export.date_format  # the tool's own way (SurveyMonkey: month first)
    name = Path(raw.source).name if raw.format != "table" else "table"
    chosen = parse_questions(questions)
    det = resolve_roles(raw.data_columns, columns, source=name, spec=FEEDBACK_ROLES)
    survey = None
    scales = dict(SCALES)
    if declared:
        scales[metric] = declared
    if "score" not in (columns or {}) and (chosen is not None or export is not None or "score" not in det.roles
                                           or sum(q in SCALES for q in map(kind_of, raw.data_columns)) > 1):
        wide = lengthen(con, raw, export, dict(columns or {}), chosen, scales, scored="score" in det.roles)
        if wide is not None:
            raw, survey, given = wide
            det = resolve_roles(raw.data_columns, given, source=name, spec=FEEDBACK_ROLES)
    elif chosen is not None:
        raise OptionError("--questions and --columns score=… both say where the scores are", hint="give one of them")
    roles = det.roles
    if "score" not in roles and "comment" not in roles:
        raise ColumnRoleError(f"{name}: no score and no comment column found",
                              hint="say which column holds the score or the comment, e.g. --columns score=note,comment=avis "
                                   f"(columns are: {', '.join(raw.data_columns)})")
    if "score" in roles and "metric" not in roles and metric is None:
        guess = roles["score"].strip().lower()
        if guess in SCALES:
            metric = guess
        else:
            raise OptionError(f"{name}: which metric are the scores in column {roles['score']!r}?",
                              hint="give --metric nps, csat or ces (and --scale MIN-MAX for another scale), "
                                   "or a metric column")
    m = journey_map or JourneyMap()
    t = raw.table
    notes: list[str] = list(raw.notes)

    checks: list[tuple[ir.BooleanValue, ir.StringValue]] = [(t["__error"].notnull(), t["__error"])]
    ts = None
    if "time" in roles:
        ts, tnotes = parse_time(con, t, roles["time"], timezone=check_timezone(timezone), time_unit=None, source=name,
                                date_format=check_date_format(date_format))
        notes += tnotes
        checks.append((~_blank(t[roles["time"]]) & ts.isnull(),
                       ibis.literal(f"unparseable time in column {roles['time']!r}: ") + t[roles["time"]].cast("string")))
    score = None
    if "score" in roles:
        col = t[roles["score"]]
        score = col.strip().replace(",", ".").try_cast("float64") if col.type().is_string() else col.cast("float64")
        where = ibis.literal("'") + t[survey.question_column] + "'" if survey else repr(roles["score"])
        checks.append((~_blank(col) & score.isnull(),
                       said_expr("reason.score_not_number", column=where, value=col.cast("string"))))
    if "metric" in roles:
        mcol = t[roles["metric"]].cast("string").strip().lower()
        met = mcol if metric is None else mcol.fill_null(metric)
        checks.append((met.notnull() & ~met.isin(list(SCALES)),
                       said_expr("reason.unknown_metric", column=repr(roles["metric"]), value=met,
                                 expected=", ".join(SCALES))))
    else:
        met = ibis.literal(metric, "string") if metric else ibis.null("string")
    if score is not None:
        for mname, (low, high) in scales.items():
            checks.append(((met == mname) & score.notnull() & ((score < low) | (score > high)),
                           said_expr("reason.out_of_scale", metric=mname.upper(), low=f"{low:g}", high=f"{high:g}",
                                     value=score.cast("string"))))
        checks.append((score.notnull() & met.isnull(),
                       said_expr("reason.no_metric", column=repr(roles.get("metric", "")))))
    has_score = score.notnull() if score is not None else ibis.literal(False)
    has_comment = ~_blank(t[roles["comment"]]) if "comment" in roles else ibis.literal(False)
    checks.append((~has_score & ~has_comment, said_expr("reason.no_score_no_comment")))

    mapped: dict[str, ir.Value] = {}
    for role in ("stage", "touchpoint"):
        if role not in roles:
            continue
        col = t[roles[role]].cast("string").strip()
        known = _names(m, role)
        values = [v for (v,) in (tuple(r.values()) for r in rows(con, t.select(v=col).distinct())) if v]
        lookup = {v: known.get(v.lower()) for v in values}
        unknown = sorted(v for v, k in lookup.items() if k is None)
        if unknown and (m.stages if role == "stage" else m.touchpoints):
            checks.append((col.isin(unknown), said_expr(f"reason.unknown_{role}", column=repr(roles[role]), value=col,
                                                        known=", ".join(sorted(set(known.values()))))))
        elif unknown:
            notes.append(said(f"note.{role}s_as_written", column=repr(roles[role])))
        mapped[role] = col.substitute({v: k for v, k in lookup.items() if k is not None}, else_=col) \
            if any(k is not None for k in lookup.values()) else col
        mapped[role] = ibis.cases((_blank(t[roles[role]]), ibis.null("string")), else_=mapped[role])

    reason = ibis.cases(*checks, else_=ibis.null("string"))
    derived = {
        "__reason": reason,
        "__ts": ts if ts is not None else ibis.null("timestamp('UTC')"),
        "__score": score if score is not None else ibis.null("float64"),
        "__metric": ibis.cases((has_score, met), else_=ibis.null("string")),
        "__stage": mapped.get("stage", ibis.null("string")),
        "__touchpoint": mapped.get("touchpoint", ibis.null("string")),
    }
    t = t.mutate(**derived)
    good = t.filter(t.__reason.isnull())
    used = set(roles.values())
    attributes = [c for c in raw.data_columns if c not in used]

    def text(role: str) -> ir.Value:
        return good[roles[role]].cast("string") if role in roles else ibis.null("string")

    accepted = good.select(**{
        SEQ: good.__seq, ROW: good.__row, CUSTOMER: text("customer"), TS: good.__ts.cast("timestamp('UTC')"),
        SCORE: good.__score, METRIC: good.__metric, COMMENT: text("comment"), STAGE: good.__stage,
        TOUCHPOINT: good.__touchpoint, LANGUAGE: text("language"),
    }, **{a: good[a] for a in attributes})
    table = con.create_table(f"_parcours_feedback_{next(_counter)}", accepted, temp=True) \
        if con.name == "duckdb" else accepted.cache()
    n_accepted = int(scalar(con, table.count()))
    parsed = int(scalar(con, raw.table.count()))
    bad = []
    if parsed > n_accepted:
        b = t.filter(t.__reason.notnull())
        shown = {"customer": b[roles["customer"]].cast("string")} if "customer" in roles else {}
        if "time" in roles:
            shown["time"] = b[roles["time"]].cast("string")
        if "__text" in b.columns:  # a rejected line carried by a table (RawInput.all_rows)
            shown["__text"] = b["__text"]
        bad = rows(con, b.select(__file=b.__file, __row=b.__row, __seq=b.__seq, reason=b.__reason, **shown)
                   .order_by("__seq"))
    quarantine = quarantine_records(raw, bad)
    read = n_accepted + len(quarantine)
    report = IngestReport(source=raw.source, format=raw.format, read=read, accepted=n_accepted,
                          quarantined=len(quarantine), duplicates_dropped=0, detection=det, notes=notes,
                          quarantine_rows=quarantine)
    allowed = limit if kind == "count" else limit * read
    if report.quarantined > allowed:
        first = quarantine[0]
        raise TooManyBadRows(
            f"{name}: {report.quarantined} of {read} feedback rows cannot be used "
            f"(more than --max-bad-rows {max_bad_rows or DEFAULT_MAX_BAD_ROWS}); first: row {first['row']}: {first['reason']}",
            hint="fix the input, the column roles (--columns), the metric (--metric, --scale) or the map's "
                 "stage and touchpoint names; or raise --max-bad-rows").with_report(report, "feedback_quarantine.csv")
    present = {r["m"] for r in rows(con, table.select(m=table[METRIC]).distinct()) if r["m"]}
    return FeedbackLog(con=con, table=table, report=report, metrics=[x for x in SCALES if x in present],
                       scales={k: v for k, v in scales.items() if k in present}, attributes=attributes, raw=raw,
                       checked=t.select(*raw.data_columns, "__seq", "__row", "__reason"), survey=survey)
