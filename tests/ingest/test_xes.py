"""Tests of the streaming XES reader (parcours.ingest.xes), on real logs and on hand-made ones."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.errors import InputError, OptionError
from parcours.ingest.xes import XesInfo, xes_to_parquet
from tests.xes_writer import write_xes

XES_NS = 'xmlns="http://www.xes-standard.org/"'


def read_parquet(path: Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def read_columns(path: Path) -> dict[str, list]:
    """Parquet columns as Python lists: nulls stay None (pandas would turn them into NaN)."""
    return pq.read_table(path).to_pydict()


def write_text(path: Path, text: str, *, gz: bool = False) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def assert_nothing_written(out: Path) -> None:
    assert not out.exists()
    assert not list(out.parent.glob(out.name + "*")), "a partial output file was left behind"


# --- real data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def helpdesk(shared_data: Path) -> Path:
    return shared_data / "helpdesk_tickets" / "helpdesk.xes.gz"


@pytest.mark.shared_data
def test_helpdesk_equals_its_csv_row_for_row(helpdesk: Path, tmp_path: Path) -> None:
    out = tmp_path / "helpdesk.parquet"
    info = xes_to_parquet(helpdesk, out)

    csv = pd.read_csv(helpdesk.parent / "helpdesk_events.csv.gz", dtype=str, keep_default_na=False)
    got = read_parquet(out)
    assert info == XesInfo(traces=4580, events=21348, columns=list(got.columns), empty_traces=0)
    assert len(got) == len(csv) == 21348
    assert got["__row"].tolist() == list(range(1, 21349))
    assert got.columns[:2].tolist() == ["__row", "case:concept:name"]
    for col in csv.columns:
        assert got[col].tolist() == csv[col].tolist(), col
    # Log-level attribute "origin" is not an event or trace attribute.
    assert not any("origin" in c for c in got.columns)


@pytest.mark.shared_data
def test_helpdesk_in_batches_reports_progress_and_writes_the_same_rows(
    helpdesk: Path, tmp_path: Path
) -> None:
    whole, batched = tmp_path / "whole.parquet", tmp_path / "batched.parquet"
    xes_to_parquet(helpdesk, whole)
    seen: list[int] = []
    info = xes_to_parquet(helpdesk, batched, batch_rows=5000, on_progress=seen.append)

    assert seen == [5000, 10000, 15000, 20000, 21348]
    assert info.events == 21348
    assert pq.ParquetFile(batched).metadata.num_row_groups == 5
    pd.testing.assert_frame_equal(read_parquet(batched), read_parquet(whole))


@pytest.mark.shared_data
def test_running_example_matches_its_csv(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "pm_running_example"
    out = tmp_path / "running.parquet"
    info = xes_to_parquet(folder / "running-example.xes", out)

    assert (info.traces, info.events, info.empty_traces) == (6, 42, 0)
    # Globals declare concept:name etc. with placeholder values ("name", "resource"); they
    # must not become rows or values. Log-level "creator" is not a column; the trace one is.
    assert info.columns == [
        "__row", "case:concept:name", "case:creator",
        "concept:name", "org:resource", "time:timestamp", "Activity", "Resource", "Costs",
    ]  # fmt: skip
    got = read_parquet(out)
    csv = pd.read_csv(folder / "running-example.csv", dtype=str, keep_default_na=False)
    for col in ["case:concept:name", "case:creator", "concept:name", "org:resource", "Costs"]:
        assert got[col].tolist() == csv[col].tolist(), col
    # Same instants, written differently: "2010-12-30T14:32:00.000+01:00" in the XES,
    # "2010-12-30 14:32:00+01:00" in the CSV.
    assert got["time:timestamp"].iloc[0] == "2010-12-30T14:32:00.000+01:00"
    pd.testing.assert_series_equal(
        pd.to_datetime(got["time:timestamp"], utc=True, format="ISO8601"),
        pd.to_datetime(csv["time:timestamp"], utc=True, format="ISO8601"),
    )
    assert set(got["concept:name"]) - {"name"} == set(got["concept:name"])


# --- round trip with the test writer ----------------------------------------------------------


@pytest.mark.parametrize("name, gz", [("log.xes", False), ("log.xes.gz", True)])
def test_round_trip_with_write_xes(tmp_path: Path, name: str, gz: bool) -> None:
    df = pd.DataFrame(
        {
            "case:concept:name": ["c1", "c1", "c2", "c3", "c3", "c3"],
            "case:channel": ["web", "web", None, "shop", "shop", "shop"],
            "concept:name": ["Réclamation été", "Réponse", "Appel", "Visite", "Achat", "Retour"],
            "time:timestamp": [
                "2024-06-01T10:00:00+02:00", "2024-06-01T11:00:00+02:00", "2024-06-02T09:00:00+02:00",
                "2024-06-03T08:00:00+00:00", "2024-06-03T08:30:00+00:00", "2024-06-04T17:45:10.123+00:00",
            ],
            "org:resource": ["Zoë", None, "Ana", None, None, "Bob"],
            "note": ['a "quoted" <tag> & more', None, "multi\nline", None, "tab\there", None],
        }
    )  # fmt: skip
    path = write_xes(df, tmp_path / name)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") is gz

    info = xes_to_parquet(path, tmp_path / "out.parquet")
    got = read_columns(tmp_path / "out.parquet")

    assert (info.traces, info.events, info.empty_traces) == (3, 6, 0)
    assert info.columns == [
        "__row", "case:concept:name", "case:channel", "concept:name", "time:timestamp", "org:resource", "note",
    ]  # fmt: skip
    expected = df.astype(object).where(df.notna(), None)
    for col in df.columns:
        assert got[col] == expected[col].tolist(), col


# Any text XML 1.0 can carry: no surrogates, no control characters except tab and newlines.
xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\t\n\r&<>\"'"),
    max_size=12,
)
maybe_text = st.none() | xml_text


@st.composite
def event_logs(draw) -> pd.DataFrame:
    """Small logs: 1-5 traces of 1-4 events, optional trace and event attributes."""
    rows = []
    for case in range(draw(st.integers(1, 5))):
        segment = draw(maybe_text)
        for _ in range(draw(st.integers(1, 4))):
            rows.append(
                {"case:concept:name": f"c{case}", "case:segment": segment,
                 "concept:name": draw(xml_text), "org:resource": draw(maybe_text)}
            )  # fmt: skip
    return pd.DataFrame(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(df=event_logs(), gz=st.booleans(), batch_rows=st.integers(1, 7))
def test_round_trip_property(tmp_path: Path, df: pd.DataFrame, gz: bool, batch_rows: int) -> None:
    """write_xes then xes_to_parquet gives back every value, every event, in order."""
    path = write_xes(df, tmp_path / "log.xes", gzip=gz)
    info = xes_to_parquet(path, tmp_path / "out.parquet", batch_rows=batch_rows)
    got = read_columns(tmp_path / "out.parquet")

    assert info.events == len(df) and info.traces == df["case:concept:name"].nunique()
    assert got["__row"] == list(range(1, len(df) + 1))
    for col in df.columns:
        expected = [None if pd.isna(v) else v for v in df[col]]  # pandas turns None into NaN
        # The writer omits absent values, so a column that is never present has no key at all.
        assert got.get(col, [None] * len(df)) == expected, col


# --- hand-made XES: structure, namespaces, attribute kinds --------------------------------------

LOG = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" {ns}>
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <string key="only_in_global" value="x"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="log_level" value="not a column"/>
  <trace>
    <string key="concept:name" value="T1"/>
    <int key="priority" value="3"/>
    <!-- a comment -->
    <event>
      <string key="concept:name" value="open"/>
      <date key="time:timestamp" value="2020-01-01T00:00:00.000+01:00"/>
      <int key="n" value="42"/>
      <float key="amount" value="1.50"/>
      <boolean key="ok" value="true"/>
      <id key="uid" value="c0a8-01"/>
      <list key="tags"><values><string key="t" value="a"/></values></list>
      <container key="box"><string key="inner" value="b"/></container>
      <string key="with_meta" value="kept"><string key="meta" value="skipped"/></string>
      <string key="esc" value="a &amp; b &lt; c"/>
    </event>
    <event><string key="concept:name" value="close"/><?pi ignored?></event>
  </trace>
  <trace><string key="concept:name" value="T2-empty"/></trace>
  <trace>
    <string key="concept:name" value="T3"/>
    <event><string key="concept:name" value="only"/><string key="late_event_key" value="z"/></event>
  </trace>
</log>
"""


