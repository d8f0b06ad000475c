"""The versions' text diff compares the maps' content, not their layout (issue 23): a long line
re-wrapped, a list written inline or in blocks, quotes and indents changed show no change; a real
change shows as one line removed and one added, wherever the text was re-wrapped around it."""

from __future__ import annotations

from parcours.store import diff, save_map
from parcours.store.map_diff import normal_yaml, text_diff

V1 = """\
name: Achat en ligne
description: Le parcours d'achat en ligne, de la première visite jusqu'à la livraison du colis et l'avis client.
stages:
  - {id: discover, name: Découverte}
  - {id: buy, name: Achat}
touchpoints:
  - {id: home, stage: discover, match: {event: home_view}}
"""

# The same map: the description folded over three lines, a stage in block style, other quotes and indents.
REWRAPPED = """\
name: "Achat en ligne"
description: >-
    Le parcours d'achat en ligne, de la première visite
    jusqu'à la livraison du colis
    et l'avis client.
stages:
- id: discover
  name: 'Découverte'
- {id: buy,   name: Achat}
touchpoints:
  - {id: home, stage: discover, match: {event: home_view}}
"""


def test_a_rewrapped_version_shows_no_change(store, project, alice):
    save_map(store, project.id, V1, alice.id, base=None)
    save_map(store, project.id, REWRAPPED, alice.id, base=1, message="re-wrapped")
    got = diff(store, project.id, 1, 2)
    assert got["text"] == ""
    kinds = ("stages", "touchpoints", "goals", "personas", "segments", "pain_points", "opportunities", "actions", "kpis")
    assert {k: got[k] for k in ("map", *kinds)} == {"map": {}, **{k: {"added": [], "removed": [], "changed": {}}
                                                                  for k in kinds}}


def test_a_real_change_in_a_rewrapped_version_is_the_only_line_shown(store, project, alice):
    changed = REWRAPPED.replace("et l'avis client.", "et l'avis du client.")
    save_map(store, project.id, V1, alice.id, base=None)
    save_map(store, project.id, changed, alice.id, base=1)
    lines = diff(store, project.id, 1, 2)["text"].splitlines()
    assert lines[:2] == ["--- v1", "+++ v2"]
    assert [x for x in lines[2:] if x[:1] in "+-"] == [
        "-description: Le parcours d'achat en ligne, de la première visite jusqu'à la livraison du colis et l'avis client.",
        "+description: Le parcours d'achat en ligne, de la première visite jusqu'à la livraison du colis et l'avis du client.",
    ]


def test_the_normal_form_keeps_the_author_s_order_and_drops_only_layout():
    assert normal_yaml(V1) == normal_yaml(REWRAPPED)
    assert normal_yaml(V1).splitlines()[:3] == [
        "name: Achat en ligne",
        "description: Le parcours d'achat en ligne, de la première visite jusqu'à la livraison du colis et l'avis client.",
        "stages:"]
    assert normal_yaml("a: 1  # a comment\n") == normal_yaml("a: 1\n")  # comments are not content
    assert normal_yaml("b: [1,\n") == "b: [1,\n"  # not YAML: compared as it is
    assert text_diff("b: [1,\n", "b: [2,\n", "v1", "v2").splitlines()[2:] == ["@@ -1 +1 @@", "-b: [1,", "+b: [2,"]
