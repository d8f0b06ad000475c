"""Several sources, one journey: each source (web analytics events, CRM milestones, support
tickets, store visits…) read with its own settings and roles by ``read_events``, then their
events put together per customer. Every event carries its source's name in a ``source`` column
(usable in match rules, segments and ``--by source``). The report counts each source (read =
accepted + quarantined, per source and in all); its quarantine names each row's file; the
bad-row limit applies to each source. Column roles the sources name differently are reached by
their role (``customer``, ``event``…).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis

from parcours.engine import columns as C
from parcours.ingest.roles import RoleDetection
from parcours.ingest.said import said

SOURCE = "source"
READ_KEYS = ("fmt", "columns", "timezone", "time_unit", "date_format", "milestones", "sheet", "stitch", "delimiter",
             "join")
_counter = itertools.count(1)
_SPACE = 2**50  # each source's input order apart from the others'


def read_several(parts: list[dict[str, Any]], defaults: dict[str, Any], read_events: Callable[..., Any],
                 **common: Any) -> Any:
    """One :class:`~parcours.ingest.events.EventLog` of every part's events (module doc), each
    read by ``read_events`` (passed in: this module is below ``ingest.events``, which calls it).
    ``parts``: ``{"name", "path", and read_events settings}``; ``defaults``: the settings that
    apply to each part that does not give its own (time zone, date format, column roles…)."""
    from parcours.engine.connection import connect

    con = common.pop("con", None) or connect(common.pop("engine", None))
    common.pop("engine", None)
    logs = []
    for part in parts:
        args = {k: part.get(k) for k in READ_KEYS if part.get(k) not in (None, {}, "")}
        for k in ("timezone", "time_unit", "date_format", "delimiter"):
            if k not in args and defaults.get(k) is not None:
                args[k] = defaults[k]
        args["columns"] = {**(defaults.get("columns") or {}), **(part.get("columns") or {})} or None
        logs.append((part["name"], read_events(part["path"], con=con, **args, **common)))
    taken = {a for _, log in logs for a in log.attributes}
    column = next(c for c in (SOURCE, "parcours_source", "event_source") if c not in taken)
    canon = [c for c in logs[0][1].table.columns if c.startswith("_")]
    types: dict[str, Any] = {}
    for _, log in logs:
        for a in log.attributes:
            typ = log.table[a].type()
            types[a] = typ if types.get(a, typ) == typ else ibis.expr.datatypes.string
    tables = []
    for i, (name, log) in enumerate(logs):
        t = log.table
        cols = {c: t[c] for c in canon}
        cols[C.SEQ] = t[C.SEQ] + i * _SPACE
        cols[column] = ibis.literal(name)
        for a, typ in types.items():
            cols[a] = t[a].cast(typ) if a in t.columns else ibis.null(typ)
        tables.append(t.select(**cols))
    table = tables[0].union(*tables[1:]) if len(tables) > 1 else tables[0]
    table = con.create_table(f"_parcours_sources_{next(_counter)}", table, temp=True) if con.name == "duckdb" else table.cache()
    reports = [log.report for _, log in logs]
    EventLog, IngestReport = type(logs[0][1]), type(reports[0])  # noqa: N806 - the classes of what read_events made
    first = reports[0].detection
    # each role's column in each source, for the reader (e.g. customer=visitor | mql_id)
    named: dict[str, list[str]] = {}
    for rep in reports:
        for r, c in rep.detection.roles.items():
            named.setdefault(r, [])
            if c not in named[r]:
                named[r].append(c)
    detection = RoleDetection(roles={r: " | ".join(cs) for r, cs in named.items()},
                              how={r: "given" if all(rep.detection.how.get(r) == "given" for rep in reports
                                                     if r in rep.detection.roles) else "name" for r in named},
                              order=first.order)
    notes = [said("note.source_counts", name=name, file=Path(log.report.source).name, read=str(log.report.read),
                  accepted=str(log.report.accepted), quarantined=str(log.report.quarantined))
             for name, log in logs]
    for _name, log in logs:
        notes += log.report.notes  # each names its file where it matters
    quarantine = [q for _, log in logs for q in log.report.quarantine_rows]  # each row names its file
    report = IngestReport(source=", ".join(Path(r.source).name for r in reports), format="sources",
                          read=sum(r.read for r in reports), accepted=sum(r.accepted for r in reports),
                          quarantined=sum(r.quarantined for r in reports),
                          duplicates_dropped=sum(r.duplicates_dropped for r in reports), detection=detection, notes=notes,
                          quarantine_rows=quarantine, sources=[{"name": name, "file": Path(log.report.source).name, "read": log.report.read,
                       "accepted": log.report.accepted, "quarantined": log.report.quarantined,
                       "columns": log.report.detection.ordered()} for name, log in logs])
    return EventLog(con=con, table=table, report=report, attributes=[column, *types])
