"""A project's data sources, read: what the first rows look like and which roles the ingest
layer detects (:func:`preview`), the whole source read with its roles within the administrator's
budget, rows that cannot be used quarantined and the source refused past the project's bad-row
limit, as the CLI refuses it (:func:`validate`), and what the live map measures: the source of
each kind chosen for it (:func:`events_input`, :func:`feedback_input`; choosing is
:mod:`parcours.project.in_use`). A source
as the API shows it (:func:`describe_source`), its problems without secrets (:func:`shown`), and
its removal with its files (:func:`delete_source`).

Sources are files in the project's data folder (``<data dir>/<project id>/``) or tables
(:mod:`parcours.project.tables`); each validation keeps its quarantined rows in
``<name>.quarantine.csv`` beside the file.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

from parcours.errors import InputError, ParcoursError, TooManyBadRows, as_field_error
from parcours.model.date_formats import check as check_date_format
from parcours.model.milestones import parse_milestones
from parcours.model.survey_questions import parse_questions
from parcours.ingest.sniff import open_bytes
from parcours.project.budget import Budget, OverBudget, Watch, check_size
from parcours.project.paths import PathRefused
from parcours.project.tables import TableRefused, open_table, secret_free
from parcours.project.tables import describe as describe_table
from parcours.store import sources
from parcours.store.db import Store
from parcours.store.maps import latest_map
from parcours.store.models import DataSource

PREVIEW_ROWS = 20
FIRST_PROBLEMS = 20
QUARANTINE_SUFFIX = ".quarantine.csv"
_CHUNK = 1 << 20


class SourceFileMissing(InputError):
    """A file source whose file is no longer in the project's data folder."""

    @classmethod
    def of(cls, row: DataSource) -> SourceFileMissing:
        return cls(f"the file of {row.original_name} is missing from the project's data",
                   hint="delete this source and upload the file again")


# --- A source as the API shows it ------------------------------------------------------------

def quarantine_url(row: DataSource) -> str:
    """Where the API serves the rows the source's last validation quarantined."""
    return f"/api/v1/projects/{row.project_id}/data/{row.id}/quarantine.csv"


def describe_source(row: DataSource) -> dict[str, Any]:
    """A data source as the API lists it: names, format, size, its roles and options once
    validated, its last report and quarantine, and for a table its place (never a URL's secret)."""
    m = sources.mapping(row)
    report = sources.report(row)
    out: dict[str, Any] = {
        "id": row.id, "name": row.name, "original_name": row.original_name, "kind": row.kind,
        "format": row.format, "size": row.size, "created_at": row.created_at.isoformat(),
        "mapped": m["roles"] is not None, "columns": m["roles"], "options": m["options"],
        "upload_notes": m.get("upload_notes", []), "report": report,
        "quarantine_url": quarantine_url(row) if report else None,
    }
    if row.format == "table":
        out["table"] = describe_table(m)
    return out


def shown(e: ParcoursError, row: DataSource | None = None) -> dict[str, str | None]:
    """An error about a source as people see it: ``message`` and ``hint``, with the password of
    the source's table URL (and any ``user:password@``) hidden."""
    url = sources.mapping(row).get("url") if row is not None else None
    return {"message": secret_free(e.message, url), "hint": secret_free(e.hint or "", url) or None}


def delete_source(store: Store, folder: Path, project_id: int, source_id: int, user_id: int) -> DataSource:
    """Remove the source, its file (a table is left alone) and its quarantine file; the removed
    row. :class:`~parcours.store.errors.NotFound` when the project has no such source."""
    row = sources.delete(store, project_id, source_id, user_id)
    if row.format != "table":
        (folder / row.name).unlink(missing_ok=True)
    quarantine_path(folder, row).unlink(missing_ok=True)
    return row


# --- Preview ---------------------------------------------------------------------------------

_previews: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_previews_lock = threading.Lock()


def _spec(kind: str) -> Any:
    from parcours.ingest.roles import EVENT_ROLES, FEEDBACK_ROLES

    return EVENT_ROLES if kind == "events" else FEEDBACK_ROLES


