"""The map editor and the versions page.

Pages: ``/projects/{id}/edit`` (the latest version's elements, each with its form; a raw YAML
editor; import) and ``/projects/{id}/versions`` (list, diff of two versions, restore). Every
change is saved as a new version from the version the form was drawn from (``base``): if someone
saved meanwhile, the save is refused (409) and the page says who saved and when, never
overwriting their work. ``/projects/{id}/map.yaml`` downloads a version.

API: ``POST /api/v1/projects/{id}/map/check`` (a map's problems and, on the project's data, the
events each touchpoint catches) and ``POST /api/v1/projects/{id}/map/check-rule`` (one
touchpoint's rule, as it is typed).

Forms arrive as ``application/x-www-form-urlencoded`` (what htmx sends) and are read here, so
the app needs no multipart parser; a YAML file to import is read by the page and sent as text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from parcours.errors import MapError
from parcours.store import maps
from parcours.store.errors import MapConflict, NotFound
from parcours.store.models import MapVersion, User
from parcours.store.version_said import said
from parcours.model import edits as E
from parcours.model import map_view as V
from parcours.project import map_edits as edits
from parcours.project import texts
from parcours.project.rule_check import problem_dict
from parcours.web import i18n
from parcours.web.pages import can, page, project_page
from parcours.web.security import current_user, project_for, store_of

router = APIRouter()
MAX_FORM_BYTES = 2_000_000


# -- API: live checks ------------------------------------------------------------------------

class MapCheck(BaseModel):
    yaml: str = Field(description="The whole map, as YAML.")


class RuleCheck(BaseModel):
    touchpoint: dict[str, Any] = Field(description="One touchpoint as in the map, e.g. "
                                                   "{id: cart, match: {event: [add_to_cart], where: {channel: web}}}.")
    base: int | None = Field(default=None, description="The map version whose data source and touchpoints above "
                                                       "it are used (default: the latest).")


@router.post("/api/v1/projects/{project_id}/map/check")
def check_map(project_id: int, body: MapCheck, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Validate a map (problems with line and field) and, when it is valid and the project has data,
    count the events each touchpoint catches (the first matching touchpoint takes an event, as in
    the analysis), the events no touchpoint catches (with the 10 most frequent names), and per stage."""
    project_for(request, user, project_id)
    return request.app.state.live.check_map(project_id, body.yaml)


@router.post("/api/v1/projects/{project_id}/map/check-rule")
def check_rule(project_id: int, body: RuleCheck, request: Request,
               user: User = Depends(current_user)) -> dict[str, Any]:
    """How many events one touchpoint's rule catches on the project's data, on its own and once the
    touchpoints above it (in version ``base``) took theirs."""
    project_for(request, user, project_id)
    m = _map_or_none(request, project_id, body.base)
    if m is None:
        return {"valid": True, "problems": [], "data": None,
                "message": "the project has no map yet: save one first, then its data source is used"}
    return request.app.state.live.check_rule(project_id, m, body.touchpoint)


def _map_or_none(request: Request, project_id: int, number: int | None) -> Any:
    """Version ``number``'s map (None: the latest, or None without a map); 404 for a missing version."""
    try:
        return maps.map_at(store_of(request), project_id, number)
    except NotFound as e:
        raise HTTPException(404, e.message) from None


# -- download ---------------------------------------------------------------------------------

