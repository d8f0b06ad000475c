"""A project's data: upload event logs and survey answers (CSV/TSV, Parquet, JSON Lines, XES,
gzip allowed) or point at a table; map their columns to roles; validate them.

Uploads stream to the project's data folder (``<data dir>/<project id>/``), never held in
memory; their size is limited (``$PARCOURS_MAX_UPLOAD_MB``, default 2048). What is accepted,
previewed and validated, and how, is decided by :mod:`parcours.project.uploads`,
:mod:`parcours.project.sources` and :mod:`parcours.project.validation` (a validation's end is an
``Outcome`` value); this module parses requests, maps outcomes and errors to HTTP statuses (415
type not accepted, 413 over a limit or budget, 422 unusable, 404 file gone) and renders.

API (``/api/v1/projects/{project_id}/data``): ``POST ?filename=&kind=`` (raw body) uploads;
``GET`` lists; ``GET /{id}/preview`` shows columns, detected roles and the first rows;
``POST /{id}/mapping`` validates; ``POST /{id}/use`` puts a validated source in use for the live
map (:mod:`parcours.project.in_use`); ``GET /in-use`` says what the live map reads and
``DELETE /in-use/{kind}`` stops using the chosen source of a kind; ``GET /{id}/quarantine.csv``;
``DELETE /{id}``; ``POST /table`` points at a table. Pages: ``/projects/{id}/data`` and
``/projects/{id}/data/{sid}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from parcours.errors import ParcoursError
from parcours.project import in_use, texts, validation
from parcours.project.budget import OverBudget
from parcours.project.jobs import Job
from parcours.project.sources import (QUARANTINE_SUFFIX, Mapping, SourceFileMissing, delete_source, describe_source,
                                      preview, quarantine_path, shown)
from parcours.project.uploads import (EXTENSIONS, MAX_UPLOAD_ENV, EmptyUpload, NoFreeName, OverUploadLimit,
                                      UploadRejected, max_upload_bytes, receive)
from parcours.store import sources
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.grants import connection_names, granted_folders
from parcours.store.models import DataSource, User
from parcours.store.sources import NotUsable
from parcours.report.formats import number, percent
from parcours.web import i18n
from parcours.web.flash import pop, push, words
from parcours.web.pages import can, page, project_page
from parcours.web.security import current_user, project_for, store_of
from parcours.web.wording import worded

router = APIRouter()

# The HTTP status of each way a validation ends; ``unusable`` takes its error's status.
_OUTCOME_STATUS = {"too_many_bad_rows": 422, "over_budget": 413, "missing": 404}
# The HTTP status of an error about a source, the first class that matches; 422 otherwise.
_STATUS = ((NotFound, 404), (SourceFileMissing, 404), (NoFreeName, 409), (NotUsable, 409), (OverBudget, 413),
           (OverUploadLimit, 413), (EmptyUpload, 422), (UploadRejected, 415))


def _status(e: ParcoursError | None) -> int:
    return next((status for cls, status in _STATUS if isinstance(e, cls)), 422)


def _error(e: ParcoursError, row: DataSource | None = None) -> HTTPException:
    """The error as an HTTP answer: its status, its message and hint without secrets."""
    return HTTPException(_status(e), shown(e, row))


def limit_text(limit: str | int | float) -> str:
    """A bad-row limit as the request's language writes it: ``1%`` / ``1 %``, ``5 rows`` / ``5 lignes``."""
    lang = i18n.current()
    text = str(limit).strip()
    if text.endswith("%"):
        digits = len(text[:-1].partition(".")[2])
        return number(float(text[:-1]), lang, digits) + percent(lang)
    return i18n.t("data.limit_rows", n=limit, count=number(float(limit), lang))


