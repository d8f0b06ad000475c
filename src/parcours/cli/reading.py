"""The flags that say how to read events, shared by ``analyze``, ``compare`` and ``segments``
(one declaration each; their help is the field description of ``parcours.model.specs.ReadSpec``,
which tests/model keeps equal)."""

from __future__ import annotations

from typing import Annotated

import typer

from parcours.model.date_formats import HELP as DATE_FORMAT_HELP
from parcours.model.milestones import HELP as MILESTONES_HELP
from parcours.model.identity import HELP as STITCH_HELP
from parcours.model.milestones import SHEET_HELP
from parcours.model.survey_questions import HELP as QUESTIONS_HELP

Columns = Annotated[str | None, typer.Option(help="Column roles, e.g. customer=user_id,time=ts,event=name (detected when absent).")]
FeedbackColumns = Annotated[str | None, typer.Option(help="Column roles of the feedback file, e.g. customer=client,score=note (detected when absent).")]
Format = Annotated[str | None, typer.Option("--format", help="csv, tsv, parquet, jsonl, xes or xlsx (default: from the file name).")]
Delimiter = Annotated[str | None, typer.Option(help="CSV delimiter (default: detected).")]
Timezone = Annotated[str | None, typer.Option(help="Time zone of timestamps written without offset (default UTC), e.g. Europe/Paris.")]
TimeUnit = Annotated[str | None, typer.Option(help="Unit of epoch timestamps: s, ms, us or ns (default: detected).")]
DateFormat = Annotated[str | None, typer.Option(help=DATE_FORMAT_HELP)]
FeedbackDateFormat = Annotated[str | None, typer.Option(help="How the feedback file's dates that are not ISO 8601 are written: us, eu, iso or a strftime pattern (default: detected).")]
Stitch = Annotated[str | None, typer.Option(help=STITCH_HELP)]
Sheet = Annotated[str | None, typer.Option(help=SHEET_HELP)]
Milestones = Annotated[str | None, typer.Option(help=MILESTONES_HELP)]
Questions = Annotated[str | None, typer.Option(help=QUESTIONS_HELP)]
FeedbackQuestions = Annotated[str | None, typer.Option(help=f"The feedback file's: {QUESTIONS_HELP}")]
MaxBadRows = Annotated[str | None, typer.Option(help="Fail when more rows than this are quarantined: a count (100) or a share (1%). Default: the map's analysis.max_bad_rows, else 1%.")]
DropDuplicates = Annotated[bool, typer.Option(help="Drop exact duplicate events (counted in the report).")]
JourneyGap = Annotated[str | None, typer.Option(help="Split a customer's events into journeys after this inactivity, e.g. 30m or 7d.")]
