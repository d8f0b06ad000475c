"""How a person names the milestone columns of a CRM export: ``--milestones``, the map's
``source.milestones`` — ``EVENT=COLUMN`` pairs in journey order, e.g.
``created=createdate,mql=hs_lifecyclestage_marketingqualifiedlead_date,customer=closedate``
(:mod:`parcours.ingest.milestones`)."""

from __future__ import annotations

from parcours.errors import OptionError

SHEET_HELP = "Sheet of a .xlsx workbook to read: its name or number (default: the first)."
HELP = ("A CRM export with one row per customer (or deal, ticket) and one date column per milestone: "
        "EVENT=COLUMN pairs in journey order, e.g. created=createdate,mql=hs_lifecyclestage_marketingqualifiedlead_date "
        "(default: detected from HubSpot's and Salesforce's column names).")


def parse_milestones(text: str | dict[str, str] | None) -> dict[str, str] | None:
    """``"created=createdate, won=won_date"`` -> ``{"created": "createdate", "won": "won_date"}``
    (event name -> column; a column name may hold commas and ``=``: the event name is before
    the first ``=``).

    >>> parse_milestones("created=createdate, won=Close Date")
    {'created': 'createdate', 'won': 'Close Date'}
    """
    if text is None:
        return None
    if not isinstance(text, (str, dict)):
        raise OptionError(f"milestones {text!r}: write EVENT=COLUMN pairs", hint="e.g. created=createdate,won=won_date")
    pairs = list(text.items()) if isinstance(text, dict) else []
    if not isinstance(text, dict):
        for part in (p for p in text.split(",") if p.strip()):
            event, sep, column = part.partition("=")
            if not sep:
                if pairs:  # a comma inside the previous column's name
                    pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]},{part}")
                    continue
                raise OptionError(f"milestones {part.strip()!r}: write EVENT=COLUMN",
                                  hint="e.g. --milestones created=createdate,won=won_date")
            pairs.append((event, column))
    out: dict[str, str] = {}
    for event, column in pairs:
        if not isinstance(event, str) or not isinstance(column, str):
            raise OptionError(f"milestones {event!r}: {column!r}: write EVENT=COLUMN with names",
                              hint="e.g. created=createdate,won=won_date")
        event, column = event.strip(), column.strip()
        if not event or not column:
            raise OptionError(f"milestones {event}={column}: write EVENT=COLUMN",
                              hint="e.g. --milestones created=createdate,won=won_date")
        if event in out:
            raise OptionError(f"milestones: event {event!r} is named twice", hint="give each milestone its own name")
        out[event] = column
    if not out:
        raise OptionError("milestones: no EVENT=COLUMN pair given", hint="e.g. --milestones created=createdate,won=won_date")
    return out