def refusal(report: dict[str, Any], project_id: int, limit: str | int | float) -> dict[str, str]:
    """A validation refused for its quarantined rows, in the request's language (message and
    hint), from the report's numbers and the project's bad-row ``limit``: the web's way to fix
    it is the column-mapping form or the map's ``analysis.max_bad_rows``, not the CLI's options."""
    lang = i18n.current()
    reason = i18n.t("source.refusal_limit", name=report.get("source") or "?", n=report.get("quarantined", 0),
                    quarantined=number(report.get("quarantined", 0), lang), read=number(report.get("read", 0), lang),
                    limit=limit_text(limit))
    return {"message": reason, "hint": i18n.t("source.refused_hint", url=f"/projects/{project_id}/edit")}


def detection(report: dict[str, Any] | None, order: list[str]) -> str | None:
    """How a validation found its columns (``Detected XES columns: customer=…``), in the request's
    language (:func:`parcours.project.texts.detection`), the roles in the order of ``order``."""
    return texts.detection(report, i18n.current(), order)


def _folder(request: Request, project_id: int) -> Path:
    return request.app.state.live.folder(project_id)


def _get(store: Store, project_id: int, source_id: int) -> DataSource:
    try:
        return sources.get(store, project_id, source_id)
    except NotFound as e:
        raise _error(e) from None


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
    declared = request.headers.get("content-length", "")
    try:
        row, notes = await receive(request.stream(), store_of(request), project_id,
                                   _folder(request, project_id), filename, kind, user.id,
                                   int(declared) if declared.isdigit() else None)
    except (UploadRejected, OverUploadLimit, OverBudget, NoFreeName) as e:
        raise HTTPException(_status(e), {**shown(e), **_upload_refused(e, filename)}) from None
    return {"id": row.id, "name": row.name, "original_name": row.original_name, "format": row.format,
            "size": row.size, "kind": row.kind, "notes": notes}


def _upload_refused(e: ParcoursError, filename: str) -> dict[str, str]:
    """An upload refused, said in the request's language for the page's script: for what the web
    knows itself (its size limit, the file's name) from the catalogues, for what the file holds
    from the sentence reading it said (:func:`parcours.project.texts.read_note`)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if isinstance(e, OverUploadLimit):
        mb = max_upload_bytes() / 2**20
        size = i18n.t("limits.mb", n=number(mb, i18n.current(), 0 if mb >= 1 else 2))
        return {"message": i18n.t("upload.too_large", name=name, size=size),
                "hint": i18n.t("upload.too_large_hint", env=MAX_UPLOAD_ENV)}
    if isinstance(e, NoFreeName):
        return {"message": i18n.t("upload.no_free_name", name=name), "hint": i18n.t("upload.no_free_name_hint")}
    lang = i18n.current()
    return {"message": texts.read_note(e.message, lang), **({"hint": texts.read_note(e.hint, lang)} if e.hint else {})}


# --- Preview and mapping ---------------------------------------------------------------------

@router.get("/api/v1/projects/{project_id}/data/{source_id}/preview")
def preview_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """The file's columns, the roles detected (``detected``: role -> column; ``how``: by a known
    ``schema`` or by ``name``), required roles ``missing``, and the first 20 rows as text; a
    ``problem`` (a required role not found) is said the web's way, in the asker's language."""
    project_for(request, user, project_id)
    row = _get(store_of(request), project_id, source_id)
    try:
        shown_preview = preview(_folder(request, project_id), row, store_of(request))
    except ParcoursError as e:
        raise _error(e, row) from None
    if shown_preview.get("problem"):
        shown_preview["problem"] = worded(shown_preview["problem"], project_id)
    return shown_preview


def _job_answer(job: Job, project_id: int, source_id: int, limit: str | int | float) -> Any:
    """A validation's answer once it ended (its outcome's status), else 202 with its progress.
    A column the roles cannot find is worded the web's way (:mod:`parcours.web.wording`): the
    column-mapping form, in the asker's language. A refusal for too many quarantined rows says
    the CLI's message in English (the same rule, the same words); in another language, what the
    report's numbers and the project's bad-row ``limit`` say (:func:`refusal`)."""
    status_url = f"/api/v1/projects/{project_id}/data/{source_id}/validation/{job.id}"
    if job.state == "done":
        done: validation.Outcome = job.result
        if done.kind == "too_many_bad_rows" and done.payload.get("report") and i18n.current() != i18n.DEFAULT:
            raise HTTPException(422, {**done.payload, **refusal(done.payload["report"], project_id, limit)})
        if done.kind != "ok":
            raise HTTPException(_OUTCOME_STATUS.get(done.kind) or _status(done.error), worded(done.payload, project_id))
        return done.payload
    if job.state == "failed":
        raise HTTPException(500, worded(job.error, project_id))
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
    quarantined (``read == accepted + quarantined``), and the roles and report are kept. More
    rows quarantined than the project's limit (as ``--max-bad-rows`` of the CLI, default 1%):
    422 with the CLI's message, the report and the quarantine; the source cannot be used.
    A validated source goes live when someone chooses it (``POST .../use``); ``in_use`` says
    whether it is (the project's first source of its kind is put in use at once, when the live
    map has nothing of that kind to measure). Answers the report when it is ready within
    ``wait`` seconds, else 202 with a ``status_url`` to follow (``DELETE`` it to cancel)."""
    project_for(request, user, project_id, need="editor")
    store = store_of(request)
    row = _get(store, project_id, source_id)
    live = request.app.state.live
    job = validation.submit(live.validations, live.folder(project_id), row, body, store, user.id)
    return _job_answer(validation.settle(job, wait), project_id, source_id, in_use.bad_rows_allowed(store, project_id))


