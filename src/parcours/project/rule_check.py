"""Live checks for the map editor: is a map (YAML text) valid, and how many of the project's
events does each touchpoint's rule catch?

:func:`check_map` measures a whole map with :func:`parcours.engine.prepare.prepare` on the
project's events (:meth:`parcours.project.live.LiveMaps.event_log`), so the counts are the analysis' own: an event
matching several touchpoints goes to the first. :func:`check_rule` measures one touchpoint's
rule as it is typed: the events it catches on its own, and those left to it once the touchpoints
above it took theirs. Rules become Ibis predicates (``parcours.engine.rules``), never SQL text.
The web app calls them as :meth:`~parcours.project.live.LiveMaps.check_map` and ``check_rule``,
a :class:`~parcours.project.Project` as its own ``check_map`` and ``check_rule``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from parcours.errors import InputError, MapError, ParcoursError, Problem, RuleError
from parcours.model import JourneyMap, map_from_text
from parcours.model.journey_map import Touchpoint, text_in

SOURCE = "map.yaml"
TOP_UNMAPPED = 10
_lock = threading.Lock()  # one DuckDB query at a time on a project's cached connection
_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_CACHE_SIZE = 16


def problem_dict(p: Problem) -> dict[str, Any]:
    """``{line, field, message}`` of a problem, from its values (``line``, ``field``); ``what``
    and ``hint`` apart too, for a page that says them in its reader's language (``| note``)."""
    message = p.what + (f" ({p.hint})" if p.hint else "")
    return {"line": p.line, "field": p.field, "message": message, "what": p.what, "hint": p.hint}


def _problems(err: MapError) -> list[dict[str, Any]]:
    return [problem_dict(p) for p in err.problems]


def _no_data(e: ParcoursError) -> dict[str, Any]:
    return {"data": None, "message": e.message + (f" — {e.hint}" if e.hint else "")}


def _name(value: Any, lang: str) -> str | None:
    return text_in(value, lang)


@lru_cache(maxsize=8)
def _parse(text: str) -> JourneyMap:
    """The map of a text, parsed once for the few texts in use (validation is pure Python YAML)."""
    return map_from_text(text, SOURCE)


def check_map(live: Any, project_id: int, text: str) -> dict[str, Any]:
    """``{valid, problems, data, message}``: the map's problems (line, field, message) or, when it
    is valid and the project has data, what each touchpoint and stage catches of the events."""
    try:
        m = _parse(text)
    except MapError as e:
        return {"valid": False, "problems": _problems(e), "data": None, "message": None}
    try:
        inputs = live.inputs(project_id, m)
    except InputError as e:
        return {"valid": True, "problems": [], **_no_data(e)}
    key = (project_id, inputs.key, text)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        log = live.event_log(project_id, m)
        with _lock:
            data = _measure(log, m)
    except MapError as e:  # a rule names a column the events do not have
        return {"valid": False, "problems": _problems(e), "data": None, "message": None}
    except ParcoursError as e:
        return {"valid": True, "problems": [], **_no_data(e)}
    out = {"valid": True, "problems": [], "data": data, "message": None}
    with _lock:
        _cache[key] = out
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return out


