"""Bad input: every row read is accepted or quarantined with a reason; errors are clear."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from parcours.errors import ColumnRoleError, InputError, TooManyBadRows
from parcours.ingest import parse_max_bad_rows, read_events

HEADER = "customer_id,timestamp,event,amount\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_quarantine_reasons_and_rows(tmp_path):
    p = write(tmp_path, "ev.csv", HEADER + "\n".join([
        "c1,2026-01-01T10:00:00+01:00,home,",        # row 1 ok
        ",2026-01-01T10:01:00+01:00,home,",           # row 2 missing customer
        "c1,not a time,cart,",                         # row 3 bad time
        "c2,2026-01-01T11:00:00+01:00,,",             # row 4 missing event
        "c2,2026-01-01T11:05:00+01:00,paid,12,5",     # row 5 too many fields (CSV reject)
        "c2,2026-01-01T11:06:00+01:00,paid,abc",      # row 6 value not a number
        "c3,1767261600,home,",                         # row 7 epoch among ISO text: unparseable as ISO
        "c3,2026-01-01T12:00:00Z,paid,30.5",          # row 8 ok
    ]) + "\n")
    log = read_events(p, max_bad_rows="100%")
    r = log.report
    assert r.read == 8 and r.accepted == 2 and r.quarantined == 6
    assert r.read == r.accepted + r.quarantined
    q = r.quarantine.set_index("row")["reason"].to_dict()
    assert sorted(q) == [2, 3, 4, 5, 6, 7]
    assert q[2].startswith("missing customer")
    assert q[3].startswith("unparseable time") and "not a time" in q[3]
    assert q[4].startswith("missing event")
    assert "too many columns" in q[5]
    assert q[6].startswith("value in column 'amount' is not a number")
    assert "unparseable time" in q[7]
    df = log.to_pandas()
    assert df["value"].tolist() == [None, 30.5] or df["value"].isna().tolist() == [True, False]


def test_threshold_fails_with_count_and_first_reason(tmp_path):
    rows = [f"c{i},2026-01-01T10:00:00Z,home" for i in range(98)] + ["c1,bad,home", "c2,bad,home"]
    p = write(tmp_path, "ev.csv", "customer_id,timestamp,event\n" + "\n".join(rows) + "\n")
    with pytest.raises(TooManyBadRows) as e:
        read_events(p, max_bad_rows="1%")
    assert "2 of 100 rows" in str(e.value) and "row 99" in str(e.value)
    assert len(e.value.report.quarantine) == 2
    assert read_events(p, max_bad_rows="2").report.quarantined == 2
    with pytest.raises(TooManyBadRows):
        read_events(p, max_bad_rows=0)


def test_max_bad_rows_parsing():
    assert parse_max_bad_rows("5%") == ("share", 0.05)
    assert parse_max_bad_rows("0.05") == ("share", 0.05)
    assert parse_max_bad_rows("10") == ("count", 10)
    assert parse_max_bad_rows(None) == ("share", 0.01)
    for bad in ("ten", "-1", "150%", "2.5"):
        with pytest.raises(Exception, match="max-bad-rows"):
            parse_max_bad_rows(bad)


def test_mixed_timezones_need_a_zone(tmp_path):
    p = write(tmp_path, "ev.csv", "customer_id,timestamp,event\n"
              "c1,2026-03-01T10:00:00+01:00,a\nc1,2026-03-01 10:30:00,b\nc1,2026-07-01T10:00:00+02:00,c\n")
    with pytest.raises(InputError, match=r"mixes times with a UTC offset.*row 2"):
        read_events(p)
    log = read_events(p, timezone="Europe/Paris")
    times = log.to_pandas()["time"].dt.strftime("%Y-%m-%dT%H:%M:%S").tolist()
    assert times == ["2026-03-01T09:00:00", "2026-03-01T09:30:00", "2026-07-01T08:00:00"]


@pytest.mark.parametrize(("text", "aware"), [
    ("2026-03-02T10:00:00.123456+01:00", True), ("2026-03-02 10:00:00 +0100", True), ("2026-03-02T10:00Z", True),
    ("2026-03-02T10:00:00-05", True), ("20260302T100000Z", True), ("2026-03-02T10+01", True),
    ("2026-03-02T10:00:00.+01:00", True), ("2026-03-02", False), ("2026-03", False), ("2026-03-02 10:00:00", False),
    ("2026-03-02T10:00:00.123", False)])
def test_an_offset_is_one_after_a_time_of_day(text, aware):
    import re

    from parcours.ingest.normalize import _AWARE

    assert bool(re.search(_AWARE, text)) is aware


def test_dates_without_a_time_are_midnight_not_an_offset(tmp_path):
    """``2026-03-02`` ends like an offset (``-02``) but is a date: beside times without offset
    it is read as midnight; beside times with one, the mixing error names the date's row."""
    p = write(tmp_path, "ev.csv", "customer_id,timestamp,event\n"
              "c1,2026-03-01 10:00:00,a\nc1,2026-03-02,b\nc1,2026-03-02T10:00:00,c\n")
    times = read_events(p).to_pandas()["time"].dt.strftime("%Y-%m-%dT%H:%M:%S").tolist()
    assert times == ["2026-03-01T10:00:00", "2026-03-02T00:00:00", "2026-03-02T10:00:00"]
    q = write(tmp_path, "aware.csv", "customer_id,timestamp,event\n"
              "c1,2026-03-01T10:00:00+01:00,a\nc1,2026-03-02,b\nc1,2026-03-02T10:00:00Z,c\n")
    with pytest.raises(InputError, match=r"mixes times with a UTC offset.*row 2: '2026-03-02'"):
        read_events(q)
    times = read_events(q, timezone="Europe/Paris").to_pandas()["time"].dt.strftime("%Y-%m-%dT%H:%M:%S").tolist()
    assert times == ["2026-03-01T09:00:00", "2026-03-01T23:00:00", "2026-03-02T10:00:00"]


