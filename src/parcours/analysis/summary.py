"""Headline counts of the analysed events."""

from __future__ import annotations

import ibis.expr.types as ir

from parcours.engine import columns as C


def summary_counts(ev: ir.Table) -> ir.Table:
    return ev.aggregate(events=ev.count(), journeys=ev[C.JOURNEY].nunique(), customers=ev[C.CUSTOMER].nunique(),
                        start=ev[C.TS].min(), end=ev[C.TS].max())
