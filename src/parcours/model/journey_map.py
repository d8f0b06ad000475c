"""The journey map as data: stages, touchpoints (with the rule that recognises them in
the data), goals, personas, segments, pain points, opportunities, actions and KPIs.

Pure pydantic: no engine, no I/O. ``parcours.model.io`` reads and writes it as YAML with
line-precise errors.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from parcours.errors import as_field_error
from parcours.model.conditions import ConditionValue, Where, check_glob, dump_condition
from parcours.model.date_formats import HELP as DATE_FORMAT_HELP
from parcours.model.date_formats import check as check_date_format
from parcours.model.milestones import HELP as MILESTONES_HELP
from parcours.model.identity import parse_stitch
from parcours.model.milestones import SHEET_HELP
from parcours.model.milestones import parse_milestones
from parcours.model.durations import parse_duration
from parcours.model.said import said

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=120),
    Field(description="Identifier: letters, digits, '_', '-', '.'; starts with a letter or digit."),
]
Lang = Literal["fr", "en"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class LocalizedText(_Strict):
    """A text in French and/or English."""

    fr: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _one(self) -> LocalizedText:
        if not (self.fr or self.en):
            raise ValueError("give the text in at least one language: fr or en")
        return self


Text = str | LocalizedText


def text_in(value: Text | None, lang: str = "en") -> str | None:
    """The text in ``lang``, falling back to the other language.

    >>> text_in(LocalizedText(fr="Achat", en="Purchase"), "fr"), text_in(LocalizedText(fr="Achat"), "en")
    ('Achat', 'Achat')
    """
    if value is None or isinstance(value, str):
        return value
    other = "fr" if lang == "en" else "en"
    return getattr(value, lang, None) or getattr(value, other)


def texts_in(values: list[Text] | None, lang: str = "en") -> list[str]:
    """Each text of a list (a stage's goals, a persona's frustrations...) in ``lang``.

    >>> texts_in(["Payer", LocalizedText(fr="Être livré", en="Get it delivered")], "en")
    ['Payer', 'Get it delivered']
    """
    return [t for t in (text_in(v, lang) for v in values or []) if t]


class Lane(str, Enum):
    """Service-blueprint lane of a touchpoint."""

    frontstage = "frontstage"
    backstage = "backstage"
    support = "support"


class MatchRule(_Strict):
    """How a touchpoint (or goal) is recognised in the event data.

    ``event`` lists event names or glob patterns (``*``, ``?``, ``[...]``); ``where`` adds
    conditions on other columns (channel, page, any attribute). Both must hold.
    """

    event: str | list[str] | None = Field(
        default=None, description="Event names or glob patterns; any of them matches."
    )
    where: Where = Field(default_factory=dict, description="Conditions on other columns; all must hold.")

    @field_validator("event")
    @classmethod
    def _globs(cls, v: str | list[str] | None) -> str | list[str] | None:
        for pattern in [v] if isinstance(v, str) else v or []:
            if not pattern:
                raise ValueError("an event name or pattern cannot be empty")
            check_glob(pattern)
        return v

    @model_validator(mode="after")
    def _something(self) -> MatchRule:
        if self.event is None and not self.where:
            raise ValueError("a match rule needs 'event' (names or patterns) and/or 'where' (conditions)")
        return self

    @property
    def events(self) -> list[str]:
        return [self.event] if isinstance(self.event, str) else list(self.event or [])

    @field_serializer("where")
    def _dump_where(self, where: dict[str, ConditionValue]) -> dict[str, Any]:
        return {k: dump_condition(v) for k, v in where.items()}


class Stage(_Strict):
    """An ordered phase of the journey (awareness, consideration, purchase, ...)."""

    id: Id
    name: Text
    description: Text | None = None
    customer_goals: list[Text] = Field(
        default_factory=list, description="Customer goals and expectations; each a text or {fr: ..., en: ...}.")
    customer_actions: list[Text] = Field(
        default_factory=list, description="What the customer does at this stage; each a text or {fr: ..., en: ...}.")
    company_actions: list[Text] = Field(
        default_factory=list,
        description="The company's actions and deliverables at this stage; each a text or {fr: ..., en: ...}.",
    )
    owner: str | None = Field(default=None, description="Team that owns the stage.")
    target_duration: str | None = Field(
        default=None, description="Target time in the stage, e.g. '2d' or '30m'."
    )
    emotion: int | None = Field(
        default=None, ge=-2, le=2,
        description="Designed (expected) emotion at this stage, from -2 (very negative) to +2 (very positive).",
    )

    @field_validator("target_duration")
    @classmethod
    def _duration(cls, v: str | None) -> str | None:
        if v is not None:
            parse_duration(v)
        return v


class Touchpoint(_Strict):
    """A recognisable interaction, on a channel, in a stage, with its matching rule."""

    id: Id
    name: Text | None = None
    stage: Id | None = Field(default=None, description="Id of the stage this touchpoint belongs to.")
    channel: str | None = Field(default=None, description="web, app, email, social, store, phone, chat, ads...")
    lane: Lane = Lane.frontstage
    description: Text | None = None
    owner: str | None = None
    emotion: int | None = Field(
        default=None, ge=-2, le=2, description="Designed emotion at this touchpoint, from -2 to +2."
    )
    match: MatchRule | None = Field(
        default=None,
        description="Rule recognising the touchpoint in the data. Without one, events named like the id match.",
    )

    def rule(self) -> MatchRule:
        """The rule in force: the declared one, or ``event == id``."""
        return self.match or MatchRule(event=self.id)


class Goal(_Strict):
    """A conversion event (purchase, subscription, ticket resolved...)."""

    id: Id
    name: Text | None = None
    match: MatchRule | None = None

    def rule(self) -> MatchRule:
        return self.match or MatchRule(event=self.id)


BEHAVIOURS = ("buyer", "channel_mix", "value_tier", "shape")  # see parcours.analysis.behaviour
BehaviourLabels = str | list[str]


class Segment(_Strict):
    """A group of journeys defined by conditions on event attributes (``where``), by what the
    journeys did (``behaviour``), or both.

    A journey belongs to the segment when at least one of its events meets every ``where``
    condition and its behaviour labels are among those listed.
    """

    id: Id
    name: Text | None = None
    description: Text | None = None
    where: Where | None = Field(default=None, description="Conditions on event columns; all must hold on the same event.")
    behaviour: dict[str, BehaviourLabels] | None = Field(
        default=None,
        description="Behaviour labels, e.g. {buyer: repeat} or {value_tier: [mid, high]}: buyer (prospect, "
                    "first_time, repeat), channel_mix (only_<channel>, mostly_<channel>, mixed, no_channel), "
                    "value_tier (no_value, low, mid, high), shape (linear, multichannel, ...).")

    @field_validator("behaviour")
    @classmethod
    def _known_behaviour(cls, v: dict[str, BehaviourLabels] | None) -> dict[str, BehaviourLabels] | None:
        for k, labels in (v or {}).items():
            if k not in BEHAVIOURS:
                raise ValueError(f"unknown behaviour {k!r}: use one of {', '.join(BEHAVIOURS)}")
            if not labels:
                raise ValueError(f"behaviour {k!r}: give at least one label")
        return v

    @model_validator(mode="after")
    def _defined(self) -> Segment:
        if not self.where and not self.behaviour:
            raise ValueError("a segment needs 'where' (conditions on event columns) or 'behaviour' "
                             "(e.g. behaviour: {buyer: repeat}), or both")
        return self

    def behaviour_labels(self) -> dict[str, list[str]]:
        return {k: [v] if isinstance(v, str) else list(v) for k, v in (self.behaviour or {}).items()}

    @field_serializer("where")
    def _dump_where(self, where: dict[str, ConditionValue] | None) -> dict[str, Any] | None:
        return None if where is None else {k: dump_condition(v) for k, v in where.items()}


class Persona(_Strict):
    id: Id
    name: Text
    description: Text | None = None
    segment: Id | None = Field(default=None, description="Segment whose journeys represent this persona.")
    goals: list[Text] = Field(default_factory=list, description="What the persona wants; each a text or {fr: ..., en: ...}.")
    frustrations: list[Text] = Field(
        default_factory=list, description="What frustrates the persona; each a text or {fr: ..., en: ...}.")


class _Anchored(_Strict):
    """Something placed on the map at a stage and/or touchpoint."""

    stage: Id | None = None
    touchpoint: Id | None = None


class PainPoint(_Anchored):
    id: Id
    name: Text
    description: Text | None = None
    severity: Literal["low", "medium", "high"] = "medium"


class Opportunity(_Anchored):
    id: Id
    name: Text
    description: Text | None = None
    owner: str | None = None
    status: Literal["idea", "planned", "in_progress", "done", "dropped"] = "idea"
    pain_point: Id | None = None


class Action(_Anchored):
    id: Id
    name: Text
    description: Text | None = None
    owner: str | None = None
    status: Literal["todo", "in_progress", "done", "blocked"] = "todo"
    due: dt.date | None = None
    opportunity: Id | None = None


class Kpi(_Anchored):
    id: Id
    name: Text
    metric: str = Field(description="What is measured, e.g. reached, conversion, duration_median, nps. On a "
                        "touchpoint, exit_rate and repeat_rate (shares 0..1) and satisfaction (0-100) with a "
                        "target are the references of opportunities.")
    target: float | None = None
    unit: str | None = None
    direction: Literal["higher", "lower"] = "higher"


Role = Literal["customer", "time", "event", "channel", "touchpoint", "stage", "event_id", "value"]


class Join(_Strict):
    """Another file joined to a source's rows on a key, before its roles are read (leads and
    their deals): its columns are added to each row whose key it holds."""

    path: str = Field(description="The file to join (CSV, TSV, Parquet, JSON Lines, .xlsx), relative to the map file.")
    key: str = Field(description="The key column, named the same in both files, or LEFT=RIGHT, e.g. mql_id "
                                 "(not 'on': YAML reads it as true).")
    format: Literal["csv", "tsv", "parquet", "jsonl", "xlsx"] | None = Field(
        default=None, description="The joined file's format (default: from its name).")
    sheet: str | None = Field(default=None, description=SHEET_HELP)


class _Reading(_Strict):
    """How to read one file of events (the CLI's reading options)."""

    format: Literal["csv", "tsv", "parquet", "jsonl", "xes", "xlsx"] | None = Field(
        default=None, description="csv, tsv, parquet, jsonl, xes or xlsx (default: from the file name).")
    columns: dict[Role, str] = Field(
        default_factory=dict, description="Column of each role, e.g. {customer: user_id, time: ts, event: name}."
    )
    timezone: str | None = Field(default=None, description="Time zone of timestamps written without offset.")
    time_unit: Literal["s", "ms", "us", "ns"] | None = Field(
        default=None, description="Unit of numeric (epoch) timestamps; detected when absent."
    )
    date_format: str | None = Field(default=None, description=DATE_FORMAT_HELP)
    milestones: dict[str, str] | None = Field(default=None, description=MILESTONES_HELP)
    sheet: str | None = Field(default=None, description=SHEET_HELP)
    stitch: tuple[str, ...] | str | None = Field(
        default=None, description="Join a visitor's anonymous events to the customer they identify as: {anonymous: "
                                  "COLUMN, known: COLUMN}, e.g. {anonymous: user_pseudo_id, known: user_id}; in a "
                                  "source of sources, table: FILE adds an id table holding both (e.g. web ids and the "
                                  "CRM's e-mails, relative to the map). Default: Segment's anonymousId and userId when "
                                  "both are there; none keeps the ids apart.")
    delimiter: str | None = Field(default=None, description="CSV delimiter (default: detected).")

    @field_validator("milestones", mode="before")
    @classmethod
    def _milestones(cls, v: Any) -> Any:
        return as_field_error(parse_milestones, v)

    @field_validator("stitch", mode="before")
    @classmethod
    def _stitch(cls, v: Any) -> Any:
        return as_field_error(parse_stitch, v)

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, v: str | None) -> str | None:
        return as_field_error(check_date_format, v)


