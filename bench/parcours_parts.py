"""Where ``parcours analyze`` spends its time: every query it runs, timed and labelled.

    python bench/parcours_parts.py LOG --map MAP [--json OUT.json] [--explain DIR] [--explain-top 5]

Runs what ``parcours.project.analyze`` runs (``read_events``, ``prepare``, then
``parcours.analysis.run.run_all``) in this process, and wraps the connection's
``to_pyarrow``, ``execute`` and ``create_table`` so that each query executed is timed and
labelled by the analysis and table ``parcours.project.execute`` ran (or the line of
``ingest``/``engine`` that ran it).
Wrapping the connection rather than copying ``run_all`` keeps this script right when the
analyses change. Queries are grouped into the parts the DuckDB floor also times
(transitions, variants, funnel, durations) and the ones only parcours computes. Then each
of the floor's four is run again alone (``run_all`` with ``--analyses`` of that one, three
times, the median kept), on the same prepared table, to time what its queries cost by
themselves beyond the preparation, each time just after the floor's own queries for it
(``bench/duckdb_floor.py``'s, on their own connection in this process): the same
computation by both, timed under the same conditions.

With ``--explain DIR``, the slowest queries are run again under DuckDB's
``EXPLAIN ANALYZE`` and the plans written to DIR (one file per query, with its SQL).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import linecache  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import parcours.project  # noqa: E402,F401  (import cost measured below, as in the CLI)

T_IMPORT = time.perf_counter() - T_START

# Parts, by keywords of the calling line (first match wins).
PARTS = [
    ("variants", ("_variants", "variant", "paths_of")),
    ("stage visits (shared)", ("temp_table(con, visits", "stage_visits(")),
    ("journey shapes", ("shapes.",)),
    ("funnel", ("funnel", "ordered", "any_order")),
    ("durations", ("duration",)),
    ("transitions", ("touchpoint_transitions",)),
    ("stage transitions", ("stage_transitions",)),
    ("conformance", ("conformance", "backward")),
    ("touchpoints", ("touchpoint_table", "unmapped")),
    ("starts/ends", ("starts", "ends")),
    ("summary", ("summary_counts",)),
]
IN_FLOOR = {"transitions", "variants", "funnel", "durations"}
ALONE_REPEAT = 3  # runs of each computation asked for alone (the median is reported)


# The registry's analyses (project/execute.py labels "analysis <name>: <table>") and their part.
ANALYSIS_PARTS = {"variants": "variants", "funnel": "funnel", "durations": "durations", "transitions": "transitions",
                  "stage_transitions": "stage transitions", "conformance": "conformance", "touchpoints": "touchpoints",
                  "shapes": "journey shapes", "summary": "summary"}


def _execute_label(f) -> str | None:
    """``analysis <name>: <table>`` for a query run by project/execute.py (the table being
    executed, or the temporary table a builder asked for); the shared stage visits otherwise."""
    table = f.f_locals.get("name") if f.f_code.co_name == "<dictcomp>" else None
    g = f
    while g is not None and g.f_code.co_name not in ("execute", "run_all"):
        g = g.f_back
    if g is None:
        return None
    if g.f_code.co_name == "run_all" or "analysis" not in g.f_locals:
        return "shared by several analyses: temp_table(con, visits), stage_visits("
    request = g.f_locals.get("request")
    table = table or getattr(request, "prefix", None) or "?"
    return f"analysis {g.f_locals['analysis'].name}: {table}"


def part_of(label: str) -> str:
    if label.startswith("analysis "):
        return ANALYSIS_PARTS.get(label.split(":")[0].removeprefix("analysis "), "other")
    for part, keys in PARTS:
        if any(k in label for k in keys):
            return part
    return "other"


_SOURCE: dict[str, list[str]] = {}


def snapshot_sources() -> None:
    """Keep the source lines of the parcours modules as imported: labels must quote the code
    that runs even if someone edits the files while the benchmark runs."""
    for mod in list(sys.modules.values()):
        fn = getattr(mod, "__file__", None) or ""
        if "parcours" in fn and fn.endswith(".py") and "/bench/" not in fn:
            try:
                _SOURCE[fn] = Path(fn).read_text(encoding="utf-8").splitlines()
            except OSError:
                pass


def source_line(fn: str, lineno: int) -> str:
    lines = _SOURCE.get(fn)
    if lines is None:
        return linecache.getline(fn, lineno).strip()
    return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""


class Recorder:
    """Wraps a backend's execution methods and records (label, seconds, sql) per call."""

    def __init__(self, con) -> None:
        self.con = con
        self.calls: list[dict] = []
        self.depth = 0
        for name in ("to_pyarrow", "execute", "create_table", "raw_sql"):
            setattr(con, name, self._wrap(name, getattr(con, name)))

    def _label(self) -> str:
        f = sys._getframe(2)
        fallback = None
        outside = None
        while f is not None:
            fn = f.f_code.co_filename
            if outside is None and not fn.endswith("parcours_parts.py"):
                outside = f"{Path(fn).name}:{f.f_code.co_name}: {source_line(fn, f.f_lineno)}"
            if "parcours" in fn and "/bench/" not in fn:
                mod = fn.split("parcours/")[-1]
                line = source_line(fn, f.f_lineno)
                text = f"{mod}:{f.f_code.co_name}: {line}"
                if line.startswith("return con.") or f.f_code.co_name in ("temp_table", "_temp_view", "_create_as"):  # a helper: label its caller
                    f = f.f_back
                    continue
                if mod.startswith("project/execute.py"):  # the one execution edge: label by analysis
                    return _execute_label(f) or text
                if mod.startswith("analysis/run.py"):
                    return text
                fallback = fallback or text
            f = f.f_back
        return fallback or outside or "?"

    def _wrap(self, name, fn):
        def wrapped(*args, **kwargs):
            if self.depth:  # nested call (create_table may call execute): count once
                return fn(*args, **kwargs)
            label = self._label()
            expr = args[1] if name == "create_table" and len(args) > 1 else kwargs.get("obj", args[0] if args else None)
            sql = expr if name == "raw_sql" and isinstance(expr, str) else None
            try:
                if hasattr(expr, "op"):
                    sql = self.con.compile(expr)
            except Exception:  # noqa: BLE001 - the SQL is only for --explain
                sql = None
            self.depth += 1
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth -= 1
                self.calls.append({"label": label, "seconds": time.perf_counter() - t, "method": name, "sql": sql})
        return wrapped