def detect(columns: list[str], kind: str, source: str) -> dict[str, Any]:
    """The roles the ingest layer detects for ``columns`` (``resolve_roles``), and the required
    roles it cannot find, with the hint it gives."""
    from parcours.errors import ColumnRoleError
    from parcours.ingest.roles import RoleSpec, resolve_roles

    spec = _spec(kind)
    # The same detector with nothing required: what it finds even when a required role is missing.
    relaxed = RoleSpec(required=(), optional=spec.all, names=spec.names, schemas=spec.schemas)
    det = resolve_roles(columns, source=source, spec=relaxed)
    missing = [r for r in spec.required if r not in det.roles]
    out: dict[str, Any] = {"detected": dict(det.roles), "how": dict(det.how), "schema": det.schema,
                           "roles": list(spec.all), "required": list(spec.required), "missing": missing}
    try:
        resolve_roles(columns, source=source, spec=spec)
    except ColumnRoleError as e:
        out["problem"] = {"message": e.message, "hint": e.hint, **e.facts()}
    if kind == "feedback" and "score" not in det.roles and "comment" not in det.roles:
        out["problem"] = {"message": f"{source}: no score and no comment column found",
                          "hint": "choose the column that holds the score or the comment"}
    return out


def preview(folder: Path, row: DataSource, store: Store | None) -> dict[str, Any]:
    """Columns, detected roles and the first rows (as text) of a source.
    :class:`SourceFileMissing` when its file is gone."""
    m = sources.mapping(row)
    survey = None
    if row.format == "table":
        t = open_table(store, folder, row.project_id, m)
        columns = list(t.columns)
        first = t.select(*columns).limit(PREVIEW_ROWS).to_pyarrow().to_pylist()
        rejects = 0
        key = sample = None
    else:
        path = folder / row.name
        try:
            st = path.stat()
        except FileNotFoundError:
            raise SourceFileMissing.of(row) from None
        key = (str(path), st.st_size, st.st_mtime_ns, m["options"].get("delimiter"), row.kind)
        with _previews_lock:
            if key in _previews:
                _previews.move_to_end(key)
                return _previews[key]
        from parcours.engine.connection import connect
        from parcours.engine.fetch import rows
        from parcours.ingest.readers import read_raw

        con = connect(None)
        try:
            with tempfile.TemporaryDirectory(prefix="parcours-preview-") as work:
                # CSV is read as text; JSON Lines and XES are converted to Parquet, as for analyses.
                # A large or compressed file is previewed on a bounded piece: its first rows are there.
                sample = _sample(path, row.format, Path(work))
                raw = read_raw(con, sample or path, fmt=row.format, delimiter=m["options"].get("delimiter"),
                               workdir=work)
                raw, survey = _survey(con, raw, row, m) if row.kind == "feedback" else (raw, None)
                columns = raw.data_columns
                first = rows(con, raw.table.order_by("__seq").select(*columns).limit(PREVIEW_ROWS))
                rejects = len(raw.rejects)
        finally:
            con.disconnect()
    text_rows = [[None if r[c] is None else str(r[c]) for c in columns] for r in first]
    out = {"id": row.id, "name": row.name, "kind": row.kind, "format": row.format, "columns": columns,
           **detect(columns, row.kind, row.original_name if row.format != "table" else "table"),
           "preview": text_rows, "unsplittable_lines": rejects, "sampled": key is not None and sample is not None}
    if row.kind == "events" and out.get("problem") and "event" not in out["detected"]:
        from parcours.ingest.milestones import detect as milestones_of
        from parcours.ingest.milestones import record_id

        named, system = milestones_of(columns)
        given = sources.mapping(row)["options"].get("milestones")
        if given or len(named) >= 2:  # a CRM export: an event per milestone date
            out["milestones"] = {"columns": given or named, "system": None if given else system}
            record = record_id(columns, given or named)
            if record and "customer" not in out["detected"]:
                out["detected"]["customer"], out["how"]["customer"] = record, system or "name"
                out["missing"] = [r for r in out["missing"] if r != "customer"]
            out.pop("problem", None)
            out["roles"] = [r for r in out["roles"] if r not in ("event", "time")]
            out["required"] = [r for r in out["required"] if r not in ("event", "time")]
            out["missing"] = [r for r in out["missing"] if r not in ("event", "time")]
    if survey is not None:  # a wide survey: its questions are chosen below the roles, not a score column
        out["survey"] = survey
        out.pop("problem", None)
        from parcours.ingest.survey_exports import NAMES

        tool = NAMES.get(survey["tool"] or "", "name")
        for role, column in survey["roles"].items():
            if role not in out["detected"]:
                out["detected"][role], out["how"][role] = column, tool
        out["roles"] = [r for r in out["roles"] if r not in ("score", "metric", "comment")]
    if key is not None:
        with _previews_lock:
            _previews[key] = out
            while len(_previews) > 32:
                _previews.popitem(last=False)
    return out


