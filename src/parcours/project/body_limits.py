"""Request body caps, per route: what each kind of route may receive (the settings).

The web app enforces them before a body is read (:mod:`parcours.web.limits`).

Caps (environment variables, read when the app is made; a bad value stops the start):

=============================  ========  ===================================================
route                          default   variable
=============================  ========  ===================================================
survey answers (public)        64 KB     ``PARCOURS_MAX_SURVEY_KB``
event batches (collection)     20 MB     ``PARCOURS_MAX_EVENTS_MB``
map save, check and editor     2 MB      ``PARCOURS_MAX_MAP_KB`` (in KB: 2048)
every other route              1 MB      ``PARCOURS_MAX_BODY_KB`` (in KB: 1024)
file uploads (``.../data``)    2 GB      ``PARCOURS_MAX_UPLOAD_MB``, checked by the upload route
                                         itself while it streams the file to disk
=============================  ========  ===================================================

>>> limits = BodyLimits.from_env({})
>>> limits.cap_for("POST", "/api/v1/surveys/abc/answers").bytes
65536
>>> limits.cap_for("POST", "/api/v1/projects/3/data") is None  # the upload route's own limit
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from parcours.errors import OptionError

SURVEY_ENV, EVENTS_ENV, MAP_ENV, BODY_ENV = ("PARCOURS_MAX_SURVEY_KB", "PARCOURS_MAX_EVENTS_MB",
                                             "PARCOURS_MAX_MAP_KB", "PARCOURS_MAX_BODY_KB")
KB, MB = 1024, 1024 * 1024
# A 5,000-character comment fits in 64 KB even when every character is escaped to 12 bytes
# (a JSON surrogate pair, or 4 percent-encoded UTF-8 bytes).
DEFAULTS = {SURVEY_ENV: 64, EVENTS_ENV: 20, MAP_ENV: 2048, BODY_ENV: 1024}
UNITS = {SURVEY_ENV: KB, EVENTS_ENV: MB, MAP_ENV: KB, BODY_ENV: KB}

_UPLOAD = re.compile(r"/api/v1/projects/[^/]+/data")
_SURVEY = re.compile(r"/api/v1/surveys/[^/]+/answers|/s/[^/]+")
_EVENTS = re.compile(r"/api/v1/projects/[^/]+/events")
_MAP = re.compile(r"/api/v1/projects/[^/]+/map/(versions|check|check-rule)|/projects/[^/]+/edit(/.*)?")


@dataclass(frozen=True)
class Cap:
    """A route's cap: ``bytes``, what the body is (for the message) and how to do with less."""

    bytes: int
    what: str
    hint: str
    env: str

    def refusal(self) -> dict[str, str]:
        return {"message": f"the {self.what} is larger than {_size(self.bytes)}, the most this server takes",
                "hint": f"{self.hint} (the administrator sets this limit with {self.env})"}


def _size(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else f"{n // KB} KB" if n % KB == 0 else f"{n:,} bytes"


def _read(env: Mapping[str, str], name: str) -> int:
    text = (env.get(name) or "").strip()
    if not text:
        return DEFAULTS[name] * UNITS[name]
    unit = "KB" if UNITS[name] == KB else "MB"
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value > 1e9:
        raise OptionError(f"{name}={text!r}: not a size in {unit}",
                          hint=f"give a positive number of {unit}, e.g. {name}={DEFAULTS[name]} (the default)")
    return max(1, int(value * UNITS[name]))


@dataclass(frozen=True)
class BodyLimits:
    """The caps of the app's routes, by kind of route."""

    survey: Cap
    events: Cap
    map: Cap
    default: Cap

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BodyLimits:
        """Caps from the environment (see the module's table); :class:`OptionError` for a bad value."""
        env = os.environ if env is None else env
        return cls(
            survey=Cap(_read(env, SURVEY_ENV), "survey answer", "shorten the comment (at most 5,000 characters)",
                       SURVEY_ENV),
            events=Cap(_read(env, EVENTS_ENV), "batch of events", "send the events in smaller batches "
                       "(at most 10,000 events each), with fewer or shorter attributes", EVENTS_ENV),
            map=Cap(_read(env, MAP_ENV), "map", "a journey map is much smaller: check that the right file was sent",
                    MAP_ENV),
            default=Cap(_read(env, BODY_ENV), "request body", "send less in one request (files go to the upload "
                        "endpoint POST /api/v1/projects/{id}/data)", BODY_ENV))

    def cap_for(self, method: str, path: str) -> Cap | None:
        """The cap of a request; None for the upload route, which enforces its own (bigger) limit
        while it streams the file to disk."""
        if method in ("POST", "PUT") and _UPLOAD.fullmatch(path):
            return None
        if _SURVEY.fullmatch(path):
            return self.survey
        if _EVENTS.fullmatch(path):
            return self.events
        if _MAP.fullmatch(path):
            return self.map
        return self.default
