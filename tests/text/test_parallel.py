"""Many comments are read on every core (parcours.text.parallel), with the result one process
gives, row for row (issue 24: 100k comments in under 30 s on 2 cores)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from parcours.text import features as F
from parcours.text import language as LG
from parcours.text import parallel as P


@pytest.fixture(scope="module")
def texts(shared_data):
    cr = shared_data / "customer_reviews"
    fr = pd.read_csv(cr / "fr_insurance_reviews" / "insurance_fr.csv.gz").dropna(subset=["text"])
    en = pd.read_csv(cr / "en_trustpilot_pet_insurance" / "pet_insurance_en.csv.gz").dropna(subset=["text"])
    op = pd.read_csv(cr / "opener_hotel_attraction_reviews" / "opener_reviews.csv.gz").dropna(subset=["text"])
    return (fr.text.sample(1500, random_state=2).tolist() + [None, "", "12 !!"] + en.text.sample(1500, random_state=2).tolist()
            + op.text.sample(600, random_state=2).tolist())


def _rows(x: F.Matrix) -> list[list[int]]:
    # a row's buckets are a set: compare them sorted
    return [sorted(x.buckets[a:b].tolist()) for a, b in zip(x.start[:-1], x.start[1:])]


def test_workers_read_what_one_process_reads(texts, monkeypatch):
    monkeypatch.setenv("PARCOURS_WORKERS", "1")
    alone = LG.detect(texts)
    languages = [lang for lang, _ in alone]
    x1 = F.matrix(texts, languages)
    monkeypatch.setenv("PARCOURS_WORKERS", "3")
    monkeypatch.setattr(P, "MIN_ITEMS", 100)
    assert LG.detect(texts) == alone
    x3 = F.matrix(texts, languages)
    assert len(P._workers) == 3  # the workers did read them
    assert x3.start.tolist() == x1.start.tolist() and _rows(x3) == _rows(x1)
    assert np.array_equal(x3.values, x1.values)
    assert np.array_equal(x3.polarity, x1.polarity) and np.array_equal(x3.negations, x1.negations)
    assert _rows(F.matrix(texts)) == _rows(x1)  # without languages too
    assert {lang for lang in languages if lang} >= {"fr", "en", "de", "es"}


def test_a_failure_in_a_worker_is_said(monkeypatch):
    monkeypatch.setenv("PARCOURS_WORKERS", "2")
    with pytest.raises(RuntimeError, match="worker process failed: TypeError"):
        P.map_chunks(int, ["1", "2"], min_items=1)  # int() of a chunk (a list)
    assert P.map_chunks(len, ["a", "bb", "ccc", "dddd"], min_items=1) == [2, 2]  # the workers still answer


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    """multiprocessing's spawn start would run this script again in each worker."""
    script = tmp_path / "score.py"
    script.write_text(textwrap.dedent("""
        import os
        os.environ["PARCOURS_WORKERS"] = "2"
        from parcours.text import features, parallel
        parallel.MIN_ITEMS = 10
        print("start")
        x = features.matrix(["très déçu, aucune réponse"] * 50, ["fr"] * 50)
        print(len(x), len(parallel._workers))
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["start", "50", "2"]