def _survey(con: Any, raw: Any, row: DataSource, m: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """A survey tool's file without its extra header rows, and — for a survey with a row per
    respondent — the questions Parcours finds in it (:mod:`parcours.ingest.surveys`): each
    column that is no role, with the kind found (``nps``, ``csat``, ``ces``, ``comment``, or
    None: kept as an attribute), what the tool says it asks, and the notes saying so."""
    from parcours.errors import ParcoursError
    from parcours.ingest.roles import FEEDBACK_ROLES, RoleSpec, resolve_roles
    from parcours.ingest.survey_exports import recognise
    from parcours.ingest.surveys import lengthen
    from parcours.model.metrics import SCALES

    raw, export = recognise(con, raw)
    given = {r: c for r, c in (m["roles"] or {}).items() if c and r != "score" and c in raw.data_columns}
    relaxed = RoleSpec(required=(), optional=FEEDBACK_ROLES.all, names=FEEDBACK_ROLES.names)
    scored = "score" in resolve_roles(raw.data_columns, source=row.original_name, spec=relaxed).roles
    try:
        wide = lengthen(con, raw, export, given, None, dict(SCALES), scored=scored)
    except ParcoursError:
        wide = None
    if wide is None:
        return raw, None
    long, found, roles = wide
    kinds = {q.column: q.kind for q in found.questions}
    texts = {q.column: q.text for q in found.questions} | {s["column"]: s["text"] for s in found.skipped}
    used = {roles.get(r) for r in ("customer", "time", "language")} | {found.respondent}
    columns = [{"column": c, "text": export.text(c) if export else c, "kind": kinds.get(c),
                "reads_like": next((s["kind"] for s in found.skipped if s["column"] == c), None)}
               for c in raw.data_columns if c not in used]
    for c in columns:
        c["text"] = texts.get(c["column"], c["text"])
    from parcours.ingest.said import words_of

    said_in_table = {f"ingest.note.survey_{k}" for k in ("score", "comment", "choose")}  # the table says these
    notes = [n for n in long.notes if n not in raw.notes and (words_of(n) or [{}])[0].get("t") not in said_in_table]
    return raw, {"tool": found.tool, "respondents": found.respondents, "respondent": found.respondent,
                 "columns": columns, "notes": notes,
                 "roles": {r: roles[r] for r in ("customer", "time", "language") if roles.get(r)}}


SAMPLE_OVER = 8 << 20  # bytes on disk
SAMPLE_ROWS = 1000  # rows of a Parquet file previewed


def _sample(path: Path, fmt: str, work: Path) -> Path | None:
    """A bounded piece of a file to preview, or None when the file is small enough to read whole.
    Compressed files are always sampled: their size on disk says nothing of what they expand to.
    Text formats: the first megabyte once decompressed, cut after the last full line (XES: after
    the last full trace, the log closed again); Parquet: its first rows, read from its first row group.
    A workbook is read whole (its sheet is one compressed part; the upload checked its size)."""
    out = work / path.name.removesuffix(".gz").removesuffix(".GZ")  # errors name the file
    if fmt == "xlsx":
        return None
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        if pf.metadata.num_rows <= SAMPLE_ROWS:
            return None
        import pyarrow as pa

        first = next(pf.iter_batches(batch_size=SAMPLE_ROWS))  # the file has more rows than that
        pq.write_table(pa.Table.from_batches([first], schema=pf.schema_arrow), out)
        return out
    with open(path, "rb") as probe:
        gz = probe.read(2) == b"\x1f\x8b"
    if not gz and path.stat().st_size <= SAMPLE_OVER:
        return None
    with open_bytes(path, gz) as f:
        head = f.read(_CHUNK)
    if fmt == "xes":
        trace, event = head.rfind(b"</trace>"), head.rfind(b"</event>")
        body = (head[: trace + 8] + b"</log>" if trace > 0 else
                head[: event + 8] + b"</trace></log>" if event > 0 else head)
    else:
        cut = head.rfind(b"\n")
        body = head[: cut + 1] if cut > 0 else head
    out.write_bytes(body)
    return out


# --- Validation ------------------------------------------------------------------------------

class Mapping(BaseModel):
    columns: dict[str, str] = Field(default_factory=dict, description="role -> column; roles left out are detected")
    delimiter: str | None = None
    timezone: str | None = Field(None, description="Time zone of times written without offset, e.g. Europe/Paris")
    time_unit: str | None = Field(None, description="Unit of epoch times: s, ms, us or ns")
    date_format: str | None = Field(None, description="How dates that are not ISO 8601 are written: us (month first), "
                                                      "eu (day first), iso, or a strftime pattern; detected when absent")

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, v: str | None) -> str | None:
        return as_field_error(check_date_format, v)  # refused before the file is read: a 422 naming the field
    metric: str | None = Field(None, description="Feedback: nps, csat or ces, when the file has no metric column")
    scale: str | None = Field(None, description="Feedback: another scale for csat or ces, e.g. 0-5")
    milestones: dict[str, str] | None = Field(
        None, description="Events: a CRM export's milestone columns, event -> column in journey order "
                          "(e.g. {\"created\": \"createdate\", \"won\": \"won_date\"}); detected from HubSpot's and "
                          "Salesforce's names when absent")
    questions: dict[str, str] | None = Field(
        None, description="Feedback with a row per respondent: column -> nps, csat, ces, comment or skip; columns "
                          "left out keep the kind found from their wording")

    @field_validator("questions", mode="before")
    @classmethod
    def _questions(cls, v: Any) -> Any:
        return as_field_error(parse_questions, v)

    @field_validator("milestones", mode="before")
    @classmethod
    def _milestones(cls, v: Any) -> Any:
        return as_field_error(parse_milestones, v or None)