@router.get("/api/v1/projects/{project_id}/data/{source_id}/validation/{job_id}")
def validation_api(project_id: int, source_id: int, job_id: str, request: Request,
                   user: User = Depends(current_user)) -> Any:
    """A validation under way (202 with its progress), or its answer once it ended."""
    project_for(request, user, project_id)
    job = validation.find(request.app.state.live.validations, job_id, project_id, source_id)
    if job is None:
        raise HTTPException(404, {"message": f"no validation {job_id} of source {source_id}",
                                  "hint": "validations are kept in the server's memory: validate again"})
    return _job_answer(job, project_id, source_id, in_use.bad_rows_allowed(store_of(request), project_id))


@router.delete("/api/v1/projects/{project_id}/data/{source_id}/validation/{job_id}", status_code=202)
def cancel_api(project_id: int, source_id: int, job_id: str, request: Request,
               user: User = Depends(current_user)) -> dict[str, Any]:
    """Cancel a validation under way (editors and admins): the engine stops reading at once."""
    project_for(request, user, project_id, need="editor")
    job = validation.find(request.app.state.live.validations, job_id, project_id, source_id)
    if job is None:
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
    """The project's data sources, newest first, with their roles, last validation report, and
    ``in_use``: whether the live map measures it."""
    project_for(request, user, project_id)
    return in_use.listing(store_of(request), project_id)


# --- What the live map measures ---------------------------------------------------------------

