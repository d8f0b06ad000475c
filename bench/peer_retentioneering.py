"""Peer benchmark: the benchmark's computations with retentioneering (its Eventstream).

    <peers venv>/bin/python bench/peer_retentioneering.py LOG.parquet --map MAP.yaml \
        --task dfg|variants|durations|funnel|all --out RESULT.json

Run by the throwaway venv of ``bench/peers_env.sh``, never by the repository's venv:
retentioneering has a non-commercial licence and is not, and must not become, a dependency
of Parcours. This script only *calls* its public API; ``bench/peers.py`` runs it as a child
process and measures the whole process. ``RETENTIONEERING_NO_TRACK=1`` is set before the
import (retentioneering 5 otherwise sends usage events to PostHog).

retentioneering 5.x keeps the events in a pandas DataFrame and runs its tools as DuckDB SQL
over it. Steps (each timed, wall and CPU, written to RESULT.json with the key figures):

- import: ``import retentioneering`` and pandas;
- load: ``pd.read_parquet`` of the whole log; the map's event -> touchpoint (unmapped names
  kept, like the floor's ``coalesce(touchpoint, event)``) as a column;
- eventstream: ``Eventstream(df, schema={"path_cols": ["customer_id"], "event_col":
  "touchpoint", "timestamp_col": "timestamp"})``: copies the frame, makes the events
  categorical and sorts by (path, timestamp, subindex), a stable sort, so ties keep the
  file order like the floor's (timestamp, file row);
- dfg: ``transition_graph_data(edge_weight=...)`` three times, for ``"count"``,
  ``"unique_paths"`` (journeys per pair) and ``"time_median"`` (median seconds per pair):
  its transition matrix has no mean duration, and each weight is one call. The synthetic
  ``path_start``/``path_end`` rows and columns it adds are left out of the figures;
- variants: retentioneering has no variants (distinct whole paths) tool; its view of the
  sequences is the step matrix, ``step_matrix_data(max_steps=--max-steps)`` (share of the
  paths at each step having each event), which is what is timed. It is not the same
  computation and its figures are not compared with the floor's variants (only its
  first step: the number of journeys starting with each touchpoint);
- durations: journey durations by ``get_metrics([{"metric": "duration"}])`` (last - first
  event of each path, seconds; statistics with numpy, linear interpolation like the
  floor's ``quantile_cont``). It has no stages, hence no stage durations (its
  ``time_between`` metric is the time between two given events, not "first entry of a
  stage -> first entry of the next stage entered");
- funnel: ``rename_events`` (touchpoint -> stage, the map's stages) then
  ``funnel_data(steps=stages)`` (``--funnel-steps N`` keeps the first N): a path reaches
  step k if it has events s1 < s2 < ... < sk by position, the floor's ordered funnel.
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

os.environ.setdefault("RETENTIONEERING_NO_TRACK", "1")





def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log", type=Path)
    ap.add_argument("--map", type=Path, default=None, help="journey map YAML (default: map.yaml next to the log)")
    ap.add_argument("--task", choices=TASKS + ("all",), default="all")
    ap.add_argument("--funnel-steps", type=int, default=0, help="first N stages of the map (default: all)")
    ap.add_argument("--max-steps", type=int, default=10, help="step matrix depth (retentioneering's default: 10)")
    ap.add_argument("--out", type=Path, default=None, help="write timings and figures here (JSON)")
    a = ap.parse_args()
    tasks = TASKS if a.task == "all" else (a.task,)

    timings: dict[str, dict[str, float]] = {}
    figures: dict = {}
    notes: list[str] = []

    timed = timer(timings)

    # "import" runs from the interpreter's start: it includes this script's own imports.
    import pandas as pd
    import retentioneering
    from retentioneering import Eventstream

    timings["import"] = {"wall": time.perf_counter() - T_START, "cpu": time.process_time() - C_START}

    tp_of, stage_of_tp, stages = read_map(a.map or a.log.parent / "map.yaml")
    if a.funnel_steps:
        stages = stages[: a.funnel_steps]

    def load():
        df = pd.read_parquet(a.log)
        df["touchpoint"] = df["event"].map(tp_of).fillna(df["event"])
        return df

    raw = timed("load", load)
    stream = timed("eventstream", lambda df=raw: Eventstream(df, schema={
        "path_cols": ["customer_id"], "event_col": "touchpoint", "timestamp_col": "timestamp"}))
    del raw
    synthetic = ["path_start", "path_end"]

    def matrix(weight: str):
        m = stream.transition_graph_data(edge_weight=weight)
        return m.drop(index=synthetic, columns=synthetic, errors="ignore")

    if "dfg" in tasks:
        counts = timed("dfg: transition_graph_data(count)", lambda: matrix("count"))
        paths = timed("dfg: transition_graph_data(unique_paths)", lambda: matrix("unique_paths"))
        medians = timed("dfg: transition_graph_data(time_median)", lambda: matrix("time_median"))
        edges = [((f, t), int(n)) for (f, t), n in counts.stack().items() if n > 0]
        edges.sort(key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
        figures.update({
            "transitions_total": int(sum(n for _, n in edges)),
            "transition_pairs": len(edges),
            "transitions_top": [{"from": f, "to": t, "count": n, "journeys": int(paths.loc[f, t]),
                                 "mean_seconds": None,
                                 "median_seconds": pd.Timedelta(medians.loc[f, t]).total_seconds()}
                                for (f, t), n in edges[:5]],
        })
        notes.append("dfg: retentioneering's transition matrix has median and p95 durations, no mean")

    if "variants" in tasks:
        sm = timed(f"variants: step_matrix_data(max_steps={a.max_steps})",
                   lambda: stream.step_matrix_data(max_steps=a.max_steps))
        sm = sm[0] if isinstance(sm, tuple) else sm
        figures["step_matrix_shape"] = list(sm.shape)
        notes.append("variants: retentioneering has no variants tool; the step matrix is timed instead and "
                     "is not compared with the floor's variants")

    if "durations" in tasks:
        dur = timed("durations: get_metrics(duration)", lambda: stream.get_metrics([{"metric": "duration"}]))
        figures["journey_duration"] = timed("durations: journey statistics", lambda: stats(dur["duration"]))
        notes.append("durations: retentioneering has no stages, so no stage durations")

    if "funnel" in tasks:
        staged = timed("funnel: rename_events(touchpoint -> stage)", lambda: stream.rename_events(stage_of_tp))
        fd = timed("funnel: funnel_data", lambda: staged.funnel_data(steps=stages))
        figures["funnel"] = [int(s["unique_paths"]) for s in fd["steps"]]
        figures["funnel_stages"] = stages

    figures["cases"] = timed("count cases", lambda: int(stream.df["customer_id"].nunique()))
    total = {"wall": time.perf_counter() - T_START, "cpu": time.process_time() - C_START}

    from importlib import metadata

    versions = {d: metadata.version(d) for d in ("retentioneering", "pandas", "numpy", "duckdb", "pyarrow")}
    versions["python"] = sys.version.split()[0]
    del retentioneering
    print(f"retentioneering, task {a.task}: {a.log.name}, total {total['wall']:.2f} s wall, {total['cpu']:.2f} s CPU")
    for name, tm in timings.items():
        print(f"  {name:<64} {tm['wall']:7.2f} s wall {tm['cpu']:7.2f} s CPU")
    print("  figures: " + json.dumps({k: v for k, v in figures.items() if k != "transitions_top"}, default=str))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps({"tool": "retentioneering", "task": a.task, "log": str(a.log),
                                     "versions": versions, "timings": timings, "total": total,
                                     "figures": figures, "notes": notes, "pid": os.getpid()},
                                    indent=2, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
