"""What a user asks of Parcours, as data: one model per command.

A spec is plain settings (no engine, no file opened): the CLI builds one from its flags,
the Python API from its keyword arguments, the web app from its forms, and the project
runs it. The same spec gives the cache key and ``analysis.json``'s ``options``. Field
descriptions are the help users read (the CLI's ``--help`` is checked against them).

``None`` means "not given": the map's ``source`` and ``analysis`` blocks fill it in, then
the built-in default (see :meth:`AnalysisSpec.resolve`).

>>> AnalysisSpec(top=5, conversion_window="30d").top
5
>>> AnalysisSpec.of(top=0)
Traceback (most recent call last):
...
parcours.errors.OptionError: --top must be at least 1, got 0
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from parcours.errors import OptionError
from parcours.model.date_formats import HELP as DATE_FORMAT_HELP
from parcours.model.date_formats import check as check_date_format
from parcours.model.milestones import HELP as MILESTONES_HELP
from parcours.model.identity import HELP as STITCH_HELP
from parcours.model.identity import parse_stitch
from parcours.model.milestones import SHEET_HELP
from parcours.model.milestones import parse_milestones
from parcours.model.survey_questions import HELP as QUESTIONS_HELP
from parcours.model.survey_questions import parse_questions
from parcours.model.durations import parse_duration
from parcours.model.journey_map import BAD_ROWS_HELP, JourneyMap, Role, check_bad_rows

TOP = 20  # variants shown when neither the call nor the map says
MIN_RESPONSES = 30  # groups with fewer are flagged small (parcours.analysis.scores.MIN_RESPONSES; a test keeps them equal)
Lang = Literal["fr", "en"]
EVENT_ROLES: tuple[str, ...] = get_args(Role)  # the roles of parcours.ingest.roles (a test keeps them equal)
FEEDBACK_ROLES = ("customer", "time", "score", "metric", "comment", "stage", "touchpoint", "language")


def parse_roles(text: str | None, roles: tuple[str, ...] = EVENT_ROLES) -> dict[str, str]:
    """``customer=user_id,time=ts,event=name`` as a role -> column mapping (``--columns``).

    >>> parse_roles("customer=user_id, time=ts")
    {'customer': 'user_id', 'time': 'ts'}
    """
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise OptionError(f"--columns: {part.strip()!r} is not role=column",
                              hint="write e.g. --columns customer=user_id,time=ts,event=name")
        role, col = (x.strip() for x in part.split("=", 1))
        if role not in roles:
            raise OptionError(f"--columns: unknown role {role!r}", hint=f"roles are: {', '.join(roles)}")
        if not col:
            raise OptionError(f"--columns: no column given for {role!r}")
        out[role] = col
    return out


def _feedback_roles(v: Any) -> Any:
    return parse_roles(v, FEEDBACK_ROLES) if isinstance(v, str) else v


# The column roles of a feedback file: a mapping, or the --columns text parsed.
FeedbackRoles = Annotated[dict[str, str] | None, BeforeValidator(_feedback_roles)]


def report_lang(lang: str | None, m: JourneyMap) -> Lang:
    """The language of every report and explanation: the one asked for, else the map's
    ``analysis.lang``, else the map's ``language``. The one rule analyze, feedback, compare,
    ``parcours report``, ``parcours export`` and the web app's live map follow.

    >>> m = JourneyMap(language="fr", analysis={"lang": "en"})
    >>> report_lang(None, m), report_lang("fr", m), report_lang(None, JourneyMap(language="fr"))
    ('en', 'fr', 'fr')
    """
    return lang or (m.analysis.lang if m.analysis else None) or m.language  # type: ignore[return-value]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    @classmethod
    def of(cls, **kwargs: Any) -> Any:
        """The spec of these settings; a bad value is an :class:`OptionError` naming its option."""
        try:
            return cls.model_validate(kwargs)
        except ValidationError as e:
            err = e.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else ""
            if err["type"] == "extra_forbidden":  # a misspelt keyword: as a function would say
                raise TypeError(f"{cls.__name__} has no setting {field!r}; settings: "
                                f"{', '.join(cls.model_fields)}") from None
            raise OptionError(f"--{field.replace('_', '-')}: {err['msg']}",
                              hint=cls.model_fields[field].description if field in cls.model_fields else None) from None

    @classmethod
    def describe(cls, field: str) -> str:
        """A field's help text."""
        return cls.model_fields[field].description or ""


