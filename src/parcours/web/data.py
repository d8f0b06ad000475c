"""A project's data: upload event logs and survey answers (CSV/TSV, Parquet, JSON Lines, XES,
gzip allowed) or point at a table; map their columns to roles; validate them.

Uploads stream to the project's data folder (``<data dir>/<project id>/``), never held in
memory; their size is limited (``$PARCOURS_MAX_UPLOAD_MB``, default 2048) and their content
must agree with their extension. Validation reads the whole file with the ingest layer
(``read_events`` / ``read_feedback``): rows read = accepted + quarantined, and the quarantined
rows are kept in ``<name>.quarantine.csv`` beside the file. The latest validated source of
each kind is what the live map measures (:func:`events_input`, :func:`feedback_input`).

API (``/api/v1/projects/{project_id}/data``): ``POST ?filename=&kind=`` (raw body) uploads;
``GET`` lists; ``GET /{id}/preview`` shows columns, detected roles and the first rows;
``POST /{id}/mapping`` validates; ``GET /{id}/quarantine.csv``; ``DELETE /{id}``;
``POST /table`` points at a table. Pages: ``/projects/{id}/data`` and ``/projects/{id}/data/{sid}``.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import secrets
import tempfile
import threading
import time
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from parcours.errors import ParcoursError, TooManyBadRows
from parcours.store import sources
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import DataSource, User
from parcours.web.budget import Budget, OverBudget, Watch, check_size
from parcours.web.jobs import Job
from parcours.web.pages import can, page, project_page
from parcours.web.security import current_user, project_for, store_of
from parcours.web.tables import TableRefused, open_table
from parcours.web.tables import describe as describe_table
from parcours.web.tables import secret_free as _secret_free
from parcours.web.paths import PathRefused

router = APIRouter()

MAX_UPLOAD_ENV = "PARCOURS_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 2048
# Accepted file names (lower-cased endings) and the format each is read as.
EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xes": "xes", ".csv.gz": "csv", ".txt.gz": "csv", ".tsv.gz": "tsv", ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl", ".xes.gz": "xes",
}
PREVIEW_ROWS = 20
FIRST_PROBLEMS = 20
QUARANTINE_SUFFIX = ".quarantine.csv"
_CHUNK = 1 << 20


# --- Uploads: names, size, type -------------------------------------------------------------

class Rejected(Exception):
    """An upload whose type or content is not accepted (415 unless said otherwise)."""

    def __init__(self, message: str, hint: str, status: int = 415) -> None:
        super().__init__(message)
        self.message, self.hint, self.status = message, hint, status


def max_upload_bytes() -> int:
    """The upload size limit: ``$PARCOURS_MAX_UPLOAD_MB`` megabytes (default 2048)."""
    text = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    try:
        mb = float(text) if text else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        mb = DEFAULT_MAX_UPLOAD_MB
    return int(mb * 2**20) if mb > 0 else DEFAULT_MAX_UPLOAD_MB * 2**20


def _ending(name: str) -> str | None:
    low = name.lower()
    return max((e for e in EXTENSIONS if low.endswith(e)), key=len, default=None)


def upload_format(filename: str) -> tuple[str, bool]:
    """(format, gzipped) for an upload's file name; :class:`Rejected` for another extension."""
    ending = _ending(filename)
    if ending is None:
        raise Rejected(f"{filename}: this type of file is not accepted",
                       hint="upload a .csv, .tsv, .txt, .parquet, .jsonl, .ndjson or .xes file "
                            "(.csv.gz, .jsonl.gz, .xes.gz compressed); export spreadsheets as CSV (UTF-8)")
    return EXTENSIONS[ending], ending.endswith(".gz")


def safe_name(filename: str) -> str:
    """A file name safe in the data folder: no folder part, only letters, digits, ``._-``.

    >>> safe_name("../../etc/pass wd.csv")
    'pass_wd.csv'
    >>> safe_name("..\\\\x\\\\.hidden.csv.gz")
    'hidden.csv.gz'
    """
    base = re.split(r"[\\/]", filename)[-1]
    ending = _ending(base) or ""
    stem = base[: len(base) - len(ending)] if ending else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:120] or "upload"
    if stem.lower().endswith(".quarantine"):  # would collide with a quarantine file
        stem = stem[: -len(".quarantine")] + "_quarantine"
    return stem + ending.lower()


