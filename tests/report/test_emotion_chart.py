"""The emotion chart draws the map's designed emotion with or without answers, and the measured
satisfaction beside it when there are answers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import parcours
from parcours.model import map_from_dict
from parcours.report import charts as CH
from parcours.report.labels import labels

STAGES = [{"id": "a", "name": "Découverte", "emotion": 1}, {"id": "b", "name": "Achat & paiement", "emotion": -2},
          {"id": "c", "name": "Suivi"}, {"id": "d", "name": "Fidélité", "emotion": 2}]


def traces(fig) -> dict[str, dict]:
    """The figure as the page receives it (its JSON), traces by name."""
    return {t["name"]: t for t in json.loads(fig.to_json())["data"]}


def test_designed_curve_without_feedback(tmp_path):
    m = map_from_dict({"stages": STAGES, "touchpoints": [{"id": s["id"] + "_tp", "stage": s["id"]} for s in STAGES]})
    path = tmp_path / "e.csv"
    pd.DataFrame([{"customer_id": "c1", "event": "a_tp", "timestamp": "2026-01-01T10:00:00Z"},
                  {"customer_id": "c1", "event": "b_tp", "timestamp": "2026-01-01T11:00:00Z"}]).to_csv(path, index=False)
    data = json.loads(parcours.analyze(path, m).to_json())
    assert "feedback" not in data
    for lang in ("fr", "en"):
        L = labels(lang)
        t = traces(CH.emotion(data, m, lang, L))
        assert set(t) == {L["designed"]}  # nothing measured: the designed curve alone
        assert t[L["designed"]]["y"] == [75.0, 0.0, None, 100.0]  # (e + 2) / 4 × 100, a gap without emotion
        assert len(t[L["designed"]]["x"]) == 4 and "Achat &amp; paiement" in t[L["designed"]]["x"][1]


def test_measured_beside_designed_and_nothing_to_draw():
    m = map_from_dict({"stages": STAGES})
    curve = [{"stage": "a", "satisfaction": 62.5, "ci_low": 55.0, "ci_high": 70.0, "responses": 120, "small": False},
             {"stage": "b", "satisfaction": 40.0, "ci_low": 20.0, "ci_high": 60.0, "responses": 9, "small": True},
             {"stage": "c", "satisfaction": None, "ci_low": None, "ci_high": None, "responses": 0, "small": True},
             {"stage": "d", "satisfaction": None, "ci_low": None, "ci_high": None, "responses": 0, "small": True}]
    L = labels("en")
    t = traces(CH.emotion({"feedback": {"emotion_curve": curve}}, m, "en", L))
    measured = t[L["measured"]]
    assert measured["y"] == [62.5, 40.0, None, None]
    assert measured["error_y"]["array"][:2] == [pytest.approx(7.5), pytest.approx(20.0)]
    assert measured["marker"]["color"][:2] == [CH.PALETTE[0], "white"]  # hollow: a small group
    assert t[L["designed"]]["y"] == [75.0, 0.0, None, 100.0]
    bare = map_from_dict({"stages": [{"id": "a", "name": "A"}]})
    assert CH.emotion({}, bare, "en", L) is None
