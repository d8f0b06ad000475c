"""Survey links and their answers: one question (NPS, CSAT or CES) and a comment box per link,
for one touchpoint of the map, answered without an account at ``/s/<token>``.

A submission carries a one-time ``submission_id`` (made when the form is served): the same
submission sent twice (double click, retry, a proxy replaying it) is stored once, settled by
the unique (link, submission) pair, so two identical submissions racing each other also give
one row. :func:`feedback_rows` gives the answers in the columns of a survey export, for the
feedback analyses.

>>> from parcours.store import connect, create_user, create_workspace, create_project
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice", "correct horse battery")
>>> project = create_project(store, create_workspace(store, "CX team").id, "Shop")
>>> link = create_link(store, project.id, "delivery", "nps", "fr", alice.id)
>>> answer, created = submit_answer(store, link.token, "form-1", 9, "Rapide !", "C042", None)
>>> created, submit_answer(store, link.token, "form-1", 9, "Rapide !", "C042", None)[1]
(True, False)
>>> [(r["customer_id"], r["metric"], r["score"], r["touchpoint"]) for r in feedback_rows(store, project.id)]
[('C042', 'nps', 9, 'delivery')]
>>> submit_answer(store, link.token, "form-2", 11, None, None, None)
Traceback (most recent call last):
...
parcours.errors.OptionError: score 11 is outside the NPS scale 0–10...
"""

from __future__ import annotations

import re
import secrets
import threading
from contextlib import nullcontext
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from parcours.errors import OptionError
from parcours.model.metrics import SCALES
from parcours.store.activity import record, words
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.maps import latest_map
from parcours.store.models import LANGS, METRICS, Project, SurveyAnswer, SurveyLink, now

MAX_COMMENT = 5000
MAX_REF = 200
# SQLite takes one writer at a time, and a writer waiting for the lock polls with growing sleeps,
# so under a burst of answers some wait seconds while later ones pass. In-process, answers queue
# on this lock instead and the database lock is free whenever one asks for it.
_SQLITE_ANSWERS = threading.Lock()
_SUBMISSION = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def scale(metric: str) -> tuple[int, int]:
    """The integer answer scale of ``metric``: NPS 0–10, CSAT 1–5, CES 1–7."""
    low, high = SCALES[metric]
    return int(low), int(high)


def _check_metric_lang(metric: str, lang: str) -> None:
    if metric not in METRICS:
        raise OptionError(f"metric {metric!r}: unknown metric", hint=f"use one of: {', '.join(METRICS)}")
    if lang not in LANGS:
        raise OptionError(f"lang {lang!r}: unknown language", hint=f"use one of: {', '.join(LANGS)}")


class UnknownTouchpoint(OptionError):
    """A survey link asked for a touchpoint that the project's latest map does not have; the
    message names the map's touchpoints (or says it has none yet)."""


def create_map_link(store: Store, project_id: int, touchpoint_id: str, metric: str, lang: str,
                    user_id: int | None) -> SurveyLink:
    """:func:`create_link` for a touchpoint of the project's latest map; :class:`UnknownTouchpoint`
    for any other (checked first: a link for a touchpoint that is not measured collects nothing)."""
    m = latest_map(store, project_id)
    known = [tp.id for tp in m.touchpoints] if m else []
    if touchpoint_id.strip() not in known:
        raise UnknownTouchpoint(f"touchpoint {touchpoint_id!r} is not in the project's latest map: "
                                + (f"its touchpoints are {', '.join(known)}" if known else
                                   "the map has no touchpoints yet (save a map with touchpoints first)"))
    return create_link(store, project_id, touchpoint_id, metric, lang, user_id)