def _free_name(folder: Path, wanted: str, taken: set[str]) -> list[str]:
    """Candidate names for ``wanted``: itself, then name-2.ext, name-3.ext..."""
    ending = _ending(wanted) or ""
    stem = wanted[: len(wanted) - len(ending)]
    out = [wanted] + [f"{stem}-{i}{ending}" for i in range(2, 1000)]
    return [n for n in out if n not in taken and not (folder / n).exists()]


_MAGIC = [(b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx file?)"),
          (b"\x1f\x8b", "gzip-compressed data"), (b"PAR1", "a Parquet file"),
          (b"\xd0\xcf\x11\xe0", "an old Office document (Excel .xls?)"), (b"SQLite format 3", "an SQLite database"),
          (b"\xff\xfe", "UTF-16 text"), (b"\xfe\xff", "UTF-16 text")]


def describe(head: bytes) -> str:
    """What the first bytes of a file look like, for error messages."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if _binary(head):
        return "binary data"
    text = head[:60].decode("utf-8", errors="replace").strip().splitlines()
    return f"text starting {text[0]!r}" if text else "only blank space"


def _binary(head: bytes) -> bool:
    return any(b < 9 or 13 < b < 27 or 27 < b < 32 for b in head[:8192])


def _open(path: Path, gz: bool) -> Any:
    return gzip.open(path, "rb") if gz else open(path, "rb")


def check_upload(path: Path, filename: str, fmt: str, gz: bool) -> list[str]:
    """Check that the file's content agrees with its name; returns notes. A Latin-1 CSV is
    converted to UTF-8 in place (with a note). Raises :class:`Rejected`."""
    with open(path, "rb") as f:
        start = f.read(8)
        if fmt == "parquet":
            f.seek(max(0, path.stat().st_size - 4))
            end = f.read(4)
    if not start:
        raise Rejected(f"{filename}: the file is empty", hint="upload the file again: it has 0 bytes", status=422)
    if gz and not start.startswith(b"\x1f\x8b"):
        raise Rejected(f"{filename}: named .gz but not gzip-compressed: found {describe(start)}",
                       hint="compress it with gzip, or upload it without the .gz ending")
    if fmt == "parquet":
        if not start.startswith(b"PAR1"):
            raise Rejected(f"{filename}: not a Parquet file: found {describe(_head(path, False))}",
                           hint="a Parquet file starts and ends with 'PAR1': export it as Parquet, or rename it "
                                "after its real type (.csv, .jsonl...)")
        if end != b"PAR1" or path.stat().st_size < 12:
            raise Rejected(f"{filename}: the Parquet file is incomplete (it does not end with its footer 'PAR1')",
                           hint="the export or the upload did not finish: upload the complete file")
        return []
    try:
        head = _head(path, gz)
    except (OSError, EOFError, zlib.error) as e:
        raise Rejected(f"{filename}: the gzip data cannot be read ({e})",
                       hint="compress the file again, or upload it uncompressed") from None
    if fmt == "xes":
        return _check_xes(head[:1024], filename)
    if fmt == "jsonl":
        return _check_jsonl(path, gz, filename, head)
    return _check_csv(path, gz, filename, head, fmt)


def _head(path: Path, gz: bool, n: int = 65536) -> bytes:
    with _open(path, gz) as f:
        return f.read(n)


_XML_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.S)


def _check_xes(head: bytes, filename: str) -> list[str]:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    pos = 0
    while (m := _XML_SKIP.match(text, pos)) and m.end() > pos:
        pos = m.end()
    root = re.match(r"\s*<([A-Za-z_][\w.:-]*)", text[pos:])
    if root is None or root.group(1).split(":")[-1] != "log":
        found = f"XML whose root is <{root.group(1)}>" if root else describe(head)
        raise Rejected(f"{filename}: not an XES event log: expected XML whose root element <log> starts within "
                       f"the first kilobyte, found {found}",
                       hint="export the log as XES (IEEE 1849), or rename the file after its real type")
    return []


def _check_jsonl(path: Path, gz: bool, filename: str, head: bytes) -> list[str]:
    with _open(path, gz) as f:
        for number, line in enumerate(iter(lambda: f.readline(16 << 20), b""), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise Rejected(f"{filename}, line {number}: not JSON Lines: the first line is not JSON "
                               f"({getattr(e, 'msg', None) or e}); found {describe(line)}",
                               hint="one JSON object per line is expected (UTF-8), e.g. "
                                    '{"customer_id": "c1", "timestamp": "2026-01-05T10:00:00Z", "event": "visit"}') from None
            if not isinstance(obj, dict):
                raise Rejected(f"{filename}, line {number}: not JSON Lines: the first line is JSON but not an object "
                               f"({type(obj).__name__})",
                               hint="one JSON object per line is expected; a JSON array file must be converted to "
                                    "one object per line")
            return []
    raise Rejected(f"{filename}: the file holds only blank lines", hint="one JSON object per line is expected",
                   status=422)


def _check_csv(path: Path, gz: bool, filename: str, head: bytes, fmt: str) -> list[str]:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Rejected(f"{filename}: the CSV is UTF-16 text", hint="save it as CSV UTF-8 (in Excel: 'CSV UTF-8')")
    if _binary(head):
        raise Rejected(f"{filename}: not a {fmt.upper()} text file: found {describe(head)}",
                       hint="upload the events as CSV (UTF-8), Parquet, JSON Lines or XES")
    notes: list[str] = []
    bad_at = _utf8_error(path, gz)
    if bad_at is not None:
        _latin1_to_utf8(path, gz)
        notes.append(f"{filename} is not UTF-8 (first invalid byte at offset {bad_at:,}): it was read as Latin-1 "
                     "(ISO-8859-1) and converted to UTF-8; check accented letters in the preview")
        head = _head(path, gz)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiters = "\t" if fmt == "tsv" else ",;\t|"
    if not any(d in header for d in delimiters):
        shown = "tab" if fmt == "tsv" else "comma, semicolon, tab or |"
        raise Rejected(f"{filename}, line 1: no delimiter ({shown}) in the header line {header[:80]!r}",
                       hint="the first line must name the columns, separated by a delimiter "
                            "(e.g. customer_id,timestamp,event)")
    return notes


def _utf8_error(path: Path, gz: bool) -> int | None:
    """Offset of the first byte that is not UTF-8, or None; reads the whole file, in blocks, but
    never past the validation budget once decompressed (a compression bomb is refused here)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    budget = Budget.from_env()
    with _open(path, gz) as f:
        while block := f.read(_CHUNK):
            if offset + len(block) > budget.max_bytes:
                e = budget.too_big(path.name, f"it expands to over {budget.max_bytes >> 20:,} MB")
                raise Rejected(e.message, hint=e.hint or "", status=413)
            try:
                decoder.decode(block)
            except UnicodeDecodeError as e:
                return offset + e.start
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _latin1_to_utf8(path: Path, gz: bool) -> None:
    out = path.with_name(path.name + ".utf8")
    try:
        with _open(path, gz) as src, (gzip.open(out, "wb") if gz else open(out, "wb")) as dst:
            while block := src.read(_CHUNK):
                dst.write(block.decode("latin-1").encode("utf-8"))
        os.replace(out, path)
    finally:
        out.unlink(missing_ok=True)


