"""GA4's BigQuery export as it is: its nested ``event_params`` and ``user_properties`` (lists of
``{key, value: {string_value, int_value, float_value, double_value}}``) read as columns
``params.<key>`` and ``user.<key>``, usable in match rules and segments
(``where: {params.page_location: {glob: "*/produits/*"}}``) without flattening in BigQuery.

Each key seen becomes one column, typed by the values GA4 stored for it: whole numbers when
only ``int_value`` is set, decimals when only ``float_value``/``double_value`` are, text
otherwise. ``items`` (the e-commerce items of an event) becomes ``items.count``. At most
:data:`MAX_KEYS` keys per list are read (the most frequent; the run names those left out). The
nested columns stay as they are. Read from Parquet or a table, where they are typed lists.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ibis

from parcours.engine.fetch import rows
from parcours.ingest.readers import RawInput
from parcours.ingest.said import said

NESTED = {"event_params": "params", "user_properties": "user"}
MAX_KEYS = 100
_FIELDS = ("string_value", "int_value", "float_value", "double_value")


def _nested(t: Any, column: str) -> bool:
    typ = t[column].type()
    if not typ.is_array() or not typ.value_type.is_struct():
        return False
    fields = dict(typ.value_type.items())
    return "key" in fields and "value" in fields and fields["value"].is_struct()


def flatten(con: Any, raw: RawInput) -> RawInput:
    """``raw`` with a column per nested key (module doc); as it is when it has no such list."""
    t = raw.table
    added: dict[str, Any] = {}
    notes: list[str] = []
    for column, prefix in NESTED.items():
        if column not in t.columns or not _nested(t, column):
            continue
        fields = [f for f in _FIELDS if f in dict(t[column].type().value_type.fields["value"].items())]
        e = t.select(__e=t[column].unnest())
        e = e.select(__k=e.__e.key, **{f: e.__e.value[f] for f in fields})
        found = rows(con, e.group_by("__k").aggregate(__n=e.count(), **{f: e[f].count() for f in fields})
                     .order_by([ibis.desc("__n"), "__k"]))
        kept, left = found[:MAX_KEYS], found[MAX_KEYS:]
        for k in kept:
            key = k["__k"]
            if key is None:
                continue
            value = t[column].filter(lambda x, key=key: x.key == key)[0].value
            used = [f for f in fields if k[f]]
            if used and all(f == "int_value" for f in used):
                added[f"{prefix}.{key}"] = value["int_value"].cast("int64")
            elif used and all(f in ("float_value", "double_value") for f in used):
                added[f"{prefix}.{key}"] = ibis.coalesce(*[value[f].cast("float64") for f in used])
            else:
                added[f"{prefix}.{key}"] = ibis.coalesce(*[value[f].cast("string") for f in fields])
        notes.append(said("note.ga4_nested", column=column, n=len(kept), prefix=f"{prefix}.",
                          keys=", ".join(f"{prefix}.{k['__k']}" for k in kept[:8]) + (" …" if len(kept) > 8 else ""),
                          left=len(left)))
    if "items" in t.columns and t["items"].type().is_array():
        added["items.count"] = t["items"].length().cast("int64")
    if not added:
        return raw
    return dataclasses.replace(raw, table=t.mutate(**added), notes=[*raw.notes, *notes])
