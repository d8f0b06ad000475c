"""One customer across ids: a visitor's events before they identify themselves join the
customer they identify as.

Segment sends ``anonymousId`` on every call and ``userId`` once the visitor is known; GA4's
export has ``user_pseudo_id`` (a device) and ``user_id`` (when the site sets it). Segment's pair is
stitched when both columns are there (its anonymous calls have no other customer); GA4's when
asked. Within the file,
every anonymous id seen beside a known id is that customer: its events without a known id take
it (the *stitched* events, before identification or after logging out). An anonymous id never
seen beside a known one stays its own journey, as ``anonymous:<id>`` — never quarantined. An
anonymous id seen with several known ids is a **conflict**: its anonymous events join the first
(in the file's order), and the run says so, naming the row where the second appears.

The customer of each row is a new column (``customer``, or ``stitched_customer`` when the file
has one); the id columns stay attributes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import ibis

from parcours.engine.fetch import rows
from parcours.errors import ColumnRoleError
from parcours.ingest.readers import RawInput
from parcours.ingest.said import said

# (anonymous id, known id, who writes them)
KNOWN_PAIRS = [("anonymousId", "userId", "Segment"), ("anonymous_id", "user_id", "Segment")]
# GA4's user_pseudo_id -> user_id is stitched when asked (--stitch user_pseudo_id,user_id): its
# export always has the device id, so its journeys are by device unless the map says otherwise.
ANONYMOUS = "anonymous:"


@dataclasses.dataclass
class Stitching:
    anonymous: str
    known: str
    stitched_ids: int  # anonymous ids joined to a known customer
    stitched_events: int  # events without a known id that took one
    unstitched_ids: int  # anonymous ids kept as their own journeys
    unstitched_events: int
    conflicts: int  # anonymous ids seen with several known ids


def pair_for(columns: list[str], given: tuple[str, ...] | str | None) -> tuple[str, str, str | None, str | None] | None:
    """The (anonymous, known, system, id table) to stitch: the given pair (and table), else a
    known pair whose two columns are there; None for ``"none"`` or no pair."""
    if given == "none":
        return None
    if isinstance(given, tuple):
        return given[0], given[1], None, (given[2] if len(given) > 2 else None)
    return next(((a, k, s, None) for a, k, s in KNOWN_PAIRS if a in columns and k in columns), None)


def _text(t: Any, c: str) -> Any:
    v = t[c].cast("string").strip()
    return ibis.cases((v == "", ibis.null("string")), else_=v)


def stitch(con: Any, raw: RawInput, anonymous: str, known: str, system: str | None,
           table: str | None = None) -> tuple[RawInput, str, Stitching]:
    """``raw`` with a customer column made across ids (module doc), its name, and the counts.
    ``table``: an id table holding both columns (e.g. web ids and the CRM's e-mails); its pairs
    count before the file's own, each conflict named at its row there."""
    cols = raw.data_columns
    name = Path(raw.source).name if raw.format != "table" else "table"
    needed = [anonymous] if table else [anonymous, known]  # with an id table, the events may hold the anonymous id only
    for c in needed:
        if c not in cols:
            raise ColumnRoleError(f"{name}: --stitch names column {c!r}, which the file does not have",
                                  hint=f"columns are: {', '.join(cols)}", source=name, columns=cols)
    t = raw.table
    base = t.mutate(__anon=_text(t, anonymous),
                    __user=_text(t, known) if known in cols else ibis.null("string"))
    pairs = base.filter(base.__anon.notnull() & base.__user.notnull()).select(
        __a=base.__anon, __k=base.__user, __s=base["__seq"] + 2**52, __r=base["__row"], __f=ibis.literal(name))
    if table:
        from parcours.ingest.readers import read_raw

        ids_raw = read_raw(con, table)
        tname = Path(table).name
        for c in (anonymous, known):
            if c not in ids_raw.data_columns:
                raise ColumnRoleError(f"{tname}: the id table has no column {c!r}",
                                      hint=f"its columns are: {', '.join(ids_raw.data_columns)}; it needs both "
                                           f"{anonymous!r} and {known!r}", source=tname, columns=ids_raw.data_columns)
        it = ids_raw.table
        it = it.select(__a=_text(it, anonymous), __k=_text(it, known), __s=it["__seq"], __r=it["__row"],
                       __f=ibis.literal(tname))
        pairs = it.filter(it.__a.notnull() & it.__k.notnull()).union(pairs)
    ids = pairs.group_by("__a").aggregate(__first=pairs.__k.argmin(pairs.__s), __n=pairs.__k.nunique())
    j = base.left_join(ids, base.__anon == ids.__a).select(*cols, "__seq", "__row", "__file", "__error", "__anon",
                                                          "__user", "__first")
    customer = ibis.coalesce(j.__user, j.__first, ibis.literal(ANONYMOUS) + j.__anon)
    column = next(c for c in ("customer", "stitched_customer", "parcours_customer") if c not in cols)
    made = j.select(*cols, "__seq", "__row", "__file", "__error", **{column: customer})
    c = rows(con, j.aggregate(
        stitched_events=(j.__user.isnull() & j.__first.notnull()).sum(),
        unstitched_events=(j.__user.isnull() & j.__first.isnull() & j.__anon.notnull()).sum(),
        unstitched_ids=ibis.cases((j.__user.isnull() & j.__first.isnull(), j.__anon), else_=ibis.null("string")).nunique(),
    ))[0]
    d = rows(con, ids.aggregate(stitched=ids.count(), conflicts=(ids.__n > 1).sum()))[0]
    found = Stitching(anonymous, known, int(d["stitched"] or 0), int(c["stitched_events"] or 0),
                      int(c["unstitched_ids"] or 0), int(c["unstitched_events"] or 0), int(d["conflicts"] or 0))
    counts = {"file": name, "anonymous": repr(anonymous), "known": repr(known), "ids": str(found.stitched_ids),
              "events": str(found.stitched_events), "alone": str(found.unstitched_ids),
              "alone_events": str(found.unstitched_events)}
    notes = [said("note.stitched", system=system, **counts) if system else said("note.stitched_named", **counts)]
    if found.conflicts:
        bad = ids.filter(ids.__n > 1).order_by("__a").limit(1)
        example = rows(con, bad)[0]
        other = rows(con, pairs.filter((pairs.__a == example["__a"]) & (pairs.__k != example["__first"]))
                     .order_by("__s").limit(1))[0]
        notes.append(said("note.stitch_conflict", file=other["__f"], n=str(found.conflicts), anonymous=repr(anonymous),
                          example=example["__a"], first=example["__first"], other=other["__k"], row=int(other["__r"])))
    return dataclasses.replace(raw, table=made, notes=[*raw.notes, *notes]), column, found