def _bad_rows(v: Any) -> Any:
    """``--max-bad-rows`` checked as the readers word it (``--max-bad-rows 'lots' is neither a
    count nor a share``), before anything is read."""
    try:
        return check_bad_rows(v)
    except ValueError as e:
        raise OptionError(f"--max-bad-rows {e}", hint=BAD_ROWS_HELP) from None


def _min_responses(v: int | None) -> int | None:
    if v is not None and v < 1:
        raise OptionError(f"--min-responses must be at least 1, got {v}")
    return v


def _duration(option: str, v: Any) -> Any:
    """A duration option checked as the CLI words it (``--journey-gap: '3x' is not a duration...``)."""
    if v:
        try:
            parse_duration(v)
        except ValueError as e:
            raise OptionError(f"{option}: {e}") from None
    return v


class ReadSpec(_Spec):
    """How to read an event log (the map's ``source`` block fills what is not given)."""

    columns: dict[str, str] | None = Field(
        default=None, description="Column roles, e.g. customer=user_id,time=ts,event=name (detected when absent).")
    fmt: str | None = Field(default=None, description="csv, tsv, parquet, jsonl, xes or xlsx (default: from the file name).")
    delimiter: str | None = Field(default=None, description="CSV delimiter (default: detected).")
    timezone: str | None = Field(
        default=None, description="Time zone of timestamps written without offset (default UTC), e.g. Europe/Paris.")
    time_unit: str | None = Field(
        default=None, description="Unit of epoch timestamps: s, ms, us or ns (default: detected).")
    date_format: str | None = Field(
        default=None, description=DATE_FORMAT_HELP)
    milestones: dict[str, str] | None = Field(default=None, description=MILESTONES_HELP)
    sheet: str | None = Field(default=None, description=SHEET_HELP)
    stitch: tuple[str, ...] | str | None = Field(default=None, description=STITCH_HELP)
    max_bad_rows: str | int | float | None = Field(
        default=None, description="Fail when more rows than this are quarantined: a count (100) or a share (1%). "
                                  "Default: the map's analysis.max_bad_rows, else 1%.")
    drop_duplicates: bool = Field(default=False, description="Drop exact duplicate events (counted in the report).")
    journey_gap: str | None = Field(
        default=None, description="Split a customer's events into journeys after this inactivity, e.g. 30m or 7d.")

    @field_validator("journey_gap")
    @classmethod
    def _gap(cls, v: str | None) -> str | None:
        return _duration("--journey-gap", v)

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, v: str | None) -> str | None:
        return check_date_format(v)

    @field_validator("milestones", mode="before")
    @classmethod
    def _milestones(cls, v: Any) -> Any:
        return parse_milestones(v)

    @field_validator("stitch", mode="before")
    @classmethod
    def _stitch(cls, v: Any) -> Any:
        return parse_stitch(v)

    @field_validator("questions", "feedback_questions", mode="before", check_fields=False)
    @classmethod
    def _questions(cls, v: Any) -> Any:
        return parse_questions(v)

    @field_validator("feedback_date_format", check_fields=False)  # the commands that read feedback too
    @classmethod
    def _feedback_date_format(cls, v: str | None) -> str | None:
        return check_date_format(v)

    @field_validator("max_bad_rows", mode="before")
    @classmethod
    def _max_bad_rows(cls, v: Any) -> Any:
        return _bad_rows(v)

    @field_validator("columns", mode="before")
    @classmethod
    def _columns(cls, v: Any) -> Any:
        return parse_roles(v) if isinstance(v, str) else v

    def _from_map(self, m: JourneyMap) -> dict[str, Any]:
        """The settings given, the map's ``source`` block filling how to read what is not
        (columns merge role by role: an explicit role wins), and its ``analysis.max_bad_rows``
        the bad-row limit (else the readers' 1%).

        >>> CompareSpec().resolve(JourneyMap(analysis={"max_bad_rows": "5%"})).max_bad_rows
        '5%'
        """
        given = dict(self)  # shallow: a map, a table or an event log given stays itself
        if given.get("max_bad_rows") is None and m.analysis is not None:
            given["max_bad_rows"] = m.analysis.max_bad_rows
        src = m.source
        if src is not None:
            given["columns"] = {**src.columns, **(self.columns or {})}
            for name, value in (("timezone", src.timezone), ("time_unit", src.time_unit),
                                ("date_format", src.date_format), ("delimiter", src.delimiter), ("fmt", src.format),
                                ("journey_gap", src.journey_gap), ("milestones", src.milestones),
                                ("sheet", src.sheet), ("stitch", src.stitch)):
                given[name] = given[name] or value
        return given

    def read_args(self) -> dict[str, Any]:
        """The ``read_events`` arguments."""
        return self.model_dump(include={"columns", "fmt", "delimiter", "timezone", "time_unit", "date_format",
                                        "milestones", "sheet", "stitch", "max_bad_rows", "drop_duplicates"})