@router.get("/api/v1/projects/{project_id}/data/in-use")
def in_use_api(project_id: int, request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """What the live map reads, kind by kind: the chosen source (``what: source``, who chose it
    and when), else the map's ``source.path`` (``map_file``) or the folder's ``feedback.csv``
    (``feedback_file``); plus the events and survey answers the app collected (``collected``,
    ``answers``, with their ``count``)."""
    project_for(request, user, project_id)
    return in_use.feeding(store_of(request), request.app.state.live.data_dir, project_id)


@router.post("/api/v1/projects/{project_id}/data/{source_id}/use")
def use_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Put a validated source in use for the live map's measures of its kind (editors and
    admins), instead of the one in use, which stays and can be chosen again; the activity feed
    says who switched. 409 when the source cannot be used (not validated, or refused), 404 when
    its file is gone."""
    project_for(request, user, project_id, need="editor")
    store = store_of(request)
    try:
        done = in_use.choose(store, request.app.state.live.data_dir, project_id, source_id, user.id)
    except ParcoursError as e:
        raise _error(e) from None
    replaced = done.replaced
    if done.changed:  # the page reloads and says it, in its reader's language
        kind = words(f"data.kind_of.{done.source.kind}")
        if done.before is None:
            push(request, "data.flash.chosen", name=done.source.original_name, kind=kind)
        else:
            push(request, "data.flash.chosen_instead", name=done.source.original_name, kind=kind,
                 before=getattr(done.before, "words", done.before))
    return {"kind": done.source.kind, "in_use": describe_source(done.source), "changed": done.changed,
            "replaced": {"id": replaced.id, "original_name": replaced.original_name} if replaced else None}


@router.delete("/api/v1/projects/{project_id}/data/in-use/{kind}")
def release_api(project_id: int, kind: str, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Stop measuring the chosen source of ``kind`` (editors and admins): the live map goes back
    to the map's ``source.path`` (events) or the folder's ``feedback.csv`` (survey answers), if
    any. The source stays and can be chosen again. ``released``: the source, null when none was chosen."""
    project_for(request, user, project_id, need="editor")
    try:
        done = in_use.release(store_of(request), request.app.state.live.data_dir, project_id, kind, user.id)
    except ParcoursError as e:
        raise _error(e) from None
    row = done.source
    if row is not None:
        push(request, "data.flash.released", name=row.original_name, kind=words(f"data.kind_of.{kind}"),
             then=done.then.words)
    return {"kind": kind, "released": {"id": row.id, "original_name": row.original_name} if row else None}


@router.get("/api/v1/projects/{project_id}/data/{source_id}")
def get_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    project_for(request, user, project_id)
    return describe_source(_get(store_of(request), project_id, source_id))


@router.delete("/api/v1/projects/{project_id}/data/{source_id}", status_code=204)
def delete_api(project_id: int, source_id: int, request: Request, user: User = Depends(current_user)) -> Response:
    """Remove the source, its file and its quarantine file (editors and admins)."""
    project_for(request, user, project_id, need="editor")
    try:
        delete_source(store_of(request), _folder(request, project_id), project_id, source_id, user.id)
    except NotFound as e:
        raise _error(e) from None
    return Response(status_code=204)


# --- Pages -----------------------------------------------------------------------------------

@router.get("/projects/{project_id}/data", include_in_schema=False)
def data_page(project_id: int, request: Request) -> HTMLResponse:
    ctx = project_page(request, project_id)
    store = store_of(request)
    rows = in_use.listing(store, project_id)
    feeding = in_use.feeding(store, request.app.state.live.data_dir, project_id)
    ws = ctx["project"].workspace_id
    return page("data.html", active="data", sources=rows, feeding=feeding, editor=can(ctx["role"], "editor"),
                flashes=pop(request),
                bad_rows=limit_text(in_use.bad_rows_allowed(store, project_id)),
                connections=connection_names(store_of(request), ws), granted=[str(p) for p in granted_folders(store_of(request), ws)],
                limit_bytes=max_upload_bytes(), accept=",".join([*EXTENSIONS, ".gz"]), **ctx)


@router.get("/projects/{project_id}/data/{source_id}", include_in_schema=False)
def source_page(project_id: int, source_id: int, request: Request) -> HTMLResponse:
    ctx = project_page(request, project_id)
    row = _get(store_of(request), project_id, source_id)
    info, problem = None, None
    try:
        info = preview(_folder(request, project_id), row, store_of(request))
    except ParcoursError as e:
        problem = shown(e, row)
    src = describe_source(row)
    chosen = src["columns"] or (info["detected"] if info else {})
    try:
        change = in_use.comparison(store_of(request), request.app.state.live.data_dir, row)
    except ParcoursError as e:  # what is in use cannot be read now: say so, the page still shows the source
        change = {"kind": row.kind, "problem": shown(e, row), "usable": sources.is_mapped(row), "is_in_use": False}
    return page("data_source.html", active="data", source=src, info=info, problem=problem, chosen=chosen,
                change=change, editor=can(ctx["role"], "editor"), flashes=pop(request),
                detection=detection(src["report"], info["roles"] if info else []), **ctx)
