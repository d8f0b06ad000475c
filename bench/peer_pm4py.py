"""Peer benchmark: the benchmark's computations with pm4py, in its pandas or its Polars mode.

    <peers venv>/bin/python bench/peer_pm4py.py LOG.parquet --map MAP.yaml \
        --mode pandas|polars --task dfg|variants|durations|funnel|all --out RESULT.json

Run by the throwaway venv of ``bench/peers_env.sh``, never by the repository's venv: pm4py
is AGPL-3.0 and is not, and must not become, a dependency of Parcours. This script only
*calls* pm4py's public API, the way a pm4py user would write it; ``bench/peers.py`` runs
it as a child process and measures the whole process (interpreter start, imports, loading,
formatting, computation).

Steps (each timed, wall and CPU, written to RESULT.json with the key figures):

- import: ``import pm4py`` (and pandas or polars);
- load: the Parquet log (customer_id, timestamp, event, channel), read whole; the map's
  event -> touchpoint (unmapped names kept as they are, like the floor's
  ``coalesce(touchpoint, event)``) and event -> stage columns are added
  (pandas: ``pd.read_parquet`` + ``Series.map``; Polars mode: ``pl.scan_parquet`` + ``replace``);
- format: ``pm4py.format_dataframe(df, case_id="customer_id", activity_key="touchpoint",
  timestamp_key="timestamp")``. pm4py sorts by (case, timestamp, original row), i.e. the
  floor's order (timestamp, file row) within each customer. "Polars mode" is the same
  simplified API given a ``polars.LazyFrame`` instead of a pandas DataFrame: pm4py 2.7.23
  dispatches on the type (``pm4py.utils.is_polars_lazyframe``) to its Polars
  implementations (``pm4py/algo/discovery/dfg/adapters/polars``,
  ``pm4py/statistics/*/polars``, ``pm4py/algo/filtering/polars``); ``format_dataframe``
  on a LazyFrame sorts and then materialises it (``collect().lazy()``);
- dfg: ``pm4py.discover_dfg`` (counts per directly-follows pair) and
  ``pm4py.discover_performance_dfg(perf_aggregation_key="all")`` (mean/median/... seconds
  per pair): the simplified API has no single call giving both;
- variants: ``pm4py.get_variants`` (variant tuple -> number of cases);
- durations: ``pm4py.get_all_case_durations`` (first -> last event of each case; the
  statistics are then taken with numpy, linear interpolation like the floor's
  ``quantile_cont``) and stage durations: pm4py has no notion of stages, so a pm4py user
  keeps each case's first event of each stage (``drop_duplicates``/``unique`` on
  (case, stage), in the formatted order) and runs
  ``pm4py.discover_performance_dfg(activity_key="stage", perf_aggregation_key="raw_values")``
  on it: the raw durations of the edges leaving a stage are its "to next stage" durations
  (the floor's definition: first entry of a stage -> first entry of the next stage entered);
- funnel: the map's stages in order (``--funnel-steps N`` keeps the first N): cases with
  an event of stage 1 (``pm4py.filter_event_attribute_values(level="case")``), then for
  k = 2..N the cases left by ``pm4py.filter_eventually_follows_relation(log, [stages[:k]],
  activity_key="stage")``. In pandas mode pm4py checks the whole chain (events
  s1 < s2 < ... < sk by position in the case), which is the floor's ordered funnel; in
  Polars mode pm4py 2.7.23's LTL checker checks each consecutive pair separately (some s1
  before some s2, some s2 before some s3, ...), so its counts can be higher (journeys that
  go back and forth between stages). Filtering each step's result again (a chain of lazy
  filters) instead of the whole log is far slower in Polars mode (the lazy plans nest:
  minutes at 1M events), so each step filters the whole log.

pandas 3 stores pm4py's ``string`` columns (case ids, activities) with pyarrow, and its
``ArrowStringArray.isin`` converts the values one by one in Python: pm4py's filters
(``i1.isin(i2)`` on case ids) are then ~3-4x slower than with pandas 2's Python storage.
``--string-storage python`` measures that variant (``pd.options.mode.string_storage``).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()
C_START = time.process_time()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from peer_common import TASKS, read_map, stats, timer  # noqa: E402

CASE, ACT, TS = "case:concept:name", "concept:name", "time:timestamp"




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log", type=Path)
    ap.add_argument("--map", type=Path, default=None, help="journey map YAML (default: map.yaml next to the log)")
    ap.add_argument("--mode", choices=("pandas", "polars"), default="pandas")
    ap.add_argument("--task", choices=TASKS + ("all",), default="all")
    ap.add_argument("--funnel-steps", type=int, default=0, help="first N stages of the map (default: all)")
    ap.add_argument("--string-storage", choices=("default", "python", "pyarrow"), default="default",
                    help="pandas mode: pandas' string_storage option (default: as installed; 'python' is how "
                         "pandas 2 stored the 'string' dtype pm4py casts case ids and activities to)")
    ap.add_argument("--out", type=Path, default=None, help="write timings and figures here (JSON)")
    a = ap.parse_args()
    tasks = TASKS if a.task == "all" else (a.task,)
    polars_mode = a.mode == "polars"

    timings: dict[str, dict[str, float]] = {}
    figures: dict = {}
    notes: list[str] = []

    timed = timer(timings)

    # "import" runs from the interpreter's start: it includes this script's own imports.
    import pm4py

    if polars_mode:
        import polars as pl
    else:
        import pandas as pd

        if a.string_storage != "default":
            pd.options.mode.string_storage = a.string_storage
    timings["import"] = {"wall": time.perf_counter() - T_START, "cpu": time.process_time() - C_START}

    tp_of, stage_of_tp, stages = read_map(a.map or a.log.parent / "map.yaml")
    stage_of = {event: stage_of_tp[tp] for event, tp in tp_of.items() if tp in stage_of_tp}  # event -> stage
    if a.funnel_steps:
        stages = stages[: a.funnel_steps]

    def load():
        if polars_mode:
            return pl.scan_parquet(a.log).with_columns(
                pl.col("event").replace(tp_of).alias("touchpoint"),
                pl.col("event").replace_strict(stage_of, default=None, return_dtype=pl.String).alias("stage"))
        df = pd.read_parquet(a.log)
        df["touchpoint"] = df["event"].map(tp_of).fillna(df["event"])
        df["stage"] = df["event"].map(stage_of)
        return df

    raw = timed("load", load)
    log = timed("format", lambda df=raw: pm4py.format_dataframe(df, case_id="customer_id", activity_key="touchpoint",
                                                                 timestamp_key="timestamp"))
    del raw

    def n_cases(df) -> int:
        if polars_mode:
            return int(df.select(pl.col(CASE).n_unique()).collect().item())
        return int(df[CASE].nunique())

    if "dfg" in tasks:
        dfg, _sa, _ea = timed("dfg: discover_dfg", lambda: pm4py.discover_dfg(log))
        perf, _sa2, _ea2 = timed("dfg: discover_performance_dfg",
                                 lambda: pm4py.discover_performance_dfg(log, perf_aggregation_key="all"))
        edges = sorted(dfg.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
        figures.update({
            "transitions_total": int(sum(dfg.values())),
            "transition_pairs": len(dfg),
            "transitions_top": [{"from": f, "to": t, "count": int(n), "journeys": None,
                                 "mean_seconds": float(perf[(f, t)]["mean"]),
                                 "median_seconds": float(perf[(f, t)]["median"])} for (f, t), n in edges[:5]],
        })
        notes.append("dfg: pm4py's DFG counts every directly-follows pair; it has no 'journeys' per pair "
                     "(distinct cases) in the simplified API, so that figure is not compared")

    if "variants" in tasks:
        variants = timed("variants: get_variants", lambda: pm4py.get_variants(log))
        counts = list(variants.values())
        figures.update({"variants": len(variants), "variant_journeys": int(sum(counts)),
                        "variant_top_journeys": int(max(counts)) if counts else 0})

    if "durations" in tasks:
        cd = timed("durations: get_all_case_durations", lambda: pm4py.get_all_case_durations(log))
        figures["journey_duration"] = timed("durations: journey statistics", lambda: stats(cd))

        def stage_durations():
            if polars_mode:
                first = log.filter(pl.col("stage").is_not_null()).unique(subset=[CASE, "stage"], keep="first",
                                                                          maintain_order=True)
            else:
                first = log[log["stage"].notna()].drop_duplicates([CASE, "stage"])
            raw_perf, _, _ = pm4py.discover_performance_dfg(first, activity_key="stage",
                                                            perf_aggregation_key="raw_values")
            by_stage: dict[str, list[float]] = {}
            for (src, _dst), values in raw_perf.items():
                by_stage.setdefault(src, []).extend(values)
            return {s: stats(v) for s, v in sorted(by_stage.items())}

        figures["stage_durations"] = timed("durations: stage durations (first entry -> next stage)", stage_durations)

    if "funnel" in tasks:
        # Each step: filter, then count the cases left (in Polars mode the filter is lazy and the
        # count runs it, so both are timed together).
        reached = [timed("funnel: step 1 (filter_event_attribute_values + count)",
                         lambda: n_cases(pm4py.filter_event_attribute_values(log, "stage", [stages[0]],
                                                                             level="case", retain=True)))]
        for k in range(2, len(stages) + 1):
            reached.append(timed(f"funnel: step {k} (filter_eventually_follows_relation + count)",
                                 lambda: n_cases(pm4py.filter_eventually_follows_relation(
                                     log, [tuple(stages[:k])], activity_key="stage"))))
        figures["funnel"] = reached
        figures["funnel_stages"] = stages
        if polars_mode:
            notes.append("funnel (Polars mode): pm4py's Polars LTL checker checks each consecutive pair of the "
                         "sequence separately, not the whole chain, so its counts can exceed the ordered funnel's")

    figures["cases"] = timed("count cases", lambda: n_cases(log))
    total = {"wall": time.perf_counter() - T_START, "cpu": time.process_time() - C_START}

    from importlib import metadata

    versions = {d: metadata.version(d) for d in ("pm4py", "pandas", "polars", "numpy", "pyarrow")}
    versions["python"] = sys.version.split()[0]
    print(f"pm4py ({a.mode} mode), task {a.task}: {a.log.name}, total {total['wall']:.2f} s wall, "
          f"{total['cpu']:.2f} s CPU")
    for name, tm in timings.items():
        print(f"  {name:<64} {tm['wall']:7.2f} s wall {tm['cpu']:7.2f} s CPU")
    brief = {k: v for k, v in figures.items() if k not in ("transitions_top", "stage_durations")}
    print("  figures: " + json.dumps(brief, default=str))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps({"tool": f"pm4py-{a.mode}", "task": a.task, "log": str(a.log),
                                     "string_storage": a.string_storage, "versions": versions, "timings": timings,
                                     "total": total, "figures": figures, "notes": notes, "pid": os.getpid()},
                                    indent=2, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