class AnalysisSpec(ReadSpec):
    """One ``parcours analyze``: how to read the events, what to compute, on which journeys.

    >>> spec = AnalysisSpec(top=5).resolve(JourneyMap(analysis={"top": 10, "lang": "fr"}))
    >>> spec.top, spec.lang, spec.collapse_loops
    (5, 'fr', False)
    """

    engine: str | None = Field(
        default=None, description="Ibis backend URL (default: in-memory DuckDB), e.g. duckdb://events.ddb (relative) "
                                  "or duckdb:///abs/path.ddb; spark (local), spark://HOST:7077 or sc://HOST:15002 "
                                  "with parcours[spark].")
    threads: int | None = Field(
        default=None, description="Threads of the engine (DuckDB; cores of a local Spark). Default: all. Results do "
                                  "not depend on it.")
    memory_limit: str | None = Field(
        default=None, description="Memory the engine may use before spilling to disk, e.g. 4GB (default: sized to "
                                  "the log, 48 bytes an event, 512MB to 3GB).")
    segment: str | None = Field(default=None, description="Keep only the journeys of this segment of the map.")
    period: str | None = Field(
        default=None, description="Keep journeys starting in START..END (dates, end included), e.g. "
                                  "2026-01-01..2026-03-31.")
    by: str | None = Field(default=None, description="Breakdown: segment, channel, or a column (first event's value).")
    analyses: list[str] | None = Field(
        default=None, description="Compute only these analyses, comma-separated: transitions, touchpoints, variants, "
                                  "funnel, durations, stage_transitions, conformance, shapes, frictions, kpis (the "
                                  "map's KPIs measured: value, target, status); summary for the summary alone "
                                  "(default: all; the summary always). funnel, durations, stage_transitions and "
                                  "conformance need a map with stages.")
    top: int | None = Field(
        default=None, description="Number of variants shown (the rest is 'other'). Default: the map's analysis.top, "
                                  "else 20.")
    collapse_loops: bool | None = Field(
        default=None, description="Collapse repeats in variants: A A B -> A B. Default: the map's "
                                  "analysis.collapse_loops, else off.")
    conversion_window: str | None = Field(
        default=None, description="Ordered funnel: stages must be reached within this time of the first, e.g. 30d. "
                                  "Default: the map's analysis.conversion_window, else no limit.")
    lang: Lang | None = Field(
        default=None, description="Language of the report and explanations: fr or en. Default: the map's "
                                  "analysis.lang, else its language.")
    max_bad_rows: str | int | float | None = Field(
        default=None, description="Fail when more rows than this are quarantined: a count (100) or a share (1%). "
                                  "Default: the map's analysis.max_bad_rows, else 1%.")
    min_responses: int | None = Field(
        default=None, description="Groups with fewer survey answers are flagged 'small' and never drive a ranking "
                                  "(feedback figures; satisfaction, feedback and themes of frictions and "
                                  "opportunities). Default: the map's analysis.min_responses, else 30.")
    feedback: Any = Field(
        default=None, description="Survey answers or verbatims to measure on the map too (see parcours feedback); "
                                  "written under 'feedback' in analysis.json.")
    feedback_columns: FeedbackRoles = Field(
        default=None, description="Column roles of the feedback file, e.g. customer=client,score=note (detected "
                                  "when absent).")
    feedback_metric: str | None = Field(
        default=None, description="Metric of the feedback scores when the file has no metric column: nps, csat or "
                                  "ces.")
    feedback_scale: str | None = Field(default=None, description="Another answer scale for --metric csat or ces, e.g. 0-5.")
    feedback_date_format: str | None = Field(
        default=None, description="How the feedback file's dates that are not ISO 8601 are written: us, eu, iso or a "
                                  "strftime pattern (default: detected).")
    feedback_questions: dict[str, str] | None = Field(default=None, description=f"The feedback file's: {QUESTIONS_HELP}")
    feedback_window: str | None = Field(
        default=None, description="Attach a response to the journey's last event at most this long before it "
                                  "(default 7d).")

    @field_validator("analyses", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        return v.split(",") if isinstance(v, str) else (list(v) if isinstance(v, (tuple, set, frozenset)) else v)

    @field_validator("top")
    @classmethod
    def _top(cls, v: int | None) -> int | None:
        if v is not None and v < 1:
            raise OptionError(f"--top must be at least 1, got {v}")
        return v

    @field_validator("threads")
    @classmethod
    def _threads(cls, v: int | None) -> int | None:
        if v is not None and v < 1:
            raise OptionError(f"--threads must be at least 1, got {v}")
        return v

    @field_validator("min_responses")
    @classmethod
    def _least(cls, v: int | None) -> int | None:
        return _min_responses(v)

    @field_validator("conversion_window")
    @classmethod
    def _window(cls, v: str | None) -> str | None:
        return _duration("--conversion-window", v)

    @field_validator("feedback_window")
    @classmethod
    def _feedback_window(cls, v: str | None) -> str | None:
        return _duration("--feedback-window", v)

    def resolve(self, m: JourneyMap) -> AnalysisSpec:
        """The settings in force: what was given, else the map's ``source`` (how to read) and
        ``analysis`` (window, top, language, loops, bad-row limit, small groups) blocks, else
        the built-in defaults (the bad-row limit's, 1%, is the readers')."""
        given, ana = self._from_map(m), m.analysis
        for name in ("top", "collapse_loops", "conversion_window", "max_bad_rows", "min_responses"):
            if given[name] is None and ana is not None:
                given[name] = getattr(ana, name)
        given["top"] = TOP if given["top"] is None else given["top"]
        given["min_responses"] = MIN_RESPONSES if given["min_responses"] is None else given["min_responses"]
        given["collapse_loops"] = bool(given["collapse_loops"])
        given["lang"] = report_lang(given["lang"], m)
        return AnalysisSpec.model_validate(given)

    def options(self, *, filters: dict[str, Any], analyses: Any, map_name: str | None) -> dict[str, Any]:
        """``analysis.json``'s ``options``: the resolved settings that shaped the figures."""
        return {"journey_gap": self.journey_gap, "top": self.top, "collapse_loops": self.collapse_loops,
                "conversion_window": self.conversion_window, "min_responses": self.min_responses,
                "filters": filters, "by": self.by, "analyses": analyses, "map": map_name}

    def cache_options(self, analyses: Any) -> dict[str, Any]:
        """The settings in the cache key: all but the feedback file (fingerprinted by content)
        and the engine's resources (results do not depend on them)."""
        return {**self.model_dump(mode="json", exclude={"feedback", "threads", "memory_limit"}), "analyses": analyses}


_ENGINE = "Ibis backend URL (default: in-memory DuckDB), e.g. duckdb://events.ddb."
_LANG = "Language of names and explanations: fr or en. Default: the map's analysis.lang, else its language."


class FeedbackSpec(_Spec):
    """One ``parcours feedback``: how to read the answers, where to attach them, how to break
    them down (the map's ``source.timezone`` and ``analysis`` block — language, bad-row limit,
    small groups — fill what is not given).

    >>> FeedbackSpec(by_segment=True).resolve(JourneyMap(language="fr")).lang
    'fr'
    """

    events: Any = Field(
        default=None, description="Event file: attach each response to where its customer's journey was at "
                                  "response time.")
    columns: FeedbackRoles = Field(
        default=None, description="Column roles, e.g. customer=client,time=date,score=note,comment=avis (detected "
                                  "when absent). Roles: customer, time, score, metric, comment, stage, touchpoint, "
                                  "language.")
    metric: str | None = Field(
        default=None, description="Metric of the scores when the file has no metric column: nps (0-10), csat (1-5) "
                                  "or ces (1-7).")
    scale: str | None = Field(default=None, description="Another answer scale for --metric csat or ces, e.g. 0-5 or 1-10.")
    fmt: str | None = Field(default=None, description="csv, tsv, parquet, jsonl or xlsx (default: from the file name).")
    delimiter: str | None = ReadSpec.model_fields["delimiter"]
    timezone: str | None = Field(
        default=None, description="Time zone of times written without offset, e.g. Europe/Paris. Default: the "
                                  "map's source.timezone, else UTC.")
    date_format: str | None = ReadSpec.model_fields["date_format"]
    questions: dict[str, str] | None = Field(default=None, description=QUESTIONS_HELP)
    sheet: str | None = Field(default=None, description=SHEET_HELP)
    max_bad_rows: str | int | float | None = AnalysisSpec.model_fields["max_bad_rows"]
    window: str | None = Field(
        default=None, description="With --events: attach a response to the journey's last event at most this long "
                                  "before it (default 7d).")
    by_segment: bool = Field(default=False, description="Also give each figure per segment of the map.")
    by_period: str | None = Field(
        default=None, description="Also give each figure per period: day, week, month, quarter or year.")
    min_responses: int | None = Field(
        default=None, description="Groups with fewer responses are flagged 'small' (shown, not hidden). Default: "
                                  "the map's analysis.min_responses, else 30.")
    text_model: str | None = Field(
        default=None, description="Text sentiment model: adapt (default: learn from the comments that have a score, "
                                  "where that reads them better than the shipped model), shipped, or the "
                                  "text_models folder an earlier run wrote (R/text_models), to score these comments with it.")
    lang: Lang | None = Field(default=None, description=_LANG)
    engine: str | None = Field(default=None, description=_ENGINE)

    @field_validator("window")
    @classmethod
    def _window(cls, v: str | None) -> str | None:
        return _duration("--window", v)

    @field_validator("max_bad_rows", mode="before")
    @classmethod
    def _max_bad_rows(cls, v: Any) -> Any:
        return _bad_rows(v)

    @field_validator("min_responses")
    @classmethod
    def _least(cls, v: int | None) -> int | None:
        return _min_responses(v)

    @field_validator("questions", mode="before")
    @classmethod
    def _questions(cls, v: Any) -> Any:
        return parse_questions(v)

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, v: str | None) -> str | None:
        return check_date_format(v)

    def resolve(self, m: JourneyMap) -> FeedbackSpec:
        """The settings in force: what was given, else the map's (time zone; language, bad-row
        limit and small groups from its ``analysis`` block), else the built-in defaults.

        >>> FeedbackSpec().resolve(JourneyMap(analysis={"min_responses": 50})).min_responses
        50
        """
        given, ana = dict(self), m.analysis
        given["timezone"] = given["timezone"] or (m.source.timezone if m.source else None)
        given["lang"] = report_lang(given["lang"], m)
        for name in ("max_bad_rows", "min_responses"):
            if given[name] is None and ana is not None:
                given[name] = getattr(ana, name)
        given["min_responses"] = MIN_RESPONSES if given["min_responses"] is None else given["min_responses"]
        return FeedbackSpec.model_validate(given)

    def read_args(self) -> dict[str, Any]:
        """The ``read_feedback`` arguments."""
        return self.model_dump(include={"columns", "metric", "scale", "fmt", "delimiter", "timezone",
                                        "date_format", "questions", "sheet", "max_bad_rows", "engine"})


