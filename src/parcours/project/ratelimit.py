"""In-memory token buckets for the public survey endpoints: a flood from one address, or on one
link, gets ``429 Too Many Requests`` with ``Retry-After``, while a shop's real traffic passes.

A bucket holds up to ``count`` tokens and refills at ``count`` per ``period`` seconds
(a steady rate, with a burst of ``count``). Each request takes one token from its client
address's bucket (and an answer one more from its link's bucket). The client address is
``request.client.host``: the address that connects, or, behind a proxy named with ``parcours
serve --proxy``, the one it forwards (``X-Forwarded-For`` from anyone else is ignored, so that
a flood cannot pick a new address per request). Thread-safe; time is
``time.monotonic`` (a changed system clock does not matter). The buckets live in the server
process: with several processes, each counts its own. The web app keeps one limiter on its state
(:func:`limiter_on`). No web here: the routers turn a wait into ``429`` and ``Retry-After``.

>>> limiter = RateLimiter(parse_rate("2/minute"), parse_rate("100/minute"), clock=lambda: 0.0)
>>> [limiter.hit(ip="203.0.113.5") for _ in range(3)]
[0.0, 0.0, 30.0]
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parcours.errors import OptionError

IP_ENV, LINK_ENV = "PARCOURS_SURVEY_RATE", "PARCOURS_SURVEY_LINK_RATE"
DEFAULT_IP_RATE = "60/minute"  # one address: a burst of 60, then one a second
DEFAULT_LINK_RATE = "1200/minute"  # one link, every address together: 20 answers a second
_PERIODS = {"second": 1.0, "s": 1.0, "minute": 60.0, "min": 60.0, "m": 60.0, "hour": 3600.0, "h": 3600.0}
_MAX_KEYS = 50_000  # beyond, full buckets are forgotten (a flood from many addresses stays bounded)
_made = threading.Lock()  # one limiter per holder, even when the first requests arrive together
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    count: int
    period: float  # seconds

    def __str__(self) -> str:
        unit = {1.0: "second", 60.0: "minute", 3600.0: "hour"}.get(self.period, f"{self.period:g}s")
        return f"{self.count}/{unit}"


def parse_rate(text: str, name: str = IP_ENV) -> Rate:
    """``"60/minute"`` -> Rate(60, 60.0); also ``N/second``, ``N/hour``.

    >>> parse_rate("20/s")
    Rate(count=20, period=1.0)
    """
    m = re.fullmatch(r"\s*(\d{1,9})\s*/\s*([a-z]+)\s*", text.lower())
    if not m or m.group(2) not in _PERIODS or int(m.group(1)) < 1:
        raise OptionError(f"{name}={text!r}: not a rate", hint="write COUNT/PERIOD, e.g. 60/minute, 5/second or 1000/hour")
    return Rate(int(m.group(1)), _PERIODS[m.group(2)])


class Buckets:
    """Token buckets of one rate, by key."""

    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, time of the last update)

    def take(self, key: str, at: float) -> float:
        """Take a token for ``key``: 0.0 when granted, else the seconds until one is there."""
        per_second = self.rate.count / self.rate.period
        tokens, last = self._state.get(key, (float(self.rate.count), at))
        tokens = min(float(self.rate.count), tokens + (at - last) * per_second)
        if tokens >= 1.0:
            self._state[key] = (tokens - 1.0, at)
            return 0.0
        self._state[key] = (tokens, at)
        return (1.0 - tokens) / per_second

    def give_back(self, key: str) -> None:
        tokens, last = self._state[key]
        self._state[key] = (min(float(self.rate.count), tokens + 1.0), last)

    def prune(self, at: float) -> None:
        if len(self._state) < _MAX_KEYS:
            return
        full = self.rate.period  # a bucket untouched for a whole period is full again: forget it
        self._state = {k: v for k, v in self._state.items() if at - v[1] < full}


class RateLimiter:
    """Per client address (``ip``) and per survey link (``link``) buckets."""

    def __init__(self, ip_rate: Rate, link_rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.ip, self.link = Buckets(ip_rate), Buckets(link_rate)
        self._clock = clock
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> RateLimiter:
        """Rates from ``$PARCOURS_SURVEY_RATE`` (per address, default 60/minute) and
        ``$PARCOURS_SURVEY_LINK_RATE`` (per link, default 1200/minute)."""
        env = os.environ if env is None else env
        return cls(parse_rate(env.get(IP_ENV) or DEFAULT_IP_RATE, IP_ENV),
                   parse_rate(env.get(LINK_ENV) or DEFAULT_LINK_RATE, LINK_ENV))

    def hit(self, ip: str, link: str | None = None) -> float:
        """Count a request: 0.0 when it may go on, else the seconds to wait (``Retry-After``).
        A request refused by the link's bucket gives its address's token back."""
        with self._lock:
            at = self._clock()
            self.ip.prune(at)
            self.link.prune(at)
            wait = self.ip.take(ip, at)
            if wait or link is None:
                return wait
            wait = self.link.take(link, at)
            if wait:
                self.ip.give_back(ip)
            return wait


def retry_after(wait: float) -> str:
    """The ``Retry-After`` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait)))


def limiter_on(holder: Any) -> RateLimiter:
    """``holder.survey_limiter`` (the web app's state; tests set their own), made from the
    environment on first use. A bad rate setting logs a warning and the default rates are used:
    it must not break the survey pages.

    >>> class State: ...
    >>> state = State()
    >>> limiter_on(state) is limiter_on(state)
    True
    """
    limiter = getattr(holder, "survey_limiter", None)
    if limiter is None:
        with _made:
            limiter = getattr(holder, "survey_limiter", None)
            if limiter is None:
                try:
                    limiter = RateLimiter.from_env()
                except OptionError as e:
                    log.warning("%s: using the default survey rates", e)
                    limiter = RateLimiter.from_env({})
                holder.survey_limiter = limiter
    return limiter
