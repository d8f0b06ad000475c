"""Survey links: the team makes a link per touchpoint (NPS, CSAT or CES, French or English);
customers answer it without an account at ``/s/<token>`` (``?ref=CUSTOMER`` ties the answer to
a customer); answers join the project's feedback.

API (JSON): ``POST /api/v1/projects/{id}/surveys`` (editors) makes a link, ``GET`` lists them
(viewers), ``DELETE .../surveys/{link}`` stops one (editors), ``GET .../surveys/{link}/answers``
gives its answers (viewers). Public: ``GET /s/{token}`` shows the question, ``POST /s/{token}``
(the page's form) and ``POST /api/v1/surveys/{token}/answers`` (JSON) store an answer. A
submission id sent twice is stored once; the public endpoints are rate-limited
(:mod:`parcours.project.ratelimit`): 429 with ``Retry-After`` beyond the limit.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from parcours.errors import OptionError
from parcours.project.ratelimit import limiter_on, retry_after
from parcours.project.survey_page import (TEXTS, form_error, link_question, pick_lang, touchpoint_choices,
                                          touchpoint_name)
from parcours.store import surveys
from parcours.store.errors import NotFound
from parcours.store.maps import latest_map
from parcours.store.models import SurveyAnswer, SurveyLink, User
from parcours.web import i18n
from parcours.web.inputs import Text
from parcours.web.limits import BodyTooLarge
from parcours.web.pages import can, page, project_page
from parcours.web.security import current_user, project_for, store_of

router = APIRouter()
# Ids fit a 64-bit integer: a larger one in a URL is "not found"-like input, never a server error.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


# --- The API the team uses ----------------------------------------------------------------

class LinkIn(BaseModel):
    touchpoint: Text = Field(description="Id of a touchpoint of the project's latest map.")
    metric: Text = Field(description="nps (0–10), csat (1–5) or ces (1–7).")
    lang: Text = Field("fr", description="Language of the question: fr or en.")


class AnswerIn(BaseModel):
    submission_id: Text = Field(description="A random id made when the form was shown: sent twice, stored once.")
    score: int = Field(description="NPS 0–10, CSAT 1–5, CES 1–7 (the link's metric).")
    comment: Text | None = Field(None, description="Free text, at most 5000 characters.")
    customer_ref: Text | None = Field(None, description="The customer's reference (the link's ?ref=), at most 200 characters.")
    lang: Text | None = Field(None, description="fr or en (default: the link's language).")


def _link(link: SurveyLink, answers: int) -> dict[str, Any]:
    return {"id": link.id, "token": link.token, "url": f"/s/{link.token}", "touchpoint": link.touchpoint_id,
            "metric": link.metric, "lang": link.lang, "active": link.active, "answers": answers,
            "created_at": link.created_at.isoformat()}


def _answer(a: SurveyAnswer) -> dict[str, Any]:
    return {"id": a.id, "link_id": a.link_id, "submission_id": a.submission_id, "customer_ref": a.customer_ref,
            "score": a.score, "comment": a.comment, "lang": a.lang, "answered_at": a.created_at.isoformat()}


def _unusable(e: OptionError) -> HTTPException:
    return HTTPException(422, e.message + (f" (how to fix: {e.hint})" if e.hint else ""))


def _not_found(e: NotFound) -> HTTPException:
    return HTTPException(404, e.message + (f" ({e.hint})" if e.hint else ""))


@router.post("/api/v1/projects/{project_id}/surveys", status_code=201)
def create(project_id: Id, body: LinkIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Make a survey link for a touchpoint of the latest map (editors and admins)."""
    project_for(request, user, project_id, need="editor")
    try:
        link = surveys.create_map_link(store_of(request), project_id, body.touchpoint, body.metric, body.lang, user.id)
    except OptionError as e:  # UnknownTouchpoint, a metric or language unknown
        raise _unusable(e) from None
    return _link(link, 0)


