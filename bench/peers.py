"""Benchmark the peers (pm4py in its pandas and its Polars mode, retentioneering) against
``parcours analyze`` and the hand-written DuckDB floor, on the same synthetic logs.

    bash bench/peers_env.sh                              # the throwaway venv of the peers
    python bench/peers.py --sizes 1m,10m --repeat 3      # tables in bench/out/peers.md
    python bench/peers.py --sizes 1m --check             # one run per tool: do the figures agree?

pm4py (AGPL-3.0) and retentioneering (non-commercial licence) are never dependencies of
Parcours: they live in the venv made by ``bench/peers_env.sh`` (default
``/tmp/parcours-peers-venv``, ``PEERS_VENV`` or ``--venv`` to change it), and
``bench/peer_pm4py.py`` / ``bench/peer_retentioneering.py`` call them as child processes.
The repository's side (``bench/generate.py``, ``bench/duckdb_floor.py``, ``parcours
analyze``) runs with the repository's venv (``.venv``).

For each size (``bench/data/log_<size>.parquet``, generated when missing) and each repeat,
every (tool, task) is a fresh child process, measured as in ``bench/run.py`` (its
``run_child``: wall time, CPU time and peak RSS of that process, ``os.wait4``), the order
reversed on every other repeat:

- parcours: ``parcours analyze LOG --map MAP --out TMP`` (``--no-cache`` when the CLI has a
  result cache), one run that computes all of it (and more: see bench/README.md), and the same
  with ``--analyses transitions,variants,funnel,durations`` (when the CLI has it): only the
  four computations the peers do, in one process;
- floor: ``python bench/duckdb_floor.py LOG --map MAP``, all its parts in one run;
- pm4py-pandas, pm4py-polars, retentioneering: each task (``dfg``, ``variants``,
  ``durations``, ``funnel``) in its own process, as the issue's anchors were measured
  (import + load + formatting + that computation), and ``all`` (the four in one process,
  loading and formatting once). ``pm4py-pandas-pystr`` (opt-in with ``--tools``) is the
  pandas mode with pandas' Python string storage (see peer_pm4py.py).

Reports, per size, the median wall time, CPU time and peak RSS of each (tool, task), the
ratios to parcours' full analysis and to the floor, and a "full set" line per peer: the sum
of its four task processes (peak RSS: the largest of them) and its one-process ``all``
run. The figures of the first repeat are cross-checked against the floor's: they must agree
where both compute the same thing; known definitional differences are listed as such, and
what a peer does not compute as n/a. Writes ``bench/out/peers.md`` and
``bench/out/peers.json``; each child's output goes to ``bench/out/logs/peers_*.log``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import compare as parcours_vs_floor  # noqa: E402
from peer_common import TASKS  # noqa: E402
from run import compile_bytecode, cpu_pressure, machine, parse_size, run_child  # noqa: E402

PEERS = ("pm4py-pandas", "pm4py-polars", "retentioneering")
OPTIONAL_PEERS = ("pm4py-pandas-pystr",)
LABEL = {"parcours": "parcours analyze (CLI)", "floor": "DuckDB floor (hand-written SQL)",
         "pm4py-pandas": "pm4py, pandas mode", "pm4py-pandas-pystr": "pm4py, pandas mode, Python strings",
         "pm4py-polars": "pm4py, Polars mode", "retentioneering": "retentioneering"}
TASK_LABEL = {"dfg": "directly-follows graph, counts + durations", "variants": "variants",
              "durations": "journey (+ stage) durations", "funnel": "ordered stage funnel",
              "all": "the four tasks in one process", "analyze": "full analysis",
              "same": "the same four only (--analyses transitions,variants,funnel,durations)", "floor": "all parts"}
SAME_SET = ["--analyses", "transitions,variants,funnel,durations"]  # what the peers' four tasks compute
REPO_PY = ROOT / ".venv" / "bin" / "python"
PARCOURS = ROOT / ".venv" / "bin" / "parcours"
TARGET_PANDAS = 10.0
TARGET_POLARS = 4.0
TARGET_MEMORY_SHARE = 1 / 3

# Known definitional differences from the floor (figure prefix -> explanation), and what a
# peer does not compute (n/a).
KNOWN = {
    "pm4py-polars": {
        "funnel": "pm4py 2.7.23's Polars LTL checker (filter_eventually_follows_relation on a LazyFrame) "
                  "checks each consecutive pair of stages separately (some s1 before some s2, some s2 before "
                  "some s3, ...), not one chain s1 < s2 < s3 ...: journeys that go back and forth between "
                  "stages are counted in more steps than the ordered funnel's",
    },
}
NOT_COMPUTED = {
    "pm4py": {".journeys": "pm4py's simplified API gives no distinct cases per directly-follows pair"},
    "retentioneering": {
        "mean_seconds": "its transition matrix has median and p95 durations, no mean",
        "variants:": "it has no variants tool (its step matrix is timed instead)",
        "stage duration": "it has no stages",
    },
}


def peer_python(venv: Path) -> Path:
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"no peers venv at {venv}: running bench/peers_env.sh", flush=True)
        subprocess.run(["bash", str(HERE / "peers_env.sh")], check=True, env={**os.environ, "PEERS_VENV": str(venv)})
    return py


def repo_python() -> Path:
    return REPO_PY if REPO_PY.exists() else Path(sys.executable)


def repo_versions() -> dict:
    """run.py's versions() (parcours, DuckDB, ...) as seen by the repository's venv."""
    code = f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import run; print(json.dumps(run.versions()))"
    out = subprocess.run([str(repo_python()), "-c", code], capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout) if out.returncode == 0 else {"error": out.stderr[-500:]}


def peer_versions(py: Path) -> dict:
    code = ("import json, sys; from importlib import metadata as m; d = {'python': sys.version.split()[0]}\n"
            "for n in ('pm4py', 'retentioneering', 'polars', 'pandas', 'numpy', 'pyarrow', 'duckdb'):\n"
            "    try: d[n] = m.version(n)\n"
            "    except m.PackageNotFoundError: d[n] = None\n"
            "print(json.dumps(d))")
    out = subprocess.run([str(py), "-c", code], capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else {"error": out.stderr[-500:]}


def parcours_exe() -> list[str]:
    return [str(PARCOURS)] if PARCOURS.exists() else [str(repo_python()), "-m", "parcours"]


def parcours_options(pythonpath: Path | None) -> tuple[list[str], bool]:
    """(``--no-cache`` when ``parcours analyze`` has a result cache: a cache hit would measure
    nothing; whether it has ``--analyses``, to time it computing the peers' set only)."""
    env = {**os.environ, **({"PYTHONPATH": str(pythonpath)} if pythonpath else {})}
    out = subprocess.run(parcours_exe() + ["analyze", "--help"], capture_output=True, text=True, env=env, cwd=ROOT)
    return (["--no-cache"] if "--no-cache" in out.stdout else []), "--analyses" in out.stdout


def command(tool: str, task: str, log: Path, map_path: Path, out: Path, peer_py: Path, a) -> list[str]:
    if tool == "parcours":
        return (parcours_exe() + ["analyze", str(log), "--map", str(map_path), "--out", str(out)] + a.no_cache
                + (SAME_SET if task == "same" else []))
    if tool == "floor":
        return [str(repo_python()), str(HERE / "duckdb_floor.py"), str(log), "--map", str(map_path), "--json", str(out)]
    extra = ["--funnel-steps", str(a.funnel_steps)] if a.funnel_steps else []
    if tool.startswith("pm4py"):
        mode = "polars" if tool == "pm4py-polars" else "pandas"
        extra += ["--string-storage", "python"] if tool == "pm4py-pandas-pystr" else []
        script = [str(HERE / "peer_pm4py.py"), "--mode", mode]
    else:
        script = [str(HERE / "peer_retentioneering.py")]
    return [str(peer_py)] + script[:1] + [str(log), "--map", str(map_path), "--task", task, "--out", str(out)] \
        + script[1:] + extra


def run_one(cmd: list[str], log_file: Path, timeout: int, pythonpath: Path | None = None) -> dict:
    """run.py's run_child under coreutils' timeout (wait4's rusage covers the waited-for child)."""
    saved = os.environ.get("PYTHONPATH")
    if pythonpath:  # run_child's child inherits this process's environment
        os.environ["PYTHONPATH"] = str(pythonpath)
    try:
        return run_child(["timeout", "--kill-after=10", str(timeout)] + cmd, log_file)
    except SystemExit as e:  # run_child exits on a failed child: record it and go on
        return {"failed": str(e)[-1500:], "cpu_pressure_before": cpu_pressure()}
    finally:
        if pythonpath:
            if saved is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = saved


# -- cross-check --------------------------------------------------------------------------
def check_figures(tool: str, fig: dict, floor: dict, funnel_steps: int = 0) -> list[dict]:
    """Rows (figure, peer, floor, status, note): agree / known difference / n/a / DIFFERS."""
    rows: list[dict] = []
    family = "pm4py" if tool.startswith("pm4py") else tool
    known, missing = KNOWN.get(tool, {}), NOT_COMPUTED.get(family, {})

    def add(name: str, a, b, rel: float = 0.0) -> None:
        for key, why in missing.items():
            if key in name:
                rows.append({"figure": name, "peer": a, "floor": b, "status": "n/a", "note": why})
                return
        if a is None:
            rows.append({"figure": name, "peer": None, "floor": b, "status": "n/a", "note": "not computed"})
            return
        if rel and a is not None and b is not None:
            ok = abs(float(a) - float(b)) <= rel * max(1.0, abs(float(b)))
        else:
            ok = a == b
        if ok:
            rows.append({"figure": name, "peer": a, "floor": b, "status": "agree", "note": ""})
            return
        for key, why in known.items():
            if name.startswith(key):
                rows.append({"figure": name, "peer": a, "floor": b, "status": "known difference", "note": why})
                return
        rows.append({"figure": name, "peer": a, "floor": b, "status": "DIFFERS", "note": ""})

    add("journeys (cases)", fig.get("cases"), floor["variant_journeys"])
    if "transitions_total" in fig:
        add("transitions: total count", fig["transitions_total"], floor["transitions_total"])
        add("transitions: (from, to) pairs", fig["transition_pairs"], floor["transition_pairs"])
        for i, ft in enumerate(floor["transitions_top"]):
            pt = fig["transitions_top"][i] if i < len(fig["transitions_top"]) else {}
            for k in ("from", "to", "count", "journeys"):
                add(f"transitions[{i}].{k}", pt.get(k), ft[k])
            for k in ("mean_seconds", "median_seconds"):
                add(f"transitions[{i}].{k}", pt.get(k), ft[k], rel=1e-9)
    if "variants" in fig or tool == "retentioneering":
        add("variants: count", fig.get("variants"), floor["variants"])
        add("variants: journeys", fig.get("variant_journeys"), floor["variant_journeys"])
        add("variants: journeys of the top variant", fig.get("variant_top_journeys"), floor["variant_top_journeys"])
    if "funnel" in fig:
        ref = floor["funnel"][:funnel_steps] if funnel_steps else floor["funnel"]
        for i, (a, b) in enumerate(zip(fig["funnel"], ref)):
            add(f"funnel: step {i + 1} ({fig.get('funnel_stages', ['?'] * 9)[i]})", a, b)
    if "journey_duration" in fig:
        pj, fj = fig["journey_duration"], floor["journey_duration"]
        for k in ("count", "min", "max"):
            add(f"journey duration {k}", pj.get(k), fj[k])
        for k in ("mean", "p25", "median", "p75", "p90"):
            add(f"journey duration {k}", pj.get(k), fj[k], rel=1e-9)
        ps = fig.get("stage_durations") or {}
        for stage, fs in floor["stage_durations"].items():
            st = ps.get(stage, {})
            add(f"stage duration {stage} count", st.get("count"), fs["count"])
            for k in ("mean", "median", "p90", "max"):
                add(f"stage duration {stage} {k}", st.get(k), fs[k], rel=1e-9)
    return rows


def summarize_check(rows: list[dict]) -> dict:
    out = {s: sum(r["status"] == s for r in rows) for s in ("agree", "known difference", "n/a", "DIFFERS")}
    out["total"] = len(rows)
    return out


# -- report ---------------------------------------------------------------------------------
def fmt_ratio(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


def markdown(res: dict) -> str:
    m, rv, pv = res["machine"], res["versions"]["repo"], res["versions"]["peers"]
    lines = [
        "# Parcours benchmark: the peers (pm4py, retentioneering) vs `parcours analyze` and the DuckDB floor",
        "",
        f"- Date: {res['date']}",
        f"- Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['ram_gb']} GB RAM; {m['os']}",
        f"- parcours side (repository venv): Python {rv.get('python')}, parcours {rv.get('parcours')} "
        f"({rv.get('parcours_commit')}; run from {res['parcours_src']}), DuckDB {rv.get('duckdb')}, "
        f"Ibis {rv.get('ibis-framework')}, "
        f"PyArrow {rv.get('pyarrow')}",
        f"- peers (throwaway venv {res['venv']}): Python {pv.get('python')}, pm4py {pv.get('pm4py')}, "
        f"retentioneering {pv.get('retentioneering')}, Polars {pv.get('polars')}, pandas {pv.get('pandas')}, "
        f"NumPy {pv.get('numpy')}, PyArrow {pv.get('pyarrow')}, DuckDB {pv.get('duckdb')}",
        f"- Median of {res['repeat']} run(s) per (tool, task), each a fresh child process (whole process: "
        "interpreter start, imports, loading, formatting, computation); wall time, CPU time (user + system, "
        "all threads), peak RSS of that process. Order reversed on every other repeat.",
        "- Tasks: **dfg** directly-follows pairs of touchpoints with counts and durations; **variants** "
        "distinct touchpoint sequences (retentioneering: its step matrix, having no variants); **durations** "
        "journey durations (pm4py also stage durations, first entry -> next stage's first entry; "
        "retentioneering has no stages); **funnel** the ordered funnel of the map's "
        f"{'first ' + str(res['funnel_steps']) + ' ' if res['funnel_steps'] else ''}stages. "
        "parcours computes all of them (and more) in its one run; so does the floor.",
        "- Full set: the sum of a peer's four task processes (each loading and formatting the log, as the "
        "issue's anchors were measured; peak RSS: the largest of the four), and, for comparison, its one-process "
        "`all` run (loading and formatting once). The target ratios use the sum.",
        *(["- pm4py, pandas mode, Python strings: the same script with `pd.options.mode.string_storage = "
           "\"python\"`. pandas 3 stores the `string` dtype pm4py casts case ids and activities to with pyarrow, "
           "and its `isin` converts the values one by one in Python, which slows pm4py's filters (funnel) "
           "~3×; with pandas 2 the default was this Python storage."] if "pm4py-pandas-pystr" in res["tools"] else []),
        *[f"- Note: {n}" for n in res.get("notes", [])],
        f"- Targets (issue): parcours' full analysis ≥{TARGET_PANDAS:.0f}× faster than pm4py's pandas mode and "
        f"≥{TARGET_POLARS:.0f}× faster than its Polars mode doing the same set, with at most a third of its "
        "peak memory.",
        "",
    ]
    for size in res["sizes"]:
        r = res["results"][size]
        med = r["median"]
        pa = med.get("parcours|analyze")
        fl = med.get("floor|floor")
        lines += [f"## {size} events ({r['events']:,} events, {r['journeys']:,} journeys)", "",
                  "| tool | task | median wall s | median CPU s | peak RSS MB | wall ÷ parcours | wall ÷ floor "
                  "| RSS ÷ parcours |", "|---|---|---:|---:|---:|---:|---:|---:|"]

        def row(name: str, task: str, x: dict | None) -> str:
            if not x:
                return f"| {name} | {task} | failed | | | | | |"
            rp = x["wall"] / pa["wall"] if pa else None
            rf = x["wall"] / fl["wall"] if fl else None
            rm = x["rss_mb"] / pa["rss_mb"] if pa else None
            return (f"| {name} | {task} | {x['wall']:.2f} | {x['cpu']:.2f} | {x['rss_mb']:.0f} | {fmt_ratio(rp)} | "
                    f"{fmt_ratio(rf)} | {fmt_ratio(rm)} |")

        lines.append(row(LABEL["parcours"], TASK_LABEL["analyze"], pa))
        if med.get("parcours|same"):
            lines.append(row(LABEL["parcours"], TASK_LABEL["same"], med["parcours|same"]))
        lines.append(row(LABEL["floor"], TASK_LABEL["floor"], fl))
        for tool in res["tools"]:
            for task in res["tasks"]:
                key = f"{tool}|{task}"
                if key in r["runs"]:
                    lines.append(row(LABEL[tool], TASK_LABEL[task], med.get(key)))
            fs = r["full_set"].get(tool, {})
            if fs.get("sum"):
                lines.append(row(f"**{LABEL[tool]}**", "**full set: sum of the 4 task processes**", fs["sum"]))
        lines += [""]
        tg = r.get("targets", {})
        for tool, t in tg.items():
            extra = f"; its one-process `all` run: {t['ratio_all']:.1f}×" if t.get("ratio_all") else ""
            lines.append(f"- {LABEL[tool]}: full set {t['peer_wall']:.1f} s vs parcours {t['parcours_wall']:.1f} s = "
                         f"**{t['ratio']:.1f}×** (target ≥{t['target']:.0f}×: "
                         f"**{'yes' if t['ok'] else 'no'}**){extra}; "
                         f"peak memory: parcours {t['parcours_rss']:.0f} MB = {t['rss_share']:.2f} of the peer's "
                         f"{t['peer_rss']:.0f} MB (target ≤ 1/3: **{'yes' if t['rss_ok'] else 'no'}**)")
            if t.get("same_wall"):
                lines.append(f"  - parcours computing the same four only ({t['same_wall']:.1f} s, "
                             f"{t['same_rss']:.0f} MB): full set **{t['ratio_same']:.1f}×**"
                             + (f", its one-process `all` run **{t['ratio_same_all']:.1f}×**" if t.get("ratio_same_all")
                                else "") + f"; memory {t['same_rss'] / t['peer_rss']:.2f} of the peer's")
        lines += ["", "Cross-check against the floor (first run of each peer):", ""]
        for tool, ck in r["check"].items():
            s = ck["summary"]
            lines.append(f"- **{LABEL.get(tool, tool)}**: {s['agree']} agree, {s['known difference']} known "
                         f"difference(s), {s['n/a']} n/a, **{s['DIFFERS']} differ**")
            notes = {}
            for x in ck["rows"]:
                if x["status"] in ("known difference", "DIFFERS"):
                    lines.append(f"  - {x['status']}: {x['figure']}: peer {x['peer']!r}, floor {x['floor']!r}")
                if x["status"] in ("known difference", "n/a") and x["note"]:
                    notes.setdefault(x["note"], []).append(x["figure"])
            for note, figs in notes.items():
                lines.append(f"  - ({len(figs)} figure(s): {figs[0]}{', ...' if len(figs) > 1 else ''}) {note}")
        for key, what in (("parcours_check", "**parcours**"), ("parcours_same_check", "**parcours, the same four only**")):
            if r.get(key) is not None:
                pc = r[key]
                lines.append(f"- {what} vs the floor (bench/run.py's comparison): "
                             f"{'agree' if not pc else 'DIFFER: ' + '; '.join(pc)}")
        lines += ["", "In-process steps of each peer's one-process `all` run (first repeat; wall s):", ""]
        for tool, steps in r["steps"].items():
            lines.append(f"- {LABEL[tool]}: " + ", ".join(f"{k} {v['wall']:.2f}" for k, v in steps.items()))
        if r.get("floor_parts"):
            lines.append("- floor parts: " + ", ".join(f"{k} {v['wall']:.2f}" for k, v in r["floor_parts"].items()))
        lines += ["", "Every run (wall s / CPU s / peak RSS MB, CPU pressure before the run):", ""]
        for key, runs in r["runs"].items():
            lines.append(f"- {key}: " + "; ".join(
                f"FAILED ({x['failed'].splitlines()[0][:120]})" if "failed" in x else
                f"{x['wall']:.2f} / {x['cpu']:.2f} / {x['rss_mb']:.0f} (psi {x['cpu_pressure_before']}%)"
                for x in runs))
        lines.append("")
    return "\n".join(lines)


def summarize(r: dict, tools: list[str], tasks: list[str]) -> None:
    """Medians of r["runs"], each peer's full set and the issue's target ratios (in place)."""
    def median(key: str) -> dict | None:
        ok = [x for x in r["runs"].get(key, []) if "failed" not in x]
        if not ok:
            return None
        return {k: statistics.median(x[k] for x in ok) for k in ("wall", "cpu", "rss_mb")}

    med = r["median"] = {key: median(key) for key in r["runs"]}
    r["full_set"], r["targets"] = {}, {}
    pa = med.get("parcours|analyze")
    ps = med.get("parcours|same")
    for tool in tools:
        parts = [med.get(f"{tool}|{k}") for k in TASKS]
        fs = {}
        if all(parts) and set(TASKS) <= set(tasks):
            fs["sum"] = {"wall": sum(p["wall"] for p in parts), "cpu": sum(p["cpu"] for p in parts),
                         "rss_mb": max(p["rss_mb"] for p in parts)}
        fs["all"] = med.get(f"{tool}|all")
        r["full_set"][tool] = fs
        target = {"pm4py-pandas": TARGET_PANDAS, "pm4py-pandas-pystr": TARGET_PANDAS,
                  "pm4py-polars": TARGET_POLARS}.get(tool)
        ref = fs.get("sum") or fs.get("all")
        if target and pa and ref:
            r["targets"][tool] = {
                "peer_wall": ref["wall"], "parcours_wall": pa["wall"], "ratio": ref["wall"] / pa["wall"],
                "ratio_all": fs["all"]["wall"] / pa["wall"] if fs.get("all") and fs.get("sum") else None,
                "target": target, "ok": ref["wall"] / pa["wall"] >= target,
                "peer_rss": ref["rss_mb"], "parcours_rss": pa["rss_mb"], "rss_share": pa["rss_mb"] / ref["rss_mb"],
                "rss_ok": pa["rss_mb"] <= TARGET_MEMORY_SHARE * ref["rss_mb"]}
            if ps:
                r["targets"][tool].update(
                    same_wall=ps["wall"], same_rss=ps["rss_mb"], ratio_same=ref["wall"] / ps["wall"],
                    ratio_same_all=fs["all"]["wall"] / ps["wall"] if fs.get("all") else None)


# -- main -----------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1m,10m", help="comma-separated sizes, e.g. 1m,10m (log_<size>.parquet)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tasks", default="all", help=f"comma-separated among {','.join(TASKS)}, or all "
                                                   "(the four, each in its own process, plus the one-process run)")
    ap.add_argument("--tools", default=",".join(PEERS),
                    help=f"peers to run, among {','.join(PEERS + OPTIONAL_PEERS)} (parcours and the floor always run)")
    ap.add_argument("--no-all-run", action="store_true", help="skip each peer's one-process `all` run")
    ap.add_argument("--funnel-steps", type=int, default=0, help="peers' funnel: first N stages (default: all, "
                                                                  "as parcours and the floor)")
    ap.add_argument("--check", action="store_true",
                    help="only run each tool once (task all) and cross-check the figures against the floor; "
                         "exit 1 on an unexplained difference")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per child process (default 1800)")
    ap.add_argument("--parcours-src", type=Path, default=None,
                    help="run parcours from this source folder (PYTHONPATH) instead of the working tree's src/, "
                         "e.g. a `git archive HEAD src | tar -x -C DIR` export while src/ is being edited")
    ap.add_argument("--venv", type=Path, default=Path(os.environ.get("PEERS_VENV", "/tmp/parcours-peers-venv")))
    ap.add_argument("--data", type=Path, default=HERE / "data")
    ap.add_argument("--map", type=Path, default=None, help="default: DATA/map.yaml")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    a = ap.parse_args()

    os.environ["RETENTIONEERING_NO_TRACK"] = "1"  # no usage events from retentioneering's children
    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    tools = [t.strip() for t in a.tools.split(",") if t.strip()]
    for t in tools:
        if t not in PEERS + OPTIONAL_PEERS:
            raise SystemExit(f"unknown tool {t!r}")
    tasks = list(TASKS) if a.tasks == "all" else [t.strip() for t in a.tasks.split(",") if t.strip()]
    if a.check:
        tasks, a.repeat, a.no_all_run = [], 1, False
    run_tasks = tasks + ([] if a.no_all_run else ["all"])
    peer_py = peer_python(a.venv)
    a.no_cache, has_analyses = parcours_options(a.parcours_src)
    took = compile_bytecode(peer_py, HERE) + compile_bytecode(repo_python(), a.parcours_src or ROOT / "src")
    print(f"compiled bytecode of both environments in {took:.1f} s (see run.compile_bytecode)")
    map_path = a.map or a.data / "map.yaml"
    a.out.mkdir(parents=True, exist_ok=True)
    logs_dir = a.out / "logs"
    logs_dir.mkdir(exist_ok=True)

    res: dict = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine(),
                 "versions": {"repo": repo_versions(), "peers": peer_versions(peer_py)}, "venv": str(a.venv),
                 "repeat": a.repeat, "sizes": sizes, "tools": tools, "tasks": run_tasks,
                 "funnel_steps": a.funnel_steps, "parcours_src": str(a.parcours_src or ROOT / "src"),
                 "results": {}}
    mc = res["machine"]
    print(f"{mc['cpu']}, {mc['cores']} cores, {mc['ram_gb']} GB; peers: {res['versions']['peers']}", flush=True)
    unexplained = False
    t_all = time.perf_counter()
    for size in sizes:
        log = a.data / f"log_{size}.parquet"
        if not log.exists() or not map_path.exists():
            print(f"generating {log}", flush=True)
            subprocess.run([str(repo_python()), str(HERE / "generate.py"), "--events", str(parse_size(size)),
                            "--out", str(log), "--map", str(map_path)], check=True)
        with open(log, "rb") as fh:  # warm the page cache: every tool then reads from memory
            while fh.read(1 << 24):
                pass
        work = Path(tempfile.mkdtemp(prefix=f"parcours-peers-{size}-"))
        jobs = ([("parcours", "analyze")] + ([("parcours", "same")] if has_analyses else []) + [("floor", "floor")]
                + [(t, k) for t in tools for k in run_tasks])
        runs: dict[str, list[dict]] = {f"{t}|{k}": [] for t, k in jobs}
        first: dict[str, Path] = {}
        for i in range(a.repeat):
            order = jobs if i % 2 == 0 else jobs[::-1]
            for tool, task in order:
                key = f"{tool}|{task}"
                out = work / (f"{tool}_{task}_{i}" + ("" if tool == "parcours" else ".json"))
                cmd = command(tool, task, log, map_path, out, peer_py, a)
                x = run_one(cmd, logs_dir / f"peers_{size}_{tool}_{task}_{i}.log", a.timeout,
                            a.parcours_src if tool == "parcours" else None)
                runs[key].append(x)
                if "failed" in x:
                    print(f"  {size} run {i + 1}/{a.repeat} {key:<28} FAILED: {x['failed'].splitlines()[0]}",
                          flush=True)
                else:
                    first.setdefault(key, out)
                    print(f"  {size} run {i + 1}/{a.repeat} {key:<28} {x['wall']:8.2f} s wall {x['cpu']:8.2f} s CPU "
                          f"{x['rss_mb']:7.0f} MB  (cpu pressure before: {x['cpu_pressure_before']}%)", flush=True)

        floor = json.loads(first["floor|floor"].read_text()) if "floor|floor" in first else None
        r: dict = {"runs": runs, "check": {}, "steps": {}, "floor_parts": floor["timings"] if floor else {},
                   "figures": {}}
        summarize(r, tools, tasks)
        if "parcours|analyze" in first:
            analysis = json.loads((first["parcours|analyze"] / "analysis.json").read_text())
            r["events"], r["journeys"] = analysis["summary"]["events"], analysis["summary"]["journeys"]
            r["parcours_check"] = parcours_vs_floor(analysis, floor) if floor else None
            if "parcours|same" in first and floor:
                same = json.loads((first["parcours|same"] / "analysis.json").read_text())
                r["parcours_same_check"] = parcours_vs_floor(same, floor)
        else:
            r["events"] = parse_size(size)
            r["journeys"] = floor["figures"]["variant_journeys"] if floor else 0
        for tool in tools:
            # figures: the one-process run if there is one, else the union of the task runs
            fig: dict = {}
            for k in run_tasks:
                if f"{tool}|{k}" in first:
                    data = json.loads(first[f"{tool}|{k}"].read_text())
                    fig.update(data["figures"])
                    if k == "all":
                        r["steps"][tool] = data["timings"]
            r["figures"][tool] = fig
            if floor and fig:
                rows = check_figures(tool, fig, floor["figures"], a.funnel_steps)
                r["check"][tool] = {"summary": summarize_check(rows), "rows": rows}
                if any(x["status"] == "DIFFERS" for x in rows):
                    unexplained = True
        if r.get("parcours_check") or r.get("parcours_same_check"):
            unexplained = True
        res["results"][size] = r
        shutil.rmtree(work, ignore_errors=True)
        for tool, ck in r["check"].items():
            s = ck["summary"]
            print(f"  {size} check {tool}: {s['agree']} agree, {s['known difference']} known difference(s), "
                  f"{s['n/a']} n/a, {s['DIFFERS']} differ", flush=True)
            for x in ck["rows"]:
                if x["status"] in ("DIFFERS", "known difference"):
                    print(f"    {x['status']}: {x['figure']}: peer {x['peer']!r} vs floor {x['floor']!r}"
                          + (f"  [{x['note'][:100]}...]" if x["note"] else ""), flush=True)
    res["bench_seconds"] = time.perf_counter() - t_all
    if not a.check:
        md = markdown(res)
        (a.out / "peers.md").write_text(md, encoding="utf-8")
        (a.out / "peers.json").write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
        print(md)
        print(f"written {a.out / 'peers.md'} and {a.out / 'peers.json'} ({res['bench_seconds']:.0f} s)")
    else:
        (a.out / "peers_check.json").write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
        print(f"written {a.out / 'peers_check.json'} ({res['bench_seconds']:.0f} s)")
    if unexplained:
        raise SystemExit("some figures differ from the floor without a known reason: see above")


if __name__ == "__main__":
    main()