class CompareSpec(ReadSpec):
    """One ``parcours compare``: what to compare (two periods, two segments or two maps), how
    to read the events (the map's ``source`` fills what is not given), with which feedback.

    >>> CompareSpec.of(segments="new,gold").segments
    ('new', 'gold')
    """

    before: str | None = Field(
        default=None, description="First period: journeys starting in START..END, e.g. 2026-01-01..2026-03-31.")
    after: str | None = Field(default=None, description="Second period, e.g. 2026-04-01..2026-06-30.")
    segments: tuple[str, str] | None = Field(
        default=None, description="Two segments of the map to compare, e.g. new_customers,gold_members.")
    map_before: Any = Field(
        default=None, description="An earlier version of the map: compare it with --map on the same events.")
    feedback: Any = Field(default=None, description="Survey answers: compare NPS/CSAT/CES too.")
    feedback_columns: FeedbackRoles = AnalysisSpec.model_fields["feedback_columns"]
    feedback_metric: str | None = AnalysisSpec.model_fields["feedback_metric"]
    feedback_scale: str | None = AnalysisSpec.model_fields["feedback_scale"]
    feedback_date_format: str | None = AnalysisSpec.model_fields["feedback_date_format"]
    feedback_questions: dict[str, str] | None = AnalysisSpec.model_fields["feedback_questions"]
    lang: Lang | None = Field(default=None, description=_LANG)
    engine: str | None = Field(default=None, description=_ENGINE)

    @field_validator("segments", mode="before")
    @classmethod
    def _pair(cls, v: Any) -> Any:
        if isinstance(v, str):
            pair = tuple(s.strip() for s in v.split(","))
            if len(pair) != 2 or not all(pair):
                raise OptionError(f"--segments {v!r}: give two segment ids separated by a comma")
            return pair
        return v

    def resolve(self, m: JourneyMap) -> CompareSpec:
        """The settings in force: what was given, else the map's ``source`` block and language."""
        given = self._from_map(m)
        given["lang"] = report_lang(given["lang"], m)
        return CompareSpec.model_validate(given)

    def feedback_args(self) -> dict[str, Any] | None:
        """The ``read_feedback`` arguments, or None without feedback."""
        if not self.feedback:
            return None
        return {"source": self.feedback, "columns": self.feedback_columns, "metric": self.feedback_metric,
                "scale": self.feedback_scale, "timezone": self.timezone, "date_format": self.feedback_date_format,
                "questions": self.feedback_questions}


