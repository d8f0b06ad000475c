"""No CSV line lost or split wrongly (issue 23, §1: "partial input is never silently dropped").

- One unclosed quote in a file that quotes its values made DuckDB's sniffer read the whole file
  without quoting: the real closed-deals log's good ``"cat, wolf"`` values were rejected as "too
  many columns" and other quoted values kept their quote marks. With quoting kept, the unclosed
  quote ran into the next lines and swallowed them into one rejected record. Now only the broken
  line is quarantined, and every other line reads as Python's csv module reads it.
- One LF line in a CRLF file (or the reverse) failed the whole file ("Error when sniffing file");
  it is now read, each line a record, with a note naming the first line whose ending differs.
"""

from __future__ import annotations

import csv
import doctest
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.engine.connection import connect
from parcours.engine.fetch import rows
from parcours.ingest import read_events
from parcours.ingest.csvfile import UNCLOSED
from parcours.ingest.readers import read_raw

DEALS = "olist_marketing_funnel/olist_closed_deals_dataset.csv.gz"  # 842 deals, "cat, wolf" quoted
HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"  # CRLF, nothing quoted
DEAL_ROLES = {"customer": "seller_id", "time": "won_date", "event": "lead_type"}


@pytest.fixture(scope="module")
def deals(shared_data) -> list[bytes]:
    """The closed-deals log's lines (LF endings), header first."""
    return gzip.decompress((shared_data / DEALS).read_bytes()).splitlines(keepends=True)


def unclose(line: bytes, field: int) -> bytes:
    """``line`` with a quote opening its ``field``-th value, never closed. Values 0-4 (ids, time) are
    never empty, never quoted and hold no comma; a quote before an empty value would close a quote
    opened on an earlier line instead: two such lines make one well-formed value, as for any reader."""
    parts = line.split(b",", field)
    parts[field] = b'"' + parts[field]
    return b",".join(parts)


