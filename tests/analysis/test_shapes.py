"""Journey shapes against an independent pandas computation on the demo log."""

from __future__ import annotations

from collections import Counter

import pandas as pd

import parcours


def pandas_shapes(events: pd.DataFrame, m) -> Counter:
    stage_of = {t.id: t.stage for t in m.touchpoints}
    rank = {s.id: i for i, s in enumerate(m.stages, start=1)}
    # Which touchpoint each event is on: the first rule that matches (the demo's rules are event
    # names, globs and equality conditions on columns), written here without the product.
    import fnmatch

    def tp(row):
        for t in m.touchpoints:
            r = t.rule()
            names = r.events or []
            if names and not any(fnmatch.fnmatchcase(row.event, p) for p in names):
                continue
            if r.where and any(row[k] not in (v if isinstance(v, list) else [v]) for k, v in r.where.items()):
                continue
            return t.id
        return None

    ev = events.assign(order=range(len(events)))
    ev["tp"] = ev.apply(tp, axis=1)
    ev["stage"] = ev["tp"].map(stage_of)
    ev["t"] = pd.to_datetime(ev["timestamp"], utc=True, format="ISO8601")
    ev = ev.sort_values(["customer_id", "t", "order"], kind="stable")
    out = Counter()
    for _, g in ev.groupby("customer_id", sort=False):
        stages = [s for s in g["stage"] if isinstance(s, str)]
        visits = [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]]
        ranks = [rank[s] for s in visits]
        pairs = list(zip(ranks, ranks[1:]))
        if not visits:
            order = "no_stage"
        elif any(b < a for a, b in pairs):
            order = "backtracking"
        elif any(b > a + 1 for a, b in pairs):
            order = "skipping"
        elif len(set(visits)) == 1:
            order = "single_stage"
        else:
            order = "in_order"
        n = g["channel"].dropna().nunique()
        channels = "no_channel" if n == 0 else "one_channel" if n == 1 else "multichannel"
        shape = "linear" if (order, channels) == ("in_order", "one_channel") else (
            "multichannel" if channels == "multichannel" else order)
        out[(shape, order, channels)] += 1
    return out


def test_shapes_match_pandas_on_the_demo(tmp_path):
    from parcours.demo import write_demo

    files = write_demo(tmp_path, customers=1500, seed=11)
    m = parcours.load_map(files.map_path)
    data = parcours.analyze(files.events_path, m).data
    got = Counter({(r["shape"], r["order"], r["channels"]): r["journeys"] for r in data["shapes"]})
    events = pd.read_csv(files.events_path, dtype=str, keep_default_na=False).replace({"": None})
    assert got == pandas_shapes(events, m)
    assert sum(got.values()) == data["summary"]["journeys"]
    backtracking = sum(n for (_, order, _), n in got.items() if order == "backtracking")
    assert backtracking == data["conformance"]["backward"]  # the same visits as the conformance
    assert sum(r["share"] for r in data["shapes"]) == __import__("pytest").approx(1.0)