def validation_report(rep: Any, name: str) -> dict[str, Any]:
    """The ingest report as the API answers it (the server's paths left out)."""
    d = rep.to_dict()
    d["source"] = name
    d["how"] = dict(rep.detection.how)
    d["first_problems"] = [{"row": r["row"], "reason": r["reason"], **({"line_text": r["line_text"]}
                                                                        if r.get("line_text") else {})}
                           for r in rep.quarantine_rows[:FIRST_PROBLEMS]]
    return d


def bad_row_limit(m: Any) -> str | int | float:
    """The most rows a source may lose to the quarantine and still be used: the map's
    ``analysis.max_bad_rows`` when it has one, else the CLI's default for ``--max-bad-rows``
    (1%). The readers apply it as ``parcours analyze`` and ``parcours feedback`` do: the same
    rule, the same message (:class:`~parcours.errors.TooManyBadRows`).

    >>> from parcours.model import JourneyMap
    >>> bad_row_limit(JourneyMap()), bad_row_limit(JourneyMap(analysis={"max_bad_rows": "60%"}))
    ('1%', '60%')
    """
    from parcours.ingest.events import DEFAULT_MAX_BAD_ROWS

    given = m.analysis.max_bad_rows if m is not None and m.analysis is not None else None
    return DEFAULT_MAX_BAD_ROWS if given is None else given


