"""How a person says which columns of a wide survey are which questions: ``--questions``,
the map's ``source.questions``, the upload's *Questions* — ``COLUMN=KIND`` pairs, where a
kind is ``nps``, ``csat``, ``ces``, ``comment`` or ``skip`` (:mod:`parcours.ingest.surveys`).
"""

from __future__ import annotations

from parcours.errors import OptionError

KINDS = ("nps", "csat", "ces", "comment", "skip")
SCORE_KINDS = ("nps", "csat", "ces")
HELP = ("Which columns of a survey with one row per respondent are which questions, e.g. "
        "Q1=nps,Q2=comment,Q3=csat (kinds: nps, csat, ces, comment, skip; default: found by their wording "
        "and answers).")


def parse_questions(text: str | dict[str, str] | None) -> dict[str, str] | None:
    """``"Q1=nps, Q2=comment"`` -> ``{"Q1": "nps", "Q2": "comment"}``; a column name may hold
    commas (a question's text): the pieces up to the next ``=`` are its name.

    >>> parse_questions("How likely, really, to recommend?=nps,Q2=comment")
    {'How likely, really, to recommend?': 'nps', 'Q2': 'comment'}
    """
    if text is None:
        return None
    if not isinstance(text, (str, dict)):
        raise OptionError(f"questions {text!r}: write COLUMN=KIND pairs", hint=f"kinds are: {', '.join(KINDS)}")
    if isinstance(text, dict):
        parts = [f"{k}={v}" for k, v in text.items()]
    else:
        parts, current = [], ""
        for piece in text.split(","):  # a piece without '=' is the start of a column name with commas
            current = f"{current},{piece}" if current else piece
            if "=" in piece:
                parts.append(current)
                current = ""
        if current.strip():
            parts.append(current)
    out: dict[str, str] = {}
    for part in parts:
        column, sep, kind = part.rpartition("=")
        column, kind = column.strip(), kind.strip().lower()
        if not sep or not column or kind not in KINDS:
            raise OptionError(f"questions {part.strip()!r}: write COLUMN=KIND",
                              hint=f"kinds are: {', '.join(KINDS)}; e.g. --questions 'Q1=nps,Q2=comment,Q3=csat'")
        out[column] = kind
    return out