def python_rows(data: bytes) -> list[list[str]]:
    """The data records as Python's csv module reads them (RFC 4180 quoting)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))[1:]


def raw_rows(path: Path) -> tuple[list[list[str]], list[dict], list[str]]:
    """What the reader accepted (empty values as ''), what it rejected, its columns."""
    con = connect(None)
    raw = read_raw(con, path)
    cols = raw.data_columns
    got = [["" if r[c] is None else r[c] for c in cols] for r in rows(con, raw.table.order_by("__seq").select(*cols))]
    return got, raw.rejects, cols


def write(path: Path, lines: list[bytes]) -> Path:
    data = b"".join(lines)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


@pytest.mark.parametrize("name", ["deals.csv", "deals.csv.gz"])
def test_one_unclosed_quote_in_a_quoted_log_rejects_that_line_only(deals, tmp_path, name):
    lines = list(deals)
    broken = unclose(lines[10], 4)  # data row 10: '...,"2018-04-24 03:00:00,household_utilities,...'
    lines[10] = broken
    got, rejects, cols = raw_rows(write(tmp_path / name, lines))
    assert [(r["row"], r["reason"], r["text"]) for r in rejects] == [(10, UNCLOSED, broken.decode().rstrip("\n"))]
    good = python_rows(b"".join(deals[:10] + deals[11:]))
    assert got == good and len(got) == 841  # every other line, split and unquoted as Python's csv does
    assert cols == next(csv.reader([deals[0].decode()]))
    profiles = {r[cols.index("lead_behaviour_profile")] for r in got}
    assert {"cat, wolf", "eagle, wolf"} <= profiles  # were "too many columns"
    assert not any(v.startswith('"') for r in got for v in r)  # no value keeps its quote marks


def test_the_analysis_quarantines_the_broken_line_and_what_the_clean_log_quarantines(deals, tmp_path):
    clean = read_events(write(tmp_path / "clean.csv", deals), columns=DEAL_ROLES, max_bad_rows="100%").report
    lines = list(deals)
    lines[300] = unclose(lines[300], 0)
    r = read_events(write(tmp_path / "broken.csv", lines), columns=DEAL_ROLES, max_bad_rows="100%").report
    assert (r.read, r.accepted, r.quarantined) == (842, clean.accepted - 1, clean.quarantined + 1)
    assert [q for q in r.quarantine_rows if q["row"] != 300] == [{**q, "file": "broken.csv"}
                                                                 for q in clean.quarantine_rows if q["row"] != 300]
    (q,) = [q for q in r.quarantine_rows if q["row"] == 300]
    assert (q["reason"], q["line_text"]) == (UNCLOSED, lines[300].decode().rstrip("\n"))


def test_an_unclosed_quote_on_the_last_line_swallows_nothing_after_it(deals, tmp_path):
    """With no quote after it, the quote ran to the end of the file: the lines after it were lost."""
    lines = list(deals[:101])
    lines[50] = unclose(lines[50], 3)
    got, rejects, _ = raw_rows(write(tmp_path / "end.csv", [*lines, *[line for line in deals[101:] if b'"' not in line]]))
    assert [r["row"] for r in rejects] == [50]
    assert len(got) + len(rejects) == 100 + sum(b'"' not in line for line in deals[101:])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(broken=st.lists(st.tuples(st.integers(1, 842), st.integers(0, 4)), min_size=1, max_size=5,
                       unique_by=lambda b: b[0]))
def test_random_unclosed_quotes_in_the_real_log_lose_no_line(deals, tmp_path, broken):
    """Each broken line quarantined alone, at its row; the others as Python's csv reads them. (A quote
    opened before a line's quoted value closes at that value: DuckDB rejects that line alone, with
    its own reason.)"""
    lines = list(deals)
    for row, field in broken:
        lines[row] = unclose(lines[row], field)
    rows_broken = sorted(row for row, _ in broken)
    got, rejects, _ = raw_rows(write(tmp_path / f"deals_{'_'.join(map(str, rows_broken))}.csv", lines))
    assert [r["row"] for r in rejects] == rows_broken
    assert all(r["reason"] == UNCLOSED or r["reason"].startswith("unquoted value: ") for r in rejects)
    assert got == python_rows(b"".join(line for i, line in enumerate(deals) if i not in rows_broken))


def test_a_second_unclosed_quote_closing_the_first_loses_no_line(deals, tmp_path):
    """Row 394's quote, before its empty lead type, closed the one opened on row 315: DuckDB saw one
    record of 80 lines with too few fields ("missing columns", no unclosed quote), and 78 good lines
    were gone into it. Its second line being a record of its own, it is cut up as well."""
    lines = list(deals)
    lines[315], lines[394] = unclose(lines[315], 0), unclose(lines[394], 6)
    got, rejects, _ = raw_rows(write(tmp_path / "pair.csv", lines))
    assert [r["row"] for r in rejects] == [315, 394]
    assert got == python_rows(b"".join(line for i, line in enumerate(deals) if i not in (315, 394)))


def test_a_value_whose_quotes_span_lines_is_still_one_record(tmp_path):
    """Only an unclosed quote is cut out: a quoted value holding a line break is one record, rejected
    whole when something else is wrong with it, and the rows after it keep their numbers."""
    p = tmp_path / "notes.csv"
    p.write_text('customer,time,event,note\n'
                 'c1,2026-03-01T10:00:00Z,visit,"a note\nover two lines",extra\n'  # row 1: 5 fields of 4
                 'c2,2026-03-01T10:01:00Z,visit,"plain, quoted"\n'
                 'c3,2026-03-01T10:02:00Z,visit,"open\n'                           # row 3: never closed
                 'c4,2026-03-01T10:03:00Z,visit,last\n', encoding="utf-8")
    got, rejects, _ = raw_rows(p)
    assert [(r["row"], r["reason"].split(":")[0]) for r in rejects] == [(1, "too many columns"), (3, "unterminated quote")]
    assert got == [["c2", "2026-03-01T10:01:00Z", "visit", "plain, quoted"], ["c4", "2026-03-01T10:03:00Z", "visit", "last"]]


# --- mixed line endings ----------------------------------------------------------------------


def helpdesk_lines(shared_data) -> list[bytes]:
    return gzip.decompress((shared_data / HELPDESK).read_bytes()).splitlines(keepends=True)


@pytest.mark.parametrize("name", ["helpdesk.csv", "helpdesk.csv.gz"])
def test_one_lf_line_in_the_crlf_helpdesk_log_is_read(shared_data, tmp_path, name):
    lines = helpdesk_lines(shared_data)
    lines[1234] = lines[1234].replace(b"\r\n", b"\n")  # line 1235 of the file
    log = read_events(write(tmp_path / name, lines), max_bad_rows="0")
    whole = read_events(shared_data / HELPDESK, max_bad_rows="0")
    assert (log.report.read, log.report.accepted, log.report.quarantined) == (21_348, 21_348, 0)
    assert log.report.notes[0] == (f"{name} mixes line endings (line 1235 ends with LF, the lines before "
                                   "with CRLF): each line was read as a record")
    assert log.to_pandas().equals(whole.to_pandas())  # every value as in the original, no stray '\r'


def test_one_crlf_line_in_an_lf_file_is_read_without_carriage_returns(shared_data, tmp_path):
    lines = [line.replace(b"\r\n", b"\n") for line in helpdesk_lines(shared_data)[:501]]
    lines[200] = lines[200].replace(b"\n", b"\r\n")
    got, rejects, cols = raw_rows(write(tmp_path / "lf.csv", lines))
    assert rejects == [] and len(got) == 500
    assert got == python_rows(b"".join(lines).replace(b"\r\n", b"\n"))
    assert not any("\r" in v for r in got for v in r) and cols[-1] == "workgroup"


def test_mixed_endings_and_a_short_line_count_each_line_once(shared_data, tmp_path):
    lines = helpdesk_lines(shared_data)[:301]
    lines[100] = lines[100].replace(b"\r\n", b"\n")
    lines.insert(150, b"Case 9999,Closed\r\n")  # data row 150
    r = read_events(write(tmp_path / "both.csv", lines), max_bad_rows="1").report
    assert (r.read, r.accepted, r.quarantined) == (301, 300, 1)
    assert [(q["row"], q["reason"], q["line_text"]) for q in r.quarantine_rows] == [
        (150, "missing columns: Expected Number of Columns: 13 Found: 2", "Case 9999,Closed")]


def test_the_new_modules_docstring_examples_run():
    from parcours.ingest import csvlines, rejects

    for module in (csvlines, rejects):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