@router.get("/projects/{project_id}/map.yaml", include_in_schema=False)
def download(project_id: int, request: Request, version: int | None = None,
             user: User = Depends(current_user)) -> Response:
    """The latest version's YAML (or ``?version=N``), as a file to save."""
    project, _ = project_for(request, user, project_id)
    try:
        v = maps.get_version(store_of(request), project_id, version)
    except NotFound as e:
        raise HTTPException(404, e.message + (f" ({e.hint})" if e.hint else "")) from None
    return Response(v.yaml, media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{project.slug}-v{v.number}.yaml"'})


# -- the editor page -------------------------------------------------------------------------

def _editor_context(request: Request, ctx: dict[str, Any], version: MapVersion | None, *,
                    flash: str | None = None) -> dict[str, Any]:
    check = request.app.state.live.check_map(ctx["project"].id, version.yaml) if version is not None else None
    counts = {t["id"]: t for t in check["data"]["touchpoints"]} if check and check.get("data") else {}
    view = V.editor_sections(V.map_data(version.yaml if version is not None else None), counts)
    return {**ctx, "active": "edit", "version": version, "base": version.number if version else "",
            "editable": can(ctx["role"], "editor"), **view, "check": check,
            "yaml_text": version.yaml if version else "", "flash": flash}


@router.get("/projects/{project_id}/edit", include_in_schema=False)
def editor_page(project_id: int, request: Request) -> HTMLResponse:
    ctx = project_page(request, project_id)
    saved = request.query_params.get("saved")
    flash = i18n.t("editor.flash.saved", n=saved) if saved and saved.isdigit() else None
    return page("editor.html", **_editor_context(request, ctx, maps.latest_version(store_of(request), project_id), flash=flash))


# -- form posts ------------------------------------------------------------------------------

async def form_data(request: Request) -> dict[str, str]:
    """The request's form fields (urlencoded, as htmx sends them; or a JSON object of strings)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, f"the form is larger than {MAX_FORM_BYTES // 1_000_000} MB: a map is much smaller")
    ctype = request.headers.get("content-type", "")
    try:
        if ctype.startswith("application/json"):
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(k): "" if v is None else str(v) for k, v in data.items()}
        if ctype.startswith("application/x-www-form-urlencoded") or not body:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError) as e:
        raise HTTPException(400, f"the form cannot be read: {e}") from None
    raise HTTPException(415, "send the form as application/x-www-form-urlencoded (or a JSON object)")


def _context(request: Request, user: User, project_id: int, need: str = "viewer") -> dict[str, Any]:
    """A page's context for a request already authenticated (session or API token)."""
    project, role = project_for(request, user, project_id, need=need)
    return {"user": user, "project": project, "role": role, "csrf": request.session.get("csrf")}


def _base(form: dict[str, str]) -> int | None:
    raw = form.get("base", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise HTTPException(422, "base: the version the form was drawn from must be a number: reload the editor")
    return int(raw)


def _form_id(form: dict[str, str]) -> str:
    fid = form.get("_form", "")
    return fid if re.fullmatch(r"[A-Za-z0-9_-]{1,80}", fid) else "page"


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _message(request: Request, form: dict[str, str], status: int, **context: Any) -> HTMLResponse:
    """An error shown next to the form that was sent (htmx swaps it into ``#msg-<form>``)."""
    response = page("editor_message.html", status_code=status, **context)
    response.headers["HX-Retarget"] = f"#msg-{_form_id(form)}"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def _save(request: Request, project_id: int, user: User, form: dict[str, str], change: edits.Change) -> Response:
    """Apply ``change`` to the map of version ``base`` and save the result as a new version
    (:func:`parcours.project.map_edits.save_edit`). Answers: the editor (200, htmx) or a redirect
    to it; 409 conflict; 422 invalid edit; 403 viewer; 404 not yours or no such base version.
    """
    ctx = _context(request, user, project_id, need="editor")
    try:
        saved = edits.save_edit(store_of(request), project_id, user.id, _base(form), change)
    except NotFound as e:
        return _message(request, form, 404, problems=[], error=e.message, hint=e.hint)
    except E.EditError as e:
        return _message(request, form, 422, problems=[], error=e.message, hint=e.hint)
    except MapConflict as e:
        return _message(request, form, 409, conflict=e, project=ctx["project"], problems=[])
    except MapError as e:
        return _message(request, form, 422, error=i18n.t("editor.flash.not_valid"),
                        problems=[problem_dict(p) for p in e.problems], hint=None)
    if not _is_htmx(request):
        return RedirectResponse(f"/projects/{project_id}/edit?saved={saved.number}", status_code=303)
    flash = (i18n.t("editor.flash.saved_message", n=saved.number, message=texts.read_note(saved.message, i18n.current())) if saved.message
             else i18n.t("editor.flash.saved", n=saved.number))
    return page("editor_body.html", **_editor_context(request, ctx, saved, flash=flash))


def _kind(kind: str) -> str:
    if kind not in E.KINDS:
        raise HTTPException(404, f"no kind of element {kind!r}: use one of {', '.join(E.KINDS)}")
    return kind


@router.post("/projects/{project_id}/edit/yaml", include_in_schema=False)
def save_yaml(project_id: int, request: Request, form: dict[str, str] = Depends(form_data),
              user: User = Depends(current_user)) -> Response:
    """Save the YAML text of the raw editor or of an imported file (field ``yaml``)."""
    _context(request, user, project_id, need="editor")
    text = form.get("yaml", "")
    if not text.strip():
        return _message(request, form, 422, problems=[], error=i18n.t("editor.flash.empty"),
                        hint=i18n.t("editor.flash.empty_hint"))
    default = said("imported") if form.get("source") == "import" else said("edited_yaml")
    return _save(request, project_id, user, form, edits.new_text(text, form.get("message", "").strip() or default))


@router.post("/projects/{project_id}/edit/check", include_in_schema=False)
def check_fragment(project_id: int, request: Request, form: dict[str, str] = Depends(form_data),
                   user: User = Depends(current_user)) -> HTMLResponse:
    """The raw editor's "Check": problems, or the live counts of the text being edited."""
    ctx = _context(request, user, project_id)
    check = request.app.state.live.check_map(project_id, form.get("yaml", ""))
    return page("editor_check.html", **ctx, check=check)


@router.post("/projects/{project_id}/edit/check-rule", include_in_schema=False)
def check_rule_fragment(project_id: int, request: Request, form: dict[str, str] = Depends(form_data),
                        user: User = Depends(current_user)) -> HTMLResponse:
    """As a touchpoint's rule is typed: how many events it catches (a sentence)."""
    project_for(request, user, project_id)
    try:
        element = E.element_from_form("touchpoints", {k: v for k, v in form.items() if k in (
            "id", "match.event", "match.where")} | {"id": form.get("id", "").strip() or "new_touchpoint"})
    except E.EditError as e:
        return page("editor_rule_count.html", result={"valid": False, "problems": [
            {"line": None, "field": None, "message": e.message + (f" ({e.hint})" if e.hint else "")}]})
    base = _base(form)
    m = _map_or_none(request, project_id, base)
    if m is None:
        return page("editor_rule_count.html", result={"valid": True, "data": None,
                                                      "message": i18n.t("editor.flash.save_first")})
    return page("editor_rule_count.html", result=request.app.state.live.check_rule(project_id, m, element))


@router.post("/projects/{project_id}/edit/stages/{element_id}/move", include_in_schema=False)
def move_stage(project_id: int, element_id: str, request: Request, form: dict[str, str] = Depends(form_data),
               user: User = Depends(current_user)) -> Response:
    return _save(request, project_id, user, form, edits.move_stage(element_id, form.get("direction", "")))


@router.post("/projects/{project_id}/edit/{kind}/{element_id}/delete", include_in_schema=False)
def delete_element(project_id: int, kind: str, element_id: str, request: Request,
                   form: dict[str, str] = Depends(form_data), user: User = Depends(current_user)) -> Response:
    return _save(request, project_id, user, form, edits.delete_element(_kind(kind), element_id))


@router.post("/projects/{project_id}/edit/{kind}/{element_id}", include_in_schema=False)
def update_element(project_id: int, kind: str, element_id: str, request: Request,
                   form: dict[str, str] = Depends(form_data), user: User = Depends(current_user)) -> Response:
    return _save(request, project_id, user, form, edits.update_element(_kind(kind), element_id, form))


@router.post("/projects/{project_id}/edit/{kind}", include_in_schema=False)
def add_element(project_id: int, kind: str, request: Request, form: dict[str, str] = Depends(form_data),
                user: User = Depends(current_user)) -> Response:
    return _save(request, project_id, user, form, edits.add_element(_kind(kind), form))


# -- versions ----------------------------------------------------------------------------------

@router.get("/projects/{project_id}/versions", include_in_schema=False)
def versions_page(project_id: int, request: Request) -> HTMLResponse:
    ctx = project_page(request, project_id)
    store = store_of(request)
    versions = maps.list_versions(store, project_id)
    numbers = [v.number for v in versions]
    a, b, error = V.diff_choice(numbers, request.query_params.get("a"), request.query_params.get("b"))
    diff = maps.diff(store, project_id, int(a), int(b)) if a and b and not error else None
    changes, lines = V.diff_view(diff)
    restored = request.query_params.get("restored")
    return page("versions.html", **ctx, active="versions", versions=list(reversed(versions)),
                latest=numbers[-1] if numbers else None, a=a, b=b, diff=diff, changes=changes, lines=lines,
                error=error, short=V.short, editable=can(ctx["role"], "editor"),
                flash=i18n.t("versions.flash.restored", n=restored) if restored and restored.isdigit() else None,
                now=dt.datetime.now(dt.timezone.utc))
