"""Dynamic segments: each customer's segment in each period, and how customers moved between
segments from one period to the next.

- The unit is a **customer-period**: all the events of a customer in one calendar period
  (``week`` ISO, starting Monday; ``month``; ``quarter``; ``year``; in UTC). It gets a label
  with the same rules as a journey (:mod:`parcours.analysis.behaviour`): ``buyer`` counts the
  customer's goal events up to the end of the period; ``value_tier`` uses terciles of the
  positive values of all customer-periods, so that tiers mean the same in every period;
  ``segment`` is the first segment of the map, in map order, the customer-period belongs to
  (``(none)`` otherwise); any other column gives its value on the period's first event.
- Between two consecutive periods A and B, every customer seen in A or before is counted once,
  from their segment in A to their segment in B. Two states stand for absence: ``(new)``
  (first seen in B: the row of acquisitions) and ``(inactive)`` (seen before, no event in the
  period). So, for each pair, the customers moving *from* a segment add up to the segment's
  count in A, and those moving *to* a segment add up to its count in B.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from parcours.analysis import behaviour
from parcours.analysis.filters import segment_journeys
from parcours.engine import columns as C
from parcours.engine.fetch import rows
from parcours.engine.prepare import journey_positions, temp_table
from parcours.engine.rules import ColumnResolver
from parcours.errors import OptionError
from parcours.model.journey_map import JourneyMap

EVERY = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
NEW, INACTIVE, NONE = "(new)", "(inactive)", "(none)"


def period_label(start: dt.date, every: str) -> str:
    """``2026-03`` (month), ``2026-Q1``, ``2026-W09`` (ISO week), ``2026``.

    >>> period_label(dt.date(2026, 3, 2), "week"), period_label(dt.date(2026, 4, 1), "quarter")
    ('2026-W10', '2026-Q2')
    """
    if every == "month":
        return f"{start.year}-{start.month:02d}"
    if every == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if every == "year":
        return str(start.year)
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def _next_start(start: dt.date, every: str) -> dt.date:
    if every == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[every]
    m = start.month - 1 + months
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


def customer_periods(ev: ir.Table, every: str) -> ir.Table:
    """``ev`` with ``_journey`` replaced by the customer-period, and ``__period`` (its first day).

    The columns that depend on an event's place in its journey (step, next touchpoint and
    time, visit marks, converted) are recomputed for these units, so that stage
    visits and journey shapes describe the customer's period, not the journeys it cuts."""
    if every not in EVERY:
        raise OptionError(f"--every {every!r}", hint=f"use one of: {', '.join(EVERY)}")
    t = ev.mutate(__period=ev[C.TS].truncate(EVERY[every]).date())
    t = t.mutate(**{C.JOURNEY: t[C.CUSTOMER].cast("string") + "|" + t.__period.cast("string")})
    return t.mutate(**journey_positions(t))


def unit_labels(units: ir.Table, m: JourneyMap, by: str, resolve: ColumnResolver) -> ir.Table:
    """``_journey`` (customer-period), ``group``."""
    if by == "shape":
        raise OptionError("--by shape describes one journey, not a customer's period",
                          hint="use buyer, channel_mix, value_tier, segment or a column")
    if by in behaviour.DIMENSIONS:
        return behaviour.labels(units, by, has_goals=bool(m.goals), has_stages=bool(m.stages),
                                has_value="value" in resolve.role_sources, m=m)
    if by == "segment":
        if not m.segments:
            raise OptionError("--by segment: the map declares no segment", hint="add segments, or use --by buyer")
        parts = [segment_journeys(units, m, s.id, resolve).mutate(__i=ibis.literal(i)) for i, s in enumerate(m.segments)]
        first = ibis.union(*parts).group_by(C.JOURNEY).agg(__i=ibis._.__i.min())
        ids = {i: s.id for i, s in enumerate(m.segments)}
        all_units = units.select(C.JOURNEY).distinct()
        j = all_units.left_join(first, C.JOURNEY).drop(f"{C.JOURNEY}_right")
        return j.select(C.JOURNEY, group=j.__i.substitute(ids, else_=ibis.null("string")).fill_null(NONE))
    col = resolve(by, "--by")
    t = units.mutate(__v=col.cast("string"))
    t = t.filter(t[C.STEP] == 1)  # the period's first event (customer_periods numbers them)
    return t.select(C.JOURNEY, group=t.__v.fill_null(NONE))


