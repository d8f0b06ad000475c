"""Comments on a project, or on one of its map's stages, touchpoints and pain points, with
mentions of the workspace's members.

A mention is ``@alice@example.org`` (an email), ``@Alice`` (a one-word name) or
``@"Alice Martin"`` (a name with spaces), matched without regard to case among the members
of the project's workspace only: ``@Alice`` is the member named "Alice", else the only member
whose first name is Alice. A mention nobody matches (or several do) stays plain text and is
reported back as *unresolved*, so that the author can fix it.

>>> from parcours.store import connect, create_user, create_workspace, create_project, add_member
>>> store = connect("sqlite://"); _ = store.migrate()
>>> alice = create_user(store, "alice@example.org", "Alice Martin", "alice-password")
>>> bob = create_user(store, "bob@example.org", "Bob", "bob-password")
>>> team = create_workspace(store, "CX team")
>>> for user in (alice, bob): _ = add_member(store, team.id, user.id, "editor")
>>> project = create_project(store, team.id, "Omnichannel journey")
>>> posted = add_comment(store, project.id, bob.id, "project", None, 'Ask @"alice martin" and @Dave')
>>> [u.name for u in posted.mentions], posted.unresolved
(['Alice Martin'], ['@Dave'])
>>> [c.body for c in mentions_of(store, alice.id)]
['Ask @"alice martin" and @Dave']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcours.errors import OptionError
from parcours.store.activity import record, words
from parcours.store.db import Store
from parcours.store.errors import NotFound
from parcours.store.models import TARGET_KINDS, Comment, CommentMention, Membership, Project, User, now

MAX_BODY = 5000
KIND_LABEL = {"project": "the project", "stage": "stage", "touchpoint": "touchpoint", "pain_point": "pain point"}


def _target_words(kind: str, target_id: str | None) -> dict[str, Any]:
    """What a comment is about, as the feed's words (``activity.target.<kind>``)."""
    return words(f"activity.target.{kind}", id=target_id) if kind != "project" else words("activity.target.project")

# Not after a word character: "write to info@example.org" mentions nobody.
_MENTION = re.compile(r'(?<![\w@])@(?:"(?P<quoted>[^"\n]{1,200})"'
                      r"|(?P<email>[\w.%+-]+@[\w-]+(?:\.[\w-]+)+)"
                      r"|(?P<word>\w(?:[\w.-]*\w)?))")


class NotAllowed(OptionError):
    """The user may not do this (delete someone else's comment without being an admin)."""


class UnknownTarget(OptionError):
    """A comment's target is not in the project's latest map; ``known`` lists what is."""

    def __init__(self, message: str, *, hint: str | None = None, known: list[str] | None = None) -> None:
        self.known = known or []
        super().__init__(message, hint=hint)


@dataclass(frozen=True)
class Mentioned:
    id: int
    name: str
    email: str


@dataclass
class CommentView:
    """A comment as shown: its author's name, the users it mentions, and its text in ``parts``
    (plain text and mentions, in order: a page highlights the mentions)."""

    id: int
    project_id: int
    target_kind: str
    target_id: str
    body: str
    author_id: int | None
    author: str
    created_at: dt.datetime
    mentions: list[Mentioned] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # on creation only
    project_name: str | None = None  # mentions_of only

    @property
    def parts(self) -> list[dict[str, Any]]:
        """``[{"text": "Ask ", "user_id": None}, {"text": "@Alice", "user_id": 3}, ...]``."""
        out: list[dict[str, Any]] = []
        at = 0
        for match in _MENTION.finditer(self.body):
            user = _match(match, self.mentions)
            if user is None:
                continue
            if match.start() > at:
                out.append({"text": self.body[at:match.start()], "user_id": None})
            out.append({"text": match.group(0), "user_id": user.id})
            at = match.end()
        if at < len(self.body):
            out.append({"text": self.body[at:], "user_id": None})
        return out

    def as_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "project_id": self.project_id, "target_kind": self.target_kind,
               "target_id": self.target_id, "body": self.body, "author": self.author, "author_id": self.author_id,
               "created_at": self.created_at.isoformat(),
               "mentions": [{"id": u.id, "name": u.name, "email": u.email} for u in self.mentions]}
        if self.project_name is not None:
            out["project"] = {"id": self.project_id, "name": self.project_name}
        return out


