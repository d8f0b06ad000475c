"""Chart labels with '&', '<' or long names: cut as the reader reads them, then escaped for
Plotly ("Fidélisation &amp;…" on an axis was escaped first, then cut inside the entity)."""

from __future__ import annotations

import html
import re

import pytest

from parcours.model import map_from_dict
from parcours.report import charts as CH
from parcours.report.labels import labels

NAMES = ["Découverte", "Fidélisation & recommandation", "Livraison & après-vente", "<b>Achat</b> & paiement en ligne",
         "Un nom d'étape vraiment très long pour une colonne étroite"]
M = map_from_dict({"stages": [{"id": f"s{i}", "name": n} for i, n in enumerate(NAMES)],
                   "touchpoints": [{"id": f"t{i}", "stage": f"s{i}"} for i in range(len(NAMES))]})
DATA = {"stages": [{"stage": f"s{i}", "name": n, "reached": 100 - i, "conversion_rate": 0.5} for i, n in enumerate(NAMES)],
        "stage_durations": [{"stage": f"s{i}", "measure": "to_next_stage", "count": 10, "min": 60, "p25": 600,
                             "median": 3600, "mean": 7200, "p75": 8000, "p90": 20000, "max": 90000}
                            for i in range(len(NAMES))]}


def read(label: str) -> str:
    """What the reader sees: Plotly's markup lines joined, entities decoded."""
    text = re.sub(r"<span[^>]*>.*?</span>", "", label)
    return html.unescape(" ".join(x for x in text.split("<br>") if x))


def check(label: str, name: str) -> None:
    assert not re.search(r"&[a-z]*…|&amp(?!;)|&a…", label), label  # no entity cut
    assert "<b>" not in label, label  # user markup stays text
    seen = read(label)
    if seen.endswith("…"):
        assert name.startswith(seen[:-1].rstrip()), (seen, name)
    else:
        assert seen == name, (seen, name)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_axis_labels_are_cut_then_escaped(lang):
    L = labels(lang)
    durations = CH.stage_durations(DATA, M, lang, L)
    ticks = list(durations.data[0].x)
    assert len(ticks) == len(NAMES)
    for label, name in zip(ticks, NAMES):
        check(label.split("<br><span")[0], name)
    assert any(read(t.split("<br><span")[0]).endswith("…") for t in ticks)  # the long ones are cut
    funnel = CH.funnel(DATA, lang, L, M)
    for label, name in zip(funnel.data[0].y, NAMES):
        check(label, name)
    assert read(CH._short(CH._t("Fidélisation & recommandation"), 12)) == "Fidélisation & recommand…"