# --- Answers ---------------------------------------------------------------------------------

def _error(status: int, e: ParcoursError | Rejected, url: str | None = None, **extra: Any) -> HTTPException:
    detail = {"message": _secret_free(e.message, url), "hint": _secret_free(e.hint or "", url) or None, **extra}
    return HTTPException(status, detail)


def source_dict(row: DataSource, project_id: int) -> dict[str, Any]:
    m = sources.mapping(row)
    report = sources.report(row)
    out: dict[str, Any] = {
        "id": row.id, "name": row.name, "original_name": row.original_name, "kind": row.kind,
        "format": row.format, "size": row.size, "created_at": row.created_at.isoformat(),
        "mapped": m["roles"] is not None, "columns": m["roles"], "options": m["options"],
        "upload_notes": m.get("upload_notes", []), "report": report,
        "quarantine_url": f"/api/v1/projects/{project_id}/data/{row.id}/quarantine.csv" if report else None,
    }
    if row.format == "table":
        out["table"] = describe_table(m)
    return out


def _folder(request: Request, project_id: int) -> Path:
    return request.app.state.live.folder(project_id)


def _get(store: Store, project_id: int, source_id: int) -> DataSource:
    try:
        return sources.get(store, project_id, source_id)
    except NotFound as e:
        raise _error(404, e) from None