def profile(con: Any, table: Any, rows_kept: int) -> dict[str, Any]:
    """What a source gives the live map: its rows kept, its customers and the period of its
    times (first and last day, UTC), from the canonical table a reader returned."""
    from parcours.engine.fetch import rows

    columns = set(table.columns)
    agg: dict[str, Any] = {}
    if "_customer" in columns:
        agg["customers"] = table["_customer"].nunique()
    if "_ts" in columns:
        agg["first"], agg["last"] = table["_ts"].min(), table["_ts"].max()
    got = rows(con, table.aggregate(**agg))[0] if agg else {}

    def day(v: Any) -> str | None:
        return v.date().isoformat() if v is not None else None

    return {"rows": rows_kept, "customers": got.get("customers"), "first": day(got.get("first")),
            "last": day(got.get("last"))}


def validate(folder: Path, row: DataSource, body: Mapping, store: Store,
             watch: Watch | None = None) -> tuple[dict[str, Any], Any]:
    """Read the whole source with the given roles, within the administrator's budget (``watch``:
    bytes, rows, seconds, cancellation; see ``parcours.project.budget``); write its quarantine file.
    More rows quarantined than the project's limit (:func:`bad_row_limit`) refuse it with the
    CLI's :class:`~parcours.errors.TooManyBadRows` (its report attached, its quarantine written).
    Returns (the report as answered, with the source's ``profile``; the ingest report). Raises
    ParcoursError (:class:`SourceFileMissing` when the file is gone)."""
    from parcours.engine.connection import connect
    from parcours.errors import OptionError

    spec = _spec(row.kind)
    given = {r: c for r, c in body.columns.items() if c}
    unknown = [r for r in given if r not in spec.all]
    if unknown:
        raise OptionError(f"unknown role {unknown[0]!r} for {row.kind}", hint=f"roles are: {', '.join(spec.all)}")
    watch = watch or Watch(Budget.from_env(), row.original_name)
    m = sources.mapping(row)
    if row.format == "table":
        source: Any = open_table(store, folder, row.project_id, m)
        con = None
    else:
        source = folder / row.name
        if not source.is_file():
            raise SourceFileMissing.of(row)
        check_size(source, row.format, watch)
        con = watch.con = connect(None)
    fmt = None if row.format == "table" else row.format
    journey_map = latest_map(store, row.project_id)
    limit = bad_row_limit(journey_map)
    try:
        with watch:
            try:
                if row.kind == "events":
                    from parcours.ingest import read_events

                    log: Any = read_events(source, columns=given, fmt=fmt, delimiter=body.delimiter,
                                           timezone=body.timezone, time_unit=body.time_unit,
                                           date_format=body.date_format, milestones=body.milestones,
                                           max_bad_rows=limit,
                                           con=con, on_progress=watch.check)
                else:
                    from parcours.ingest.feedback import read_feedback

                    log = read_feedback(source, journey_map, columns=given, metric=body.metric, scale=body.scale,
                                        fmt=fmt, delimiter=body.delimiter, timezone=body.timezone,
                                        date_format=body.date_format, questions=body.questions,
                                        max_bad_rows=limit, con=con)
            except TooManyBadRows as e:  # refused: still say why, row by row
                _write_quarantine(folder, row, e.report)
                raise
            rep = log.report
            watch.check()
            if rep.read > watch.budget.max_rows:
                raise watch.budget.too_big(row.original_name, f"it holds {rep.read:,} rows")
            shape = profile(log.con, log.table, rep.kept)
            survey = log.survey.to_dict() if getattr(log, "survey", None) is not None else None
    except (OverBudget, TooManyBadRows):
        raise
    except Exception:
        stop = watch.stopped()  # the engine was interrupted for the budget or a cancellation
        if stop is not None:
            raise stop from None
        raise
    finally:
        if con is not None:
            con.disconnect()
    _write_quarantine(folder, row, rep)
    answer = {**validation_report(rep, row.original_name), "profile": shape}
    return ({**answer, "survey": survey} if survey else answer), rep


def quarantine_path(folder: Path, row: DataSource) -> Path:
    return folder / f"{row.name}{QUARANTINE_SUFFIX}"


def _write_quarantine(folder: Path, row: DataSource, rep: Any) -> None:
    from parcours.spreadsheet import write_csv  # people open it in a spreadsheet: formula-safe

    if rep is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    target = quarantine_path(folder, row)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    write_csv(rep.quarantine_table(), tmp)
    os.replace(tmp, target)

