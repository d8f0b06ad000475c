"""What reading a file says about it — its notes (how a file was read, when it needed care) and
the reasons a row is quarantined — written from one table of templates, and read back.

Each note and reason is the English :data:`TEMPLATES` entry of its key with its values put in:
that text is what the ingest layer keeps (``report.notes``, the ``reason`` of
``quarantine.csv``), so that a file, a stored validation and a script all have the same
sentence (:class:`parcours.templates.Templates`). :func:`words_of` reads such a text back into its key and values — the words a front
door says in its reader's language (the catalogues ``parcours.project.texts`` hold the same
keys, under ``ingest.``), which works on a report stored before this module too. A text that
no template made (a message of the engine's own) has no words: it is shown as it is.

A reason built in SQL (one per row) is :func:`said_expr`: the template's literal parts and the
row's value as one string expression. The reasons of one line rejected by the CSV reader are
joined with ``"; "``.

>>> said("note.epoch", column="'ts'", unit="ms")
"'ts' holds numbers: read as epoch ms"
>>> words_of("'ts' holds numbers: read as epoch ms")
[{'t': 'ingest.note.epoch', 'column': "'ts'", 'unit': 'ms'}]
>>> words_of("missing customer (column 'id'); no score and no comment")
[{'t': 'ingest.reason.missing', 'role': {'t': 'source.role.customer'}, 'column': "'id'"}, {'t': 'ingest.reason.no_score_no_comment'}]
>>> words_of("something the engine said") is None
True
"""

from __future__ import annotations

from typing import Any

from parcours.templates import Templates

