"""Survey links and answers in the app database, on SQLite and PostgreSQL: validation, one row per
submission (also under concurrent identical submissions), and the answers read back by the
feedback reader as survey answers, with nothing quarantined."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import threading

import pytest

from parcours.errors import OptionError
from parcours.store import activity, surveys
from parcours.store.errors import NotFound
from parcours.store.models import SurveyAnswer


@pytest.fixture
def link(store, project, alice):
    return surveys.create_link(store, project.id, "delivery_tracking", "nps", "fr", alice.id)


def _rows(store, link_id):
    from sqlalchemy import select

    with store.transaction() as session:
        return list(session.scalars(select(SurveyAnswer).where(SurveyAnswer.link_id == link_id).order_by(SurveyAnswer.id)))


def test_docstring_example_runs():
    result = doctest.testmod(surveys, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_create_link_validates_and_tells_the_feed(store, project, alice):
    link = surveys.create_link(store, project.id, " checkout ", "CSAT", "EN", alice.id)
    assert (link.touchpoint_id, link.metric, link.lang, link.active) == ("checkout", "csat", "en", True)
    assert len(link.token) >= 20 and link.token.replace("-", "").replace("_", "").isalnum()
    other = surveys.create_link(store, project.id, "checkout", "csat", "en", alice.id)
    assert other.token != link.token
    (line, _) = activity.feed(store, project.id)
    assert (line.kind, line.target_kind, line.target_id) == ("survey_link", "touchpoint", "checkout")
    assert "CSAT" in line.summary
    with pytest.raises(OptionError, match="metric 'stars'"):
        surveys.create_link(store, project.id, "checkout", "stars", "fr", alice.id)
    with pytest.raises(OptionError, match="lang 'de'"):
        surveys.create_link(store, project.id, "checkout", "nps", "de", alice.id)
    with pytest.raises(NotFound):
        surveys.create_link(store, 999_999, "checkout", "nps", "fr", alice.id)
    assert len(activity.feed(store, project.id)) == 2  # refused links left no line


def test_answers_are_stored_once_per_submission(store, project, link):
    answer, created = surveys.submit_answer(store, link.token, "sub-1", "9", "  Livré à l'heure  ", " C042 ", None)
    assert created and (answer.score, answer.comment, answer.customer_ref, answer.lang) == (9, "Livré à l'heure", "C042", "fr")
    again, created = surveys.submit_answer(store, link.token, "sub-1", 3, "changed my mind", None, "en")
    assert not created and again.id == answer.id and again.score == 9  # the first one stands
    surveys.submit_answer(store, link.token, "sub-2", 0, "", "", "en")
    rows = _rows(store, link.id)
    assert [(r.submission_id, r.score, r.comment, r.customer_ref, r.lang) for r in rows] == [
        ("sub-1", 9, "Livré à l'heure", "C042", "fr"), ("sub-2", 0, None, None, "en")]
    assert [(lk.id, n) for lk, n in surveys.list_links(store, project.id)] == [(link.id, 2)]


def test_concurrent_identical_submissions_give_one_row(store, project, link):
    """Four threads send the same five submissions at the same moment: five rows, and exactly one
    thread was told it stored each one."""
    threads, ids = 4, [f"race-{i}" for i in range(5)]
    barrier = threading.Barrier(threads)
    created: list[tuple[str, bool]] = []
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            for sid in ids:
                barrier.wait(timeout=30)
                _, was_new = surveys.submit_answer(store, link.token, sid, n % 11, None, f"C{n}", None)
                created.append((sid, was_new))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    pool = [threading.Thread(target=send, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    assert not errors, errors
    rows = _rows(store, link.id)
    assert sorted(r.submission_id for r in rows) == ids
    assert sorted(sid for sid, was_new in created if was_new) == ids
    assert len(created) == threads * len(ids)


@pytest.mark.parametrize("metric, low, high", [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)])
def test_scores_must_be_on_the_metric_scale(store, project, alice, metric, low, high):
    link = surveys.create_link(store, project.id, "checkout", metric, "en", alice.id)
    assert surveys.submit_answer(store, link.token, "low", low, None, None, None)[1]
    assert surveys.submit_answer(store, link.token, "high", str(high), None, None, None)[1]
    for bad in (low - 1, high + 1, "7.5", "abc", None, "", True):
        with pytest.raises(OptionError, match="score") as e:
            surveys.submit_answer(store, link.token, f"bad-{bad}", bad, None, None, None)
        assert f"{low} to {high}" in str(e.value) or f"{low}–{high}" in str(e.value)
    assert [r.score for r in _rows(store, link.id)] == [low, high]


def test_limits_and_closed_links(store, project, alice, link):
    assert surveys.submit_answer(store, link.token, "long", 5, "é" * 5000, "R" * 200, None)[1]
    with pytest.raises(OptionError, match="comment is 5001 characters"):
        surveys.submit_answer(store, link.token, "longer", 5, "é" * 5001, None, None)
    with pytest.raises(OptionError, match="customer reference is 201 characters"):
        surveys.submit_answer(store, link.token, "longer", 5, None, "R" * 201, None)
    for bad_id in ("", "a b", "x" * 65, "<script>"):
        with pytest.raises(OptionError, match="submission_id"):
            surveys.submit_answer(store, link.token, bad_id, 5, None, None, None)
    with pytest.raises(OptionError, match="lang 'de'"):
        surveys.submit_answer(store, link.token, "de", 5, None, None, "de")
    with pytest.raises(NotFound):
        surveys.submit_answer(store, "no-such-token", "x1", 5, None, None, None)
    nul, _ = surveys.submit_answer(store, link.token, "nul", 5, "a\x00b", "C\x001", None)
    assert (nul.comment, nul.customer_ref) == ("ab", "C1")
    closed = surveys.deactivate_link(store, project.id, link.id, alice.id)
    assert not closed.active and not surveys.link_by_token(store, link.token).active
    with pytest.raises(NotFound, match="no longer takes answers"):
        surveys.submit_answer(store, link.token, "late", 5, None, None, None)
    assert [r.submission_id for r in _rows(store, link.id)] == ["long", "nul"]
    with pytest.raises(NotFound):
        surveys.deactivate_link(store, project.id + 1, link.id, alice.id)  # not this project's link


def test_feedback_rows_are_read_as_survey_answers(store, project, alice, tmp_path):
    """What ``feedback_rows`` gives is read by ``read_feedback`` (the analyses' reader) with the
    demo map: every answer accepted, with the scores, metrics, touchpoints, customers and times
    that were submitted."""
    from parcours.demo import _MAP_YAML
    from parcours.ingest.feedback import read_feedback
    from parcours.store.maps import parse_map

    nps = surveys.create_link(store, project.id, "delivery_tracking", "nps", "fr", alice.id)
    csat = surveys.create_link(store, project.id, "checkout", "csat", "en", alice.id)
    ces = surveys.create_link(store, project.id, "support_chat", "ces", "fr", alice.id)
    sent = [(nps, "a", 10, "Parfait, merci", "C1"), (nps, "b", 3, "Colis en retard, livreur injoignable", None),
            (csat, "c", 4, "Easy, but shipping costs came late", "C2"), (csat, "d", 1, None, "C3"),
            (ces, "e", 6, "Réponse en deux minutes", "C1")]
    before = surveys.fingerprint(store, project.id)
    for lk, sid, score, comment, ref in sent:
        surveys.submit_answer(store, lk.token, sid, score, comment, ref, None)
    surveys.submit_answer(store, nps.token, "a", 0, None, None, None)  # sent again: no row
    surveys.deactivate_link(store, project.id, ces.id, alice.id)  # a closed link's answers still count
    assert before == (0, 0) and surveys.fingerprint(store, project.id)[0] == len(sent)

    rows = surveys.feedback_rows(store, project.id)
    assert all(list(r) == list(surveys.FEEDBACK_COLUMNS) for r in rows)
    path = tmp_path / "survey_answers.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=surveys.FEEDBACK_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    log = read_feedback(path, parse_map(_MAP_YAML))
    assert (log.report.read, log.report.accepted, log.report.quarantined) == (len(sent), len(sent), 0)
    assert {role: log.roles[role] for role in ("customer", "time", "score", "metric", "comment", "touchpoint", "language")} \
        == {"customer": "customer_id", "time": "answered_at", "score": "score", "metric": "metric",
            "comment": "comment", "touchpoint": "touchpoint", "language": "language"}
    got = log.table.order_by("_seq").select("_customer", "_score", "_metric", "_touchpoint", "_comment", "_ts").to_pyarrow().to_pylist()
    expected = [(ref, float(score), lk.metric, lk.touchpoint_id, comment) for lk, _, score, comment, ref in sent]
    assert [(r["_customer"], r["_score"], r["_metric"], r["_touchpoint"], r["_comment"]) for r in got] == expected
    stored = {a.submission_id: a.created_at for a in surveys.answers(store, project.id)}
    for r, (_, sid, *_) in zip(got, sent):
        assert abs(r["_ts"].astimezone(dt.UTC) - stored[sid]) < dt.timedelta(seconds=1)
    assert log.metrics == ["nps", "csat", "ces"]


def test_fingerprint_moves_with_new_answers_only(store, project, link):
    surveys.submit_answer(store, link.token, "one", 7, None, None, None)
    first = surveys.fingerprint(store, project.id)
    surveys.submit_answer(store, link.token, "one", 7, None, None, None)
    assert surveys.fingerprint(store, project.id) == first
    surveys.submit_answer(store, link.token, "two", 8, None, None, None)
    second = surveys.fingerprint(store, project.id)
    assert second[0] == first[0] + 1 and second[1] > first[1]
