"""Refactorings change no figure: every command's JSON answer on the demo and on the event logs
of ../shared/data is compared, whole (floats to 1e-9 relative: threads sum in any order), with what the code answered before (tests/golden.py says
how they were recorded). A difference is shown as the first paths that differ."""

from __future__ import annotations

import math

import pytest

from tests.golden import CASES, answer, golden


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("golden")


def _differences(a, b, where="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: only in {'the answer' if k in a else 'the golden file'}" for k in sorted(set(a) ^ set(b))]
        for k in sorted(set(a) & set(b)):
            out += _differences(a[k], b[k], f"{where}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
        return []  # sums over threads add in any order: the last digits of a mean may differ run to run
    return [] if a == b else [f"{where}: {a!r} != {b!r}"[:300]]


@pytest.mark.shared_data
@pytest.mark.parametrize("name", list(CASES))
def test_same_answer_as_before(name, work, shared_data):
    got = answer(name, work, shared_data)
    want = golden(name)
    differences = _differences(got, want)
    assert differences == [], "\n".join(differences[:15])
