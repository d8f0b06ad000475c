"""A load test of event collection: a real ``parcours serve`` (SQLite) on loopback, 8 threads
posting batches of 200 events for about 8 seconds, some batches sent again on purpose.

Checks: no 5xx, stored + duplicates = sent for every answer, every accepted id stored exactly
once. Writes throughput and latency percentiles to ``bench/results/load_events.json``.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from tests.web.test_serve import serve, stop

THREADS = 8
BATCH = 200
SECONDS = 8.0
RESEND_EVERY = 5  # every 5th request of a thread sends an earlier batch (its own or another thread's) again
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "load_events.json"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]  # nearest rank


def test_load_events_over_loopback(tmp_path):
    from parcours.store.db import connect
    from parcours.store.models import CollectedEvent
    from parcours.store.tokens import create_token
    from parcours.store.users import create_user
    from parcours.store.workspaces import add_member, create_project, create_workspace

    proc, base = serve(tmp_path)  # migrates <tmp>/.parcours/app.db
    try:
        store = connect(f"sqlite:///{tmp_path / '.parcours' / 'app.db'}")
        user = create_user(store, "loader@example.org", "Loader", "loader-password-1")
        workspace = create_workspace(store, "Load")
        add_member(store, workspace.id, user.id, "editor")
        project = create_project(store, workspace.id, "Stream")
        _, token = create_token(store, user.id, "load test")

        sent_batches: list[list[dict]] = []  # every batch sent once, for re-sending
        lock = threading.Lock()
        records: list[tuple[float, int, dict | None, int]] = []  # (seconds, status, answer, events sent)
        load = os.getloadavg()[0]
        start = time.perf_counter()
        deadline = start + SECONDS

        def worker(k: int) -> None:
            rng = random.Random(k)
            n = 0
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
                while time.perf_counter() < deadline:
                    n += 1
                    with lock:
                        again = n % RESEND_EVERY == 0 and sent_batches
                        batch = rng.choice(sent_batches) if again else None
                    if batch is None:
                        batch = [{"id": f"t{k}-b{n}-{i}", "customer": f"c{rng.randrange(500)}",
                                  "event": rng.choice(("visit", "search", "cart", "buy")),
                                  "time": 1714557600000 + rng.randrange(86_400_000), "channel": "web",
                                  "attributes": {"ab": rng.choice("AB")}} for i in range(BATCH)]
                        with lock:
                            sent_batches.append(batch)
                    t0 = time.perf_counter()
                    r = client.post(f"/api/v1/projects/{project.id}/events", json={"events": batch})
                    elapsed = time.perf_counter() - t0
                    answer = r.json() if r.status_code == 200 else None
                    with lock:
                        records.append((elapsed, r.status_code, answer, len(batch)))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 60)
        wall = time.perf_counter() - start
        assert not any(t.is_alive() for t in threads)

        statuses = sorted({s for _, s, _, _ in records})
        assert statuses == [200], statuses  # no 5xx, nothing refused
        answers = [a for _, _, a, _ in records]
        assert all(a["stored"] + a["duplicates"] == a["received"] == n and not a["rejected"]
                   for (_, _, a, n) in records)
        sent = sum(n for *_, n in records)
        stored = sum(a["stored"] for a in answers)
        duplicates = sum(a["duplicates"] for a in answers)
        distinct_sent = {e["id"] for b in sent_batches for e in b}
        assert stored + duplicates == sent
        assert stored == len(distinct_sent)  # every new id was stored once, every re-sent one was a duplicate
        assert duplicates >= BATCH  # some batches were indeed sent again
        with store.transaction() as session:
            total, unique = session.execute(select(func.count(), func.count(func.distinct(CollectedEvent.event_id)))
                                            .where(CollectedEvent.project_id == project.id)).one()
            ids = set(session.scalars(select(CollectedEvent.event_id).where(CollectedEvent.project_id == project.id)))
        assert total == unique == stored and ids == distinct_sent
        store.close()
    finally:
        err = stop(proc)
    assert "Traceback" not in err, err

    latencies = [s * 1000 for s, *_ in records]
    figures = {
        "what": f"POST /api/v1/projects/<id>/events, {THREADS} threads over loopback, batches of {BATCH} events, "
                f"every {RESEND_EVERY}th request a batch sent again; SQLite; parcours serve (one uvicorn process)",
        "machine": f"{os.cpu_count()} cores {platform.machine()}, Python {platform.python_version()}, load average "
                   f"{load:.1f} at the start (other processes share the cores)",
        "seconds": round(wall, 2), "requests": len(records), "events_sent": sent, "events_stored": stored,
        "duplicates": duplicates,
        "events_per_second": round(sent / wall), "stored_per_second": round(stored / wall),
        "batches_per_second": round(len(records) / wall, 1),
        "latency_ms": {"p50": round(percentile(latencies, 50), 1), "p95": round(percentile(latencies, 95), 1),
                       "p99": round(percentile(latencies, 99), 1), "max": round(max(latencies), 1),
                       "mean": round(statistics.fmean(latencies), 1)},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    assert len(records) >= THREADS  # every thread got at least one answer in time