def _match(match: re.Match[str], users: list[Mentioned]) -> Mentioned | None:
    """The one user a mention names, else None (nobody, or several)."""
    if match.group("email"):
        email = match.group("email").lower()
        found = [u for u in users if u.email == email]
    else:
        wanted = " ".join((match.group("quoted") or match.group("word")).split()).casefold()
        found = [u for u in users if " ".join(u.name.split()).casefold() == wanted]
        if not found and match.group("word"):  # @Alice for "Alice Martin", when she is the only Alice
            found = [u for u in users if u.name.split()[:1] and u.name.split()[0].casefold() == wanted]
    return found[0] if len(found) == 1 else None


def _members(session: Session, workspace_id: int) -> list[Mentioned]:
    rows = session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                           .where(Membership.workspace_id == workspace_id))
    return [Mentioned(u.id, u.name, u.email) for u in rows]


def resolve_mentions(body: str, members: list[Mentioned]) -> tuple[list[Mentioned], list[str]]:
    """The members ``body`` mentions (each once, in order) and the mentions matching nobody.

    >>> people = [Mentioned(1, "Alice Martin", "alice@example.org"), Mentioned(2, "Bob", "bob@example.org")]
    >>> resolve_mentions('@BOB, see @alice@example.org; cc @Dave and @"Alice martin". Mail: x@y.org', people)
    ([Mentioned(id=2, name='Bob', email='bob@example.org'), Mentioned(id=1, name='Alice Martin', email='alice@example.org')], ['@Dave'])
    """
    found: list[Mentioned] = []
    unresolved: list[str] = []
    for match in _MENTION.finditer(body):
        user = _match(match, members)
        if user is None:
            if match.group(0) not in unresolved:
                unresolved.append(match.group(0))
        elif user not in found:
            found.append(user)
    return found, unresolved


def targets(store: Store, project_id: int) -> list[tuple[str, str, str]]:
    """What can be commented on: ``(kind, id, name)`` for the project, then the latest map's
    stages, touchpoints and pain points (names in the map's language)."""
    from parcours.model.journey_map import text_in
    from parcours.store.maps import get_version, parse_map

    with store.transaction() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(f"no project {project_id}")
    out = [("project", str(project_id), project.name)]
    try:
        version = get_version(store, project_id)
    except NotFound:  # no map yet: only the project itself
        return out
    m = parse_map(version.yaml, f"{project.slug} v{version.number}")
    lang = m.language
    out += [("stage", s.id, text_in(s.name, lang) or s.id) for s in m.stages]
    out += [("touchpoint", t.id, text_in(t.name, lang) or t.id) for t in m.touchpoints]
    out += [("pain_point", p.id, text_in(p.name, lang) or p.id) for p in m.pain_points]
    return out


def _target(store: Store, project_id: int, kind: str, target_id: str | None) -> tuple[str, str, dict[str, Any]]:
    """The checked ``(target_id, label, words)`` of a new comment's target (words: the feed's)."""
    if kind not in TARGET_KINDS:
        raise UnknownTarget(f"target_kind: unknown kind {kind!r}", hint=f"use one of: {', '.join(TARGET_KINDS)}",
                            known=list(TARGET_KINDS))
    known = targets(store, project_id)
    if kind == "project":
        if target_id not in (None, "", str(project_id)):
            raise UnknownTarget(f"target_id: a comment on the project takes no target_id (got {target_id!r})",
                                hint="leave target_id out", known=[str(project_id)])
        return str(project_id), "the project", words("activity.target.project")
    names = {i: name for k, i, name in known if k == kind}
    if target_id not in names:
        label = KIND_LABEL[kind]
        ids = list(names)
        hint = (f"the latest map's {label}s are: {', '.join(ids)}" if ids
                else f"the project's latest map has no {label}s" if len(known) > 1 else "save a map first")
        raise UnknownTarget(f"target_id: no {label} {target_id!r} in the project's latest map", hint=hint, known=ids)
    return target_id, f"{KIND_LABEL[kind]} {names[target_id]!r}", words(f"activity.target.{kind}", id=names[target_id])