@router.get("/api/v1/projects/{project_id}/surveys")
def list_(project_id: Id, request: Request, user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """The project's survey links, newest first, with their number of answers."""
    project_for(request, user, project_id)
    return [_link(link, n) for link, n in surveys.list_links(store_of(request), project_id)]


@router.delete("/api/v1/projects/{project_id}/surveys/{link_id}")
def deactivate(project_id: Id, link_id: Id, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Stop a link taking answers (editors and admins); its answers are kept."""
    project_for(request, user, project_id, need="editor")
    try:
        link = surveys.deactivate_link(store_of(request), project_id, link_id, user.id)
        return _link(*surveys.get_link(store_of(request), project_id, link.id))
    except NotFound as e:
        raise _not_found(e) from None


@router.get("/api/v1/projects/{project_id}/surveys/{link_id}/answers")
def link_answers(project_id: Id, link_id: Id, request: Request,
                 user: User = Depends(current_user)) -> list[dict[str, Any]]:
    """A link's answers, oldest first."""
    project_for(request, user, project_id)
    try:
        surveys.get_link(store_of(request), project_id, link_id)
    except NotFound as e:
        raise _not_found(e) from None
    return [_answer(a) for a in surveys.answers(store_of(request), project_id, link_id)]


# --- Rate limit -----------------------------------------------------------------------------

def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limited(request: Request, token: str | None) -> float:
    return limiter_on(request.app.state).hit(_client(request), token)


# --- The public survey pages ----------------------------------------------------------------

def _no_store(response: Response) -> Response:
    # Never in a shared cache (each customer needs their own submission id); the browser may keep
    # it for Back, so that the same form sent again is recognised as the same submission.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"  # the ref of the link stays on this page
    return response


def _gone(lang: str = "fr") -> HTMLResponse:
    return _no_store(page("survey.html", status_code=404, mode="missing", lang=lang))


def _too_many(wait: float, lang: str = "fr") -> HTMLResponse:
    r = page("survey.html", status_code=429, mode="limited", lang=lang, wait=retry_after(wait))
    r.headers["Retry-After"] = retry_after(wait)
    return _no_store(r)


def _form(request: Request, link: SurveyLink, lang: str, *, ref: str | None, submission: str | None = None,
          score: str | None = None, comment: str = "", error: str | None = None, status: int = 200) -> HTMLResponse:
    return _no_store(page("survey.html", status_code=status, mode="form", lang=lang, t=TEXTS[lang], token=link.token,
                          submission=submission or secrets.token_urlsafe(16), ref=ref or "", score=score,
                          comment=comment, error=error, **link_question(store_of(request), link, lang)))


@router.get("/s/{token}", include_in_schema=False)
def survey_page(token: str, request: Request, ref: str | None = None, lang: str | None = None) -> Response:
    """The question of a survey link, for a customer (no account)."""
    wait = _limited(request, None)
    if wait:
        return _too_many(wait, pick_lang(lang, "fr"))
    link = surveys.link_by_token(store_of(request), token)
    if link is None or not link.active:
        return _gone(pick_lang(lang, "fr"))
    return _form(request, link, pick_lang(lang, link.lang), ref=(ref or "")[:surveys.MAX_REF])


async def _form_fields(request: Request) -> dict[str, str] | None:
    """The url-encoded form of the request (None when it is larger than the survey cap of
    :mod:`parcours.web.limits`: the form is shown again, in the page's language)."""
    try:
        body = await request.body()
    except BodyTooLarge:
        return None
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()}


@router.post("/s/{token}", include_in_schema=False)
async def survey_post(token: str, request: Request) -> Response:
    """The page's form: stores the answer (once per submission id) and thanks the customer; a
    wrong answer shows the form again with what to fix, in the page's language."""
    wait = _limited(request, token)
    if wait:
        return _too_many(wait, pick_lang(request.query_params.get("lang"), "fr"))
    fields = await _form_fields(request)
    store = store_of(request)
    asked = pick_lang((fields or {}).get("lang"), "")
    if fields is not None:
        ref, comment, score = fields.get("ref", "")[:surveys.MAX_REF], fields.get("comment", ""), fields.get("score")
        try:  # the usual case in one transaction: SQLite runs them one at a time
            answer, created = await run_in_threadpool(surveys.submit_answer, store, token, fields.get("submission", ""),
                                                      score, comment, ref or None, asked or None)
            return _no_store(page("survey_done.html", lang=answer.lang, t=TEXTS[answer.lang], created=created))
        except NotFound:
            return _gone(asked or "fr")
        except OptionError:
            pass  # said below, in the page's language
    link = await run_in_threadpool(surveys.link_by_token, store, token)
    if link is None or not link.active:
        return _gone(asked or "fr")
    lang = asked or link.lang
    t = TEXTS[lang]
    if fields is None:
        return await run_in_threadpool(lambda: _form(request, link, lang, ref=None, status=413, error=t["error_form"]))
    again = {"ref": ref, "submission": fields.get("submission") or None, "score": score, "comment": comment}
    error = form_error(link.metric, score, comment, lang)
    if error is None:  # a damaged form (submission id, reference): serve a fresh one
        again["submission"], error = None, t["error_form"]
    return await run_in_threadpool(lambda: _form(request, link, lang, **again, status=422, error=error))


@router.post("/api/v1/surveys/{token}/answers", status_code=201, tags=["surveys"])
def post_answer(token: str, body: AnswerIn, request: Request) -> Response:
    """Store an answer to a survey link (no account). 201 ``{"stored": true}``; the same
    ``submission_id`` again: 200 ``{"stored": false}`` and nothing more is stored."""
    wait = _limited(request, token)
    if wait:
        raise HTTPException(429, f"too many answers: try again in {retry_after(wait)} s",
                            headers={"Retry-After": retry_after(wait)})
    try:
        answer, created = surveys.submit_answer(store_of(request), token, body.submission_id, body.score, body.comment,
                                                body.customer_ref, body.lang)
    except NotFound as e:
        raise _not_found(e) from None
    except OptionError as e:
        raise _unusable(e) from None
    return JSONResponse({"stored": created, "submission_id": answer.submission_id,
                         "answered_at": answer.created_at.isoformat()}, status_code=201 if created else 200)


# --- The team's page --------------------------------------------------------------------------

@router.get("/projects/{project_id}/surveys", include_in_schema=False)
def surveys_page(project_id: Id, request: Request) -> HTMLResponse:
    """The project's links (with the full URL to copy and their answers) and, for editors, a form
    to make one for a touchpoint of the latest map."""
    ctx = project_page(request, project_id)
    m = latest_map(store_of(request), project_id)
    base = str(request.base_url).rstrip("/")
    lang = i18n.current()  # the map's texts in the page's language (a map may give them in both)
    links = [{**_link(link, n), "full_url": f"{base}/s/{link.token}",
              "touchpoint_name": touchpoint_name(m, link.touchpoint_id, lang)}
             for link, n in surveys.list_links(store_of(request), project_id)]
    return page("surveys.html", **ctx, active="surveys", links=links, touchpoints=touchpoint_choices(m, lang),
                has_map=m is not None, editor=can(ctx["role"], "editor"),
                metrics=[(k, surveys.NAMES[k], surveys.scale(k)) for k in surveys.SCALES])