class SourcePart(_Reading):
    """One of several sources of a journey (web analytics, CRM, tickets, store visits…)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
                      description="The source's name: the value of the 'source' column of its events, e.g. crm.")
    path: str = Field(description="Its file or folder, relative to the map file.")
    join: Join | None = Field(default=None, description="Another file joined on a key before reading, e.g. "
                                                         "{path: deals.csv, key: mql_id}.")


class Source(_Reading):
    """Where the events come from and how to read them (all optional; the CLI overrides)."""

    path: str | None = Field(default=None, description="Event file or folder, relative to the map file.")
    sources: list[SourcePart] | None = Field(
        default=None, description="Several sources whose events make the journeys together (instead of path); the "
                                  "reading options above apply to each unless it gives its own.")
    journey_gap: str | None = Field(default=None, description="Split a customer's journeys after this inactivity, e.g. 30m.")

    @field_validator("journey_gap")
    @classmethod
    def _gap(cls, v: str | None) -> str | None:
        if v is not None:
            parse_duration(v)
        return v

    @model_validator(mode="after")
    def _one_way(self) -> "Source":
        if isinstance(self.stitch, tuple) and len(self.stitch) > 2:
            raise ValueError("stitch: an id table (table:) goes in a source of 'sources', where its path is read "
                             "relative to the map")
        if self.sources is not None:
            if self.path:
                raise ValueError("give either path or sources, not both")
            if not self.sources:
                raise ValueError("sources: list at least one source")
            names = [p.name for p in self.sources]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"sources: the name {twice[0]!r} is given twice")
        return self


def check_bad_rows(value: Any) -> str | int | float | None:
    """A bad-row limit as ``--max-bad-rows`` takes it: a count (``100``, ``0``), a percentage
    (``"1%"``) or a share below 1 (``0.02``); ``ValueError`` saying what is wrong otherwise
    (the rule of :func:`parcours.ingest.parse_max_bad_rows`, which reads it; a test keeps them
    equal). The value is kept as written.

    >>> check_bad_rows("60%"), check_bad_rows(100), check_bad_rows(None)
    ('60%', 100, None)
    >>> check_bad_rows("lots")
    Traceback (most recent call last):
    ...
    ValueError: 'lots' is neither a count nor a share
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{value!r} is neither a count nor a share")
    s = str(value).strip()
    try:
        if s.endswith("%"):
            if not 0 <= float(s[:-1]) <= 100:
                raise ValueError
            return value
        number = float(s)
        if not math.isfinite(number):
            raise ValueError
    except ValueError:
        raise ValueError(f"{value!r} is neither a count nor a share") from None
    if number < 0:
        raise ValueError(f"must not be negative, got {value!r}")
    if number >= 1 and number != int(number):
        raise ValueError(f"{value!r}: a count must be a whole number")
    return value