def create_link(store: Store, project_id: int, touchpoint_id: str, metric: str, lang: str,
                user_id: int | None) -> SurveyLink:
    """A new active link for ``touchpoint_id`` (not checked against the map: see
    :func:`create_map_link`) asking
    ``metric`` (nps, csat, ces) in ``lang`` (fr, en); the activity feed tells it."""
    metric, lang, touchpoint_id = metric.strip().lower(), lang.strip().lower(), touchpoint_id.strip()
    _check_metric_lang(metric, lang)
    if not touchpoint_id or len(touchpoint_id) > 100:
        raise OptionError("touchpoint: give the id of one of the map's touchpoints (1 to 100 characters)")
    link = SurveyLink(project_id=project_id, token=secrets.token_urlsafe(16), touchpoint_id=touchpoint_id,
                      metric=metric, lang=lang, created_by=user_id, active=True)
    with store.transaction() as session:
        if session.get(Project, project_id) is None:
            raise NotFound(f"no project {project_id}")
        session.add(link)
        session.flush()
        record(session, project_id, user_id, "survey_link",
               f"created a {NAMES[metric]} survey link ({lang}) for touchpoint {touchpoint_id}",
               target_kind="touchpoint", target_id=touchpoint_id,
               words=words("activity.survey_created", metric=NAMES[metric], lang=lang, touchpoint=touchpoint_id))
    return link


def list_links(store: Store, project_id: int) -> list[tuple[SurveyLink, int]]:
    """The project's links, newest first, each with its number of answers."""
    counts = (select(SurveyAnswer.link_id, func.count().label("n")).where(SurveyAnswer.project_id == project_id)
              .group_by(SurveyAnswer.link_id).subquery())
    with store.transaction() as session:
        rows = session.execute(select(SurveyLink, func.coalesce(counts.c.n, 0))
                               .outerjoin(counts, counts.c.link_id == SurveyLink.id)
                               .where(SurveyLink.project_id == project_id).order_by(SurveyLink.id.desc())).all()
        return [(link, int(n)) for link, n in rows]


def get_link(store: Store, project_id: int, link_id: int) -> tuple[SurveyLink, int]:
    """One of the project's links with its number of answers (another project's link: NotFound)."""
    with store.transaction() as session:
        link = session.get(SurveyLink, link_id)
        if link is None or link.project_id != project_id:
            raise NotFound(f"no survey link {link_id} in this project")
        n = session.scalar(select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.link_id == link_id))
        return link, int(n or 0)


def deactivate_link(store: Store, project_id: int, link_id: int, user_id: int | None) -> SurveyLink:
    """Stop a link taking answers (its answers are kept and still analysed)."""
    with store.transaction() as session:
        link = session.get(SurveyLink, link_id)
        if link is None or link.project_id != project_id:
            raise NotFound(f"no survey link {link_id} in this project")
        if link.active:
            link.active = False
            record(session, project_id, user_id, "survey_link",
                   f"deactivated the {NAMES[link.metric]} survey link for touchpoint {link.touchpoint_id}",
                   target_kind="touchpoint", target_id=link.touchpoint_id,
                   words=words("activity.survey_deactivated", metric=NAMES[link.metric], touchpoint=link.touchpoint_id))
        return link


def link_by_token(store: Store, token: str) -> SurveyLink | None:
    """The link of ``token`` (active or not), or None."""
    if not token or len(token) > 64:
        return None
    with store.transaction() as session:
        return session.scalar(select(SurveyLink).where(SurveyLink.token == token))


def parse_score(value: Any, metric: str) -> int:
    """``value`` as an integer on the metric's scale; OptionError naming the field otherwise."""
    low, high = scale(metric)
    name = NAMES[metric]
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if re.fullmatch(r"-?\d{1,3}", value) else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        shown = "no score" if value in (None, "") else f"score {value!r} is not a whole number"
        raise OptionError(f"{shown}: the {name} answer is a whole number from {low} to {high}",
                          hint=f"send score with a value from {low} to {high}")
    if not low <= value <= high:
        raise OptionError(f"score {value} is outside the {name} scale {low}–{high}",
                          hint=f"send a score from {low} to {high}")
    return value


def _text(value: str | None, field: str, limit: int) -> str | None:
    if value is None:
        return None
    value = value.replace("\x00", "").strip()  # PostgreSQL text holds no NUL character
    if len(value) > limit:
        raise OptionError(f"{field} is {len(value)} characters long: at most {limit} are kept",
                          hint=f"shorten the {field}")
    return value or None