# --- Upload ----------------------------------------------------------------------------------

@router.post("/api/v1/projects/{project_id}/data", status_code=201)
async def upload(project_id: int, request: Request, filename: str, kind: str = "events",
                 user: User = Depends(current_user)) -> dict[str, Any]:
    """Upload a file as the raw request body (``Content-Type: application/octet-stream``), streamed
    to the project's data folder (editors and admins). 413 over the size limit, 415 when the
    type is not accepted or the content does not agree with the extension."""
    await run_in_threadpool(project_for, request, user, project_id, "editor")
    if kind not in sources.KINDS:
        raise HTTPException(422, {"message": f"kind {kind!r}: a data source holds events or feedback",
                                  "hint": "add ?kind=events or ?kind=feedback"})
    try:
        fmt, gz = upload_format(filename)
    except Rejected as e:
        raise _error(e.status, e) from None
    limit = max_upload_bytes()
    too_big = {"message": f"{filename}: the file is larger than the upload limit of {limit / 2**20:,.0f} MB",
               "hint": f"compress it (gzip: .csv.gz), split it, or ask the administrator to raise {MAX_UPLOAD_ENV}"}
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, too_big)
    folder = _folder(request, project_id)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload-{secrets.token_hex(8)}.part"
    size = 0
    try:
        with open(tmp, "wb") as f:
            pending: list[bytes] = []
            buffered = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, too_big)
                pending.append(chunk)
                buffered += len(chunk)
                if buffered >= _CHUNK:  # write in ~1 MB blocks, off the event loop
                    await run_in_threadpool(f.write, b"".join(pending))
                    pending, buffered = [], 0
            if pending:
                await run_in_threadpool(f.write, b"".join(pending))
        notes = await run_in_threadpool(check_upload, tmp, filename, fmt, gz)
        row = await run_in_threadpool(_claim, store_of(request), project_id, folder, tmp, filename, kind, fmt,
                                      user.id, notes)
    except Rejected as e:
        raise _error(e.status, e) from None
    finally:
        tmp.unlink(missing_ok=True)
    return {"id": row.id, "name": row.name, "original_name": row.original_name, "format": row.format,
            "size": row.size, "kind": row.kind, "notes": notes}


def _claim(store: Store, project_id: int, folder: Path, tmp: Path, filename: str, kind: str, fmt: str,
           user_id: int, notes: list[str]) -> DataSource:
    """Give the checked upload its name in the folder (never replacing a file) and record it."""
    size = tmp.stat().st_size
    columns = json.dumps({"roles": None, "options": {}, "upload_notes": notes})
    for name in _free_name(folder, safe_name(filename), sources.names(store, project_id)):
        target = folder / name
        try:
            os.link(tmp, target)  # fails if the name was taken meanwhile
        except FileExistsError:
            continue
        try:
            return sources.add(store, project_id, name=name, original_name=re.split(r"[\\/]", filename)[-1],
                               kind=kind, format=fmt, size=size, uploaded_by=user_id, columns=columns)
        except sources.NameTaken:
            target.unlink(missing_ok=True)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    raise HTTPException(409, {"message": f"no free name for {filename} in the project's data",
                              "hint": "delete older uploads of this file"})


# --- Preview and mapping ---------------------------------------------------------------------

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
        out["problem"] = {"message": e.message, "hint": e.hint}
    if kind == "feedback" and "score" not in det.roles and "comment" not in det.roles:
        out["problem"] = {"message": f"{source}: no score and no comment column found",
                          "hint": "choose the column that holds the score or the comment"}
    return out


