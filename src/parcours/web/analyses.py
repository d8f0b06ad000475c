"""Analyses of a project, served by the app: ``/api/v1/projects/{id}/analysis`` (the same JSON
as ``parcours analyze``'s analysis.json) and the live map page, both filtered by segment and
period. An analysis not measured yet runs as a background job; the API answers 202 with the
job, the page shows its progress and then the map. The page is in its user's language
(``parcours.web.i18n``), and so is the report unless the page's ``lang`` asks for another."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from parcours.errors import ParcoursError
from parcours.model.journey_map import text_in
from parcours.model.specs import report_lang
from parcours.project.live import CannotMeasure, FilterError, Opened, Period
from parcours.project.view_settings import LANGS, view_settings
from parcours.store.errors import NotFound
from parcours.store.models import User
from parcours.web import i18n
from parcours.web.pages import page, project_page
from parcours.web.security import current_user, project_for
from parcours.web.wording import Worded, worded

router = APIRouter()

SEGMENT = Query(None, max_length=100, description="Keep the journeys of this segment of the map (its id).")
PERIOD = Query(None, max_length=60, description="Keep the journeys started in START..END (dates, end day "
                                                "included; e.g. 2026-01-01..2026-03-31, or 2026-01-01..).")
WINDOW = Query(None, max_length=30, description="Ordered funnel: stages reached within this time of the first "
                                                "(e.g. 7d); overrides the map's analysis.conversion_window.")
TOP = Query(None, max_length=10, description="Number of variants shown (the rest is 'other'); overrides the map's "
                                            "analysis.top.")
LANG = Query(None, max_length=5, description="Language of the explanations: fr or en; overrides the map's analysis.lang.")


def _settings(window: str | None, top: str | None, lang: str | None) -> dict[str, Any]:
    """The view's settings as analyze keywords; a bad one is a 422 naming it."""
    try:
        return view_settings(window, top, lang)
    except FilterError as e:  # its page names the setting and its value in the reader's language
        value = {"window": window, "top": top, "lang": lang}.get(e.which)
        raise Worded(422, f"{e.which}: {_said(e)}", "live.bad_setting", which=e.which, value=value) from None


def _open(request: Request, project: Any, segment: str | None, period: Period | str | None,
          settings: dict[str, Any]) -> Opened:
    """The analysis of the latest map (:meth:`LiveMaps.open`): 404 without a map, 422 naming a bad
    filter, 409 (message and hint) when there is nothing to measure."""
    try:
        return request.app.state.live.open(project.id, project.slug, segment=segment, period=period,
                                           settings=settings)
    except NotFound as e:
        raise HTTPException(404, _said(e)) from None
    except FilterError as e:
        if e.which == "segment":
            _, m = request.app.state.live.latest(project.id, project.slug)
            known = ", ".join(s.id for s in m.segments)
            raise Worded(422, e.message, "live.bad_segment" if known else "live.bad_segment_none", segment=segment,
                         known=known) from None
        text = period.text if isinstance(period, Period) else period
        raise Worded(422, f"period: {_said(e)}", "live.bad_period", period=text) from None
    except CannotMeasure as e:
        cause = e.__cause__ if isinstance(e.__cause__, ParcoursError) else None  # its facts: the web words it
        raise HTTPException(409, _worded({"message": e.message, "hint": e.hint, **(cause.facts() if cause else {})},
                                         project.id)) from None


def _said(e: ParcoursError) -> str:
    return e.message + (f" ({e.hint})" if e.hint else "")


def _worded(error: dict[str, Any] | None, project_id: int) -> dict[str, Any] | None:
    """An error of the project's analysis as the web says it (:func:`parcours.web.wording.worded`):
    columns of the data that could not be told apart are chosen in the app's column-mapping
    form, not with the CLI's ``--columns``, in the asker's language."""
    return worded(error, project_id)