BAD_ROWS_HELP = "write a count (e.g. 100), a percentage (e.g. 2%) or a share below 1 (e.g. 0.02)"


class AnalysisDefaults(_Strict):
    """Analysis settings a team keeps with its map (all optional). An option given to the
    command (``--top``...) or to ``parcours.analyze(...)`` wins over these; without either,
    the built-in default applies.

    ``max_bad_rows`` is the project's bad-row limit: ``parcours analyze`` and ``parcours
    feedback`` without ``--max-bad-rows``, and the web app's uploads, refuse a source with more
    rows quarantined. ``min_responses`` is where a group of answers stops being small: the
    feedback's ``small`` flags, and the satisfaction, feedback and themes that frictions and
    opportunities count (``--min-responses``)."""

    conversion_window: str | None = Field(
        default=None, description="Ordered funnel: stages must be reached within this time of the first, e.g. 30d "
                                  "(default: no limit).")
    top: int | None = Field(default=None, ge=1, description="Number of variants shown, the rest is 'other' (default 20).")
    lang: Lang | None = Field(
        default=None, description="Language of the report and explanations, fr or en (default: the map's language).")
    collapse_loops: bool | None = Field(
        default=None, description="Collapse repeats in variants: A A B -> A B (default false).")
    max_bad_rows: str | int | float | None = Field(
        default=None, description="The bad-row limit: a source with more rows quarantined is refused, a count "
                                  "(100) or a share ('5%', 0.05). Applies to analyze and feedback without "
                                  "--max-bad-rows, and to the web app's uploads (default 1%).")
    min_responses: int | None = Field(
        default=None, ge=1, description="Groups with fewer answers are flagged small and never drive a ranking: "
                                        "feedback figures, and the satisfaction, feedback and themes of frictions "
                                        "and opportunities (default 30).")

    @field_validator("conversion_window")
    @classmethod
    def _window(cls, v: str | None) -> str | None:
        if v is not None:
            parse_duration(v)
        return v

    @field_validator("max_bad_rows", mode="before")
    @classmethod
    def _bad_rows(cls, v: Any) -> Any:
        try:
            return check_bad_rows(v)
        except ValueError as e:
            raise ValueError(f"{e}: {BAD_ROWS_HELP}") from None


