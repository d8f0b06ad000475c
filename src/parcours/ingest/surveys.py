"""A survey with one row per respondent and one column per question -> one response per
answered score question.

Survey tools export *wide*: a row per respondent, a column per question, and the metadata the
tool keeps (IP address, collector, embedded data, hidden fields). The analyses read *long*
answers: one score, its metric, and a comment. :func:`lengthen` finds the score questions (NPS,
CSAT, CES) and the comment questions by their wording and answers
(:mod:`parcours.ingest.questions`), or as ``--questions`` says, and makes one row per
respondent and answered score question:

- ``question`` (the column), ``score`` (a number, or the choice text read as one), ``metric``;
- ``comment``: the comment questions' answers, each attached to the score question before it
  (the first one when none is before), joined by a line break when several are;
- the respondent's other columns, kept as attributes (usable as segments).

A respondent who answered nothing gives one empty row, quarantined as such (``no score and
no comment``): read = accepted + quarantined counts answers, and every respondent is in it.
Rows keep their file's ``__row``; ``__seq`` is the respondent's, times the number of
questions, plus the question's place.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.engine.fetch import rows
from parcours.errors import OptionError
from parcours.ingest import questions as Q
from parcours.ingest.readers import RawInput
from parcours.ingest.said import said
from parcours.ingest.survey_exports import Export
from parcours.model.survey_questions import SCORE_KINDS

# A number alone, or first in a choice text ("10 - Extremely likely", "5: Very satisfied").
_NUMBER = r"^(-?\d+(?:[.,]\d+)?)(?:\s*(?:-|–|:|=|\.|\))\s*\D.*)?$"
_TAKEN = 0.5  # share of a question's answers on its metric's scale (or its choice texts) to read it as that metric
_counter = itertools.count(1)
_OFF = 0.05  # share of its answers that may be numbers off the scale (they are quarantined)


@dataclasses.dataclass
class Question:
    column: str
    text: str
    kind: str
    how: str  # "wording" or "given"
    answers: int = 0
    attached_to: str | None = None  # a comment question: the score question it goes with


@dataclasses.dataclass
class Survey:
    """What :func:`lengthen` chose: the tool, the respondents, the questions read and those left."""

    tool: str | None
    respondents: int
    respondent: str | None
    questions: list[Question]
    skipped: list[dict[str, Any]]
    question_column: str

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "respondents": self.respondents, "respondent": self.respondent,
                "questions": [dataclasses.asdict(q) for q in self.questions], "skipped": self.skipped}


def _stats(con: Any, t: ir.Table, columns: list[str],
           scales: dict[str, tuple[float, float]]) -> dict[str, dict[str, Any]]:
    """Per column: answers (non-blank), numbers among them and their range, and per metric the
    numbers on its scale and the choice texts it knows (``t``: the columns :func:`_clean`)."""
    aggs: dict[str, Any] = {}
    for i, c in enumerate(columns):
        v = t[c]
        low = v.lower().replace("’", "'")
        plain = v.try_cast("float64")  # most answers are plain numbers: the pattern reads only the others
        num = ibis.cases((plain.notnull(), plain),
                         else_=low.re_extract(_NUMBER, 1).replace(",", ".").try_cast("float64"))
        aggs[f"n{i}"] = v.count()
        aggs[f"k{i}"] = num.count()
        aggs[f"lo{i}"] = num.min()
        aggs[f"hi{i}"] = num.max()
        for kind in SCORE_KINDS:
            aggs[f"{kind}{i}"] = low.isin(list(Q.LABELS[kind])).sum()
            aggs[f"in_{kind}{i}"] = num.between(*scales[kind]).sum()
    got = rows(con, t.aggregate(**aggs))[0] if aggs else {}
    return {c: {"n": int(got[f"n{i}"] or 0), "numbers": int(got[f"k{i}"] or 0), "low": got[f"lo{i}"],
                "high": got[f"hi{i}"],
                **{k: int(got[f"{k}{i}"] or 0) for k in SCORE_KINDS},
                **{f"in_{k}": int(got[f"in_{k}{i}"] or 0) for k in SCORE_KINDS}} for i, c in enumerate(columns)}


def _clean(con: Any, t: ir.Table, columns: list[str]) -> ir.Table:
    """``t`` with ``columns`` as text, trimmed, a blank one null: made once (trimming is what
    costs most when each question's answers are read several times)."""
    if not columns:
        return t
    cleaned = {}
    for c in columns:
        v = t[c].cast("string").strip()
        cleaned[c] = ibis.cases((v == "", ibis.null("string")), else_=v)
    out = t.mutate(**cleaned)
    return con.create_table(f"_parcours_answers_{next(_counter)}", out, temp=True) if con.name == "duckdb" else out


def _fits(s: dict[str, Any], kind: str) -> bool:
    """Whether a question worded as ``kind`` is answered on its scale: most answers are its choice
    texts or numbers on its scale, few numbers are off it (those are quarantined), and a
    "recommend" question is not one on 1–5."""
    n = s["n"]
    if not n or s[kind] + s[f"in_{kind}"] < _TAKEN * n or s["numbers"] - s[f"in_{kind}"] > _OFF * n:
        return False
    return kind != "nps" or s[kind] > 0 or n < 20 or (s["high"] or 0) > 5


def _first(columns: list[str], names: list[str], used: set[str]) -> str | None:
    for name in names:
        for c in columns:
            if c not in used and Q.normal(c) == name:
                return c
    return None


def _free(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    return name


def lengthen(con: Any, raw: RawInput, export: Export | None, given: dict[str, str], chosen: dict[str, str] | None,
             scales: dict[str, tuple[float, float]], *, scored: bool = False) -> tuple[RawInput, Survey, dict[str, str]] | None:
    """The long answers of a wide survey (module doc), the :class:`Survey` chosen, and the column
    roles of the long table; None when the file has no score question (nor ``chosen``), or when
    it is ``scored`` (a score column found by its name) with one score question and no tool: a
    plain long file then."""
    cols = raw.data_columns
    name = Path(raw.source).name if raw.format != "table" else "table"
    forced = {given["comment"]: "comment"} if "comment" in given else {}  # a comment column named as a role
    used = {c for r, c in given.items() if r != "comment"}
    roles = {r: c for r, c in given.items() if r in ("customer", "time", "language", "stage", "touchpoint")}
    respondent = _first(cols, Q.RESPONDENT, used)
    for role, names in (("time", Q.TIME), ("language", Q.LANGUAGE)):
        if role not in roles:
            found = _first(cols, names, used | {respondent} if respondent else used)
            if found:
                roles[role] = found
    taken = used | set(roles.values()) | ({respondent} if respondent else set())
    if chosen is not None:
        unknown = [c for c in chosen if c not in cols]
        if unknown:
            raise OptionError(f"{name}: --questions names column {unknown[0]!r}, which the file does not have",
                              hint=f"columns are: {', '.join(c for c in cols if c not in taken)}")
    candidates = [c for c in cols if c not in taken]
    chosen_or_forced = {**forced, **(chosen or {})}
    kinds = {c: chosen_or_forced.get(c) or Q.kind_of(export.text(c) if export else c) for c in candidates}
    worded = [c for c in candidates if kinds[c] in (*SCORE_KINDS, "comment")]
    t = _clean(con, raw.table, worded)
    stats = _stats(con, t, worded, scales)
    picked: list[Question] = []
    skipped: list[dict[str, Any]] = []
    for c in candidates:
        kind = kinds[c]
        if kind not in (*SCORE_KINDS, "comment"):
            continue
        s, how = stats[c], ("given" if c in chosen_or_forced else "wording")
        text = export.text(c) if export else c
        if kind == "comment":
            if how == "given" or (s["n"] and s["numbers"] < 0.5 * s["n"]):
                picked.append(Question(c, text, kind, how, s["n"]))
            continue
        if how == "given" or _fits(s, kind):
            picked.append(Question(c, text, kind, how, s["n"]))
        else:
            found = (f"{s['low']:g}–{s['high']:g}" if s["numbers"] else "no numbers") if s["n"] else "no answers"
            skipped.append({"column": c, "text": text, "kind": kind, "low": scales[kind][0], "high": scales[kind][1],
                            "found": found})
    scores = [q for q in picked if q.kind in SCORE_KINDS]
    comments = [q for q in picked if q.kind == "comment"]
    if chosen is None and (not scores or (len(scores) == 1 and export is None and scored)):
        return None
    if not picked:
        raise OptionError(f"{name}: no score and no comment question is left to read",
                          hint="name one with --questions, e.g. --questions 'Q1=nps' (kinds: nps, csat, ces, comment)")
    if "customer" not in roles:
        external = _first(cols, Q.CUSTOMER, taken - ({respondent} if respondent else set()))
        with_values = external and rows(con, raw.table.aggregate(
            n=raw.table[external].cast("string").strip().nullif("").count()))[0]["n"]
        roles["customer"] = external if with_values else respondent
        roles = {k: v for k, v in roles.items() if v}
    order = {c: i for i, c in enumerate(cols)}
    for q in comments:
        before = [s for s in scores if order[s.column] < order[q.column]]
        q.attached_to = (before[-1] if before else scores[0]).column if scores else None

    reserved = set(cols)
    qcol, scol, mcol, ccol = (_free(n, reserved) for n in ("question", "score", "metric", "comment"))
    keep = ["__row", "__file", "__error", *[c for c in cols if c not in {q.column for q in picked}]]
    width = len(scores) + len(comments) + 1

    def blank(c: str) -> ir.BooleanValue:  # the questions' columns are clean: blank is null
        return t[c].isnull()

    def comment_of(targets: list[Question]) -> ir.Value:
        out = None
        for q in targets:
            v = t[q.column]
            out = v if out is None else ibis.cases((out.isnull(), v), (v.isnull(), out), else_=out + "\n" + v)
        return out if out is not None else ibis.null("string")

    parts = []
    for i, q in enumerate(scores, start=1):
        v = t[q.column]
        low = v.lower().replace("’", "'")
        lead = low.re_extract(_NUMBER, 1).nullif("")
        label = low.substitute({k: f"{n:g}" for k, n in Q.LABELS[q.kind].items()}, else_=ibis.null("string"))
        # a plain number is kept as written; the pattern and the choice texts read only the others
        score = ibis.cases((blank(q.column), ibis.null("string")), (v.try_cast("float64").notnull(), v),
                           else_=ibis.coalesce(lead, label, v))
        comment = comment_of([c for c in comments if c.attached_to == q.column])
        part = t.select(*keep, __seq=t.__seq * width + i, **{qcol: ibis.literal(q.column), scol: score,
                                                           mcol: ibis.literal(q.kind), ccol: comment})
        parts.append(part.filter(part[scol].notnull() | part[ccol].notnull()))
    if not scores:  # comments only: a response per comment question answered
        for i, q in enumerate(comments, start=1):
            part = t.select(*keep, __seq=t.__seq * width + i, **{qcol: ibis.literal(q.column),
                                                               scol: ibis.null("string"), mcol: ibis.null("string"),
                                                               ccol: comment_of([q])})
            parts.append(part.filter(part[ccol].notnull()))
    nothing = ibis.literal(True)
    for q in picked:
        nothing = nothing & blank(q.column)
    parts.append(t.filter(nothing).select(*keep, __seq=t.__seq * width, **{
        qcol: ibis.null("string"), scol: ibis.null("string"), mcol: ibis.null("string"), ccol: ibis.null("string")}))
    long = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    respondents = int(rows(con, t.aggregate(n=t.count()))[0]["n"])
    survey = Survey(export.tool if export else None, respondents, respondent, picked, skipped, qcol)
    notes = [*raw.notes, *notes_of(survey, name, scales)]
    table = long.select(*[c for c in long.columns if not c.startswith("__")], "__seq", "__row", "__file", "__error")
    if con.name == "duckdb":  # made once: the checks and the accepted table read it several times
        table = con.create_table(f"_parcours_survey_{next(_counter)}", table, temp=True)
    roles.update({"score": scol, "metric": mcol, "comment": ccol})
    return dataclasses.replace(raw, table=table, notes=notes), survey, roles


def notes_of(survey: Survey, name: str, scales: dict[str, tuple[float, float]]) -> list[str]:
    """What was chosen, in the notes every front door shows (and how to choose otherwise)."""
    scores = [q for q in survey.questions if q.kind in SCORE_KINDS]
    out = [said("note.survey_wide", file=name, respondents=survey.respondents, questions=len(scores),
                respondent=survey.respondent) if survey.respondent else
           said("note.survey_wide_rows", file=name, respondents=survey.respondents, questions=len(scores))]
    for q in survey.questions:
        text = q.text if len(q.text) <= 80 else q.text[:77] + "…"
        shown = q.column if q.text == q.column else f"{q.column} ({text})"
        if q.kind == "comment":
            out.append(said("note.survey_comment", question=shown, to=q.attached_to or "none"))
        else:
            low, high = scales[q.kind]
            out.append(said("note.survey_score", question=shown, metric=q.kind.upper(),
                            low=f"{low:g}", high=f"{high:g}", answers=q.answers))
    for s in survey.skipped:
        out.append(said("note.survey_skipped", column=s["column"], metric=s["kind"].upper(), low=f"{s['low']:g}",
                        high=f"{s['high']:g}", found=s["found"]))
    out.append(said("note.survey_choose"))
    return out
