"""A project's data: upload event logs and survey answers (CSV/TSV, Parquet, JSON Lines, XES,
gzip allowed) or point at a table; map their columns to roles; validate them.

Uploads stream to the project's data folder (``<data dir>/<project id>/``), never held in
memory; their size is limited (``$PARCOURS_MAX_UPLOAD_MB``, default 2048). What is accepted,
previewed and validated is decided by :mod:`parcours.project.uploads` and
:mod:`parcours.project.sources`; this module parses requests, maps errors to HTTP statuses
(415 type not accepted, 413 over a limit, 422 unusable) and renders.

API (``/api/v1/projects/{project_id}/data``): ``POST ?filename=&kind=`` (raw body) uploads;
``GET`` lists; ``GET /{id}/preview`` shows columns, detected roles and the first rows;
``POST /{id}/mapping`` validates; ``GET /{id}/quarantine.csv``; ``DELETE /{id}``;
``POST /table`` points at a table. Pages: ``/projects/{id}/data`` and ``/projects/{id}/data/{sid}``.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from parcours.errors import ParcoursError, TooManyBadRows
from parcours.project.budget import Budget, OverBudget, Watch
from parcours.project.jobs import Job
from parcours.project.sources import (QUARANTINE_SUFFIX, Mapping, keep_validation, preview, quarantine_path,
                                      validation_report)
from parcours.project.tables import describe as describe_table
from parcours.project.tables import secret_free as _secret_free
from parcours.project.uploads import (EXTENSIONS, MAX_UPLOAD_ENV, EmptyUpload, NoFreeName, UploadRejected, check_upload,
                                      claim, max_upload_bytes, upload_format)
from parcours.store import sources
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import DataSource, User
from parcours.web.pages import can, page, project_page
from parcours.web.security import current_user, project_for, store_of

router = APIRouter()

_CHUNK = 1 << 20


def _status(e: ParcoursError) -> int:
    """The HTTP status of an upload's or a preview's error: 413 past a budget, 422 for an empty
    file, 415 for a type or content not accepted, 422 otherwise."""
    if isinstance(e, OverBudget):
        return 413
    if isinstance(e, EmptyUpload):
        return 422
    return 415 if isinstance(e, UploadRejected) else 422


# --- Answers ---------------------------------------------------------------------------------

def _error(status: int, e: ParcoursError, url: str | None = None, **extra: Any) -> HTTPException:
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
    except UploadRejected as e:
        raise _error(_status(e), e) from None
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
        row = await run_in_threadpool(claim, store_of(request), project_id, folder, tmp, filename, kind, fmt,
                                      user.id, notes)
    except (UploadRejected, OverBudget) as e:
        raise _error(_status(e), e) from None
    except NoFreeName as e:
        raise _error(409, e) from None
    finally:
        tmp.unlink(missing_ok=True)
    return {"id": row.id, "name": row.name, "original_name": row.original_name, "format": row.format,
            "size": row.size, "kind": row.kind, "notes": notes}


# --- Preview and mapping ---------------------------------------------------------------------

@router.get("/api/v1/projects/{project_id}/data/{source_id}/preview")
def preview_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """The file's columns, the roles detected (``detected``: role -> column; ``how``: by a known
    ``schema`` or by ``name``), required roles ``missing``, and the first 20 rows as text."""
    project_for(request, user, project_id)
    row = _get(store_of(request), project_id, source_id)
    url = sources.mapping(row).get("url")
    try:
        return preview(_folder(request, project_id), row, store_of(request))
    except ParcoursError as e:
        raise _error(_status(e), e, url) from None
    except FileNotFoundError:
        raise HTTPException(404, {"message": f"the file of {row.original_name} is missing from the project's data",
                                  "hint": "delete this source and upload the file again"}) from None


def _validation(job: Job, folder: Path, row: DataSource, body: Mapping, store: Store, user_id: int,
                project_id: int) -> tuple[int, dict[str, Any]]:
    """The background validation of a source: (HTTP status, the answer or the error's detail)."""
    url = sources.mapping(row).get("url")
    quarantine_url = f"/api/v1/projects/{project_id}/data/{row.id}/quarantine.csv"
    try:
        answer = keep_validation(folder, row, body, store, user_id, job.watch)
    except TooManyBadRows as e:
        report = validation_report(e.report, row.original_name) if e.report is not None else None
        return 422, _error(422, e, url, report=report, quarantine_url=quarantine_url).detail
    except OverBudget as e:
        return 413, _error(413, e).detail
    except ParcoursError as e:
        return _status(e), _error(_status(e), e, url).detail
    except FileNotFoundError:
        return 404, {"message": f"the file of {row.original_name} is missing from the project's data",
                     "hint": "delete this source and upload the file again"}
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
    except ParcoursError as e:
        problem = {"message": _secret_free(e.message, url), "hint": _secret_free(e.hint or "", url)}
    except FileNotFoundError:
        problem = {"message": f"the file of {row.original_name} is missing from the project's data",
                   "hint": "delete this source and upload the file again"}
    src = source_dict(row, project_id)
    chosen = src["columns"] or (info["detected"] if info else {})
    return page("data_source.html", active="data", source=src, info=info, problem=problem, chosen=chosen,
                editor=can(ctx["role"], "editor"), **ctx)
