"""What a run asks for: the analyses selected (``--analyses``) and the options they share.

The analyses themselves are declared in :mod:`parcours.analysis.registry`; they run at the
project's execution edge (:func:`parcours.project.execute.run_all`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parcours.analysis import registry


def stage_analyses() -> tuple[str, ...]:
    """The analyses that need the map's stages (a map without stages has nothing for them)."""
    return tuple(a.name for a in registry.analyses() if a.stages)


def needs() -> dict[str, tuple[str, ...]]:
    """What an analysis needs computed with it (the friction ranking reads the touchpoint
    table and the transitions)."""
    return {a.name: a.needs for a in registry.analyses() if a.needs}


def __getattr__(name: str) -> Any:
    # ANALYSES (what ``--analyses`` can name, in the order they run), STAGE_ANALYSES and NEEDS
    # are read from the registry when asked for, so they include an extension's analyses.
    if name == "ANALYSES":
        return registry.names()
    if name == "STAGE_ANALYSES":
        return stage_analyses()
    if name == "NEEDS":
        return needs()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_analyses(text: str | list[str] | tuple[str, ...] | frozenset[str] | None) -> frozenset[str] | None:
    """The analyses named by ``--analyses`` (comma-separated, or a list), with what they need;
    None (every analysis) for None or ``all``; ``summary`` alone asks for nothing more than the
    summary, which every run computes.

    >>> sorted(parse_analyses("funnel, variants"))
    ['funnel', 'variants']
    >>> sorted(parse_analyses(["frictions"]))
    ['frictions', 'touchpoints', 'transitions']
    >>> parse_analyses("all") is None, parse_analyses("summary")
    (True, frozenset())
    """
    from parcours.errors import OptionError

    if text is None:
        return None
    known = registry.names()
    names = [x.strip().lower() for x in (text.split(",") if isinstance(text, str) else text)]
    names = [x for x in names if x]
    choices = f"choose among summary, {', '.join(known)} (comma-separated), or all; the summary is always computed"
    if not names:
        raise OptionError("--analyses: no analysis named", hint=choices)
    if "all" in names:
        return None
    unknown = [x for x in names if x not in known and x != "summary"]
    if unknown:
        import difflib

        close = [c for x in unknown for c in difflib.get_close_matches(x, ("summary", *known), n=1)]
        guess = f"did you mean {', '.join(close)}? " if close else ""
        raise OptionError(f"--analyses: unknown analysis {', '.join(repr(x) for x in unknown)}", hint=guess + choices)
    chosen: set[str] = set()
    todo = [x for x in names if x != "summary"]
    while todo:  # with what each needs, and what that needs
        name = todo.pop()
        if name not in chosen:
            chosen.add(name)
            todo.extend(registry.get(name).needs)
    return frozenset(chosen)


@dataclass(frozen=True)
class Options:
    """Options shared by every analysis (the CLI flags of ``parcours analyze``).

    ``analyses``: the analyses to compute (see :data:`ANALYSES` and :func:`parse_analyses`);
    None computes every one. The others are left out of the results, not computed empty."""

    top: int = 20
    collapse_loops: bool = False
    conversion_window_seconds: float | None = None
    lang: str = "en"
    analyses: frozenset[str] | None = None

    def wants(self, name: str) -> bool:
        return self.analyses is None or name in self.analyses
