"""Another file joined to an input's rows on a key, before roles are read: the leads and their
deals, tickets and their customers. Each row keeps its number; it gains the columns of the
joined file's row with the same key (empty when there is none). The key must be unique in the
joined file (else a row would be counted once per match): a key seen twice is refused, naming
its rows. A column both files have takes the joined file's name as a suffix.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from parcours.engine.fetch import rows
from parcours.errors import ColumnRoleError, InputError
from parcours.ingest.readers import RawInput, read_raw
from parcours.ingest.said import said


def join(con: Any, raw: RawInput, spec: dict[str, Any]) -> RawInput:
    """``raw`` with the columns of ``spec["path"]`` joined on ``spec["key"]`` (``KEY`` or ``LEFT=RIGHT``)."""
    path = Path(spec["path"])
    other = read_raw(con, path, fmt=spec.get("format"), sheet=spec.get("sheet"))
    left, _, right = str(spec["key"]).partition("=")
    left, right = left.strip(), (right or left).strip()
    name, oname = Path(raw.source).name, path.name
    for col, cols, file in ((left, raw.data_columns, name), (right, other.data_columns, oname)):
        if col not in cols:
            raise ColumnRoleError(f"{file}: the join key {col!r} is not a column", hint=f"columns are: {', '.join(cols)}",
                                  source=file, columns=cols)
    o = other.table
    keyed = o.filter(o[right].notnull())
    twice = rows(con, keyed.group_by(right).aggregate(n=keyed.count(), first=keyed["__row"].min(),
                                                      second=keyed["__row"].max())
                 .filter(lambda g: g.n > 1).order_by("first").limit(1))
    if twice:
        t = twice[0]
        raise InputError(f"{oname}: the join key {right!r} holds {t[right]!r} on {t['n']} rows (rows {t['first']} and "
                         f"{t['second']}…): each row of {name} would be counted once per match",
                         hint=f"keep one row per {right} in {oname} (e.g. the latest), or join on a unique column")
    stem = Path(oname.removesuffix(".gz")).stem
    renamed = {c: (f"{c}_{stem}" if c in raw.data_columns else c) for c in other.data_columns if c != right}
    o = o.select(__k=o[right].cast("string"), **{new: o[old] for old, new in renamed.items()})
    t = raw.table
    j = t.left_join(o, t[left].cast("string") == o.__k).select(*t.columns, *renamed.values())
    found = t.semi_join(o, t[left].cast("string") == o.__k)
    matched = int(rows(con, found.aggregate(n=found.count()))[0]["n"])
    total = int(rows(con, t.aggregate(n=t.count()))[0]["n"])
    note = said("note.joined", file=name, other=oname, on=left if left == right else f"{left}={right}",
                matched=str(matched), total=str(total), columns=", ".join(renamed.values()))
    return dataclasses.replace(raw, table=j, notes=[*raw.notes, note])
