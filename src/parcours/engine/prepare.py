"""The prepared event table every analysis reads: one ordered, encoded copy per run.

From the canonical events and the map it adds, per event: the journey id (split by
inactivity when asked), the touchpoint (first matching rule of the map, else the event
name, flagged unmapped), its stage and the stage's rank, the goal flag, the position in
the journey (``_step``, ordered by time then input order), the next touchpoint and its
time, where stage visits start, and whether the journey reaches a goal (``_converted``, on each of its events). Materialised once, so that several analyses do not re-sort the log.

Two choices keep this cheap on large logs (bench/, docs/performance.md):

- The map's rules are evaluated once per *distinct combination* of the columns they read
  and the channel (usually a few hundred pairs of event name and channel), not once per
  event, and the result is joined back.
  When those combinations are too many (a rule on a free-text or numeric column), the
  rules are evaluated per event instead; both give the same table.
- Only the columns the analyses read are sorted and stored: role columns the analyses use
  and the attributes the map's segments (or ``keep``) name. ``_customer`` (when journeys
  are not split) and ``_ts`` are derived in a view on top, at no cost; every input
  column stays reachable through ``Prepared.events`` and ``_seq``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.engine import columns as C
from parcours.engine.fetch import scalar
from parcours.engine.functions import epoch_us_to_timestamp, next_non_null, previous_non_null, timestamp_to_epoch_us
from parcours.engine.rules import ColumnResolver, goal_predicate, rule_predicate, touchpoint_case, where_predicate
from parcours.errors import MapError, OptionError, Problem, RuleError
from parcours.model.journey_map import JourneyMap

_counter = itertools.count(1)
GOAL = C.GOAL  # kept for callers that imported it from here
UNMAPPED_SUFFIX = " (unmapped)"
# Above this many distinct combinations of the rule columns, rules are evaluated per event.
LOOKUP_MAX_ROWS = 200_000


@dataclass
class Prepared:
    """The prepared table and what the analyses need to know about it."""

    con: Any
    table: ir.Table
    map: JourneyMap
    has_goals: bool
    resolver_sources: dict[str, str]
    events: ir.Table | None = None  # the canonical events, every input column (join on ``_seq``)
    rules_per_event: bool = False  # the map's rules were evaluated per event, not per combination
    split_journeys: bool = False  # journeys were split by inactivity (a customer may have several)

    @property
    def has_stages(self) -> bool:
        return bool(self.map.stages)

    def resolver(self, table: ir.Table | None = None) -> ColumnResolver:
        return ColumnResolver(self.table if table is None else table, self.resolver_sources)


def temp_table(con: Any, expr: ir.Table, prefix: str) -> ir.Table:
    """Compute ``expr`` once: a temporary table on DuckDB, a cached table elsewhere."""
    if con.name != "duckdb":
        return expr.cache()
    # CREATE ... AS keeps DuckDB's own column types (the ENUMs of _encode); Ibis'
    # create_table would declare its own (VARCHAR) and insert into that.
    return _create_as(con, "TABLE", expr, prefix)


def _temp_view(con: Any, expr: ir.Table, prefix: str) -> ir.Table:
    """``expr`` as a named DuckDB view. An analysis that reads the prepared events twice in
    one query then reads a table name, which DuckDB expands in place; the same derived
    expression written twice would become a common table expression that DuckDB
    materialises (10M events: every column copied, ~1 s and hundreds of MB per query)."""
    return _create_as(con, "VIEW", expr, prefix)


def _create_as(con: Any, kind: str, expr: ir.Table, prefix: str) -> ir.Table:
    name = f"_parcours_{prefix}_{next(_counter)}"
    con._run_pre_execute_hooks(expr)  # registers in-memory tables the expression reads
    con.raw_sql(f'CREATE TEMP {kind} "{name}" AS {con.compile(expr)}')  # returns the connection: never close it
    return con.table(name, database="temp")


def _rule_columns(m: JourneyMap, events: ir.Table, role_sources: dict[str, str] | None,
                  keep: list[str]) -> tuple[list[str], list[str]]:
    """(columns the touchpoint and goal rules read, attribute columns to carry for segments and ``keep``).

    Resolving the rules here also reports an unknown column before any work is done.
    """
    resolve = ColumnResolver(events, role_sources)
    carry = ColumnResolver(events, role_sources)
    checks = [(lambda t=t, i=i: rule_predicate(t.rule(), resolve, f"touchpoints[{i}].match"))
              for i, t in enumerate(m.touchpoints)]
    checks += [(lambda g=g, i=i: rule_predicate(g.rule(), resolve, f"goals[{i}].match")) for i, g in enumerate(m.goals)]
    checks += [(lambda s=s, i=i: where_predicate(s.where, carry, f"segments[{i}]"))
               for i, s in enumerate(m.segments) if s.where]
    problems = []
    for check in checks:
        try:
            check()
        except RuleError as e:  # a mistake in the map: point at its line, and go on to find the others
            problems.append(Problem(m.locate(e.place), e.what, e.hint))
    if problems:
        raise MapError(m.source_name, problems)
    rule_cols = sorted(resolve.used)
    for k in keep:
        if carry.column_name(k) is None:
            raise OptionError(f"--by {k}: the events have no such column",
                              hint=f"use segment, channel, or one of: {', '.join(sorted(c for c in events.columns if not c.startswith('_')))}")
        carry(k, "--by")
    return rule_cols, sorted(carry.used)


def _mapping(base: ir.Table, m: JourneyMap, role_sources: dict[str, str] | None) -> dict[str, ir.Value]:
    """``__tp`` (touchpoint), ``__mapped`` and ``__goal`` as expressions on ``base``."""
    resolve = ColumnResolver(base, role_sources)
    case = touchpoint_case(m, resolve)
    data_tp = base[C.TOUCHPOINT]
    ids = [x.id for x in m.touchpoints]
    if case is None:
        tp = data_tp.coalesce(base[C.EVENT])
        mapped = ibis.literal(True) if not ids else data_tp.isin(ids).fill_null(False)
    else:
        # A touchpoint given in the data counts as mapped only when the map declares it.
        mapped = data_tp.isin(ids).fill_null(False) | (data_tp.isnull() & case.notnull())
        # An unmatched event named like a touchpoint of the map must not merge into it.
        ev = base[C.EVENT]
        tp = data_tp.coalesce(case).coalesce(ibis.cases((ev.isin(ids), ev + UNMAPPED_SUFFIX), else_=ev))
    goal = goal_predicate(m, resolve)
    return {"__tp": tp, "__mapped": mapped & base[C.EVENT].notnull(),
            "__goal": goal if goal is not None else ibis.literal(False)}


def _with_stage(t: ir.Table, m: JourneyMap) -> ir.Table:
    """Add ``__stage`` (the data's own ``_stage``, else the stage of ``__tp``) and ``__rank``.

    Only ever applied to a small, materialised table: the CASE expressions are then cheap
    and ``__tp`` is a column, not an expression Ibis would inline into each branch.
    """
    stage_of = {x.id: x.stage for x in m.touchpoints if x.stage}
    map_stage = (ibis.cases(*[(t.__tp == k, v) for k, v in stage_of.items()], else_=ibis.null("string"))
                 if stage_of else ibis.null("string"))
    t = t.mutate(__stage=t[C.STAGE].coalesce(map_stage))
    ranks = m.stage_rank()
    rank = (ibis.cases(*[(t.__stage == k, v) for k, v in ranks.items()], else_=ibis.null("int64"))
            if ranks else ibis.null("int64"))
    return t.mutate(__rank=rank.cast("int64"))


def _encode(con: Any, t: ir.Table) -> ir.Table:
    """On DuckDB, turn the ``__o_*`` columns of a small materialised table into ENUM types.

    The names a log repeats millions of times (touchpoint, stage, event, channel) then
    travel through the sort and every group-by as small integers and the prepared table
    is a third smaller: at 10M events 1.14 GB instead of 1.76 GB, the whole analysis ~35%
    faster (bench/, docs/performance.md). ``temp_table`` creates tables with ``CREATE ...
    AS`` so that these types survive (Ibis' ``create_table`` declares text columns and
    would cast them back). Each ENUM lists its values in DuckDB's own
    text order, so comparisons, ``min`` and ``ORDER BY`` give what text would; results
    come back as text. The types are temporary (never written to a database file) and only
    our own table and column names appear in the statements.
    """
    if con.name != "duckdb":
        return t
    name = t.op().name  # the bare name of our temporary table
    for col in [c for c in t.columns if c.startswith("__o_")]:
        if not con.con.execute(f'SELECT count("{col}") FROM temp.main."{name}"').fetchone()[0]:
            continue  # no value at all: an ENUM needs one, and the column stays text
        typ = f"_parcours_enum_{next(_counter)}"
        con.con.execute(f'CREATE TEMP TYPE {typ} AS ENUM '
                        f'(SELECT DISTINCT "{col}" FROM temp.main."{name}" WHERE "{col}" IS NOT NULL ORDER BY 1)')
        con.con.execute(f'ALTER TABLE temp.main."{name}" ALTER COLUMN "{col}" SET DATA TYPE {typ}')
    return con.table(name, database="temp")


def journey_positions(t: ir.Table) -> dict[str, ir.Value]:
    """The columns that depend on each event's place in its journey (``_journey``, ordered by
    time then input order), all from one window: the step, the next touchpoint and its time,
    whether the journey converts, and ``_visit_mark``: 1 where a stage visit starts (a staged
    event whose previous *staged* event, unstaged events skipped, is of another stage, or
    none), 2 on the journey's last staged event, 3 when both, else 0. One small integer, so
    that the stage visits (``analysis.transitions.stage_visits``) read their ~27% of the events
    through a filter the engine applies while scanning.
    Whoever regroups events into other units (a customer's month, say) recomputes them."""
    w = ibis.window(group_by=C.JOURNEY, order_by=[C.T_US, C.SEQ])
    stage = t[C.STAGE]
    prev, nxt = previous_non_null(stage).over(w), next_non_null(stage).over(w)
    start = stage.notnull() & (prev.isnull() | (prev != stage))
    last = stage.notnull() & nxt.isnull()
    return {C.STEP: (ibis.row_number().over(w) + 1).cast("int64"),
            C.NEXT_TOUCHPOINT: t[C.TOUCHPOINT].lead().over(w),
            C.NEXT_T_US: t[C.T_US].lead().over(w),
            C.VISIT_MARK: (start.cast("int8") + last.cast("int8") * 2).cast("int8"),
            C.CONVERTED: t[GOAL].any().over(w)}  # whole journey: the window has no frame


def prepare(con: Any, events: ir.Table, journey_map: JourneyMap | None = None, *, journey_gap_seconds: float | None = None,
            role_sources: dict[str, str] | None = None, keep: list[str] | None = None,
            materialize: bool = True, lookup_max_rows: int | None = None) -> Prepared:
    """Build (and by default materialise) the prepared table for ``journey_map``.

    ``keep`` names extra input columns (attributes or roles) to carry, e.g. for a
    breakdown; the columns the map's segments read are always carried.
    """
    m = journey_map or JourneyMap()
    rule_cols, carry = _rule_columns(m, events, role_sources, list(keep or []))
    limit = LOOKUP_MAX_ROWS if lookup_max_rows is None else lookup_max_rows
    rest = [c for c in events.columns if c not in (C.TOUCHPOINT, C.STAGE)]

    # 1. Touchpoint, stage, rank and goal of each distinct combination of what the rules read.
    keys = sorted({C.EVENT, C.TOUCHPOINT, C.STAGE, C.CHANNEL, *rule_cols})
    lookup = temp_table(con, events.select(*keys).distinct(), "keys")
    per_event = scalar(con, lookup.count()) > limit
    # The small table also carries the names the sorted table stores (touchpoint, stage,
    # event, channel), as dictionary-encoded copies on DuckDB (see _encode).
    if not per_event:
        lookup = _with_stage(lookup.mutate(**_mapping(lookup, m, role_sources)), m)
        at = _encode(con, temp_table(con, lookup.mutate(__o_tp=lookup.__tp, __o_stage=lookup.__stage,
                                                          __o_event=lookup[C.EVENT], __o_channel=lookup[C.CHANNEL]),
                                            "lookup"))
        j = events.left_join(at, [events[k].identical_to(at[k]) for k in keys])
        src = events
    else:
        # Too many combinations for a lookup: evaluate the rules on each event, then the
        # stage and rank from the distinct (touchpoint, data stage) pairs, which stay few.
        src = events.mutate(**_mapping(events, m, role_sources))
        pairs = _with_stage(temp_table(con, src.select("__tp", C.STAGE).distinct(), "pairs"), m)
        at = _encode(con, temp_table(con, pairs.mutate(__o_tp=pairs.__tp, __o_stage=pairs.__stage), "pairs"))
        j = src.left_join(at, [src.__tp.identical_to(at.__tp), src[C.STAGE].identical_to(at[C.STAGE])])
    by_name = {C.TOUCHPOINT: "__o_tp", C.MAPPED: "__mapped", GOAL: "__goal", C.STAGE: "__o_stage",
               C.STAGE_RANK: "__rank", C.EVENT: "__o_event", C.CHANNEL: "__o_channel"}
    t = j.select(*[src[c] for c in rest if c not in by_name],
                 **{name: (at[col] if col in at.columns else src[col if col in src.columns else name])
                    for name, col in by_name.items()})
    t = t.mutate(**{C.T_US: timestamp_to_epoch_us(t[C.TS], con.name)})

    # 2. Journeys, then one sort: position in the journey, next touchpoint and its time.
    if journey_gap_seconds:
        gap_us = int(journey_gap_seconds * 1_000_000)
        w = ibis.window(group_by=C.CUSTOMER, order_by=[C.T_US, C.SEQ])
        t = t.mutate(__prev=t[C.T_US].lag().over(w))
        t = t.mutate(__new=(t.__prev.isnull() | ((t[C.T_US] - t.__prev) > gap_us)).cast("int64"))
        t = t.mutate(__n=t.__new.sum().over(ibis.window(group_by=C.CUSTOMER, order_by=[C.T_US, C.SEQ],
                                                         preceding=None, following=0)))
        t = t.mutate(**{C.JOURNEY: t[C.CUSTOMER] + "#" + t.__n.cast("string")}).drop("__prev", "__new", "__n")
    else:
        t = t.mutate(**{C.JOURNEY: t[C.CUSTOMER]})
    stored = [C.JOURNEY, *([C.CUSTOMER] if journey_gap_seconds else []), C.STEP, C.T_US, C.SEQ, C.EVENT, C.CHANNEL,
              C.TOUCHPOINT, C.MAPPED, C.STAGE, C.STAGE_RANK, GOAL, C.CONVERTED, C.NEXT_TOUCHPOINT, C.NEXT_T_US,
              C.VISIT_MARK, C.VALUE]
    t = t.select(*[c for c in stored if c in t.columns], *[c for c in carry if c not in stored],
                 **journey_positions(t))
    t = t.select(*[c for c in stored if c in t.columns], *[c for c in t.columns if c not in stored])
    if materialize:
        t = temp_table(con, t, "prepared")

    # 3. A view adds what is derived for free: the customer (when journeys are not split)
    # and the timestamp.
    extra: dict[str, ir.Value] = {C.TS: epoch_us_to_timestamp(t[C.T_US])}
    if not journey_gap_seconds:
        extra[C.CUSTOMER] = t[C.JOURNEY]
    t = t.mutate(**extra)
    if materialize and con.name == "duckdb":
        t = _temp_view(con, t, "prepared_events")  # not "events": ingest names its tables _parcours_events_N
    return Prepared(con=con, table=t, map=m, has_goals=bool(m.goals), resolver_sources=dict(role_sources or {}),
                    events=events, rules_per_event=per_event,
                    split_journeys=bool(journey_gap_seconds))