def explain(raw, q: dict, profile: Path, sql_chars: int = 6000) -> str:
    """Run ``q``'s SQL again under DuckDB's JSON profiler; an indented operator tree
    (time, rows, main details), the slowest operators, then the SQL (truncated)."""
    raw.execute("SET enable_profiling = 'json'")
    raw.execute(f"SET profiling_output = '{profile}'")
    try:
        t = time.perf_counter()
        # a temporary table or view exists already: profile its query, not its creation again
        res = raw.execute(re.sub(r'^CREATE TEMP (TABLE|VIEW) "[^"]+" AS ', "", q["sql"]))
        (res.to_arrow_table() if hasattr(res, "to_arrow_table") else res.fetch_arrow_table())
        again = time.perf_counter() - t
    finally:
        raw.execute("RESET enable_profiling")
        raw.execute("RESET profiling_output")
    prof = json.loads(profile.read_text())
    lines, ops = [], []

    def walk(node: dict, depth: int) -> None:
        name = node.get("operator_name") or node.get("operator_type") or "?"
        secs = float(node.get("operator_timing") or 0.0)
        rows = int(node.get("operator_cardinality") or 0)
        info = node.get("extra_info") or {}
        keys = ("Table", "Function", "Groups", "Aggregates", "Projections", "Join Type", "Conditions",
                "Expressions", "Order By", "Filters")
        detail = "; ".join(f"{k}: {str(info[k])[:160]}" for k in keys if k in info)
        detail = re.sub(r"\s+", " ", detail)
        lines.append(f"{'  ' * depth}{name:<22} {secs:7.3f} s {rows:>12,} rows  {detail}")
        ops.append((secs, name, rows, detail))
        for child in node.get("children", []):
            walk(child, depth + 1)

    for child in prof.get("children", []):
        walk(child, 0)
    top = sorted(ops, key=lambda o: -o[0])[:6]
    sql = q["sql"] if len(q["sql"]) <= sql_chars else (
        q["sql"][:sql_chars] + f"\n... ({len(q['sql']):,} characters of SQL in total)")
    return "\n".join([
        f"-- {q['label']}",
        f"-- {q['seconds']:.2f} s when timed in the run; {again:.2f} s again under the profiler "
        f"(latency {float(prof.get('latency') or 0):.2f} s, CPU {float(prof.get('cpu_time') or 0):.2f} s, "
        f"peak buffer memory {int(prof.get('system_peak_buffer_memory') or 0) / 2**20:.0f} MB); "
        f"SQL {len(q['sql']):,} characters",
        "", "Slowest operators:", *[f"  {s:7.3f} s  {n} ({r:,} rows) {d[:200]}" for s, n, r, d in top],
        "", "Operator tree (operator time, output rows):", *lines, "", "SQL:", sql, ""])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log", type=Path)
    ap.add_argument("--map", type=Path, required=True)
    ap.add_argument("--json", type=Path, default=None, help="write the timings here")
    ap.add_argument("--explain", type=Path, default=None, help="folder for EXPLAIN ANALYZE of the slowest queries")
    ap.add_argument("--explain-top", type=int, default=5)
    ap.add_argument("--data-json", type=Path, default=None, help="write run_all's figures here (to compare runs)")
    a = ap.parse_args()

    from parcours.analysis.run import Options
    from parcours.project.execute import run_all
    from parcours.engine.connection import connect
    from parcours.engine.prepare import prepare
    from parcours.ingest import read_events
    from parcours.model import load_map

    snapshot_sources()
    stages: list[tuple[str, float]] = [("import parcours", T_IMPORT)]
    t = time.perf_counter()
    con = connect()
    m = load_map(a.map)
    stages.append(("connect + load map", time.perf_counter() - t))
    rec = Recorder(con)

    t = time.perf_counter()
    log = read_events(a.log, con=con)
    stages.append(("read_events (scan, normalise, materialise)", time.perf_counter() - t))
    n_read = len(rec.calls)

    t = time.perf_counter()
    p = prepare(con, log.table, m, role_sources=log.roles)
    stages.append(("prepare (map, sort, window, materialise)", time.perf_counter() - t))
    n_prep = len(rec.calls)

    def temp_tables() -> set[str]:
        return {r[0] for r in con.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}

    before = temp_tables()
    t = time.perf_counter()
    data, _tables = run_all(p, p.table, Options())
    total_run = time.perf_counter() - t
    stages.append(("run_all (every analysis)", total_run))
    total = time.perf_counter() - T_START
    n_full = len(rec.calls)

    # EXPLAIN the full run's slowest queries now, while the tables they read exist.
    explained = []
    if a.explain:
        a.explain.mkdir(parents=True, exist_ok=True)
        for q in rec.calls:
            q.setdefault("part", part_of(q["label"]) if q["label"].startswith(("analysis", "shared by"))
                         else q["label"].split(":")[0])
        slow = [q for q in sorted(rec.calls[n_read:n_full], key=lambda q: -q["seconds"]) if q["sql"]][: a.explain_top]
        for i, q in enumerate(slow, 1):
            name = re.sub(r"[^A-Za-z0-9]+", "_", f"{i}_{q['part']}")[:60]
            path = a.explain / f"{a.log.stem}_{name}.txt"
            path.write_text(explain(con.con, q, path.with_suffix(".profile.json")), encoding="utf-8")
            explained.append(str(path))
        print(f"  EXPLAIN ANALYZE of the {len(explained)} slowest queries written to {a.explain}")

    # Each computation the floor times, asked for alone (``--analyses X``) on the same prepared
    # table, after the full run, ``ALONE_REPEAT`` times (median): its own queries and the stage
    # visits it reads, not the summary every run computes (but the journey durations, which
    # the floor's durations part computes too, are counted there), nor Python's share. The
    # full run's own tables are dropped first, and each run's after it, as a run asking for
    # that computation alone would find the engine.
    # The floor's queries for the same computation run just before each of these runs, on
    # their own DuckDB connection (the floor's defaults) in this process, so that both are
    # timed under the same conditions: on a shared machine, separate runs minutes apart
    # differ by more than the target's 20%.
    import duckdb
    import duckdb_floor  # bench/duckdb_floor.py, beside this script

    rows, stage_ids = duckdb_floor.map_rows(a.map)
    fcon = duckdb.connect()
    duckdb_floor.setup(fcon, a.log, rows)
    fqueries = duckdb_floor.part_queries(len(stage_ids))
    alone: dict[str, float] = {}
    floor_alone: dict[str, float] = {}
    for part in sorted(IN_FLOOR):
        runs, fruns = [], []
        for _ in range(ALONE_REPEAT):
            t = time.perf_counter()
            for sql in fqueries.get(part, []):
                fcon.execute(sql).fetchall()
            fruns.append(time.perf_counter() - t)
            for name in temp_tables() - before:
                con.con.execute(f'DROP TABLE temp."{name}"')
            n0 = len(rec.calls)
            run_all(p, p.table, Options(analyses=frozenset({part})))
            runs.append(sum(q["seconds"] for q in rec.calls[n0:]
                            if part_of(q["label"]) in (part, "stage visits (shared)")))
        alone[part] = statistics.median(runs)
        floor_alone[part] = statistics.median(fruns)
    fcon.close()

    queries = rec.calls[n_prep:n_full]
    by_part: dict[str, float] = {}
    for q in queries:
        q["part"] = part_of(q["label"])
        by_part[q["part"]] = by_part.get(q["part"], 0.0) + q["seconds"]
    overhead = total_run - sum(by_part.values())

    print(f"\nparcours parts: {a.log.name} ({log.report.accepted:,} events), total {total:.2f} s in-process")
    for name, s in stages:
        print(f"  {name:<48} {s:7.2f} s")
    for q in rec.calls[:n_prep]:
        print(f"      {q['seconds']:6.2f} s  {q['label'][:110]}")
    print("  run_all by part:")
    for part, s in sorted(by_part.items(), key=lambda kv: -kv[1]):
        mark = "" if part in IN_FLOOR else "   (not in the floor)"
        print(f"    {part:<20} {s:7.2f} s{mark}")
    print(f"    {'python/arrow glue':<20} {overhead:7.2f} s")
    print(f"  each asked for alone (--analyses, beyond the preparation; median of {ALONE_REPEAT}):")
    for part, secs in alone.items():
        print(f"    {part:<20} {secs:7.2f} s   the floor's queries, interleaved: {floor_alone[part]:.2f} s "
              f"({secs / floor_alone[part]:.2f}×)")
    print("  slowest queries:")
    for q in sorted(queries, key=lambda q: -q["seconds"])[:12]:
        print(f"    {q['seconds']:6.2f} s  [{q['part']}] {q['label'][:110]}")


    if a.data_json:
        a.data_json.write_text(json.dumps(data, indent=1, sort_keys=True, default=str), encoding="utf-8")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({
            "log": str(a.log), "events": log.report.accepted, "total_seconds": total,
            "stages": [{"name": n, "seconds": s} for n, s in stages],
            "ingest_queries": [{k: q[k] for k in ("label", "seconds")} for q in rec.calls[:n_prep]],
            "parts": by_part, "glue_seconds": overhead, "alone": alone, "floor_alone": floor_alone,
            "queries": [{k: q[k] for k in ("label", "part", "seconds")} for q in queries],
            "explained": explained,
        }, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