def keep_validation(folder: Path, row: DataSource, body: Mapping, store: Store, user_id: int,
                    watch: Watch | None = None) -> dict[str, Any]:
    """Validate the source (:func:`validate`) and keep its roles, options and report; it is
    then usable, and the live map measures it once someone chooses it
    (:mod:`parcours.project.in_use`). Returns the report as answered. Refused (too many rows
    quarantined): a source never validated keeps the refused report (``refused``: what was
    said), so its page says why it cannot be used; one validated before keeps its roles."""
    m = sources.mapping(row)
    try:
        answer, _rep = validate(folder, row, body, store, watch)
    except TooManyBadRows as e:
        if e.report is not None and not sources.is_mapped(sources.get(store, row.project_id, row.id)):
            refused = {**validation_report(e.report, row.original_name), "refused": shown(e, row)}
            sources.set_refused(store, row.id, json.dumps(refused), user_id=user_id)
        raise
    options = {k: v for k, v in body.model_dump(exclude={"columns"}).items() if v}
    roles = {r: c for r, c in answer["columns"].items()}
    if answer.get("survey"):  # a wide survey: its score, metric and comment are made from its questions
        roles = {r: c for r, c in roles.items() if r not in ("score", "metric", "comment")}
    roles = {r: c for r, c in roles.items() if answer["how"].get(r) != "milestones"}  # made from a CRM's dates
    new = {**m, "roles": roles, "options": options}
    sources.set_mapping(store, row.id, json.dumps(new), json.dumps(answer), user_id=user_id)
    return answer


# --- What the live map measures --------------------------------------------------------------

def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_size, st.st_mtime_ns


def _input(store: Store, folder: Path, project_id: int, kind: str) -> tuple[DataSource, dict[str, Any], Any] | None:
    row = sources.current(store, project_id, kind)
    if row is None:
        return None
    m = sources.mapping(row)
    if row.format == "table":
        try:
            return row, m, open_table(store, folder, project_id, m)
        except (TableRefused, PathRefused) as e:
            raise InputError(secret_free(e.message, m["url"]), hint=e.hint) from None
    path = folder / row.name
    if not path.is_file():
        raise InputError(f"the project's data source {row.original_name} is missing its file",
                         hint="upload it again on the project's Data tab (and delete the old entry)")
    return row, m, path


def events_input(store: Store, folder: Path, project_id: int) -> dict[str, Any] | None:
    """The events the live map should measure: the events source chosen for it, as
    ``{"events": Path or Ibis table, "read": read_events keyword arguments (columns, fmt,
    delimiter, timezone, time_unit, date_format), "key": a fingerprint that changes with the file or the
    mapping}``; None when no events source is chosen."""
    found = _input(store, folder, project_id, "events")
    if found is None:
        return None
    row, m, events = found
    opts = m["options"]
    read = {"columns": dict(m["roles"]), "fmt": None if row.format == "table" else row.format,
            "delimiter": opts.get("delimiter"), "timezone": opts.get("timezone"), "time_unit": opts.get("time_unit"),
            "date_format": opts.get("date_format"), "milestones": opts.get("milestones")}
    stamp = ("table", m.get("table")) if row.format == "table" else _stamp(events)
    return {"events": events, "read": read, "key": ("events", row.id, row.columns, stamp), "source_id": row.id}


def feedback_input(store: Store, folder: Path, project_id: int) -> dict[str, Any] | None:
    """The survey answers the live map should measure: ``{"feedback": Path, "read": analyze()
    keyword arguments (feedback_columns, feedback_metric, feedback_scale, feedback_date_format), "key": ...}``; None
    when no feedback source is chosen."""
    found = _input(store, folder, project_id, "feedback")
    if found is None:
        return None
    row, m, path = found
    opts = m["options"]
    read = {"feedback_columns": dict(m["roles"]), "feedback_metric": opts.get("metric"),
            "feedback_scale": opts.get("scale"), "feedback_date_format": opts.get("date_format"),
            "feedback_questions": opts.get("questions")}
    return {"feedback": path, "read": read, "key": ("feedback", row.id, row.columns, _stamp(path)),
            "source_id": row.id}
