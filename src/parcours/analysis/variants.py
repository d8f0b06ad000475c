"""Variants: distinct paths (ordered touchpoint sequences) and how many journeys take each.

Building every path as a string is the slow plan (ordered string aggregation). Instead,
each journey gets a 128-bit fingerprint of its sequence: two XOR-aggregated hashes of
(touchpoint, position) pairs, plus the length. XOR is order-free but the position inside
each hashed pair makes the fingerprint order-sensitive; re-hashing the pair keeps it from
decomposing. Paths are spelled out only for the variants that are shown.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.analysis.registry import Inputs, Output, Store
from parcours.engine import columns as C
from parcours.engine.functions import bit_xor, bitwise_xor, engine_of, hash64


def sequence(ev: ir.Table, *, collapse_loops: bool = False) -> ir.Table:
    """``_journey``, ``_step``, ``_touchpoint``; with ``collapse_loops`` A A A B -> A B."""
    s = ev.select(C.JOURNEY, C.STEP, C.TOUCHPOINT)
    if not collapse_loops:
        return s
    w = ibis.window(group_by=C.JOURNEY, order_by=C.STEP)
    s = s.mutate(__prev=s[C.TOUCHPOINT].lag().over(w))
    s = s.filter(s.__prev.isnull() | (s.__prev != s[C.TOUCHPOINT])).drop("__prev")
    return s.mutate(**{C.STEP: (ibis.row_number().over(w) + 1).cast("int64")})


def fingerprints(seq: ir.Table) -> ir.Table:
    """One row per journey: ``_journey``, ``length``, ``h1``, ``h2``."""
    e = engine_of(seq)
    tp, step = hash64(seq[C.TOUCHPOINT], e), seq[C.STEP]
    h1 = hash64(bitwise_xor(tp, hash64(step * 1_000_003, e), e), e)
    h2 = hash64(bitwise_xor(tp, hash64(step * 2_654_435 + 97, e), e), e)
    return seq.group_by(C.JOURNEY).agg(length=seq.count(), h1=bit_xor(h1, e), h2=bit_xor(h2, e))


def variant_table(seq: ir.Table) -> ir.Table:
    """One row per variant: ``length``, ``h1``, ``h2``, ``journeys``, ``example`` (a journey id)."""
    f = fingerprints(seq)
    return f.group_by("length", "h1", "h2").agg(journeys=f.count(), example=f[C.JOURNEY].min())


def paths_of(seq: ir.Table, journeys: list[str]) -> ir.Table:
    """The ordered touchpoints of the given journeys (to spell out the variants shown)."""
    return seq.filter(seq[C.JOURNEY].isin(journeys)).order_by([C.JOURNEY, C.STEP])


def plan(inp: Inputs) -> Generator[Any, Any, Output]:
    """The ``variants`` analysis: the ``top`` variants spelled out, the others summed up."""
    top, collapse = inp.options.top, inp.options.collapse_loops
    seq = sequence(inp.events, collapse_loops=collapse)
    vt = yield Store(variant_table(seq), "variants")  # read several times below: computed once
    totals = (yield {"totals": vt.aggregate(n=vt.count(), journeys=vt.journeys.sum())})["totals"].to_pylist()[0]
    n_variants, journeys = int(totals["n"]), int(totals["journeys"] or 0)
    top_rows: list[dict[str, Any]] = []
    if n_variants:
        kth = (yield {"kth": vt.order_by(ibis.desc("journeys")).limit(top).select("journeys")})["kth"]
        cut = min(kth.column("journeys").to_pylist())
        cand = (yield {"cand": vt.filter(vt.journeys >= cut).select("journeys", "example")})["cand"].to_pylist()
        paths: dict[str, list[str]] = {}
        examples = [c["example"] for c in cand]
        for chunk in range(0, len(examples), 50_000):
            part = (yield {"paths": paths_of(seq, examples[chunk:chunk + 50_000])})["paths"]
            for j, tp in zip(part.column(0).to_pylist(), part.column(2).to_pylist(), strict=True):
                paths.setdefault(j, []).append(tp)
        cand.sort(key=lambda c: (-c["journeys"], paths[c["example"]]))
        for c in cand[:top]:
            top_rows.append({"path": paths[c["example"]], "journeys": int(c["journeys"]),
                             "share": c["journeys"] / journeys, "length": len(paths[c["example"]])})
    shown = sum(r["journeys"] for r in top_rows)
    data = {
        "count": n_variants,
        "journeys": journeys,
        "collapse_loops": collapse,
        "top": top_rows,
        "other": {"variants": n_variants - len(top_rows), "journeys": journeys - shown,
                  "share": ((journeys - shown) / journeys) if journeys else 0.0},
    }
    import pyarrow as pa

    table = pa.Table.from_pylist([{"rank": i + 1, "path": " > ".join(r["path"]), "length": r["length"],
                                   "journeys": r["journeys"], "share": r["share"]} for i, r in enumerate(top_rows)]
                                 + [{"rank": None, "path": "(other)", "length": None,
                                     "journeys": data["other"]["journeys"], "share": data["other"]["share"]}])
    return Output(data={"variants": data}, tables={"variants": table})
