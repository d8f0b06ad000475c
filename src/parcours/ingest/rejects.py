"""The lines DuckDB's CSV reader could not split, one entry per line with all its reasons.

DuckDB's *store rejects* table has one entry per error, not per line: a line of 3 fields under
a header of 5 gives two ("Found: 3", "Found: 4", one per missing column), a line with two extra
fields two, and a line may add an invalid encoding to those. Counted as they come, one bad line
would be read and quarantined several times and shift the row number of every later row. Here
they are grouped by line in the engine: one entry per kind of error, saying the line's true
number of fields, and the kinds of one line joined in the order of their columns.
"""

from __future__ import annotations

from typing import Any

import ibis

from parcours.engine.fetch import rows

TOO_MANY = "TOO MANY COLUMNS"


def rejects_by_line(con: Any, rejects_table: str) -> list[dict[str, Any]]:
    """``{line, row, reason, text}`` for each line rejected by the CSV reader, in line order.

    ``line`` is DuckDB's (the header is line 1, a record spanning lines counts once), so
    ``row`` — the data row, 1-based — is ``line - 1``. ``reason`` reads like
    ``missing columns: Expected Number of Columns: 5 Found: 3``, and ``"; "`` joins the
    kinds of error of one line (``invalid encoding: ...; too many columns: ...``).
    """
    rej = con.table(rejects_table)
    rej = rej.mutate(kind=rej.error_type.cast("string"))
    # Missing columns: the first missing one says how many fields the line has; extra columns:
    # the last one does. The sniffer's own look at the first lines repeats entries: same line.
    per_kind = rej.group_by(["line", "kind"]).aggregate(
        at=rej.column_idx.min(), first=rej.error_message.argmin(rej.column_idx),
        last=rej.error_message.argmax(rej.column_idx), any=rej.error_message.min(), text=rej.csv_line.min())
    message = ibis.coalesce(ibis.cases((per_kind.kind == TOO_MANY, per_kind["last"]), else_=per_kind["first"]),
                            per_kind["any"])  # an error of the whole line has no column
    per_kind = per_kind.mutate(reason=per_kind.kind.lower() + ": " + message)
    per_line = per_kind.group_by("line").aggregate(
        reason=per_kind.reason.group_concat("; ", order_by=[per_kind.at, per_kind.kind]),
        # in a CRLF file DuckDB's text of a line starts with the LF of the line before
        text=per_kind.text.min().re_replace(r"^[\r\n]+|[\r\n]+$", ""))
    return [{"line": int(r["line"]), "row": int(r["line"]) - 1, "reason": r["reason"], "text": r["text"]}
            for r in rows(con, per_line.order_by("line"))]