def preview(folder: Path, row: DataSource, store: Store | None) -> dict[str, Any]:
    """Columns, detected roles and the first rows (as text) of a source."""
    m = sources.mapping(row)
    if row.format == "table":
        t = open_table(store, folder, row.project_id, m)
        columns = list(t.columns)
        first = t.select(*columns).limit(PREVIEW_ROWS).to_pyarrow().to_pylist()
        rejects = 0
        key = sample = None
    else:
        path = folder / row.name
        st = path.stat()
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
                columns = raw.data_columns
                first = rows(con, raw.table.order_by("__seq").select(*columns).limit(PREVIEW_ROWS))
                rejects = len(raw.rejects)
        finally:
            con.disconnect()
    text_rows = [[None if r[c] is None else str(r[c]) for c in columns] for r in first]
    out = {"id": row.id, "name": row.name, "kind": row.kind, "format": row.format, "columns": columns,
           **detect(columns, row.kind, row.original_name if row.format != "table" else "table"),
           "preview": text_rows, "unsplittable_lines": rejects, "sampled": key is not None and sample is not None}
    if key is not None:
        with _previews_lock:
            _previews[key] = out
            while len(_previews) > 32:
                _previews.popitem(last=False)
    return out


SAMPLE_OVER = 8 << 20  # bytes on disk
SAMPLE_ROWS = 1000  # rows of a Parquet file previewed


def _sample(path: Path, fmt: str, work: Path) -> Path | None:
    """A bounded piece of a file to preview, or None when the file is small enough to read whole.
    Compressed files are always sampled: their size on disk says nothing of what they expand to.
    Text formats: the first megabyte once decompressed, cut after the last full line (XES: after
    the last full trace, the log closed again); Parquet: its first rows, read from its first row group."""
    out = work / path.name.removesuffix(".gz").removesuffix(".GZ")  # errors name the file
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        if pf.metadata.num_rows <= SAMPLE_ROWS:
            return None
        first = next(pf.iter_batches(batch_size=SAMPLE_ROWS), None)
        pq.write_table(pa_table([first] if first is not None else [], pf.schema_arrow), out)
        return out
    with open(path, "rb") as probe:
        gz = probe.read(2) == b"\x1f\x8b"
    if not gz and path.stat().st_size <= SAMPLE_OVER:
        return None
    with _open(path, gz) as f:
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


def pa_table(batches: list[Any], schema: Any) -> Any:
    import pyarrow as pa

    return pa.Table.from_batches(batches, schema=schema)


@router.get("/api/v1/projects/{project_id}/data/{source_id}/preview")
def preview_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """The file's columns, the roles detected (``detected``: role -> column; ``how``: by a known
    ``schema`` or by ``name``), required roles ``missing``, and the first 20 rows as text."""
    project_for(request, user, project_id)
    row = _get(store_of(request), project_id, source_id)
    url = sources.mapping(row).get("url")
    try:
        return preview(_folder(request, project_id), row, store_of(request))
    except Rejected as e:
        raise _error(e.status, e, url) from None
    except ParcoursError as e:
        raise _error(422, e, url) from None
    except FileNotFoundError:
        raise HTTPException(404, {"message": f"the file of {row.original_name} is missing from the project's data",
                                  "hint": "delete this source and upload the file again"}) from None


class Mapping(BaseModel):
    columns: dict[str, str] = Field(default_factory=dict, description="role -> column; roles left out are detected")
    delimiter: str | None = None
    timezone: str | None = Field(None, description="Time zone of times written without offset, e.g. Europe/Paris")
    time_unit: str | None = Field(None, description="Unit of epoch times: s, ms, us or ns")
    metric: str | None = Field(None, description="Feedback: nps, csat or ces, when the file has no metric column")
    scale: str | None = Field(None, description="Feedback: another scale for csat or ces, e.g. 0-5")


def validation_report(rep: Any, name: str) -> dict[str, Any]:
    """The ingest report as the API answers it (the server's paths left out)."""
    d = rep.to_dict()
    d["source"] = name
    d["how"] = dict(rep.detection.how)
    d["first_problems"] = [{"row": r["row"], "reason": r["reason"], **({"line_text": r["line_text"]}
                                                                        if r.get("line_text") else {})}
                           for r in rep.quarantine_rows[:FIRST_PROBLEMS]]
    return d