@router.get("/api/v1/projects/{project_id}/analysis")
def analysis(project_id: int, request: Request, segment: str | None = SEGMENT, period: str | None = PERIOD,
             window: str | None = WINDOW, top: str | None = TOP, lang: str | None = LANG,
             wait: bool = Query(False, description="Wait for the analysis instead of answering 202 with its job."),
             user: User = Depends(current_user)) -> Response:
    """The project's latest map measured on its data (analysis.json of ``parcours analyze``).
    Not measured yet: 202 with the background job to poll (or ``wait=true``). 409 when the
    project has no data to measure."""
    i18n.bind(request.scope)  # messages worded by the web in the asker's language
    project, _ = project_for(request, user, project_id)
    opened = _open(request, project, segment, period, _settings(window, top, lang))
    job, data = opened.job, opened.data
    if data is None and wait:
        data = job.result if job.wait().state == "done" else None
    if data is not None:
        return JSONResponse({"version": opened.version.number,
                             "filters": {"segment": segment or None, "period": period or None}, "analysis": data})
    if job.state == "failed":
        raise HTTPException(409, _worded(job.error, project_id))
    return JSONResponse({"job": job.to_dict(), "poll": f"/api/v1/projects/{project_id}/analysis/jobs/{job.id}"},
                        status_code=202)


@router.get("/api/v1/projects/{project_id}/analysis/jobs/{job_id}")
def job_status(project_id: int, job_id: str, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """A background analysis: state (queued, running, done, failed), percent, steps, error."""
    i18n.bind(request.scope)
    project_for(request, user, project_id)
    job = request.app.state.live.jobs.get(job_id, project_id)
    if job is None:
        raise HTTPException(404, f"no analysis job {job_id} for project {project_id} (jobs are forgotten on restart)")
    return {**job.to_dict(), "error": _worded(job.error, project_id)}


@router.get("/projects/{project_id}", response_class=HTMLResponse, include_in_schema=False)
def live_map(project_id: int, request: Request, segment: str | None = None, period_from: str | None = None,
             period_to: str | None = None, window: str | None = None, top: str | None = None,
             lang: str | None = None) -> Response:
    """The live map: the report's views of the latest map on the project's data, filtered by
    segment and period (the bar's filters, whose first line names them); while it is measured,
    its progress."""
    from parcours.report import render_html

    ctx = project_page(request, project_id)
    project = ctx["project"]
    try:
        version, m = request.app.state.live.latest(project.id, project.slug)
    except NotFound:  # the one way the latest map is not found: none was saved yet
        return page("message.html", **ctx, active="map", title=project.name, message=i18n.t("live.no_map"),
                    hint=i18n.t("live.no_map_hint"))
    period = Period.between(period_from, period_to)
    # The report: in the language the URL asks for, else the user's (or browser's), else the map's rule.
    report = lang if lang in LANGS else i18n.asked()
    names = report_lang(report, m)  # segment names as the report names them
    bar = {"segments": [(s.id, text_in(s.name, names) or s.id) for s in m.segments], "segment": segment or "",
           "period_from": period_from or "", "period_to": period_to or "", "version": version,
           "window": window or "", "top": top or "", "lang": lang or "", "asked": i18n.asked()}
    try:
        settings = _settings(window, top, lang)
        opened = _open(request, project, segment, period, settings)
    except HTTPException as e:
        detail = e.detail if isinstance(e.detail, dict) else {"message": e.detail, "hint": None}
        message, hint = e.said() if isinstance(e, Worded) else (detail["message"], detail.get("hint"))
        return page("message.html", **ctx, active="map", title=project.name, message=message,
                    hint=hint, bar=bar, status_code=200 if e.status_code == 409 else e.status_code)
    job, data, m = opened.job, opened.data, opened.map
    if data is None:
        return page("measuring.html", **ctx, active="map", job=job.to_dict(), bar=bar,
                    poll=f"/api/v1/projects/{project_id}/analysis/jobs/{job.id}")
    html = _one_selector(render_html(data, m, lang=report, plotly_src="/static/plotly.min.js"))
    top = page("live_bar.html", **ctx, active="map", bar=bar).body.decode()
    from parcours.web.headers import with_nonce  # the report's inline scripts run under the page's CSP

    return HTMLResponse(with_nonce(html.replace("<body>", "<body>" + top, 1)))


_PICKER = re.compile(r'<label class="picker">.*?</label>', re.S)


def _one_selector(html: str) -> str:
    """The report without its own segment picker: on the live map the bar's segment filter is
    the one way to choose a segment (issue 23), and its line names the segment shown."""
    return _PICKER.sub("", html, count=1)