@pytest.mark.parametrize("ns", ["", XES_NS])
def test_attribute_kinds_globals_and_empty_traces(tmp_path: Path, ns: str) -> None:
    path = write_text(tmp_path / "hand.xes", LOG.format(ns=ns))
    info = xes_to_parquet(path, tmp_path / "out.parquet")
    got = pq.read_table(tmp_path / "out.parquet").to_pylist()

    assert (info.traces, info.events, info.empty_traces) == (3, 3, 1)
    assert info.columns == [
        "__row", "case:concept:name", "case:priority",
        "concept:name", "time:timestamp", "n", "amount", "ok", "uid", "with_meta", "esc", "late_event_key",
    ]  # fmt: skip
    assert got == [
        {"__row": 1, "case:concept:name": "T1", "case:priority": "3", "concept:name": "open",
         "time:timestamp": "2020-01-01T00:00:00.000+01:00", "n": "42", "amount": "1.50", "ok": "true",
         "uid": "c0a8-01", "with_meta": "kept", "esc": "a & b < c", "late_event_key": None},
        {"__row": 2, "case:concept:name": "T1", "case:priority": "3", "concept:name": "close",
         "time:timestamp": None, "n": None, "amount": None, "ok": None,
         "uid": None, "with_meta": None, "esc": None, "late_event_key": None},
        {"__row": 3, "case:concept:name": "T3", "case:priority": None, "concept:name": "only",
         "time:timestamp": None, "n": None, "amount": None, "ok": None,
         "uid": None, "with_meta": None, "esc": None, "late_event_key": "z"},
    ]  # fmt: skip


