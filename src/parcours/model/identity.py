"""How a person says which ids are one customer: ``--stitch ANONYMOUS,KNOWN`` or the map's
``source.stitch: {anonymous: COLUMN, known: COLUMN}`` (:mod:`parcours.ingest.identity`), or
``--stitch none`` to keep the ids apart."""

from __future__ import annotations

from parcours.errors import OptionError

HELP = ("Join a visitor's anonymous events to the customer they later identify as: ANONYMOUS,KNOWN id columns, "
        "e.g. anonymousId,userId (default: Segment's and GA4's own columns when both are there; none: keep them apart).")


def parse_stitch(value: str | dict[str, str] | None) -> tuple[str, str] | str | None:
    """``"anonymousId,userId"`` -> ``("anonymousId", "userId")``; ``"none"`` -> ``"none"``.

    >>> parse_stitch({"anonymous": "user_pseudo_id", "known": "user_id"})
    ('user_pseudo_id', 'user_id')
    """
    if value is None or value == "":
        return None
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return str(value[0]), str(value[1])
    if isinstance(value, dict):
        if set(value) != {"anonymous", "known"}:
            raise OptionError(f"stitch {value!r}: give anonymous: COLUMN and known: COLUMN",
                              hint="e.g. stitch: {anonymous: anonymousId, known: userId}")
        return str(value["anonymous"]), str(value["known"])
    text = str(value).strip()
    if text.lower() == "none":
        return "none"
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise OptionError(f"--stitch {text!r}: give the anonymous id column and the known id column",
                          hint="e.g. --stitch anonymousId,userId (or none)")
    return parts[0], parts[1]
