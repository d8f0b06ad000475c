"""What reading a file says — its notes and the reasons rows are quarantined — is said in the
reader's language (issue 23, §3): every text the ingest layer writes reads back into a key of
the catalogues and its values, on real files broken as teams break them."""

from __future__ import annotations

import csv
import gzip
import io
import json
import string

import pytest

from parcours.ingest import read_events
from parcours.ingest.feedback import read_feedback
from parcours.ingest.said import TEMPLATES, words_of
from parcours.demo import demo_map
from parcours.project.texts import catalogue, read_note
from tests.ingest.test_quarantine_once import HELPDESK

BABELIO = "french_book_reviews/babelio_reviews.jsonl.gz"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_template_is_in_both_catalogues_with_the_same_values():
    for lang in ("fr", "en"):
        texts = catalogue(lang)
        for key, template in TEMPLATES.items():
            assert _fields(texts[f"ingest.{key}"]) == _fields(template), (lang, key)
    # the French texts are French: none is the English template
    assert not [k for k in TEMPLATES if catalogue("fr")[f"ingest.{k}"] == TEMPLATES[k]]


def _said_in_french(text: str) -> str:
    assert words_of(text) is not None, f"no template made {text!r}"
    french = read_note(text, "fr")
    assert french != text
    return french


def test_the_reasons_and_notes_of_a_broken_real_log_are_said_in_french(shared_data, tmp_path):
    lines = gzip.decompress((shared_data / HELPDESK).read_bytes()).decode("utf-8").splitlines()[:400]
    rows = list(csv.reader(lines))
    header = rows[0]
    rows[10][0] = ""                                   # no customer
    rows[20][2] = "le 3 mars"                          # a time no one can read
    rows[30][1] = ""                                   # no event
    rows[40] = rows[40][:3]                            # a short line
    rows[50] = rows[50] + ["x", "y"]                   # two fields too many
    for r in rows[1:]:
        r[2] = r[2].replace("+00:00", "")              # times without offset: a note
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerows(rows)
    p = tmp_path / "helpdesk_broken.csv"
    p.write_text(out.getvalue(), encoding="utf-8")
    report = read_events(p, columns={"customer": header[0], "event": header[1], "time": header[2]},
                         max_bad_rows="100%").report
    assert [q["row"] for q in report.quarantine_rows] == [10, 20, 30, 40, 50]
    french = [_said_in_french(q["reason"]) for q in report.quarantine_rows]
    assert french[0] == f"client manquant (colonne {header[0]!r})"
    assert french[2] == f"événement manquant (colonne {header[1]!r})"
    assert french[3] == "la ligne a 3 champs, l'en-tête 13" and french[4] == "la ligne a 15 champs, l'en-tête 13"
    assert "le 3 mars" in french[1] and french[1].startswith("heure illisible")
    notes = [_said_in_french(n) for n in report.notes]
    assert any(n.startswith(f"les heures de {header[2]!r} n'ont pas de décalage UTC") for n in notes)


def test_the_reasons_of_broken_real_survey_answers_are_said_in_french(shared_data, tmp_path):
    reviews = [json.loads(line) for line in gzip.decompress((shared_data / BABELIO).read_bytes()).splitlines()[:60]]
    rows = [{"customer_id": f"r{i}", "submitted_at": f"2026-03-{1 + i % 28:02d}T10:00:00Z", "metric": "csat",
             "score": f"{r['rating']:g}", "comment": r["reader_review"][:200], "stage": "Achat"}
            for i, r in enumerate(reviews)]
    rows[3]["metric"] = "stars"                        # a metric Parcours does not know
    rows[6]["score"] = "9"                             # out of CSAT's 1–5
    rows[9]["score"], rows[9]["comment"] = "", ""      # nothing to measure
    rows[12]["score"] = "cinq"                         # not a number
    rows[15]["stage"] = "Caisse"                       # a stage the map does not have
    p = tmp_path / "babelio_survey.csv"
    with p.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    m = demo_map()
    log = read_feedback(p, m, max_bad_rows="100%")
    quarantined = log.report.quarantine_rows
    assert [q["row"] for q in quarantined] == [4, 7, 10, 13, 16]
    french = [_said_in_french(q["reason"]) for q in quarantined]
    assert french[0].startswith("indicateur inconnu dans la colonne 'metric'\u202f: stars")
    assert french[1] == "note CSAT hors de son échelle 1–5\u202f: 9.0"
    assert french[2] == "ni note ni commentaire"
    assert french[3] == "la note de la colonne 'score' n'est pas un nombre\u202f: cinq"
    assert french[4].startswith("étape inconnue dans la colonne 'stage'\u202f: Caisse")


@pytest.mark.parametrize("text", ["an engine's own message", "", None])
def test_a_text_no_template_made_is_given_as_it_is(text):
    assert words_of(text) is None and read_note(text, "fr") == (text or "")
