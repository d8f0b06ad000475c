"""The survey rate limiter (``parcours.project.ratelimit``, moved from ``parcours.web``): its
docstring examples run, and the web app's lazy limiter is made once, from the environment, with
the default rates when a setting is wrong."""

from __future__ import annotations

import doctest
import logging
import threading

import pytest

from parcours.project import ratelimit
from parcours.project.ratelimit import DEFAULT_IP_RATE, DEFAULT_LINK_RATE, IP_ENV, LINK_ENV, limiter_on, parse_rate


class State:
    """Stands for the app's ``app.state``: a plain object that takes attributes."""


def test_docstring_examples_run():
    result = doctest.testmod(ratelimit, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4 and result.failed == 0


def test_the_limiter_comes_from_the_environment_once(monkeypatch):
    monkeypatch.setenv(IP_ENV, "7/second")
    monkeypatch.setenv(LINK_ENV, "90/hour")
    state = State()
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(limiter_on(state))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and all(x is state.survey_limiter for x in seen)
    assert (str(state.survey_limiter.ip.rate), str(state.survey_limiter.link.rate)) == ("7/second", "90/hour")


def test_a_limiter_already_set_is_kept(monkeypatch):
    state = State()
    state.survey_limiter = mine = ratelimit.RateLimiter(parse_rate("1/hour"), parse_rate("1/hour"))
    monkeypatch.setenv(IP_ENV, "not a rate")
    assert limiter_on(state) is mine


def test_a_bad_setting_warns_and_uses_the_default_rates(monkeypatch, caplog):
    monkeypatch.setenv(IP_ENV, "lots")
    with caplog.at_level(logging.WARNING, logger="parcours.project.ratelimit"):
        limiter = limiter_on(State())
    assert (limiter.ip.rate, limiter.link.rate) == (parse_rate(DEFAULT_IP_RATE), parse_rate(DEFAULT_LINK_RATE))
    assert "PARCOURS_SURVEY_RATE='lots': not a rate" in caplog.text and "default survey rates" in caplog.text


def test_parse_rate_names_the_setting():
    with pytest.raises(ratelimit.OptionError, match="PARCOURS_SURVEY_LINK_RATE='5 per minute': not a rate"):
        parse_rate("5 per minute", LINK_ENV)
