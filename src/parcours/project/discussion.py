"""A project's discussion as its page shows it: the comments grouped in threads by what they are
about, the choices of what to comment on, and the activity feed one page at a time.

Threads follow the latest map's order (the project, then stages, touchpoints, pain points);
comments on an element no longer in the map keep a thread of their own, after the others, so
nothing said is hidden. A map that no longer validates still lets the project be discussed:
only the project can then be chosen, and ``problem`` says why.

>>> from parcours.store import connect, create_project, create_user, create_workspace
>>> from parcours.store.comments import add_comment
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice", "alice-password")
>>> project = create_project(store, create_workspace(store, "CX team", admin_id=alice.id).id, "Achat")
>>> _ = add_comment(store, project.id, alice.id, "project", None, "Where do we start?")
>>> d = discussion(store, project.id, project.name)
>>> [(t.label, len(t.comments)) for t in d.threads], d.options[0], d.count
([('The project', 1)], ('The project', [('project', 'Achat')]), 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parcours.errors import ParcoursError
from parcours.store import activity, comments
from parcours.store.db import Store

GROUPS = (("project", "The project"), ("stage", "Stages"), ("touchpoint", "Touchpoints"), ("pain_point", "Pain points"))


@dataclass(frozen=True)
class Thread:
    """The comments on one target: ``value`` is what the comment form sends for it (None for a
    target no longer in the map: it cannot be chosen), ``label`` its title."""

    kind: str
    id: str
    name: str
    value: str | None
    label: str
    comments: list[comments.CommentView]


@dataclass(frozen=True)
class Discussion:
    """``threads``; ``options``: ``[(group label, [(value, name)])]`` for the form's choice;
    ``problem``: why the latest map could not be read (None when it could); ``count``: comments."""

    threads: list[Thread]
    options: list[tuple[str, list[tuple[str, str]]]]
    problem: str | None
    count: int


def value(kind: str, target_id: str) -> str:
    """What the comment form sends for a target: ``project`` or ``kind:id``."""
    return "project" if kind == "project" else f"{kind}:{target_id}"


def _label(kind: str, name: str) -> str:
    return "The project" if kind == "project" else f"{comments.KIND_LABEL[kind].capitalize()}: {name}"


def discussion(store: Store, project_id: int, project_name: str) -> Discussion:
    """The project's comments in threads, and what can be commented on (``project_name`` names
    the project's own choice when its map no longer validates)."""
    problem = None
    try:
        known = comments.targets(store, project_id)
    except ParcoursError as e:  # a map that no longer validates: the project can still be discussed
        known, problem = [("project", str(project_id), project_name)], e.message
    every = comments.list_comments(store, project_id)
    by_target: dict[tuple[str, str], list[Any]] = {}
    for c in every:
        by_target.setdefault((c.target_kind, c.target_id), []).append(c)
    threads = [Thread(kind, tid, name, value(kind, tid), _label(kind, name), by_target.pop((kind, tid)))
               for kind, tid, name in known if (kind, tid) in by_target]
    threads += [Thread(k, tid, tid, None, f"{comments.KIND_LABEL[k]} {tid} (no longer in the map)", cs)
                for (k, tid), cs in by_target.items()]
    options = [(label, [(value(k, tid), name) for k, tid, name in known if k == kind]) for kind, label in GROUPS]
    return Discussion(threads, options, problem, len(every))


def feed_page(store: Store, project_id: int, limit: int,
              before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the project's activity, newest first: the lines (as dicts) and the ``before``
    of the next page (None on the last one)."""
    lines = activity.feed(store, project_id, limit=limit + 1, before=before)
    more = len(lines) > limit
    lines = lines[:limit]
    return [activity.as_dict(x) for x in lines], lines[-1].id if more else None