def test_trace_attribute_after_events_applies_to_the_whole_trace(tmp_path: Path) -> None:
    # Not what the standard says (attributes first), but some writers do it.
    path = write_text(
        tmp_path / "late.xes",
        """<log>
        <trace><string key="concept:name" value="A"/>
          <event><string key="concept:name" value="a1"/></event>
          <string key="segment" value="gold"/>
          <event><string key="concept:name" value="a2"/></event>
          <string key="region" value="north"/>
        </trace>
        <trace><string key="concept:name" value="B"/><event><string key="concept:name" value="b1"/></event></trace>
        </log>""",
    )
    info = xes_to_parquet(path, tmp_path / "out.parquet", batch_rows=1)
    got = read_columns(tmp_path / "out.parquet")
    assert info.columns == ["__row", "case:concept:name", "case:segment", "case:region", "concept:name"]
    assert got["__row"] == [1, 2, 3]
    assert got["concept:name"] == ["a1", "a2", "b1"]
    assert got["case:segment"] == ["gold", "gold", None]
    assert got["case:region"] == ["north", "north", None]


@pytest.mark.parametrize("name, gz", [("plain.xes.gz", False), ("gzipped.xes", True), ("noext", True)])
def test_gzip_is_detected_by_content_not_name(tmp_path: Path, name: str, gz: bool) -> None:
    text = (
        '<log><trace><string key="concept:name" value="1"/>'
        '<event><string key="concept:name" value="e"/></event></trace></log>'
    )
    path = write_text(tmp_path / name, text, gz=gz)
    info = xes_to_parquet(path, tmp_path / "out.parquet")
    assert info.events == 1
    assert read_columns(tmp_path / "out.parquet")["case:concept:name"] == ["1"]