def submit_answer(store: Store, token: str, submission_id: str, score: Any, comment: str | None,
                  customer_ref: str | None, lang: str | None) -> tuple[SurveyAnswer, bool]:
    """Store an answer to the link of ``token``: ``(answer, created)``. ``created`` is False when
    the same ``submission_id`` was already stored for this link: the earlier answer is returned
    and nothing is written (safe under concurrent identical submissions).

    Raises NotFound (unknown or inactive link) or OptionError (score off the metric's scale,
    comment over 5000 or reference over 200 characters, bad submission id or language).
    """
    submission_id = (submission_id or "").strip()
    if not _SUBMISSION.match(submission_id):
        raise OptionError("submission_id: give 1 to 64 letters, digits or . _ : - (one id per form served)",
                          hint="generate a random id when the form is shown and send it with the answer")
    comment = _text(comment, "comment", MAX_COMMENT)
    customer_ref = _text(customer_ref, "customer reference", MAX_REF)
    gone = NotFound("this survey link does not exist or no longer takes answers", hint="ask the sender for a new link")
    if not token or len(token) > 64:
        raise gone
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    try:
        with _SQLITE_ANSWERS if store.backend == "sqlite" else nullcontext(), store.transaction() as session:
            link = session.scalar(select(SurveyLink).where(SurveyLink.token == token))
            if link is None or not link.active:
                raise gone
            value = parse_score(score, link.metric)
            lang = (lang or link.lang).strip().lower()
            if lang not in LANGS:
                raise OptionError(f"lang {lang!r}: unknown language", hint=f"use one of: {', '.join(LANGS)}")
            row = {"link_id": link.id, "project_id": link.project_id, "submission_id": submission_id,
                   "customer_ref": customer_ref, "score": value, "comment": comment, "lang": lang, "created_at": now()}
            new_id = session.scalar(insert(SurveyAnswer).values(**row).on_conflict_do_nothing(
                index_elements=["link_id", "submission_id"]).returning(SurveyAnswer.id))
            # Nothing inserted: an identical submission was stored first (committed, or it
            # committed while this insert waited on its row): read that one back.
            answer = session.get(SurveyAnswer, new_id) if new_id is not None else session.scalar(
                select(SurveyAnswer).where(SurveyAnswer.link_id == link.id, SurveyAnswer.submission_id == submission_id))
    except IntegrityError:  # the link's project was deleted meanwhile
        raise gone from None
    return answer, new_id is not None


def answers(store: Store, project_id: int, link_id: int | None = None) -> list[SurveyAnswer]:
    """The project's answers (or one link's), oldest first."""
    with store.transaction() as session:
        q = select(SurveyAnswer).where(SurveyAnswer.project_id == project_id)
        if link_id is not None:
            q = q.where(SurveyAnswer.link_id == link_id)
        return list(session.scalars(q.order_by(SurveyAnswer.id)))


FEEDBACK_COLUMNS = ("customer_id", "answered_at", "metric", "score", "comment", "touchpoint", "language")


def feedback_rows(store: Store, project_id: int) -> list[dict[str, Any]]:
    """Every answer of the project (active links or not), oldest first, in the columns of a
    survey export (those of the demo's ``feedback.csv``, plus ``language``), so that
    ``read_feedback`` takes them as answers: customer_id (the link's ``ref``, or None),
    answered_at (ISO 8601 with offset), metric, score, comment, touchpoint (the link's
    touchpoint id), language."""
    with store.transaction() as session:
        rows = session.execute(select(SurveyAnswer, SurveyLink.metric, SurveyLink.touchpoint_id)
                               .join(SurveyLink, SurveyLink.id == SurveyAnswer.link_id)
                               .where(SurveyAnswer.project_id == project_id).order_by(SurveyAnswer.id)).all()
    return [{"customer_id": a.customer_ref, "answered_at": a.created_at.isoformat(timespec="seconds"),
             "metric": metric, "score": a.score, "comment": a.comment, "touchpoint": touchpoint, "language": a.lang}
            for a, metric, touchpoint in rows]


def fingerprint(store: Store, project_id: int) -> tuple[int, int]:
    """``(number of answers, highest answer id)`` of the project: changes whenever an answer is
    stored or removed, so cached analyses that include the answers can be recomputed."""
    with store.transaction() as session:
        n, top = session.execute(select(func.count(SurveyAnswer.id), func.coalesce(func.max(SurveyAnswer.id), 0))
                                 .where(SurveyAnswer.project_id == project_id)).one()
    return int(n), int(top)
