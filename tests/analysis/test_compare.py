"""Before/after on generated journeys: an injected effect is found, no effect is (mostly) not."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from parcours.model import map_from_dict
from parcours.project.compare import compare

MAP = map_from_dict({
    "stages": [{"id": "s1", "name": "Browse"}, {"id": "s2", "name": "Cart"}, {"id": "s3", "name": "Pay"}],
    "touchpoints": [{"id": "view", "stage": "s1"}, {"id": "cart", "stage": "s2"}, {"id": "pay", "stage": "s3"}],
    "goals": [{"id": "pay"}],
})


def journeys(seed: int, n: int, month: int, p_cart: float, pay_delay_h: float) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        c, t = f"m{month}c{i}", dt.datetime(2026, month, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=int(rng.integers(0, 40000)))
        rows.append({"customer_id": c, "event": "view", "timestamp": t})
        if rng.random() < p_cart:
            t += dt.timedelta(minutes=float(rng.exponential(30)))
            rows.append({"customer_id": c, "event": "cart", "timestamp": t})
            if rng.random() < 0.5:
                t += dt.timedelta(hours=float(rng.exponential(pay_delay_h)))
                rows.append({"customer_id": c, "event": "pay", "timestamp": t})
    return rows


def run(tmp_path, p_after: float, delay_after: float, seed: int = 1):
    rows = journeys(seed, 1500, 1, 0.6, 2.0) + journeys(seed + 100, 1500, 3, p_after, delay_after)
    path = tmp_path / f"events_{seed}.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return compare(path, MAP, before="2026-01-01..2026-01-31", after="2026-03-01..2026-03-31"), rows


def by_key(result):
    return {(r["level"], r["item"], r["indicator"]): r for r in result.data["rows"]}


def test_an_injected_effect_is_found_with_the_right_numbers(tmp_path):
    result, rows = run(tmp_path, p_after=0.45, delay_after=6.0)  # fewer carts, slower payments
    rows_ = by_key(result)
    conv = rows_[("stage", "s1", "conversion")]
    df = pd.DataFrame(rows)
    for side, month in (("before", 1), ("after", 3)):
        d = df[df["customer_id"].str.startswith(f"m{month}")]
        reached = d.loc[d.event == "view", "customer_id"].nunique()
        converted = d.loc[d.event == "cart", "customer_id"].nunique()
        assert conv[side] == pytest.approx(converted / reached)  # independent pandas count
    assert conv["significant"] and conv["change"] < 0 and conv["test"] == "two proportions"
    dur = rows_[("stage", "s2", "duration_to_next_median")]
    assert dur["significant"] and dur["after"] > dur["before"] and dur["test"] == "Mann-Whitney U"


def test_no_effect_is_rarely_called_significant(tmp_path):
    significant = total = 0
    for seed in range(4):
        result, _ = run(tmp_path, p_after=0.6, delay_after=2.0, seed=seed)
        significant += sum(r["significant"] for r in result.data["rows"])
        total += len(result.data["rows"])
    assert total >= 40 and significant / total <= 0.15  # alpha is 5%; a few false positives are expected


def test_cli_compare_and_bad_options(tmp_path):
    pd.DataFrame(journeys(1, 300, 1, 0.6, 2.0) + journeys(2, 300, 3, 0.6, 2.0)).to_csv(tmp_path / "e.csv", index=False)
    (tmp_path / "map.yaml").write_text(json.dumps(MAP.model_dump(mode="json", by_alias=True, exclude_defaults=True)))
    run_ = [sys.executable, "-m", "parcours", "compare", tmp_path / "e.csv", "--map", tmp_path / "map.yaml"]
    p = subprocess.run([*run_, "--before", "2026-01-01..2026-01-31", "--after", "2026-03-01..2026-03-31",
                        "--out", tmp_path / "out"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    data = json.loads((tmp_path / "out" / "compare.json").read_text())
    assert data["journeys"] == {"before": 300, "after": 300}
    assert (tmp_path / "out" / "compare.csv").read_text().startswith('"level","item","name","indicator"')
    p = subprocess.run([*run_, "--before", "2026-01-01..", "--out", tmp_path / "x"], capture_output=True, text=True)
    assert p.returncode == 2 and "--before and --after" in p.stderr and "Traceback" not in p.stderr


def test_two_versions_of_the_map_on_the_same_events(tmp_path):
    path = tmp_path / "e.csv"
    pd.DataFrame(journeys(1, 400, 1, 0.6, 2.0)).to_csv(path, index=False)
    same = compare(path, MAP, map_before=MAP.model_copy())
    assert all(r["change"] == 0 and not r["significant"] for r in same.data["rows"])
    # The later map moves "cart" to the first stage: fewer journeys convert out of it.
    later = map_from_dict({**MAP.model_dump(mode="json", by_alias=True, exclude_defaults=True),
                           "touchpoints": [{"id": "view", "stage": "s1"}, {"id": "cart", "stage": "s1"},
                                           {"id": "pay", "stage": "s3"}]})
    rows = by_key(compare(path, later, map_before=MAP))
    assert rows[("stage", "s1", "reach")]["change"] == 0
    assert rows[("stage", "s2", "reach")]["after"] == 0 and rows[("stage", "s2", "reach")]["significant"]
