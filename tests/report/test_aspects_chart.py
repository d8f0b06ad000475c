"""The report (and the live map, which is the report) shows what comments speak of: one bar
per aspect, negative comments first, named in the report's language whatever the run's."""

from __future__ import annotations

import json

import pandas as pd

from parcours.model import map_from_dict
from parcours.project.feedback import feedback
from parcours.report.html import figures
from parcours.report.labels import labels

MAP = map_from_dict({"language": "fr", "stages": [{"id": "achat", "name": {"fr": "Achat", "en": "Purchase"}}]})
SAID = [("Remboursement jamais reçu, honteux", 1), ("Impossible de joindre le service client", 1),
        ("Prix correct et conseillère aimable", 5), ("Les frais ont encore augmenté", 2),
        ("Livraison rapide, merci", 5), ("Le site plante sans arrêt", 1)]


def test_the_aspects_chart_counts_each_aspects_comments(tmp_path):
    rows = [{"note": s, "avis": t} for t, s in SAID * 5]
    pd.DataFrame(rows).to_csv(tmp_path / "avis.csv", index=False)
    fb = feedback(tmp_path / "avis.csv", MAP, metric="csat", columns={"score": "note", "comment": "avis"}, lang="fr")
    aspects = {a["aspect"]: a for a in fb.data["aspects"]}
    for lang in ("fr", "en"):
        L = labels(lang)
        chart = next(f for f in figures({"feedback": fb.data}, MAP, lang, L) if f["key"] == "aspects")
        fig = json.loads(chart["fig"].to_json())
        negative, others = fig["data"]
        names = {"fr": {"claims": "Sinistres et remboursements", "contact": "Contact et joignabilité"},
                 "en": {"claims": "Claims and refunds", "contact": "Contact and reachability"}}[lang]
        for key, name in names.items():
            i = negative["y"].index(name)
            assert negative["x"][i] == aspects[key]["negative"]
            assert negative["x"][i] + others["x"][i] == aspects[key]["comments"]
        assert len(negative["y"]) == len(aspects)
        assert chart["title"] == L["aspects"]