class SegmentsSpec(ReadSpec):
    """One ``parcours segments``: what a segment is, how often, over which period, and how to
    read the events (the map's ``source`` fills what is not given).

    >>> SegmentsSpec().resolve(JourneyMap()).options(map_name="m")
    {'by': 'buyer', 'every': 'month', 'period': None, 'journey_gap': None, 'map': 'm'}
    """

    by: str = Field(
        default="buyer", description="What a segment is: buyer, channel_mix, value_tier, segment (the map's, first "
                                     "in map order) or a column (its value on the period's first event).")
    every: str = Field(default="month", description="Period: week, month, quarter or year.")
    period: str | None = Field(default=None, description="Only events in START..END (dates, end included).")
    engine: str | None = Field(default=None, description=_ENGINE)

    def resolve(self, m: JourneyMap) -> SegmentsSpec:
        """The settings in force: what was given, else the map's ``source`` block."""
        return SegmentsSpec.model_validate(self._from_map(m))

    def options(self, *, map_name: str | None) -> dict[str, Any]:
        """``segments.json``'s ``options``: the resolved settings that shaped the figures."""
        given = self.model_dump(include={"by", "every", "period", "journey_gap"})
        return {**{k: given[k] for k in ("by", "every", "period", "journey_gap")}, "map": map_name}


def settle(cls: type[Any], spec: Any, settings: dict[str, Any], under: dict[str, Any] | None = None) -> Any:
    """A spec of ``cls`` from a spec (or None) and keyword settings that win over its fields:
    how ``analyze``, ``feedback``, ``compare`` and ``segments`` take both. ``under``: settings
    of the project's data (how a stored project's sources are read, the project's engine) that
    fill what neither gives (None is "not given"); the map's blocks come after, in ``resolve``.
    So the order is one line: keyword > spec > project's data > map > built-in default.

    >>> s = settle(AnalysisSpec, AnalysisSpec(top=5, lang="fr"), {"lang": "en"}, under={"top": 9, "fmt": "csv"})
    >>> s.top, s.lang, s.fmt
    (5, 'en', 'csv')
    """
    given = {**({k: getattr(spec, k) for k in spec.model_fields_set} if spec is not None else {}), **settings}
    for name, value in (under or {}).items():
        if value is not None and given.get(name) is None:
            given[name] = value
    return cls.of(**given)


__all__ = ["EVENT_ROLES", "FEEDBACK_ROLES", "AnalysisSpec", "CompareSpec", "FeedbackSpec", "ReadSpec",
           "SegmentsSpec", "parse_roles", "report_lang", "settle"]
