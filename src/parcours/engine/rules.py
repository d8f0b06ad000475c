"""Compile the map's match rules and conditions into Ibis predicates.

Values and patterns become Ibis literals, never SQL text. A ``where`` key names either
an attribute column (by its name in the input), the input column used for a role
(e.g. ``case:channel``), or a role (``channel``, ``event``, ``value``...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.engine import columns as C
from parcours.errors import RuleError, UnknownColumnError
from parcours.model.conditions import Operators, is_glob
from parcours.model.journey_map import JourneyMap, MatchRule


def glob_to_regex(pattern: str) -> str:
    """Anchored RE2 regex for a glob (``*`` any text, ``?`` one character, ``[..]`` a set).

    >>> glob_to_regex("product_view*")
    '^product_view.*$'
    """
    out, i = ["^"], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 1
        elif ch == "[":
            j = pattern.index("]", i + 2 if pattern[i + 1:i + 2] in ("!", "^") else i + 1)
            body = pattern[i + 1:j]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = j
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    return "".join(out)


def _like(pattern: str) -> str | None:
    """The LIKE form of a glob using only ``*`` and ``?`` (faster than a regex), else None."""
    if "[" in pattern or "\\" in pattern or "%" in pattern or "_" in pattern:
        return None
    return pattern.replace("*", "%").replace("?", "_")


def text_matches(col: ir.StringValue, patterns: list[str]) -> ir.BooleanValue:
    """``col`` equals one of the names or matches one of the glob patterns."""
    names = [p for p in patterns if not is_glob(p)]
    globs = [p for p in patterns if is_glob(p)]
    preds: list[ir.BooleanValue] = []
    if names:
        preds.append(col == names[0] if len(names) == 1 else col.isin(names))
    for g in globs:
        like = _like(g)
        preds.append(col.like(like) if like is not None else col.re_search(glob_to_regex(g)))
    return _any(preds)


def _any(preds: list[ir.BooleanValue]) -> ir.BooleanValue:
    if not preds:
        return ibis.literal(False)
    out = preds[0]
    for p in preds[1:]:
        out = out | p
    return out


def _all(preds: list[ir.BooleanValue]) -> ir.BooleanValue:
    if not preds:
        return ibis.literal(True)
    out = preds[0]
    for p in preds[1:]:
        out = out & p
    return out


class ColumnResolver:
    """Finds the table column a ``where`` key refers to."""

    def __init__(self, table: ir.Table, role_sources: Mapping[str, str] | None = None) -> None:
        self.table = table
        self.role_sources = dict(role_sources or {})  # role -> input column name
        self.used: set[str] = set()  # table columns resolved so far

    def __call__(self, key: str, where: str) -> ir.Column:
        name = self.column_name(key)
        if name is None:
            cols = self.table.columns
            given = {r: s for r, s in self.role_sources.items() if C.ROLE_COLUMNS.get(r) in cols}
            known = sorted({c for c in cols if not c.startswith("_")} | set(given) | set(given.values()))
            raise UnknownColumnError(f"{where}.{key}", key, known)
        self.used.add(name)
        return self.table[name]

    def column_name(self, key: str) -> str | None:
        """The table column ``key`` refers to, or None."""
        cols = self.table.columns
        if key in cols and not key.startswith("_"):
            return key
        for role, source in self.role_sources.items():
            if key == source and C.ROLE_COLUMNS[role] in cols:
                return C.ROLE_COLUMNS[role]
        if key in C.ROLE_COLUMNS and C.ROLE_COLUMNS[key] in cols:
            return C.ROLE_COLUMNS[key]
        return None


def _cast_like(col: ir.Column, value: Any, place: str) -> Any:
    """The condition's value in the column's type: text against text, numbers against numbers."""
    if col.type().is_string() and not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if col.type().is_numeric() and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise RuleError(place, f"{value!r} is text but the column holds numbers ({col.type()})",
                            "write a number, or name a text column") from None
    return value


def _ordered(col: ir.Column, value: Any, place: str) -> Any:
    """The value of a gt/gte/lt/lte condition: a number is never compared as text."""
    if col.type().is_string() and isinstance(value, (int, float)) and not isinstance(value, bool):
        raise RuleError(place, f"compares the column with the number {value:g}, but the column holds text",
                        "its values are not all numbers in the input: fix the column, or quote the value "
                        "to compare as text (alphabetical order)")
    return _cast_like(col, value, place)


def condition(col: ir.Column, spec: Any, place: str = "condition") -> ir.BooleanValue:
    """Predicate for one column's condition (scalar, list, or operator block) written at ``place``."""
    if isinstance(spec, list):
        return col.isin([_cast_like(col, v, place) for v in spec])
    if not isinstance(spec, Operators):
        return col == _cast_like(col, spec, place)
    preds: list[ir.BooleanValue] = []
    if spec.eq is not None:
        preds.append(col == _cast_like(col, spec.eq, f"{place}.eq"))
    if spec.ne is not None:
        preds.append((col != _cast_like(col, spec.ne, f"{place}.ne")) | col.isnull())
    if spec.in_ is not None:
        preds.append(col.isin([_cast_like(col, v, f"{place}.in") for v in spec.in_]))
    if spec.not_in is not None:
        preds.append(~col.isin([_cast_like(col, v, f"{place}.not_in") for v in spec.not_in]) | col.isnull())
    for op, value in (("gt", spec.gt), ("gte", spec.gte), ("lt", spec.lt), ("lte", spec.lte)):
        if value is not None:
            v = _ordered(col, value, f"{place}.{op}")
            preds.append({"gt": col > v, "gte": col >= v, "lt": col < v, "lte": col <= v}[op])
    if spec.glob is not None:
        preds.append(text_matches(col.cast("string"), [spec.glob] if isinstance(spec.glob, str) else spec.glob))
    if spec.is_null is not None:
        preds.append(col.isnull() if spec.is_null else col.notnull())
    return _all(preds)


def where_predicate(where: Mapping[str, Any], resolve: ColumnResolver, place: str) -> ir.BooleanValue:
    """All conditions of a ``where`` block hold (nulls never match)."""
    preds = [condition(resolve(k, f"{place}.where"), v, f"{place}.where.{k}").fill_null(False)
             for k, v in where.items()]
    return _all(preds)


def rule_predicate(rule: MatchRule, resolve: ColumnResolver, place: str) -> ir.BooleanValue:
    """Predicate recognising a touchpoint or goal."""
    preds = []
    if rule.events:
        preds.append(text_matches(resolve.table[C.EVENT], rule.events))
    if rule.where:
        preds.append(where_predicate(rule.where, resolve, place))
    return _all(preds).fill_null(False)


def touchpoint_case(m: JourneyMap, resolve: ColumnResolver) -> ir.StringValue | None:
    """Touchpoint id of each event: the first touchpoint whose rule matches, else null.

    ``None`` when the map declares no touchpoint (each event is then its own touchpoint).
    """
    if not m.touchpoints:
        return None
    branches = [(rule_predicate(t.rule(), resolve, f"touchpoints[{i}].match"), t.id)
                for i, t in enumerate(m.touchpoints)]
    return ibis.cases(*branches, else_=ibis.null("string"))


def goal_predicate(m: JourneyMap, resolve: ColumnResolver) -> ir.BooleanValue | None:
    """The event reaches one of the map's goals; ``None`` when the map has none."""
    if not m.goals:
        return None
    return _any([rule_predicate(g.rule(), resolve, f"goals[{i}].match") for i, g in enumerate(m.goals)])