def validate(folder: Path, row: DataSource, body: Mapping, store: Store,
             watch: Watch | None = None) -> tuple[dict[str, Any], Any]:
    """Read the whole source with the given roles, within the administrator's budget (``watch``:
    bytes, rows, seconds, cancellation; see ``parcours.web.budget``); write its quarantine file.
    Returns (the report as answered, the ingest report). Raises ParcoursError / Rejected."""
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
        check_size(source, row.format, watch)
        con = watch.con = connect(None)
    fmt = None if row.format == "table" else row.format
    try:
        with watch:
            if row.kind == "events":
                from parcours.ingest import read_events

                try:
                    log = read_events(source, columns=given, fmt=fmt, delimiter=body.delimiter, timezone=body.timezone,
                                      time_unit=body.time_unit, max_bad_rows="100%", con=con, on_progress=watch.check)
                    rep = log.report
                except TooManyBadRows as e:  # no usable row at all: still say why, row by row
                    _write_quarantine(folder, row, e.report)
                    raise
            else:
                from parcours.ingest.feedback import read_feedback

                rep = read_feedback(source, _latest_map(store, row.project_id), columns=given, metric=body.metric,
                                    scale=body.scale, fmt=fmt, delimiter=body.delimiter, timezone=body.timezone,
                                    max_bad_rows="100%", con=con).report
            watch.check()
            if rep.read > watch.budget.max_rows:
                raise watch.budget.too_big(row.original_name, f"it holds {rep.read:,} rows")
    except (OverBudget, TooManyBadRows):
        raise
    except Exception as e:
        stop = watch.stopped(e)  # the engine was interrupted for the budget or a cancellation
        if stop is not None:
            raise stop from None
        raise
    finally:
        if con is not None:
            con.disconnect()
    _write_quarantine(folder, row, rep)
    return validation_report(rep, row.original_name), rep


def _latest_map(store: Store, project_id: int) -> Any:
    from parcours.store.maps import get_version, parse_map

    try:
        v = get_version(store, project_id)
    except NotFound:
        return None
    try:
        return parse_map(v.yaml, f"map v{v.number}")
    except ParcoursError:
        return None


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


def _validation(job: Job, folder: Path, row: DataSource, body: Mapping, store: Store, user_id: int,
                project_id: int) -> tuple[int, dict[str, Any]]:
    """The background validation of a source: (HTTP status, the answer or the error's detail)."""
    m = sources.mapping(row)
    url = m.get("url")
    quarantine_url = f"/api/v1/projects/{project_id}/data/{row.id}/quarantine.csv"
    try:
        answer, _rep = validate(folder, row, body, store, job.watch)
    except TooManyBadRows as e:
        report = validation_report(e.report, row.original_name) if e.report is not None else None
        return 422, _error(422, e, url, report=report, quarantine_url=quarantine_url).detail
    except OverBudget as e:
        return 413, _error(413, e).detail
    except Rejected as e:
        return e.status, _error(e.status, e, url).detail
    except ParcoursError as e:
        return 422, _error(422, e, url).detail
    except FileNotFoundError:
        return 404, {"message": f"the file of {row.original_name} is missing from the project's data",
                     "hint": "delete this source and upload the file again"}
    options = {k: v for k, v in body.model_dump(exclude={"columns"}).items() if v}
    roles = {r: c for r, c in answer["columns"].items()}
    new = {**m, "roles": roles, "options": options}
    sources.set_mapping(store, row.id, json.dumps(new), json.dumps(answer), user_id=user_id)
    answer["quarantine_url"] = quarantine_url
    return 200, answer


def _job_answer(job: Job, project_id: int, source_id: int) -> Any:
    status_url = f"/api/v1/projects/{project_id}/data/{source_id}/validation/{job.id}"
    if job.state == "done":
        status, payload = job.result
        if status >= 400:
            raise HTTPException(status, payload)
        return payload
    if job.state == "failed":
        raise HTTPException(500, job.error)
    return JSONResponse({**job.to_dict(), "status_url": status_url,
                         "message": f"still reading {job.watch.name}: ask {status_url} for its progress, "
                                    "or DELETE it to cancel"}, status_code=202)


@router.post("/api/v1/projects/{project_id}/data/{source_id}/mapping",
             responses={202: {"description": "Still reading: the validation goes on in the background"},
                        413: {"description": "Over the administrator's budget (bytes, rows, seconds) or cancelled"}})