def _measure(log: Any, m: JourneyMap) -> dict[str, Any]:
    from parcours.engine import columns as C
    from parcours.engine.fetch import rows
    from parcours.engine.prepare import prepare
    from parcours.project.map_source import source_defaults
    from parcours.model.durations import parse_duration

    gap = source_defaults(m)["journey_gap"]
    p = prepare(log.con, log.table, m, role_sources=log.roles, materialize=False,
                journey_gap_seconds=parse_duration(gap) if gap else None)
    ev = p.table
    groups = rows(log.con, ev.group_by(touchpoint=ev[C.TOUCHPOINT], mapped=ev[C.MAPPED], stage=ev[C.STAGE],
                                       event=ev[C.EVENT]).agg(events=ev.count()))
    mapped = ev.filter(ev[C.MAPPED])
    per_tp = rows(log.con, mapped.group_by(touchpoint=mapped[C.TOUCHPOINT])
                  .agg(events=mapped.count(), customers=mapped[C.CUSTOMER].nunique()))
    totals = rows(log.con, ev.aggregate(events=ev.count(), customers=ev[C.CUSTOMER].nunique()))[0]
    by_tp = {r["touchpoint"]: r for r in per_tp}
    lang = m.language
    touchpoints = [{"id": t.id, "name": _name(t.name, lang) or t.id, "stage": t.stage,
                    "events": by_tp.get(t.id, {}).get("events", 0), "customers": by_tp.get(t.id, {}).get("customers", 0)}
                   for t in m.touchpoints]
    unmapped: dict[str, int] = {}
    stage_events: dict[str, int] = {}
    for r in groups:
        if not r["mapped"]:
            unmapped[r["event"]] = unmapped.get(r["event"], 0) + r["events"]
        if r["stage"] is not None:
            stage_events[r["stage"]] = stage_events.get(r["stage"], 0) + r["events"]
    top = sorted(unmapped.items(), key=lambda kv: (-kv[1], str(kv[0])))[:TOP_UNMAPPED]
    return {"events": totals["events"], "customers": totals["customers"], "touchpoints": touchpoints,
            "unmapped": {"events": sum(unmapped.values()), "event_names": len(unmapped),
                         "top": [{"event": k, "events": v} for k, v in top]},
            "stages": [{"id": s.id, "name": _name(s.name, lang) or s.id, "events": stage_events.get(s.id, 0)}
                       for s in m.stages]}


def touchpoint_problems(element: dict[str, Any]) -> tuple[Touchpoint | None, list[dict[str, Any]]]:
    """The touchpoint ``element`` describes, or the problems with it (``field`` below ``touchpoint``)."""
    from parcours.model.io import pydantic_problems

    data = {"id": "new_touchpoint", **{k: v for k, v in element.items() if v not in (None, "")}}
    try:
        return Touchpoint.model_validate(data), []
    except ValidationError as err:
        return None, [problem_dict(p) | {"field": ("touchpoint." + (p.field or "")).rstrip(".")}
                      for p in pydantic_problems(err, SOURCE, {})]


def check_rule(live: Any, project_id: int, m: JourneyMap, element: dict[str, Any]) -> dict[str, Any]:
    """What one touchpoint's rule catches of the project's events (``m`` says where they are and
    which touchpoints come before it): ``{valid, problems, data, message}`` where ``data`` has
    ``events``, ``customers``, ``event_names`` (distinct names caught), ``top`` (the names and
    their events) and ``first_match_events`` (what is left to it after the touchpoints above it,
    as the analysis counts; None when one of them cannot be applied)."""
    tp, problems = touchpoint_problems(element)
    if tp is None:
        return {"valid": False, "problems": problems, "data": None, "message": None}
    try:
        log = live.event_log(project_id, m)
    except ParcoursError as e:
        return {"valid": True, "problems": [], **_no_data(e)}
    from parcours.engine import columns as C
    from parcours.engine.fetch import rows
    from parcours.engine.rules import ColumnResolver, rule_predicate

    place = "touchpoint.match"
    resolve = ColumnResolver(log.table, log.roles)
    try:
        pred = rule_predicate(tp.rule(), resolve, place)
    except RuleError as e:
        return {"valid": False, "problems": [{"line": None, "field": e.place, "message": e.what
                                              + (f" ({e.hint})" if e.hint else "")}], "data": None, "message": None}
    ids = [t.id for t in m.touchpoints]
    above = m.touchpoints[:ids.index(tp.id)] if tp.id in ids else list(m.touchpoints)
    try:
        earlier = [rule_predicate(t.rule(), resolve, f"touchpoints[{i}].match") for i, t in enumerate(above)]
    except RuleError:
        earlier = None
    t = log.table
    first = pred
    for e in earlier or []:
        first = first & ~e
    with _lock:
        caught = t.filter(pred)
        names = rows(log.con, caught.group_by(event=caught[C.EVENT]).agg(events=caught.count()))
        customers = rows(log.con, caught.aggregate(n=caught[C.CUSTOMER].nunique()))[0]["n"]
        kept = t.filter(first)
        first_n = rows(log.con, kept.aggregate(n=kept.count()))[0]["n"] if earlier is not None else None
    names.sort(key=lambda r: (-r["events"], str(r["event"])))
    return {"valid": True, "problems": [], "message": None,
            "data": {"events": sum(r["events"] for r in names), "customers": customers,
                     "event_names": len(names), "top": names[:TOP_UNMAPPED], "first_match_events": first_n,
                     "touchpoints_above": len(above)}}
