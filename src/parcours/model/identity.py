"""How a person says which ids are one customer: ``--stitch ANONYMOUS,KNOWN`` or the map's
``source.stitch: {anonymous: COLUMN, known: COLUMN}`` (:mod:`parcours.ingest.identity`), or
``--stitch none`` to keep the ids apart."""

from __future__ import annotations

from parcours.errors import OptionError

HELP = ("Join a visitor's anonymous events to the customer they later identify as: ANONYMOUS,KNOWN id columns, "
        "e.g. anonymousId,userId, and an id table holding both as a third item, e.g. visitor_id,email,ids.csv "
        "(default: Segment's own columns when both are there; none: keep them apart).")


def parse_stitch(value: str | dict[str, str] | None) -> tuple[str, ...] | str | None:
    """``"anonymousId,userId"`` -> ``("anonymousId", "userId")``; with an id table (a file with
    both columns, e.g. web ids and the CRM's e-mails) a third item: ``"visitor_id,email,ids.csv"``;
    ``"none"`` -> ``"none"``.

    >>> parse_stitch({"anonymous": "user_pseudo_id", "known": "user_id"})
    ('user_pseudo_id', 'user_id')
    >>> parse_stitch("visitor_id, email, ids.csv")
    ('visitor_id', 'email', 'ids.csv')
    """
    if value is None or value == "":
        return None
    if isinstance(value, (tuple, list)) and len(value) in (2, 3):
        return tuple(str(v) for v in value)
    if not isinstance(value, (str, dict)):
        raise OptionError(f"stitch {value!r}: give the anonymous id column and the known id column",
                          hint="e.g. anonymousId,userId")
    if isinstance(value, dict):
        if not {"anonymous", "known"} <= set(value) or set(value) - {"anonymous", "known", "table"}:
            raise OptionError(f"stitch {value!r}: give anonymous: COLUMN and known: COLUMN (and table: FILE)",
                              hint="e.g. stitch: {anonymous: anonymousId, known: userId}")
        pair = (str(value["anonymous"]), str(value["known"]))
        return (*pair, str(value["table"])) if value.get("table") else pair
    text = str(value).strip()
    if text.lower() == "none":
        return "none"
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (2, 3) or not all(parts) or parts[0] == parts[1]:
        raise OptionError(f"--stitch {text!r}: give the anonymous id column and the known id column",
                          hint="e.g. --stitch anonymousId,userId, or --stitch visitor_id,email,ids.csv with an id "
                               "table (or none)")
    return tuple(parts)