def mapping_api(project_id: int, source_id: int, body: Mapping, request: Request,
                wait: float = Query(20, ge=0, le=120, description="Seconds to wait for the answer before a 202"),
                user: User = Depends(current_user)) -> Any:
    """Validate the source with these column roles (editors and admins): the whole file is read,
    in the background and within the administrator's budget, rows that cannot be used are
    quarantined (``read == accepted + quarantined``), and the roles and report are kept; the
    live map then measures this source. Answers the report when it is ready within ``wait``
    seconds, else 202 with a ``status_url`` to follow (``DELETE`` it to cancel)."""
    project_for(request, user, project_id, need="editor")
    store = store_of(request)
    row = _get(store, project_id, source_id)
    folder = _folder(request, project_id)
    watch = Watch(Budget.from_env(), row.original_name)

    def run(job: Job) -> tuple[int, dict[str, Any]]:
        job.watch.started = time.monotonic()  # the budget counts from the start, not the queue
        return _validation(job, folder, row, body, store, user.id, project_id)

    jobs = request.app.state.live.validations
    job = jobs.submit(project_id, ("validate", source_id, body.model_dump_json()), run, watch=watch)
    end = time.monotonic() + wait
    while job.state not in ("done", "failed") and time.monotonic() < end:
        time.sleep(0.05)
    return _job_answer(job, project_id, source_id)


@router.get("/api/v1/projects/{project_id}/data/{source_id}/validation/{job_id}")
def validation_api(project_id: int, source_id: int, job_id: str, request: Request,
                   user: User = Depends(current_user)) -> Any:
    """A validation under way (202 with its progress), or its answer once it ended."""
    project_for(request, user, project_id)
    job = request.app.state.live.validations.get(job_id, project_id)
    if job is None or job.key[1] != source_id:
        raise HTTPException(404, {"message": f"no validation {job_id} of source {source_id}",
                                  "hint": "validations are kept in the server's memory: validate again"})
    return _job_answer(job, project_id, source_id)


@router.delete("/api/v1/projects/{project_id}/data/{source_id}/validation/{job_id}", status_code=202)
def cancel_api(project_id: int, source_id: int, job_id: str, request: Request,
               user: User = Depends(current_user)) -> dict[str, Any]:
    """Cancel a validation under way (editors and admins): the engine stops reading at once."""
    project_for(request, user, project_id, need="editor")
    job = request.app.state.live.validations.get(job_id, project_id)
    if job is None or job.key[1] != source_id:
        raise HTTPException(404, {"message": f"no validation {job_id} of source {source_id}", "hint": None})
    job.watch.cancel()
    return {"id": job.id, "state": job.state, "cancelled": True}


@router.get("/api/v1/projects/{project_id}/data/{source_id}/quarantine.csv")
def quarantine_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> Response:
    """The rows the last validation quarantined (file, row, reason, customer, time, event, line_text)."""
    project_for(request, user, project_id)
    row = _get(store_of(request), project_id, source_id)
    path = quarantine_path(_folder(request, project_id), row)
    if not path.is_file():
        raise HTTPException(404, {"message": f"{row.original_name} has not been validated yet",
                                  "hint": f"validate it first: POST /api/v1/projects/{project_id}/data/{source_id}/mapping"})
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"{row.name}{QUARANTINE_SUFFIX}")


