"""The lines DuckDB's CSV reader could not split, one entry per line with all its reasons.

DuckDB's *store rejects* table has one entry per error, not per line: a line of 3 fields under
a header of 5 gives two ("Found: 3", "Found: 4", one per missing column), a line with two extra
fields two, and a line may add an invalid encoding to those. Counted as they come, one bad line
would be read and quarantined several times and shift the row number of every later row. Here
they are grouped by line in the engine: one entry per kind of error, saying the line's true
number of fields, and the kinds of one line joined in the order of their columns.
:func:`true_row` gives the file's row of a row counted among the others (accepted, or kept in a copy).
"""

from __future__ import annotations

from typing import Any

import ibis

from parcours.engine.fetch import rows

TOO_MANY = "TOO MANY COLUMNS"


def rejects_by_line(con: Any, rejects_table: str) -> list[dict[str, Any]]:
    """``{line, row, reason, text, offset}`` for each line rejected by the CSV reader, in line order.

    ``line`` is DuckDB's (the header is line 1, a record spanning lines counts once), so
    ``row`` — the data row, 1-based — is ``line - 1``; ``offset`` is the byte where it starts in
    the file read. ``reason`` reads like ``missing columns: Expected Number of Columns: 5 Found: 3``, and
    ``"; "`` joins the kinds of error of one line (``invalid encoding: ...; too many columns: ...``).
    """
    rej = con.table(rejects_table)
    rej = rej.mutate(kind=rej.error_type.cast("string"))
    # Missing columns: the first missing one says how many fields the line has; extra columns:
    # the last one does. The sniffer's own look at the first lines repeats entries: same line.
    per_kind = rej.group_by(["line", "kind"]).aggregate(
        at=rej.column_idx.min(), first=rej.error_message.argmin(rej.column_idx),
        last=rej.error_message.argmax(rej.column_idx), any=rej.error_message.min(), text=rej.csv_line.min(),
        offset=rej.line_byte_position.min())
    message = ibis.coalesce(ibis.cases((per_kind.kind == TOO_MANY, per_kind["last"]), else_=per_kind["first"]),
                            per_kind["any"])  # an error of the whole line has no column
    per_kind = per_kind.mutate(reason=per_kind.kind.lower() + ": " + message)
    per_line = per_kind.group_by("line").aggregate(
        reason=per_kind.reason.group_concat("; ", order_by=[per_kind.at, per_kind.kind]),
        # in a CRLF file DuckDB's text of a line starts with the LF of the line before
        text=per_kind.text.min().re_replace(r"^[\r\n]+|[\r\n]+$", ""), offset=per_kind.offset.min())
    return [{"line": int(r["line"]), "row": int(r["line"]) - 1, "reason": r["reason"], "text": r["text"],
             "offset": int(r["offset"])} for r in rows(con, per_line.order_by("line"))]


def true_row(accepted_row: int, reject_rows: list[int]) -> int:
    """Data row in the file of the ``accepted_row``-th row not among ``reject_rows`` (sorted).

    >>> true_row(2, [1, 3])  # rows 1 and 3 rejected: the second accepted row is row 4
    4
    """
    row = accepted_row
    for r in reject_rows:
        if r <= row:
            row += 1
        else:
            break
    return row
