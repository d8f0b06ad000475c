"""The one registry of analyses: each declares, once, its name, what it needs, its tables,
the stage-visit columns it reads, a cost hint and how it builds its expressions.

The runner (:func:`parcours.project.execute.run_all`), ``--analyses``
(:func:`parcours.analysis.run.parse_analyses`), the result's table list
(:mod:`parcours.result`) and the docs' tests read it. The built-in analyses are registered by
:mod:`parcours.analysis.builtin` through the same :func:`register` an extension calls
(docs/contributing.md shows one). This module imports no engine: declaring is cheap, the
builders are imported when they run.

An analysis *describes*; it never executes. Its ``build`` receives :class:`Inputs` and either
returns ``{table name: Ibis expression}`` (each executed once, kept as a table, and its rows
written to analysis.json under the table's key), or is a generator that yields requests and
returns an :class:`Output`:

- ``yield {"name": expr, ...}`` sends back ``{"name": pyarrow.Table, ...}`` (executed);
- ``yield Store(expr, "prefix")`` sends back the expression stored once as a temporary table
  (for a result read several times).

>>> from parcours.analysis.registry import Analysis, Table, get
>>> get("conformance").tables[0]
Table(name='backward_moves', key='conformance')
>>> Analysis("weekdays", build=lambda inp: {}, tables=(Table("weekdays"),)).keys
('weekdays',)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: the registry itself stays light
    import ibis.expr.types as ir

    from parcours.model.journey_map import JourneyMap

# Cost hints, cheapest first (what ``cost`` says about an analysis on a large log).
COSTS = ("results", "scan", "visits", "sequences")


@dataclass(frozen=True)
class Table:
    """A table an analysis produces: its ``name`` (``NAME.csv``, ``result["NAME"]``) and the
    ``key`` of analysis.json it comes with (its own name when None)."""

    name: str
    key: str | None = None

    @property
    def json_key(self) -> str:
        return self.key or self.name


@dataclass(frozen=True)
class Inputs:
    """What a builder reads: the prepared events (possibly filtered to a segment, a period, a
    group), the map, the run's options, the stage visits and visit starts when it declared
    them, and what earlier analyses wrote to analysis.json (``data["summary"]`` always)."""

    events: ir.Table
    map: JourneyMap
    options: Any  # parcours.analysis.run.Options (which reads this registry: not imported here)
    has_goals: bool = False
    split_journeys: bool = True
    visits: ir.Table | None = None
    starts: ir.Table | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Store:
    """A request a builder yields: store ``expr`` once as a temporary table (read several times)."""

    expr: ir.Table
    prefix: str


@dataclass
class Output:
    """What a generator builder returns: its part of analysis.json and its tables."""

    data: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Analysis:
    """One analysis, declared once.

    ``build``: a callable, or ``"module:function"`` imported when the analysis runs (how the
    built-ins keep ``parcours --help`` fast). ``needs``: other analyses computed with it.
    ``stages``: it reads the map's stages (asked for on a map without, a clear error).
    ``touchpoints``: it needs the map's touchpoints (left out without). ``feedback``: it reads
    the feedback measures, so it is derived after them from the other analyses' results
    (no query of its own). ``visits``: the stage-visit columns it reads
    (``transitions.VISIT_COLUMNS``) and ``visit_queries`` how many queries read them (more
    than one in a run: the visits are stored once). ``visit_starts``: it reads where stage
    visits start. ``cost``: one of :data:`COSTS`. ``always``: computed in every run (the
    summary), not named by ``--analyses``. ``progress``: what the run says when it starts.
    """

    name: str
    build: Callable[[Inputs], Any] | str
    tables: tuple[Table, ...] = ()
    needs: tuple[str, ...] = ()
    stages: bool = False
    touchpoints: bool = False
    feedback: bool = False
    visits: tuple[str, ...] = ()
    visit_queries: int = 1
    visit_starts: bool = False
    cost: str = "scan"
    always: bool = False
    progress: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or self.name != self.name.lower():
            raise ValueError(f"analysis name {self.name!r}: lower-case letters, digits and _ only")
        if self.cost not in COSTS:
            raise ValueError(f"analysis {self.name!r}: cost {self.cost!r}; choose among {', '.join(COSTS)}")

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of analysis.json its tables come with (in order, once each)."""
        return tuple(dict.fromkeys(t.json_key for t in self.tables))

    def builder(self) -> Callable[[Inputs], Any]:
        if callable(self.build):
            return self.build
        module, _, attr = self.build.partition(":")
        return getattr(importlib.import_module(module), attr)


_REGISTRY: dict[str, Analysis] = {}
_loaded = False


def _builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True  # set first: builtin.py calls register(), which comes back here
        importlib.import_module("parcours.analysis.builtin")


def register(analysis: Analysis) -> Analysis:
    """Add an analysis (after the built-ins, in the order registered); returns it.

    Its name and table names must be new, and what it needs must be registered already."""
    _builtins()
    if analysis.name in _REGISTRY:
        raise ValueError(f"an analysis named {analysis.name!r} is registered already")
    if analysis.name == "all":
        raise ValueError("'all' names every analysis in --analyses: choose another name")
    taken = {t.name for a in _REGISTRY.values() for t in a.tables}
    clash = [t.name for t in analysis.tables if t.name in taken]
    if clash:
        raise ValueError(f"analysis {analysis.name!r}: table {', '.join(clash)} belongs to another analysis")
    unknown = [n for n in analysis.needs if n not in _REGISTRY]
    if unknown:
        raise ValueError(f"analysis {analysis.name!r} needs {', '.join(unknown)}: register those first")
    _REGISTRY[analysis.name] = analysis
    return analysis


def unregister(name: str) -> None:
    """Remove a registered analysis (an extension's; tests use it to clean up)."""
    _builtins()
    if any(name in a.needs for a in _REGISTRY.values()):
        raise ValueError(f"analysis {name!r} is needed by another analysis")
    _REGISTRY.pop(name, None)


def analyses() -> tuple[Analysis, ...]:
    """Every registered analysis, in the order they run (and appear in analysis.json)."""
    _builtins()
    return tuple(_REGISTRY.values())


def get(name: str) -> Analysis:
    _builtins()
    return _REGISTRY[name]


def names() -> tuple[str, ...]:
    """The analyses ``--analyses`` can name (the summary, always computed, is not one)."""
    return tuple(a.name for a in analyses() if not a.always)


def table_keys() -> dict[str, str]:
    """Every table an analysis produces, with the analysis.json key it comes with."""
    return {t.name: t.json_key for a in analyses() for t in a.tables}