def test_naive_times_in_a_zone_follow_summer_time(tmp_path):
    p = write(tmp_path, "ev.csv", "customer_id,timestamp,event\nc1,2026-01-15 12:00:00,a\nc1,2026-07-15 12:00:00,b\n")
    utc = read_events(p).to_pandas()["time"].dt.hour.tolist()
    paris = read_events(p, timezone="Europe/Paris").to_pandas()["time"].dt.hour.tolist()
    assert utc == [12, 12] and paris == [11, 10]
    with pytest.raises(Exception, match="unknown time zone"):
        read_events(p, timezone="Europe/Atlantis")


@pytest.mark.parametrize("unit,scale", [("s", 1), ("ms", 1_000), ("us", 1_000_000)])
def test_epoch_units_detected(tmp_path, unit, scale):
    base = 1767261600  # 2026-01-01T10:00:00Z
    p = write(tmp_path, "ev.csv", "customer_id,timestamp,event\n"
              f"c1,{base * scale},a\nc1,{(base + 90) * scale},b\n")
    log = read_events(p)
    assert any(f"epoch {unit}" in n for n in log.report.notes)
    assert log.to_pandas()["time"].dt.strftime("%H:%M:%S").tolist() == ["10:00:00", "10:01:30"]


def test_equal_timestamps_keep_input_order(tmp_path):
    p = write(tmp_path, "ev.csv", "customer_id,timestamp,event\n"
              "c1,2026-01-01T10:00:05Z,third\nc1,2026-01-01T10:00:00Z,first\nc1,2026-01-01T10:00:05Z,fourth\n"
              "c1,2026-01-01T10:00:00Z,second\n")
    import parcours

    top = parcours.analyze(p).data["variants"]["top"]
    assert top[0]["path"] == ["first", "second", "third", "fourth"]


def test_duplicates_dropped_on_request_and_counted(tmp_path):
    p = write(tmp_path, "ev.csv", "customer_id,timestamp,event\n"
              "c1,2026-01-01T10:00:00Z,a\nc1,2026-01-01T10:00:00Z,a\nc1,2026-01-01T10:01:00Z,b\n")
    assert read_events(p).report.kept == 3
    r = read_events(p, drop_duplicates=True).report
    assert (r.read, r.accepted, r.duplicates_dropped, r.kept) == (3, 3, 1, 2)


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(InputError, match="empty"):
        read_events(write(tmp_path, "empty.csv", ""))
    with pytest.raises(InputError):
        read_events(write(tmp_path, "header.csv", "customer_id,timestamp,event\n"))