def test_log_without_traces_gives_an_empty_table(tmp_path: Path) -> None:
    path = write_text(tmp_path / "none.xes", f'<log {XES_NS}><string key="origin" value="x"/></log>')
    info = xes_to_parquet(path, tmp_path / "out.parquet")
    assert info == XesInfo(traces=0, events=0, columns=["__row"], empty_traces=0)
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 0


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize("how", ["plain", "xml cut then gzipped", "gzip bytes cut"])
def test_truncated_helpdesk_is_refused_with_file_and_line(
    helpdesk: Path, tmp_path: Path, how: str
) -> None:
    xml = gzip.decompress(helpdesk.read_bytes())
    if how == "plain":
        bad = tmp_path / "helpdesk.xes"
        bad.write_bytes(xml[: len(xml) // 2])
    elif how == "xml cut then gzipped":
        bad = tmp_path / "helpdesk.xes.gz"
        bad.write_bytes(gzip.compress(xml[: len(xml) // 2]))
    else:
        bad = tmp_path / "helpdesk.xes.gz"
        raw = helpdesk.read_bytes()
        bad.write_bytes(raw[: len(raw) // 2])
    out = tmp_path / "out.parquet"

    with pytest.raises(InputError) as caught:
        xes_to_parquet(bad, out)
    message = str(caught.value)
    assert message.startswith(f"{bad.name}: ")
    assert "truncated" in message and "line " in message
    assert "events were read before the error; nothing was loaded" in message
    read = int(message.split(" events were read")[0].rsplit(" ", 1)[1])
    assert 0 < read < 21348
    assert caught.value.hint and "download" in caught.value.hint
    assert_nothing_written(out)


def test_plain_truncation_names_line_and_column(tmp_path: Path) -> None:
    text = '<log>\n<trace>\n<event>\n<string key="a" value="1"/>\n</event>\n<event>\n<string key="a" val'
    path = write_text(tmp_path / "cut.xes", text)
    expected = r"^cut\.xes: the XES file is truncated or malformed at line 7, column \d+ \("
    with pytest.raises(InputError, match=expected) as caught:
        xes_to_parquet(path, tmp_path / "out.parquet")
    assert "1 events were read before the error" in str(caught.value)


def test_error_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    out.write_bytes(b"previous result")
    path = write_text(tmp_path / "cut.xes", "<log><trace><event><string key='a' value='1'/></event>")
    with pytest.raises(InputError):
        xes_to_parquet(path, out)
    assert out.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.xes", "out.parquet"]


def test_xml_that_is_not_xes(tmp_path: Path) -> None:
    atom = '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>'
    path = write_text(tmp_path / "feed.xml", atom)
    with pytest.raises(InputError, match=r"^feed\.xml: not an XES log \(root element is <feed>, line 2\)"):
        xes_to_parquet(path, tmp_path / "out.parquet")
    assert_nothing_written(tmp_path / "out.parquet")


def test_file_that_is_not_xml(tmp_path: Path) -> None:
    path = write_text(tmp_path / "events.csv", "case,activity\n1,open\n")
    with pytest.raises(InputError, match=r"^events\.csv: not an XES log: the file is not XML \(line 1"):
        xes_to_parquet(path, tmp_path / "out.parquet")


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("text", ["", " \n\n"])
def test_empty_file(tmp_path: Path, gz: bool, text: str) -> None:
    path = write_text(tmp_path / "empty.xes.gz", text, gz=gz)
    with pytest.raises(InputError, match=r"^empty\.xes\.gz: the file is empty\n"):
        xes_to_parquet(path, tmp_path / "out.parquet")
    assert_nothing_written(tmp_path / "out.parquet")


@pytest.mark.parametrize(
    "body, what, line",
    [
        ("<trace><event/></trace>\n<event/>", "an <event> outside a <trace> at line 3", 3),
        ("<trace>\n<event>\n<event/></event></trace>", "an <event> inside another <event> at line 4", 4),
        ("<trace>\n<trace/></trace>", "a <trace> inside another <trace> at line 3", 3),
    ],
)
def test_misplaced_events_and_traces(tmp_path: Path, body: str, what: str, line: int) -> None:
    path = write_text(tmp_path / "odd.xes", f"<log {XES_NS}>\n{body}</log>")
    with pytest.raises(InputError) as caught:
        xes_to_parquet(path, tmp_path / "out.parquet")
    assert str(caught.value).startswith(f"odd.xes: {what};")
    assert_nothing_written(tmp_path / "out.parquet")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        xes_to_parquet(tmp_path / "nope.xes", tmp_path / "out.parquet")


def test_event_key_that_clashes_with_a_trace_column(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "clash.xes",
        '<log><trace><string key="x" value="t"/><event><string key="case:x" value="e"/></event></trace></log>',
    )
    with pytest.raises(InputError, match="'case:x'"):
        xes_to_parquet(path, tmp_path / "out.parquet")
    assert_nothing_written(tmp_path / "out.parquet")


def test_batch_rows_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(OptionError):
        xes_to_parquet(tmp_path / "any.xes", tmp_path / "out.parquet", batch_rows=0)


# --- streaming ----------------------------------------------------------------------------------


def test_large_log_is_written_in_batches(tmp_path: Path) -> None:
    """~300k events: several batches, every event kept, in order."""
    n_traces, per_trace = 30_000, 10
    event = (
        '<event><string key="concept:name" value="step {j}"/>'
        '<date key="time:timestamp" value="2024-01-01T00:00:{j:02d}+00:00"/></event>'
    )
    path = tmp_path / "big.xes.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        f.write(f"<log {XES_NS}>\n")
        for i in range(n_traces):
            events = "".join(event.format(j=j) for j in range(per_trace))
            f.write(f'<trace><string key="concept:name" value="c{i}"/>{events}</trace>\n')
        f.write("</log>\n")

    seen: list[int] = []
    info = xes_to_parquet(path, tmp_path / "big.parquet", batch_rows=50_000, on_progress=seen.append)

    total = n_traces * per_trace
    assert seen == list(range(50_000, total + 1, 50_000))
    assert (info.traces, info.events) == (n_traces, total)
    table = pq.read_table(tmp_path / "big.parquet")
    assert table.num_rows == total
    assert table.column("__row").to_pylist()[-1] == total
    last = table.slice(total - 1).to_pylist()[0]
    assert last == {
        "__row": total, "case:concept:name": f"c{n_traces - 1}",
        "concept:name": f"step {per_trace - 1}", "time:timestamp": f"2024-01-01T00:00:{per_trace - 1:02d}+00:00",
    }  # fmt: skip
