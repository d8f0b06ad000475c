"""Rows the app collected itself (survey answers, events pushed to the API) joined to a project's
file or table, so that one analysis reads both.

The two inputs are put side by side by role: the collected rows' columns are renamed to the
columns the file uses for the same role (``customer`` -> ``customer_id``...), every column is
read as text (the ingest layer parses times, scores and amounts, and quarantines what does not
parse, as for any input), and a column one side lacks is empty on that side.

The file's lines its CSV reader rejected come along as rows of their own, each at its row in the
file with its reason and text (:meth:`~parcours.ingest.readers.RawInput.all_rows`): reading the
joined table quarantines them once, as reading the file alone does (read = accepted + quarantined).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

_counter = itertools.count(1)
CARRIED = ("__row", "__file", "__error", "__text")  # what RawInput.all_rows numbers and explains


def _text(t: ir.Table) -> ir.Table:
    return t.select(**{c: t[c].cast("string") for c in t.columns})


def union_by_roles(con: Any, base: str | Path | ir.Table | None, base_read: dict[str, Any], base_roles: dict[str, str],
                   extra: pa.Table, extra_roles: dict[str, str], *, spec: Any) -> tuple[ir.Table, dict[str, str]]:
    """One table on ``con`` holding the base's rows then ``extra``'s, and the roles of its columns.

    ``base``: a file (read with ``base_read``: fmt, delimiter) or a table, or None (extra alone);
    ``base_roles``: the roles given for it (completed by detection, as ``read_events`` does);
    ``extra_roles``: role -> column of ``extra``.
    """
    from parcours.ingest.readers import read_raw
    from parcours.ingest.roles import resolve_roles

    ex = con.create_table(f"_parcours_collected_{next(_counter)}", extra, temp=True)
    if base is None:
        return ex, dict(extra_roles)
    raw = read_raw(con, base, fmt=base_read.get("fmt"), delimiter=base_read.get("delimiter"))
    cols = raw.data_columns
    roles = dict(resolve_roles(cols, base_roles, source=Path(str(raw.source)).name, spec=spec).roles)
    rename: dict[str, str] = {}
    for role, col in extra_roles.items():
        target = roles.get(role)
        if target is None:  # the file has no column for it: the collected column brings it
            target = col if col not in cols else f"{col}_collected"
            roles[role] = target
        rename[col] = target
    for col in extra.column_names:  # attributes: the same name joins the file's column of that name
        if col not in rename:
            clash = col in roles.values() or col in rename.values()
            rename[col] = f"{col}_collected" if clash else col
    file_rows = raw.all_rows()  # the file's rows and rejected lines, each numbered in the file
    b = _text(ex.rename({new: old for old, new in rename.items()}))
    names = list(dict.fromkeys([*cols, *b.columns]))
    null = ibis.null().cast("string")
    a = file_rows.select(**{c: (file_rows[c].cast("string") if c in cols else null) for c in names},
                         **{c: file_rows[c] for c in CARRIED})
    b = b.select(**{c: (b[c] if c in b.columns else null) for c in names},
                 __row=ibis.null().cast("int64"), __file=null, __error=null, __text=null)
    return a.union(b, distinct=False), roles
