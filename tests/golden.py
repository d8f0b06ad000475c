"""Golden results: what every command answers on the demo and on the event logs of
``../shared/data``, recorded once so that a refactoring proves it changes no figure.

``python -m tests.golden`` records them (``tests/data/golden/*.json.gz``) from the code as it is;
``tests/test_golden.py`` runs the same commands and compares the whole JSON answers. Paths (the
only thing that differs between machines) are replaced by their file names.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
SHARED = ROOT.parent / "shared" / "data"

DEMO = ["demo", "--out", "{work}/demo"]
MAP, EVENTS, FEEDBACK = "{work}/demo/maison_lumiere.yaml", "{work}/demo/events.csv", "{work}/demo/feedback.csv"

# name: (commands run in order, the JSON answer compared); {work}: a fresh folder; {shared}: ../shared/data
CASES: dict[str, tuple[list[list[str]], str]] = {
    "demo": ([DEMO], "{work}/demo/results/analysis.json"),
    "demo_feedback": ([DEMO, ["feedback", FEEDBACK, "--map", MAP, "--events", EVENTS, "--out", "{work}/fb"]],
                      "{work}/fb/feedback.json"),
    "demo_compare": ([DEMO, ["compare", EVENTS, "--map", MAP, "--before", "2026-01-01..2026-03-31",
                             "--after", "2026-04-01..2026-06-30", "--feedback", FEEDBACK, "--out", "{work}/cmp"]],
                     "{work}/cmp/compare.json"),
    "demo_segments": ([DEMO, ["segments", EVENTS, "--map", MAP, "--every", "month", "--out", "{work}/seg"]],
                      "{work}/seg/segments.json"),
    "helpdesk_csv": ([["analyze", "{shared}/helpdesk_tickets/helpdesk_events.csv.gz", "--out", "{work}/r"]],
                     "{work}/r/analysis.json"),
    "helpdesk_xes": ([["analyze", "{shared}/helpdesk_tickets/helpdesk.xes.gz", "--out", "{work}/r"]],
                     "{work}/r/analysis.json"),
    "running_example_csv": ([["analyze", "{shared}/pm_running_example/running-example.csv", "--out", "{work}/r"]],
                            "{work}/r/analysis.json"),
    "running_example_xes": ([["analyze", "{shared}/pm_running_example/running-example.xes", "--out", "{work}/r"]],
                            "{work}/r/analysis.json"),
    "receipt_csv": ([["analyze", "{shared}/wabo_receipt_phase/receipt.csv.gz", "--out", "{work}/r"]],
                    "{work}/r/analysis.json"),
}


def _paths_out(value: Any, prefixes: list[str]) -> Any:
    if isinstance(value, str):
        for p in prefixes:
            if p in value:
                value = value.replace(p, "<path>")
        return value
    if isinstance(value, dict):
        return {k: _paths_out(v, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [_paths_out(v, prefixes) for v in value]
    return value


def answer(name: str, work: Path, shared: Path = SHARED) -> Any:
    """Run the case's commands in ``work`` and return its JSON answer, paths replaced."""
    commands, out = CASES[name]
    fill = {"work": str(work), "shared": str(shared)}
    for args in commands:
        if args is DEMO and (work / "demo" / "results" / "analysis.json").exists():
            continue  # the demo is written once per folder: its files are the same every time
        p = subprocess.run([sys.executable, "-m", "parcours", *(a.format(**fill) for a in args), "--no-cache"]
                           if args[0] == "analyze" else
                           [sys.executable, "-m", "parcours", *(a.format(**fill) for a in args)],
                           capture_output=True, text=True, cwd=work)
        if p.returncode != 0:
            raise AssertionError(f"{name}: parcours {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    data = json.loads(Path(out.format(**fill)).read_text(encoding="utf-8"))
    return _paths_out(data, [str(work) + "/", str(shared) + "/", str(shared.resolve()) + "/"])


def golden(name: str) -> Any:
    with gzip.open(GOLDEN / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def record() -> None:
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        with tempfile.TemporaryDirectory() as work:
            data = answer(name, Path(work))
        with gzip.GzipFile(GOLDEN / f"{name}.json.gz", "wb", mtime=0) as f:
            f.write(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        print(f"recorded {name}")


if __name__ == "__main__":
    record()
