"""How a file was read — the columns found, the notes, the reasons rows were set aside — is
said on the data page in the reader's language (issue 23, §3), through the real app."""

from __future__ import annotations

import pytest

from parcours.project.texts import read_note
from parcours.web import i18n
from tests.web.test_api import client_for, world  # noqa: F401 - fixture reused
from tests.web.test_i18n_pages import _foreign, _visible

# Times without offset (a note), and every third one unreadable (quarantined, past the limit).
BODY = "customer_id,timestamp,event\n" + "".join(
    f"c{i},{'le 3 mars' if i % 3 == 0 else f'2026-01-0{1 + i % 5} 10:00:00'},visit\n" for i in range(12))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_data_page_says_how_the_file_was_read_in_its_language(store, world, tmp_path, lang):  # noqa: F811
    c, h = client_for(store, "alice", data_dir=tmp_path)
    pa = world["pa"].id
    sid = c.post(f"/api/v1/projects/{pa}/data", params={"filename": "mars.csv"}, content=BODY.encode(),
                 headers={**h, "Content-Type": "application/octet-stream"}).json()["id"]
    r = c.post(f"/api/v1/projects/{pa}/data/{sid}/mapping", json={"columns": {}}, headers=h)
    report = r.json()["detail"]["report"]
    assert r.status_code == 422 and report["quarantined"] == 4  # 4 of 12: refused, its report kept
    # the API keeps the ingest layer's English texts, for scripts
    assert report["first_problems"][0]["reason"].startswith("unparseable time in column 'timestamp': le 3 mars")
    said = _visible(c.get(f"/projects/{pa}/data/{sid}", headers={"Accept-Language": lang}).text)
    reason = i18n.text(lang, "ingest.reason.unparseable_time", column="'timestamp'", value="le 3 mars")
    note = i18n.text(lang, "ingest.note.naive_utc", column="'timestamp'")
    assert reason in said and note in said
    assert read_note(report["first_problems"][0]["reason"], lang) == reason
    roles = ", ".join(f"{i18n.text(lang, f'source.role.{r}')}={col}"
                      for r, col in (("customer", "customer_id"), ("time", "timestamp"), ("event", "event")))
    assert i18n.text(lang, "source.detected", roles=roles) in said
    assert _foreign(said, lang) == []
    if lang == "fr":
        assert "unparseable" not in said and "have no UTC offset" not in said


REFUSED = [  # (file name, content, the words the refusal is said with, in the catalogues)
    ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
     ("ingest.upload.not_text", {"file": "photo.csv", "fmt": "CSV"}, ("ingest.found.png", {}))),
    ("export.csv", "\ufeffcolonne unique\nvaleur\n".encode("utf-8"),
     ("ingest.upload.no_delimiter", {"file": "export.csv", "header": "'colonne unique'"}, None)),
    ("events.jsonl", b"[1, 2, 3]\n", ("ingest.upload.jsonl_not_object", {"file": "events.jsonl", "line": 1,
                                                                          "type": "list"}, None)),
]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name,content,expected", REFUSED)
def test_a_refused_upload_says_why_in_the_askers_language(store, world, tmp_path, lang, name, content, expected):  # noqa: F811
    c, h = client_for(store, "alice", data_dir=tmp_path)
    pa = world["pa"].id
    r = c.post(f"/api/v1/projects/{pa}/data", params={"filename": name}, content=content,
               headers={**h, "Content-Type": "application/octet-stream", "Accept-Language": lang})
    assert r.status_code == 415, r.text
    key, values, found = expected
    if found:
        values = {**values, "found": i18n.text(lang, found[0], **found[1])}
    detail = r.json()["detail"]
    assert detail["message"] == i18n.text(lang, key, **values)
    assert detail["hint"] == i18n.text(lang, key + "_hint")
    if lang == "fr":
        assert "not" not in detail["message"].split(": ", 1)[-1]  # no English left after the file's name


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_data_page_gives_a_small_files_size_in_bytes(store, world, tmp_path, lang):  # noqa: F811
    c, h = client_for(store, "alice", data_dir=tmp_path)
    pa = world["pa"].id
    assert c.post(f"/api/v1/projects/{pa}/data", params={"filename": "mars.csv"}, content=BODY.encode(),
                  headers={**h, "Content-Type": "application/octet-stream"}).status_code == 201
    said = _visible(c.get(f"/projects/{pa}/data", headers={"Accept-Language": lang}).text)
    # 338 bytes were "0.0 MB"
    assert i18n.text(lang, "limits.bytes", n=len(BODY.encode())) in said and "0,0" not in said and "0.0" not in said