TEMPLATES: dict[str, str] = {
    # how a file was read
    "note.tz_as": "timestamps in {column} have no time zone: read as {timezone}",
    "note.tz_utc": "timestamps in {column} have no time zone: read as UTC (use --timezone to change)",
    "note.epoch": "{column} holds numbers: read as epoch {unit}",
    "note.naive_as": "times without offset in {column} read as {timezone}",
    "note.naive_utc": "times in {column} have no UTC offset: read as UTC (use --timezone to change)",
    "note.date_format": "dates in {column} that are not ISO 8601 read as {style}",
    "note.dates_eu": "dates in {column} read day first (31/12/2026), as row {row} shows: {value} "
                     "(use --date-format us to read them month first)",
    "note.dates_us": "dates in {column} read month first (12/31/2026), as row {row} shows: {value} "
                     "(use --date-format eu to read them day first)",
    "note.qualtrics": "{file} is a Qualtrics export: its two header rows under the column names (question texts, "
                      "import ids) are not answers; its time zone: {zone}",
    "note.qualtrics_legacy": "{file} is a Qualtrics export (legacy form): its second header row names the columns "
                             "V1… and gives the questions' texts; it is not an answer",
    "note.surveymonkey": "{file} is a SurveyMonkey export: its second header row (what each column holds: Response, "
                         "an option…) is not an answer; its dates are read month first (use --date-format eu to read "
                         "them day first)",
    "note.stitched": "{file}: one customer across ids ({system}): {ids} anonymous ids in {anonymous} joined to the customer they identify as in {known} ({events} events before identification joined their journeys); {alone} anonymous ids never identified kept as their own journeys ({alone_events} events, customer anonymous:<id>)",
    "note.stitch_conflict": "{file}: {n} anonymous ids in {anonymous} are seen with several customers, e.g. {example}: {first}, then {other} at row {row}; their anonymous events join the first (to keep the ids apart: --stitch none)",
    "note.ga4_nested": "the nested {column} are read as {n} columns {prefix}KEY ({keys}); {left} rarer keys left out",
    "note.source_counts": "source {name} ({file}): rows read {read} = accepted {accepted} + quarantined {quarantined}",
    "note.joined": "{file} joined with {other} on {on}: {matched} of {total} rows found there; columns added: {columns}",
    "note.milestones_named": "{file} has one row per record ({records}) and a date column per milestone: one event per date, the record's id {customer} as the customer; milestones: {milestones}",
    "note.stitched_named": "{file}: one customer across ids: {ids} anonymous ids in {anonymous} joined to the customer they identify as in {known} ({events} events before identification joined their journeys); {alone} anonymous ids never identified kept as their own journeys ({alone_events} events, customer anonymous:<id>)",
    "note.sheet": "{file} is a workbook of {sheets} sheets ({names}): sheet {sheet} read (another: --sheet NAME)",
    "note.milestones": "{file} has one row per record ({records}) and a date column per milestone ({system}): "
                       "one event per date, the record's id {customer} as the customer; milestones: {milestones}",
    "note.survey_tool": "{file} is a {tool} export",
    "note.survey_wide": "{file} has one row per respondent ({respondents}); score questions: {questions}; one "
                        "response per answered score question, linked by respondent ({respondent})",
    "note.survey_wide_rows": "{file} has one row per respondent ({respondents}); score questions: {questions}; one "
                             "response per answered score question, linked by their row (no respondent id column)",
    "note.survey_score": "question {question} read as {metric} {low}–{high}: {answers} answers",
    "note.survey_comment": "question {question} is a comment, attached to {to}",
    "note.survey_skipped": "question {column} reads like {metric} but its answers are not on {low}–{high} "
                           "({found}): kept as an attribute",
    "note.survey_choose": "to choose the questions yourself, name each with its kind: COLUMN=nps, COLUMN=comment… "
                          "(kinds: nps, csat, ces, comment, skip; --questions on the command line, Questions in the "
                          "reading options of the web app)",
    "note.excel": "{column} holds Excel serial dates (days since 1899-12-30): read as such "
                  "(use --time-unit s to read them as epoch seconds)",
    "note.mixed_endings": "{file} mixes line endings (line {line} ends with {ending}, the lines before with "
                          "{first}): each line was read as a record",
    "note.latin1": "{file} is not UTF-8 (first invalid byte at offset {offset}): it was read as Latin-1 "
                   "(ISO-8859-1) and converted to UTF-8; check accented letters in the preview",
    "note.stages_as_written": "the stages in column {column} are kept as written (no map stages to check them against)",
    "note.touchpoints_as_written": "the touchpoints in column {column} are kept as written (no map touchpoints to "
                                   "check them against)",
    "note.checked_by_duckdb": "file read and checked by DuckDB, then analysed on {engine}",
    "note.copied_to_duckdb": "table read from the {engine} engine and copied to DuckDB, where the analyses run",
    # why a row is quarantined
    "reason.missing": "missing {role} (column {column})",
    "reason.unparseable_time": "unparseable time in column {column}: {value} (expected ISO 8601 such as "
                               "2026-03-14T10:22:05+01:00, or epoch seconds/ms/µs)",
    "reason.value_not_number": "value in column {column} is not a number: {value}",
    "reason.score_not_number": "score in column {column} is not a number: {value}",
    "reason.unknown_metric": "unknown metric in column {column}: {value} (expected {expected})",
    "reason.out_of_scale": "{metric} score out of its scale {low}–{high}: {value}",
    "reason.no_metric": "no metric for this score (empty column {column})",
    "reason.no_score_no_comment": "no score and no comment",
    "reason.unknown_stage": "unknown stage in column {column}: {value} (the map's stages: {known})",
    "reason.unknown_touchpoint": "unknown touchpoint in column {column}: {value} (the map's touchpoints: {known})",
    "reason.missing_columns": "missing columns: Expected Number of Columns: {expected} Found: {found}",
    "reason.too_many_columns": "too many columns: Expected Number of Columns: {expected} Found: {found}",
    "reason.unclosed_quote": "unterminated quote: a quote opens a value on this line and the record it starts "
                             "cannot be read (it runs into the next lines, which are read on their own)",
    "reason.json_not_object": "line is JSON but not an object ({type})",
    "reason.invalid_json": "invalid JSON: {error} at column {column}",
    # why an upload is refused (message, then how to fix it)
    "upload.not_accepted": "{file}: this type of file is not accepted",
    "upload.not_accepted_hint": "upload a .csv, .tsv, .txt, .parquet, .jsonl, .ndjson, .xes or .xlsx file (.csv.gz, "
                                ".jsonl.gz, .xes.gz compressed); save older spreadsheets (.xls) as .xlsx or CSV (UTF-8)",
    "upload.not_xlsx": "{file}: not an .xlsx workbook: found {found}",
    "upload.not_xlsx_hint": "save it from the spreadsheet program as .xlsx (Excel workbook), or as CSV (UTF-8)",
    "upload.empty": "{file}: the file is empty",
    "upload.empty_hint": "upload the file again: it has 0 bytes",
    "upload.not_gzip": "{file}: named .gz but not gzip-compressed: found {found}",
    "upload.not_gzip_hint": "compress it with gzip, or upload it without the .gz ending",
    "upload.not_parquet": "{file}: not a Parquet file: found {found}",
    "upload.not_parquet_hint": "a Parquet file starts and ends with 'PAR1': export it as Parquet, or rename it after its "
                               "real type (.csv, .jsonl...)",
    "upload.parquet_incomplete": "{file}: the Parquet file is incomplete (it does not end with its footer 'PAR1')",
    "upload.parquet_incomplete_hint": "the export or the upload did not finish: upload the complete file",
    "upload.gzip_unreadable": "{file}: the gzip data cannot be read ({error})",
    "upload.gzip_unreadable_hint": "compress the file again, or upload it uncompressed",
    "upload.not_xes": "{file}: not an XES event log: expected XML whose root element <log> starts within the first "
                      "kilobyte, found {found}",
    "upload.not_xes_hint": "export the log as XES (IEEE 1849), or rename the file after its real type",
    "upload.not_jsonl": "{file}, line {line}: not JSON Lines: the first line is not JSON ({error}); found {found}",
    "upload.not_jsonl_hint": "one JSON object per line is expected (UTF-8), e.g. {example}",
    "upload.jsonl_not_object": "{file}, line {line}: not JSON Lines: the first line is JSON but not an object ({type})",
    "upload.jsonl_not_object_hint": "one JSON object per line is expected; a JSON array file must be converted to one "
                                    "object per line",
    "upload.blank_only": "{file}: the file holds only blank lines",
    "upload.blank_only_hint": "one JSON object per line is expected",
    "upload.utf16": "{file}: the CSV is UTF-16 text",
    "upload.utf16_hint": "save it as CSV UTF-8 (in Excel: 'CSV UTF-8')",
    "upload.not_text": "{file}: not a {fmt} text file: found {found}",
    "upload.not_text_hint": "upload the events as CSV (UTF-8), Parquet, JSON Lines or XES",
    "upload.no_delimiter": "{file}, line 1: no delimiter (comma, semicolon, tab or |) in the header line {header}",
    "upload.no_tab": "{file}, line 1: no delimiter (tab) in the header line {header}",
    "upload.no_delimiter_hint": "the first line must name the columns, separated by a delimiter (e.g. "
                                "customer_id,timestamp,event)",
    # what the first bytes of a refused file look like
    "found.png": "a PNG image", "found.jpeg": "a JPEG image", "found.gif": "a GIF image", "found.pdf": "a PDF document",
    "found.zip": "a ZIP archive (an Excel .xlsx file?)", "found.gzip": "gzip-compressed data",
    "found.parquet": "a Parquet file", "found.xls": "an old Office document (Excel .xls?)",
    "found.sqlite": "an SQLite database", "found.utf16": "UTF-16 text", "found.binary": "binary data",
    "found.text": "text starting {text}", "found.blank": "only blank space", "found.xml_root": "XML whose root is <{root}>",
}

# A value "role" names a role of the input: said as the catalogues name it (source.role.*).
SAID = Templates("ingest.", TEMPLATES, named={"role": "source.role."}, inner=("found",))
said, words_of = SAID.said, SAID.words_of


def said_expr(key: str, **values: Any) -> Any:
    """The text of ``key`` as an ibis string expression: a value may be an expression (a row's
    value, cast to text), any other is put in as text."""
    import ibis

    out = ibis.literal("")
    for literal, name in SAID.parts(key):
        out = out + ibis.literal(literal) if literal else out
        if name is not None:
            v = values[name]
            out = out + (v.cast("string") if hasattr(v, "cast") else ibis.literal(str(v)))
    return out
