"""Load test of the survey answer endpoints on a real ``parcours serve`` (SQLite), over loopback
only and bounded in time: 16 clients send answers for ~8 seconds (JSON and the page's form;
some submissions sent twice in a row, some sent by every client at once). Every accepted
submission must be stored exactly once, and no request may fail. Throughput and latency
percentiles go to ``bench/results/load_surveys.json``."""

from __future__ import annotations

import json
import platform
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from parcours.demo import _MAP_YAML
from parcours.store import connect, create_project, create_user, create_workspace, save_map, surveys
from parcours.store.workspaces import add_member
from tests.web.test_serve import stop
from tests.web.test_serve import serve

CLIENTS = 16
SECONDS = 8.0
MAX_PER_CLIENT = 5_000  # a bound on the loop besides time
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "load_surveys.json"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def test_survey_answers_under_load_are_all_stored_exactly_once(tmp_path):
    db = f"sqlite:///{tmp_path / 'app.db'}"
    store = connect(db)
    store.migrate()
    admin = create_user(store, "load@example.org", "Load", "load-password-1", admin=True)
    ws = create_workspace(store, "Load")
    add_member(store, ws.id, admin.id, "admin")
    project = create_project(store, ws.id, "Shop")
    save_map(store, project.id, _MAP_YAML, admin.id, base=None)
    link = surveys.create_link(store, project.id, "delivery_tracking", "nps", "fr", admin.id)
    store.close()

    env = {"PARCOURS_SURVEY_RATE": "10000000/minute", "PARCOURS_SURVEY_LINK_RATE": "10000000/minute"}
    proc, base = serve(tmp_path, "--db", db, env=env)
    records: list[tuple[str, str, float, int, bool | None]] = []  # (client, submission, seconds, status, stored)
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS + 1)

    def client(i: int) -> None:
        mine: list[tuple[str, str, float, int, bool | None]] = []
        with httpx.Client(base_url=base, timeout=30) as c:
            start.wait(timeout=60)
            until = time.monotonic() + SECONDS
            n = 0
            while time.monotonic() < until and n < MAX_PER_CLIENT:
                sid = f"race-{n // 10}" if n % 10 == 0 else f"c{i}-{n}"  # race ids: every client sends them
                sends = 2 if n % 5 == 3 else 1  # sent twice in a row: a double click, a retry
                for _ in range(sends):
                    t0 = time.perf_counter()
                    try:
                        if n % 4 == 1:  # the page's form
                            r = c.post(f"/s/{link.token}", data={"submission": sid, "ref": f"C{i}", "lang": "fr",
                                                                 "score": str(n % 11), "comment": "charge"})
                            stored = ("enregistrée" in r.text and "déjà" not in r.text) if r.status_code == 200 else None
                        else:
                            r = c.post(f"/api/v1/surveys/{link.token}/answers",
                                       json={"submission_id": sid, "score": n % 11, "customer_ref": f"C{i}"})
                            stored = r.json().get("stored") if r.status_code in (200, 201) else None
                    except httpx.HTTPError as e:
                        with lock:
                            failures.append(f"{sid}: {type(e).__name__}: {e}")
                        continue
                    mine.append((str(i), sid, time.perf_counter() - t0, r.status_code, stored))
                n += 1
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        start.wait(timeout=60)
        began = time.monotonic()
        for t in threads:
            t.join(SECONDS + 120)
        elapsed = time.monotonic() - began
    finally:
        err = stop(proc)
    assert not any(t.is_alive() for t in threads)
    assert not failures, failures[:5]
    assert "Traceback" not in err, err[-3000:]
    statuses = Counter(status for *_, status, _ in records)
    assert set(statuses) <= {200, 201}, statuses  # no 5xx, no 429 (limit raised), no 4xx

    store = connect(db)
    try:
        stored_rows = Counter(a.submission_id for a in surveys.answers(store, project.id))
    finally:
        store.close()
    accepted = {sid for _, sid, _, status, _ in records if status in (200, 201)}
    claims = Counter(sid for _, sid, _, _, stored in records if stored)
    assert stored_rows and max(stored_rows.values()) == 1  # stored at most once...
    assert set(stored_rows) == accepted  # ...and every accepted submission is stored
    assert claims == stored_rows  # exactly one response said "stored" for each row; the others "already stored"
    races = {sid for sid in accepted if sid.startswith("race-")}
    race_sends = sum(1 for _, sid, *_ in records if sid.startswith("race-"))
    assert races and race_sends > len(races)  # the race ids really were sent by several clients

    latencies = sorted(s for _, _, s, _, _ in records)
    figures = {
        "what": "survey answers (JSON API and form) on parcours serve, SQLite, loopback",
        "machine": {"cores": 2, "memory_gb": 24, "database": "sqlite", "python": platform.python_version()},
        "clients": CLIENTS, "seconds": round(elapsed, 2), "requests": len(records),
        "answers_stored": sum(stored_rows.values()), "duplicates_answered": len(records) - sum(stored_rows.values()),
        "requests_per_second": round(len(records) / elapsed, 1),
        "answers_per_second": round(sum(stored_rows.values()) / elapsed, 1),
        "latency_ms": {"p50": round(percentile(latencies, 50) * 1000, 1), "p95": round(percentile(latencies, 95) * 1000, 1),
                       "p99": round(percentile(latencies, 99) * 1000, 1), "max": round(latencies[-1] * 1000, 1),
                       "mean": round(statistics.fmean(latencies) * 1000, 1)},
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