@router.get("/api/v1/projects/{project_id}/data")
def list_api(project_id: int, request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """The project's data sources, newest first, with their roles and last validation report."""
    project_for(request, user, project_id)
    return [source_dict(r, project_id) for r in sources.list_sources(store_of(request), project_id)]


@router.get("/api/v1/projects/{project_id}/data/{source_id}")
def get_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    project_for(request, user, project_id)
    return source_dict(_get(store_of(request), project_id, source_id), project_id)


@router.delete("/api/v1/projects/{project_id}/data/{source_id}", status_code=204)
def delete_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> Response:
    """Remove the source, its file and its quarantine file (editors and admins)."""
    project_for(request, user, project_id, need="editor")
    try:
        row = sources.delete(store_of(request), project_id, source_id, user.id)
    except NotFound as e:
        raise _error(404, e) from None
    folder = _folder(request, project_id)
    if row.format != "table":
        (folder / row.name).unlink(missing_ok=True)
    quarantine_path(folder, row).unlink(missing_ok=True)
    return Response(status_code=204)


# --- What the live map measures --------------------------------------------------------------

def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_size, st.st_mtime_ns


def _input(store: Store, folder: Path, project_id: int, kind: str) -> tuple[DataSource, dict[str, Any], Any] | None:
    from parcours.errors import InputError

    row = sources.current(store, project_id, kind)
    if row is None:
        return None
    m = sources.mapping(row)
    if row.format == "table":
        try:
            return row, m, open_table(store, folder, project_id, m)
        except (TableRefused, PathRefused) as e:
            raise InputError(_secret_free(e.message, m["url"]), hint=e.hint) from None
    path = folder / row.name
    if not path.is_file():
        raise InputError(f"the project's data source {row.original_name} is missing its file",
                         hint="upload it again on the project's Data tab (and delete the old entry)")
    return row, m, path


def events_input(store: Store, folder: Path, project_id: int) -> dict[str, Any] | None:
    """The events the live map should measure: the latest validated events source, as
    ``{"events": Path or Ibis table, "read": read_events keyword arguments (columns, fmt,
    delimiter, timezone, time_unit), "key": a fingerprint that changes with the file or the
    mapping}``; None when the project has no validated events source."""
    found = _input(store, folder, project_id, "events")
    if found is None:
        return None
    row, m, events = found
    opts = m["options"]
    read = {"columns": dict(m["roles"]), "fmt": None if row.format == "table" else row.format,
            "delimiter": opts.get("delimiter"), "timezone": opts.get("timezone"), "time_unit": opts.get("time_unit")}
    stamp = ("table", m.get("table")) if row.format == "table" else _stamp(events)
    return {"events": events, "read": read, "key": ("events", row.id, row.columns, stamp), "source_id": row.id}


def feedback_input(store: Store, folder: Path, project_id: int) -> dict[str, Any] | None:
    """The survey answers the live map should measure: ``{"feedback": Path, "read": analyze()
    keyword arguments (feedback_columns, feedback_metric, feedback_scale), "key": ...}``; None
    when the project has no validated feedback source."""
    found = _input(store, folder, project_id, "feedback")
    if found is None:
        return None
    row, m, path = found
    opts = m["options"]
    read = {"feedback_columns": dict(m["roles"]), "feedback_metric": opts.get("metric"),
            "feedback_scale": opts.get("scale")}
    return {"feedback": path, "read": read, "key": ("feedback", row.id, row.columns, _stamp(path)),
            "source_id": row.id}


# --- Pages -----------------------------------------------------------------------------------

@router.get("/projects/{project_id}/data", include_in_schema=False)
def data_page(project_id: int, request: Request) -> HTMLResponse:
    ctx = project_page(request, project_id)
    rows = [source_dict(r, project_id) for r in sources.list_sources(store_of(request), project_id)]
    current = {k: (c.id if (c := sources.current(store_of(request), project_id, k)) else None) for k in sources.KINDS}
    from parcours.store.grants import connection_names, granted_folders

    ws = ctx["project"].workspace_id
    return page("data.html", active="data", sources=rows, current=current, editor=can(ctx["role"], "editor"),
                connections=connection_names(store_of(request), ws), granted=[str(p) for p in granted_folders(store_of(request), ws)],
                limit_bytes=max_upload_bytes(), accept=",".join([*EXTENSIONS, ".gz"]), **ctx)


@router.get("/projects/{project_id}/data/{source_id}", include_in_schema=False)
def source_page(project_id: int, source_id: int, request: Request) -> HTMLResponse:
    ctx = project_page(request, project_id)
    row = _get(store_of(request), project_id, source_id)
    url = sources.mapping(row).get("url")
    info, problem = None, None
    try:
        info = preview(_folder(request, project_id), row, store_of(request))
    except (Rejected, ParcoursError) as e:
        problem = {"message": _secret_free(e.message, url), "hint": _secret_free(e.hint or "", url)}
    except FileNotFoundError:
        problem = {"message": f"the file of {row.original_name} is missing from the project's data",
                   "hint": "delete this source and upload the file again"}
    src = source_dict(row, project_id)
    chosen = src["columns"] or (info["detected"] if info else {})
    return page("data_source.html", active="data", source=src, info=info, problem=problem, chosen=chosen,
                editor=can(ctx["role"], "editor"), **ctx)