def test_missing_roles_say_which_and_list_columns(tmp_path):
    p = write(tmp_path, "ev.csv", "who,when,what\nc1,2026-01-01T10:00:00Z,a\n")
    with pytest.raises(ColumnRoleError, match=r"(?s)customer and the time and the event.*who, when, what"):
        read_events(p)
    log = read_events(p, columns={"customer": "who", "time": "when", "event": "what"})
    assert log.report.accepted == 1
    with pytest.raises(ColumnRoleError, match="does not exist"):
        read_events(p, columns={"customer": "nobody"})


def test_corrupt_gzip_csv(tmp_path):
    p = tmp_path / "ev.csv.gz"
    data = gzip.compress((HEADER + "c1,2026-01-01T10:00:00Z,a,\n" * 5000).encode())
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="ev.csv.gz: the gzip file is truncated"):
        read_events(p)


def test_jsonl_bad_lines_quarantined_with_line_numbers(tmp_path):
    p = write(tmp_path, "ev.jsonl", '{"userId": "u1", "timestamp": "2026-01-01T10:00:00Z", "event": "a"}\n'
              '{"userId": "u1", "timestamp": "2026-01-01T10:01:00Z", "event": "b", "props": {"x": 1}}\n'
              '{"userId": "u2", "timestamp": \n'
              '\n'
              '[1, 2]\n'
              '{"userId": "u2", "timestamp": 1767261600000, "event": "c"}\n')
    log = read_events(p, max_bad_rows="100%")
    r = log.report
    assert r.detection.schema == "Segment"
    assert (r.read, r.accepted, r.quarantined) == (5, 2, 3)
    q = r.quarantine.set_index("row")["reason"].to_dict()
    assert q[3].startswith("invalid JSON") and q[5].startswith("line is JSON but not an object")
    assert "unparseable time" in q[6]  # an epoch among ISO texts is not guessed


def test_parquet_folder_reads_every_file_in_order(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    pd.DataFrame({"customer_id": ["c1", "c1"], "timestamp": pd.to_datetime(["2026-01-01T10:00:00Z"] * 2),
                  "event": ["a", "b"]}).to_parquet(folder / "part-0.parquet")
    pd.DataFrame({"customer_id": ["c1"], "timestamp": pd.to_datetime(["2026-01-01T10:00:00Z"]),
                  "event": ["c"]}).to_parquet(folder / "part-1.parquet")
    import parcours

    result = parcours.analyze(folder)
    assert result.data["input"]["read"] == 3
    assert result.data["variants"]["top"][0]["path"] == ["a", "b", "c"]


def test_whitespace_only_ids_and_events_are_quarantined_others_kept(tmp_path):
    """Blank = missing or only the whitespace the engine trims; a value that merely starts
    with whitespace, or starts with a character above code 32, is kept (the check looks at
    the first character before trimming)."""
    ws = [" ", "\t", "\n", "\r", "\x0b", "\x0c"]
    customers = ["", *ws, " \t\n", "  c1", "\tc2", "c3 ", "é", "\u00a0", "!", "c4"]
    events = ["home"] * len(customers)
    customers += ["c5", "c6", "c7"]
    events += [" \x0c", "\x0b", " page"]
    df = pd.DataFrame({"customer_id": customers, "timestamp": pd.Timestamp("2026-01-01", tz="UTC"),
                       "event": events})
    p = tmp_path / "ev.parquet"
    df.to_parquet(p)
    log = read_events(p, max_bad_rows="100%")
    blank = set(" \t\n\r\x0b\x0c")  # what DuckDB's and Spark's trim remove, as Ibis' strip asks

    def is_blank(s: str) -> bool:
        return all(ch in blank for ch in s)

    expected = {i + 1 for i, (c, e) in enumerate(zip(customers, events)) if is_blank(c) or is_blank(e)}
    q = log.report.quarantine.set_index("row")["reason"].to_dict()
    assert set(q) == expected
    assert all(q[r].startswith("missing customer") for r in expected if is_blank(customers[r - 1]))
    assert all(q[r].startswith("missing event") for r in expected if not is_blank(customers[r - 1]))
    assert log.report.accepted == len(customers) - len(expected)
