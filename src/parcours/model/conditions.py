"""Conditions on event columns, used by touchpoint ``match`` rules, goals and segments.

A condition maps a column name to what its value must be::

    where:
      channel: web                 # equals
      device: [ios, android]       # one of
      amount: {gte: 100, lt: 500}  # operators, all must hold
      page: {glob: "/produits/*"}  # glob pattern (* ? [abc])

They are data here; ``parcours.engine.rules`` compiles them to Ibis predicates (never to
SQL text).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

Scalar = str | int | float | bool


def check_glob(pattern: str) -> str:
    """Raise ``ValueError`` when a glob pattern is malformed (an unclosed ``[``...).

    >>> check_glob("checkout_*")
    'checkout_*'
    """
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] in "!^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                j += 1
            if j >= len(pattern):
                raise ValueError(
                    f"bad glob {pattern!r}: '[' at position {i + 1} is never closed by ']' "
                    "(write [[] to match a literal '[')"
                )
            i = j
        elif ch == "]":
            raise ValueError(f"bad glob {pattern!r}: ']' at position {i + 1} closes no '['")
        i += 1
    return pattern


def is_glob(pattern: str) -> bool:
    """True when ``pattern`` has glob wildcards (``*``, ``?`` or ``[``)."""
    return any(c in pattern for c in "*?[")


class Operators(BaseModel):
    """Operators on one column; when several are given, all must hold."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    gt: float | str | None = None
    gte: float | str | None = None
    lt: float | str | None = None
    lte: float | str | None = None
    glob: str | list[str] | None = None
    is_null: bool | None = None

    @field_validator("glob")
    @classmethod
    def _globs(cls, v: str | list[str] | None) -> str | list[str] | None:
        for g in [v] if isinstance(v, str) else v or []:
            check_glob(g)
        return v

    @model_validator(mode="after")
    def _not_empty(self) -> Operators:
        if not self.model_dump(exclude_none=True):
            raise ValueError(
                "an operator block needs at least one of eq, ne, in, not_in, gt, gte, lt, lte, glob, is_null"
            )
        return self


def check_column_name(name: str) -> str:
    """Raise ``ValueError`` for a column name no table can have: empty, or holding a control
    character (a NUL ends a quoted identifier in DuckDB's parser: the engine would fail on it).

    >>> check_column_name("channel")
    'channel'
    >>> check_column_name("chan\\x00nel")
    Traceback (most recent call last):
    ...
    ValueError: column name 'chan\\x00nel' holds a control character: write the column's name as the data has it
    """
    if not name:
        raise ValueError("a condition needs a column name")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(f"column name {name!r} holds a control character: write the column's name as the data has it")
    return name


ColumnName = Annotated[str, AfterValidator(check_column_name)]
ConditionValue = Annotated[Scalar | list[Scalar] | Operators, Field(union_mode="left_to_right")]
Where = dict[ColumnName, ConditionValue]


def dump_condition(value: Any) -> Any:
    """Plain-data form of a condition value, as written in YAML."""
    if isinstance(value, Operators):
        return value.model_dump(by_alias=True, exclude_none=True)
    return value