Kind = Literal["current", "future", "persona", "lifecycle", "blueprint"]


class JourneyMap(_Strict):
    """A customer journey map: ordered stages and the touchpoints that make them measurable."""

    version: Literal[1] = 1
    id: Id | None = None
    name: Text = "Journey map"
    description: Text | None = None
    language: Lang = Field(default="en", description="Language of the map's texts; the report's default.")
    kind: Kind = "current"
    persona: Id | None = Field(default=None, description="For a per-persona map: the persona's id.")
    source: Source | None = None
    analysis: AnalysisDefaults | None = Field(
        default=None,
        description="Analysis defaults kept with the map, e.g. {conversion_window: 7d, top: 10, lang: en, "
                    "collapse_loops: true, max_bad_rows: 5%, min_responses: 50}; an option of the command or of "
                    "parcours.analyze wins over them.")
    stages: list[Stage] = Field(default_factory=list, description="Stages, in the designed order.")
    touchpoints: list[Touchpoint] = Field(
        default_factory=list,
        description="Touchpoints; an event matching several takes the first. Empty: each event is its own touchpoint.",
    )
    goals: list[Goal] = Field(default_factory=list)
    personas: list[Persona] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    pain_points: list[PainPoint] = Field(default_factory=list)
    opportunities: list[Opportunity] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    kpis: list[Kpi] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> JourneyMap:
        if info.context and info.context.get("skip_references"):
            return self
        problems = reference_problems(self)
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m, _ in problems))
        return self

    # -- where the map came from, to point at a line in errors found later ------------
    _origin: tuple[str, dict[Any, int]] = PrivateAttr(default=("<map>", {}))

    def __eq__(self, other: object) -> bool:  # the same map, wherever it was read from
        return isinstance(other, JourneyMap) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic models are

    def set_origin(self, source: str, lines: dict[Any, int]) -> None:
        """Remember the file name and the line of each field (``load_map`` does this)."""
        self._origin = (source, dict(lines))

    @property
    def source_name(self) -> str:
        return self._origin[0]

    def locate(self, place: str) -> str:
        """``"touchpoints[3].match.where.plan"`` -> ``"map.yaml, line 14, touchpoints[3].match.where.plan"``."""
        from parcours.model.location import describe, parse_place

        return describe(self._origin[0], parse_place(place), self._origin[1])

    # -- lookups used by the engine and the report -------------------------------------
    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def stage_rank(self) -> dict[str, int]:
        """Stage id -> 1-based position in the designed order."""
        return {s.id: i for i, s in enumerate(self.stages, start=1)}

    def touchpoint(self, id: str) -> Touchpoint | None:
        return next((t for t in self.touchpoints if t.id == id), None)

    def segment(self, id: str) -> Segment | None:
        return next((s for s in self.segments if s.id == id), None)