def add_comment(store: Store, project_id: int, author_id: int, target_kind: str, target_id: str | None,
                body: str) -> CommentView:
    """Comment on the project (``target_kind="project"``, no ``target_id``) or on a stage,
    touchpoint or pain point of its latest map (by id). Mentions of the workspace's members
    are stored (``mentions``); the others come back in ``unresolved``. The feed gets a line.

    Raises :class:`UnknownTarget` (no such kind or id), :class:`OptionError` (empty or too
    long body) or :class:`NotFound` (no such project or author).
    """
    text = body.strip()
    if not text:
        raise OptionError("body: a comment cannot be empty", hint="write something")
    if len(text) > MAX_BODY:
        raise OptionError(f"body: the comment has {len(text)} characters, more than {MAX_BODY}",
                          hint="shorten it or split it in several comments")
    target_id, label, about = _target(store, project_id, target_kind, target_id)
    with store.transaction() as session:
        project = session.get(Project, project_id)
        author = session.get(User, author_id)
        if project is None or author is None:
            raise NotFound(f"no project {project_id} or no user {author_id}")
        mentions, unresolved = resolve_mentions(text, _members(session, project.workspace_id))
        comment = Comment(project_id=project_id, author_id=author_id, target_kind=target_kind, target_id=target_id,
                          body=text, created_at=now())
        session.add(comment)
        session.flush()
        session.add_all(CommentMention(comment_id=comment.id, user_id=u.id) for u in mentions)
        record(session, project_id, author_id, "comment", f"commented on {label}",
               target_kind=target_kind, target_id=target_id,
               words=words("activity.comment", target=about))
        return CommentView(comment.id, project_id, target_kind, target_id, text, author_id, author.name,
                           comment.created_at, mentions, unresolved)


def _views(session: Session, comments: list[Comment]) -> list[CommentView]:
    ids = [c.id for c in comments]
    mentioned: dict[int, list[Mentioned]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(select(CommentMention.comment_id, User).join(User, User.id == CommentMention.user_id)
                               .where(CommentMention.comment_id.in_(ids)).order_by(User.name))
        for comment_id, user in rows:
            mentioned[comment_id].append(Mentioned(user.id, user.name, user.email))
    return [CommentView(c.id, c.project_id, c.target_kind, c.target_id, c.body, c.author_id,
                        c.author.name if c.author else "a deleted user", c.created_at, mentioned[c.id])
            for c in comments]


def list_comments(store: Store, project_id: int, target_kind: str | None = None,
                  target_id: str | None = None) -> list[CommentView]:
    """The project's comments, oldest first (a conversation reads down), optionally those on
    one kind of target or one target."""
    with store.transaction() as session:
        q = select(Comment).where(Comment.project_id == project_id)
        if target_kind is not None:
            q = q.where(Comment.target_kind == target_kind)
        if target_id is not None:
            q = q.where(Comment.target_id == target_id)
        return _views(session, list(session.scalars(q.order_by(Comment.id))))


def delete_comment(store: Store, project_id: int, comment_id: int, user_id: int) -> None:
    """Delete a comment of the project: its author may, and so may the workspace's admins.

    Raises :class:`NotFound` (no such comment in the project) or :class:`NotAllowed`.
    """
    with store.transaction() as session:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.project_id != project_id:
            raise NotFound(f"no comment {comment_id} in project {project_id}")
        if comment.author_id != user_id:
            project = session.get(Project, project_id)
            role = session.scalar(select(Membership.role).where(Membership.user_id == user_id,
                                                                Membership.workspace_id == project.workspace_id))
            if role != "admin":
                raise NotAllowed("only its author or a workspace admin can delete a comment",
                                 hint="ask the author or an admin of the workspace")
        label = KIND_LABEL[comment.target_kind] + ("" if comment.target_kind == "project" else f" {comment.target_id!r}")
        record(session, project_id, user_id, "comment_deleted", f"deleted a comment on {label}",
               target_kind=comment.target_kind, target_id=comment.target_id,
               words=words("activity.comment_deleted", target=_target_words(comment.target_kind, comment.target_id)))
        session.delete(comment)


def mentions_of(store: Store, user_id: int, limit: int = 50) -> list[CommentView]:
    """The comments mentioning the user, newest first, in the workspaces they are still a member of."""
    with store.transaction() as session:
        rows = session.execute(
            select(Comment, Project.name).join(CommentMention, CommentMention.comment_id == Comment.id)
            .join(Project, Project.id == Comment.project_id)
            .join(Membership, (Membership.workspace_id == Project.workspace_id) & (Membership.user_id == user_id))
            .where(CommentMention.user_id == user_id)
            .order_by(Comment.id.desc()).limit(max(1, min(limit, 500)))).all()
        views = _views(session, [c for c, _ in rows])
    for view, (_, name) in zip(views, rows, strict=True):
        view.project_name = name
    return views