def movements(con: Any, ev: ir.Table, m: JourneyMap, by: str, every: str, resolve: ColumnResolver
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(data, tables): counts per period and segment, moves between consecutive periods, and
    the membership of each active customer-period (``customer``, ``period``, ``segment``)."""
    units = customer_periods(ev, every)
    lab = unit_labels(units, m, by, resolve.__class__(units, resolve.role_sources))
    keys = units.select(C.JOURNEY, C.CUSTOMER, "__period").distinct()
    mem = keys.join(lab, C.JOURNEY).select(customer=keys[C.CUSTOMER].cast("string"), period=keys.__period,
                                           segment=lab.group)
    mem = temp_table(con, mem, "membership")
    counts = rows(con, mem.group_by("period", "segment").agg(customers=mem.count()))
    if not counts:
        raise OptionError("no events to place in periods")
    starts = sorted({r["period"] for r in counts})
    periods = [starts[0]]
    while periods[-1] < starts[-1]:  # every period between the first and the last, empty ones too
        periods.append(_next_start(periods[-1], every))
    first = mem.group_by("customer").agg(first=mem.period.min())
    first_counts = {r["first"]: int(r["n"]) for r in rows(con, first.group_by("first").agg(n=first.count()))}
    order = _label_order(by, [r["segment"] for r in counts], m)
    per: dict[dt.date, dict[str, int]] = {p: {} for p in periods}
    for r in counts:
        per[r["period"]][r["segment"]] = int(r["customers"])
    moves: list[dict[str, Any]] = []
    seen = 0
    for a, b in itertools.pairwise(periods):
        seen += first_counts.get(a, 0)
        ma = mem.filter(mem.period == a).select(ca="customer", s_from="segment")
        mb = mem.filter(mem.period == b).select(cb="customer", s_to="segment")
        j = ma.outer_join(mb, ma.ca == mb.cb)
        j = j.mutate(c=j.ca.coalesce(j.cb))
        j = j.join(first, j.c == first.customer)
        j = j.mutate(f=j.s_from.coalesce(ibis.cases((j.first == ibis.literal(b), NEW), else_=INACTIVE)),
                     t=j.s_to.coalesce(ibis.literal(INACTIVE)))
        pair = {(r["f"], r["t"]): int(r["n"]) for r in rows(con, j.group_by("f", "t").agg(n=j.count()))}
        known = sum(n for (f, _), n in pair.items() if f != NEW)
        if seen - known:
            pair[(INACTIVE, INACTIVE)] = seen - known
        for (f, t), n in sorted(pair.items(), key=lambda x: (_rank(order, x[0][0]), _rank(order, x[0][1]))):
            from_total = sum(v for (ff, _), v in pair.items() if ff == f)
            moves.append({"from_period": period_label(a, every), "to_period": period_label(b, every),
                          "from": f, "to": t, "customers": n, "share_of_from": n / from_total if from_total else None,
                          "changed": f != t})
    total: dict[tuple[str, str], int] = {}
    for r in moves:
        total[(r["from"], r["to"])] = total.get((r["from"], r["to"]), 0) + r["customers"]
    data = {
        "by": by, "every": every, "labels": order,
        "customers": sum(first_counts.values()),
        "periods": [{"period": period_label(p, every), "start": p.isoformat(), "end": _next_start(p, every).isoformat(),
                     "customers": sum(per[p].values()), "new": first_counts.get(p, 0),
                     "counts": {k: per[p].get(k, 0) for k in order}} for p in periods],
        "movements": moves,
        "movements_total": [{"from": f, "to": t, "customers": n} for (f, t), n in
                            sorted(total.items(), key=lambda x: (_rank(order, x[0][0]), _rank(order, x[0][1])))],
    }
    data["stayed"] = sum(n for (f, t), n in total.items() if f == t and f not in (NEW, INACTIVE))
    data["moved"] = sum(n for (f, t), n in total.items() if f != t and f not in (NEW, INACTIVE) and t != INACTIVE)
    counts_rows = [{"period": period_label(p, every), "segment": k, "customers": per[p].get(k, 0),
                    "share": per[p].get(k, 0) / sum(per[p].values()) if sum(per[p].values()) else None}
                   for p in periods for k in order]
    membership = con.to_pyarrow(mem.order_by("period", "customer"))
    labels = {p: period_label(p, every) for p in periods}
    membership = membership.set_column(1, "period", pa.array([labels[p] for p in membership.column("period").to_pylist()],
                                                             pa.string()))
    tables = {"segment_counts": pa.Table.from_pylist(counts_rows), "segment_movements": pa.Table.from_pylist(moves),
              "segment_membership": membership}
    return data, tables


def _label_order(by: str, labels: list[str], m: JourneyMap) -> list[str]:
    fixed = {"buyer": behaviour.BUYER_LABELS, "value_tier": behaviour.VALUE_LABELS,
             "segment": tuple(s.id for s in m.segments)}.get(by, ())
    rest = sorted(set(labels) - set(fixed))
    return [x for x in fixed if x in set(labels)] + rest


def _rank(order: list[str], label: str) -> tuple[int, str]:
    if label == NEW:
        return (-1, label)
    if label == INACTIVE:
        return (len(order) + 1, label)
    return (order.index(label) if label in order else len(order), label)