Path = tuple[str | int, ...]


def reference_problems(data: Any) -> list[tuple[Path, str, str | None]]:
    """Cross-reference problems: duplicate ids, references to unknown stages, touchpoints...

    Works on a :class:`JourneyMap` or on raw (even partly invalid) data, so that a file's
    reference problems are reported together with its field problems. Each problem is
    ``(path, message, hint)``; path locates the field, e.g. ``("touchpoints", 3, "stage")``.
    """
    if isinstance(data, BaseModel):
        data = data.model_dump(by_alias=True)
    if not isinstance(data, dict):
        return []

    def items(name: str) -> list[tuple[int, dict[str, Any]]]:
        value = data.get(name)
        if not isinstance(value, list):
            return []
        return [(i, x) for i, x in enumerate(value) if isinstance(x, dict)]

    out: list[tuple[Path, str, str | None]] = []
    collections = ["stages", "touchpoints", "goals", "personas", "segments", "pain_points",
                   "opportunities", "actions", "kpis"]
    ids: dict[str, set[str]] = {}
    for name in collections:
        seen: dict[str, int] = {}
        for i, item in items(name):
            key = item.get("id")
            if not isinstance(key, str):
                continue
            if key in seen:
                out.append(((name, i, "id"), said("duplicate_id", id=repr(key), list=name, index=seen[key]),
                            said("duplicate_id_hint")))
            else:
                seen[key] = i
        ids[name] = set(seen)

    def ref(path: Path, value: Any, kind: str) -> None:
        if isinstance(value, str) and value not in ids[kind]:
            known = ", ".join(sorted(ids[kind]))
            out.append((path, said(f"unknown_ref.{kind}", id=repr(value)),
                        said("expected", known=known) if known else said("expected_none")))

    for i, t in items("touchpoints"):
        ref(("touchpoints", i, "stage"), t.get("stage"), "stages")
    for i, p in items("personas"):
        ref(("personas", i, "segment"), p.get("segment"), "segments")
    for name in ("pain_points", "opportunities", "actions", "kpis"):
        for i, item in items(name):
            ref((name, i, "stage"), item.get("stage"), "stages")
            ref((name, i, "touchpoint"), item.get("touchpoint"), "touchpoints")
    for i, o in items("opportunities"):
        ref(("opportunities", i, "pain_point"), o.get("pain_point"), "pain_points")
    for i, a in items("actions"):
        ref(("actions", i, "opportunity"), a.get("opportunity"), "opportunities")
    ref(("persona",), data.get("persona"), "personas")
    return out
