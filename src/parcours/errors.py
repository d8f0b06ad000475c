"""Exception hierarchy of Parcours.

Every error a user can meet says *what* went wrong, *where* (file, line or row, field)
and *how to fix it*. The CLI turns these into a message and an exit code; the Python API
raises them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any


class ParcoursError(Exception):
    """Base class of every error Parcours raises on purpose.

    ``exit_code`` is what the CLI exits with for this kind of error.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message}\n  How to fix: {self.hint}" if self.hint else self.message

    def facts(self) -> dict[str, Any]:
        """What the error is about, as data (JSON values), for a front door that says it its own
        way: the web app words it in its user's language and names its own forms where the
        ``hint`` names the CLI's options. Empty unless the error knows more than its text."""
        return {}


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is and what is wrong.

    ``where`` is the place as people read it (``map.yaml, line 12, touchpoints[3].stage``);
    ``line``, ``column`` (1-based) and ``field`` (``touchpoints[3].stage``) are the same place as
    values, for callers that point at it (the map editor). They are taken from ``where`` when it
    is a :class:`parcours.model.location.Place` (the text built from them), so nobody parses text.

    >>> from parcours.model.location import Place
    >>> p = Problem(Place("map.yaml", line=12, field="touchpoints[3].stage"), "unknown stage 'pay'")
    >>> (str(p), p.line, p.field)
    ("map.yaml, line 12, touchpoints[3].stage: unknown stage 'pay'", 12, 'touchpoints[3].stage')
    """

    where: str  # e.g. "map.yaml, line 12, touchpoints[3].stage"
    what: str
    hint: str | None = None
    line: int | None = _field(default=None, compare=False)
    column: int | None = _field(default=None, compare=False)
    field: str | None = _field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("line", "column", "field"):
            if getattr(self, name) is None and getattr(self.where, name, None) is not None:
                object.__setattr__(self, name, getattr(self.where, name))

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}"
        return f"{text} ({self.hint})" if self.hint else text


class MapError(ParcoursError):
    """The journey map file is unreadable or invalid. Lists every problem found."""

    exit_code = 2

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        n = len(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {n} problem{'s' if n != 1 else ''} in the journey map:\n{lines}")


class InputError(ParcoursError):
    """An input file or table cannot be read as events (wrong format, missing column, ...)."""

    exit_code = 3


class TooManyBadRows(InputError):
    """More rows were quarantined than ``--max-bad-rows`` allows.

    ``report`` carries the ingest report (with the quarantined rows) so the caller can
    still write the quarantine file.
    """

    exit_code = 4
    report = None

    quarantine_file = "quarantine.csv"

    def with_report(self, report: object, quarantine_file: str = "quarantine.csv") -> TooManyBadRows:
        """Attach the report, and the name of the file its quarantined rows belong in."""
        self.report = report
        self.quarantine_file = quarantine_file
        return self


class ColumnRoleError(InputError):
    """A column role (customer, time, event, ...) is missing or points at no column.

    The facts behind the message (:meth:`facts`): ``source`` (the input as the message names
    it), ``columns`` (the columns it has), and either ``missing`` (the required roles no column
    was found for) or ``role`` and ``column`` (a column given for a role that the input lacks).
    The hint says the CLI's way (``--columns``); the web app says its own from the facts.

    >>> e = ColumnRoleError("e.csv: cannot tell which column is the time", source="e.csv",
    ...                     missing=["time"], columns=["who", "when"])
    >>> e.facts()
    {'source': 'e.csv', 'columns': ['who', 'when'], 'missing': ['time']}
    """

    def __init__(self, message: str, *, hint: str | None = None, source: str | None = None,
                 missing: list[str] | tuple[str, ...] = (), columns: list[str] | tuple[str, ...] = (),
                 role: str | None = None, column: str | None = None) -> None:
        self.source, self.missing, self.columns = source, list(missing), list(columns)
        self.role, self.column = role, column
        super().__init__(message, hint=hint)

    def facts(self) -> dict[str, Any]:
        said: dict[str, Any] = {"source": self.source, "columns": self.columns, "missing": self.missing,
                                "role": self.role, "column": self.column}
        return {k: v for k, v in said.items() if v not in (None, [])}


class DateFormatError(InputError):
    """A time column whose dates do not say how they are written: ``kind`` ``ambiguous`` (every
    day and month is 12 or less) or ``mixed`` (day first and month first in one column)."""

    def __init__(self, message: str, *, hint: str | None = None, source: str, column: str, kind: str,
                 examples: list[dict[str, Any]]) -> None:
        self.source, self.column, self.kind, self.examples = source, column, kind, examples
        super().__init__(message, hint=hint)

    def facts(self) -> dict[str, Any]:
        return {"source": self.source, "column": self.column, "dates": self.kind, "examples": self.examples}


class EngineError(ParcoursError):
    """The analysis engine (an Ibis backend) cannot be reached or cannot run a query."""

    exit_code = 5


class OptionError(ParcoursError):
    """A command-line option or API argument has a value that cannot be used."""

    exit_code = 2



def as_field_error(check: Any, value: Any) -> Any:
    """``check(value)``, its :class:`OptionError` raised as the ``ValueError`` a pydantic field
    validator raises (message and how to fix it): the map file and the API name the field."""
    try:
        return check(value)
    except OptionError as e:
        raise ValueError(f"{e.message}: {e.hint}" if e.hint else e.message) from None


class RuleError(OptionError):
    """A condition (map rule, segment, ``--by``) cannot be applied to the events.

    ``place`` is where the condition is written (e.g. ``touchpoints[3].match.where.plan``)
    so that the caller can point at the map's line; ``what`` and ``hint`` say the rest.
    """

    def __init__(self, place: str, what: str, hint: str | None = None) -> None:
        self.place, self.what = place, what
        super().__init__(f"{place}: {what}", hint=hint)


class UnknownColumnError(RuleError):
    """A condition names a column the events do not have."""

    def __init__(self, place: str, key: str, known: list[str]) -> None:
        self.key, self.known = key, known
        super().__init__(place, f"unknown column {key!r}", hint=f"the events have: {', '.join(known)}")


class ExportError(ParcoursError):
    """An export cannot be made: a missing tool (Chromium, the export extra) or a page error."""

    exit_code = 6


def is_out_of_memory(e: BaseException) -> bool:
    """DuckDB's out-of-memory error: a limit to raise, never a problem of the input."""
    return type(e).__name__ == "OutOfMemoryException"


def out_of_memory_error(e: BaseException) -> EngineError | None:
    """DuckDB's out-of-memory error as an EngineError saying how to raise the limit (both
    front doors show it); None for any other exception."""
    if not is_out_of_memory(e):
        return None
    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return EngineError(f"the engine ran out of memory ({first})",
                       hint="raise the limit with --memory-limit (e.g. 4GB) or PARCOURS_MEMORY_LIMIT; "
                            "fewer --threads also need less memory")
