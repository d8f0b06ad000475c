"""What the peer scripts (peer_pm4py.py, peer_retentioneering.py) share: the map's event ->
touchpoint -> stage mapping, duration statistics as the floor computes them, and timing.

Imported from the throwaway venv of peers_env.sh (the scripts run as ``python bench/...``, so
this folder is on ``sys.path``); it needs PyYAML and NumPy, nothing of Parcours.
"""

from __future__ import annotations

import time
from pathlib import Path

TASKS = ("dfg", "variants", "durations", "funnel")


def read_map(path: Path) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """event -> touchpoint, touchpoint -> stage, and the stage ids in order, from the journey map."""
    import yaml

    m = yaml.safe_load(path.read_text(encoding="utf-8"))
    stages = [s["id"] for s in m.get("stages", [])]
    tp_of, stage_of_tp = {}, {}
    for tp in m.get("touchpoints", []):
        match = tp.get("match") or {"event": tp["id"]}
        names = match["event"] if isinstance(match["event"], list) else [match["event"]]
        for name in names:
            tp_of[name] = tp["id"]
        if tp.get("stage"):
            stage_of_tp[tp["id"]] = tp["stage"]
    return tp_of, stage_of_tp, stages


def stats(values) -> dict:
    """count, mean, min, quartiles, p90, max (numpy's linear interpolation = quantile_cont)."""
    import numpy as np

    a = np.asarray(values, dtype="float64")
    if not len(a):
        return {"count": 0}
    q = np.quantile(a, [0.25, 0.5, 0.75, 0.9])
    return {"count": int(len(a)), "mean": float(a.mean()), "min": float(a.min()), "p25": float(q[0]),
            "median": float(q[1]), "p75": float(q[2]), "p90": float(q[3]), "max": float(a.max())}


def timer(timings: dict[str, dict[str, float]]):
    """``timed(name, fn)``: run ``fn``, record its wall and CPU seconds under ``name``."""
    def timed(name: str, fn):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        timings[name] = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c}
        return out
    return timed
