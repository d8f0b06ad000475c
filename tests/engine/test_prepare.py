"""The prepared table: map rules applied per distinct combination or per event, same result;
mistakes in rules reported with the map's line; carried columns for segments and breakdowns.

The expected touchpoints are computed here with plain pandas, rule by rule, first match wins.
"""

from __future__ import annotations

import datetime as dt
import fnmatch

import ibis
import pandas as pd
import pytest

import parcours
from parcours.engine import prepare as P
from parcours.errors import MapError, OptionError
from parcours.ingest import read_events
from parcours.model import load_map, map_from_dict

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"

MAP_YAML = """\
id: helpdesk
stages:
  - {id: intake, name: Intake}
  - {id: work, name: Work}
  - {id: close, name: Close}
touchpoints:
  - id: serious_intake
    stage: intake
    match:
      event: Assign seriousness
      where: {seriousness_2: {in: [Value 2, Value 4]}}
  - id: intake
    stage: intake
    match: {event: [Assign seriousness, Insert ticket]}
  - id: handling
    stage: work
    match: {event: ["Take in charge*", "Wait", "*anomaly"]}
  - id: resolve
    stage: work
    match:
      event: Resolve ticket
      where: {service_type: {ne: Value 1}}
  - id: closed
    stage: close
    match: {event: "Closed"}
goals:
  - {id: closed, match: {event: Closed}}
segments:
  - {id: section_2, where: {support_section: Value 2}}
"""


def pandas_touchpoints(df: pd.DataFrame) -> pd.Series:
    """First matching rule of MAP_YAML for each row; unmatched rows keep their event name."""
    ev = df["concept:name"]

    def glob(patterns: list[str]) -> pd.Series:
        return ev.map(lambda e: any(fnmatch.fnmatchcase(e, p) for p in patterns))

    rules = [
        ("serious_intake", (ev == "Assign seriousness") & df["seriousness_2"].isin(["Value 2", "Value 4"])),
        ("intake", ev.isin(["Assign seriousness", "Insert ticket"])),
        ("handling", glob(["Take in charge*", "Wait", "*anomaly"])),
        ("resolve", (ev == "Resolve ticket") & (df["service_type"] != "Value 1")),
        ("closed", ev == "Closed"),
    ]
    out = pd.Series([None] * len(df), index=df.index, dtype=object)
    for name, hit in rules:
        out = out.where(out.notna() | ~hit, name)
    return out.fillna(ev)


@pytest.fixture(scope="module")
def helpdesk(shared_data):
    path = shared_data / HELPDESK
    return path, pd.read_csv(path, dtype=str, keep_default_na=False)


def _figures(result) -> dict:
    d = dict(result.data)
    d.pop("input")
    return d


@pytest.mark.parametrize("per_event", [False, True])
def test_touchpoints_match_pandas_whichever_way_rules_run(helpdesk, tmp_path, monkeypatch, per_event):
    path, df = helpdesk
    map_path = tmp_path / "map.yaml"
    map_path.write_text(MAP_YAML, encoding="utf-8")
    if per_event:  # force the per-event evaluation (used when combinations are too many)
        monkeypatch.setattr(P, "LOOKUP_MAX_ROWS", 0)
    result = parcours.analyze(path, map_path)
    got = {r["touchpoint"]: r["events"] for r in result.data["touchpoints"]}
    assert got == pandas_touchpoints(df).value_counts().to_dict()
    mapped = {r["touchpoint"]: r["mapped"] for r in result.data["touchpoints"]}
    assert {k for k, v in mapped.items() if v} == {"serious_intake", "intake", "handling", "resolve", "closed"}


def test_both_ways_give_the_same_analysis(helpdesk, tmp_path, monkeypatch):
    path, _ = helpdesk
    map_path = tmp_path / "map.yaml"
    map_path.write_text(MAP_YAML, encoding="utf-8")
    log = read_events(path)
    m = load_map(map_path)
    assert not P.prepare(log.con, log.table, m, role_sources=log.roles).rules_per_event
    assert P.prepare(log.con, log.table, m, role_sources=log.roles, lookup_max_rows=0).rules_per_event
    lookup = _figures(parcours.analyze(log, m, segment="section_2", by="service_type"))
    monkeypatch.setattr(P, "LOOKUP_MAX_ROWS", 0)
    per_event = _figures(parcours.analyze(log, m, segment="section_2", by="service_type"))
    assert per_event == lookup


def test_segment_and_breakdown_read_carried_attributes(helpdesk, tmp_path):
    path, df = helpdesk
    map_path = tmp_path / "map.yaml"
    map_path.write_text(MAP_YAML, encoding="utf-8")
    d = parcours.analyze(path, map_path, segment="section_2", by="service_type").data
    in_segment = set(df.loc[df["support_section"] == "Value 2", "case:concept:name"])
    sub = df[df["case:concept:name"].isin(in_segment)].copy()
    assert (d["summary"]["journeys"], d["summary"]["events"]) == (len(in_segment), len(sub))
    sub["order"] = range(len(sub))
    sub["t"] = pd.to_datetime(sub["time:timestamp"], utc=True, format="ISO8601")
    first = sub.sort_values(["case:concept:name", "t", "order"]).groupby("case:concept:name").first()
    want = first["service_type"].value_counts().to_dict()
    assert {g["group"]: g["summary"]["journeys"] for g in d["breakdown"]["groups"]} == want


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_unknown_column_in_a_rule_names_the_map_line(helpdesk, tmp_path):
    path, _ = helpdesk
    text = MAP_YAML.replace("{service_type: {ne: Value 1}}", "{servce_type: {ne: Value 1}}")
    map_path = tmp_path / "map.yaml"
    map_path.write_text(text, encoding="utf-8")
    with pytest.raises(MapError) as e:
        parcours.analyze(path, map_path)
    msg = str(e.value)
    assert f"map.yaml, line {_line_of(text, 'servce_type')}, touchpoints[3].match.where.servce_type" in msg
    assert "unknown column 'servce_type'" in msg and "service_type" in msg  # the hint lists the real ones
    assert "case:concept:name" in msg  # the input's own names of role columns are offered too


def test_a_number_compared_with_a_text_column_is_an_error(helpdesk, tmp_path):
    path, _ = helpdesk
    text = MAP_YAML.replace("{support_section: Value 2}", "{support_section: {gte: 2}}")
    map_path = tmp_path / "map.yaml"
    map_path.write_text(text, encoding="utf-8")
    with pytest.raises(MapError) as e:
        parcours.analyze(path, map_path)
    msg = str(e.value)
    assert f"line {_line_of(text, 'gte: 2')}, segments[0].where.support_section.gte" in msg
    assert "holds text" in msg


def test_text_compared_with_a_number_column_is_an_error():
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    df = pd.DataFrame({"customer_id": ["c", "c"], "event": ["a", "b"], "amount": [10.0, 200.0],
                       "timestamp": [t0, t0 + dt.timedelta(minutes=1)]})
    m = map_from_dict({"touchpoints": [{"id": "big", "match": {"event": "*", "where": {"amount": {"gt": "many"}}}}]})
    with pytest.raises(MapError, match=r"touchpoints\[0\]\.match\.where\.amount\.gt: 'many' is text"):
        parcours.analyze(read_events(ibis.memtable(df)), m)
    m = map_from_dict({"touchpoints": [{"id": "big", "match": {"event": "*", "where": {"amount": {"gt": "100"}}}}]})
    d = parcours.analyze(read_events(ibis.memtable(df)), m).data
    assert {r["touchpoint"]: r["events"] for r in d["touchpoints"]} == {"big": 1, "a": 1}


def test_unmatched_event_named_like_a_touchpoint_stays_apart():
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    events = ["add_to_cart", "cart", "add_to_cart", "checkout"]
    df = pd.DataFrame({"customer_id": ["c"] * 4, "event": events,
                       "timestamp": [t0 + dt.timedelta(minutes=i) for i in range(4)]})
    m = map_from_dict({"touchpoints": [{"id": "cart", "match": {"event": "add_to_cart"}}, {"id": "checkout"}]})
    d = parcours.analyze(read_events(ibis.memtable(df)), m).data
    rows = {r["touchpoint"]: (r["events"], r["mapped"]) for r in d["touchpoints"]}
    assert rows == {"cart": (2, True), "cart (unmapped)": (1, False), "checkout": (1, True)}
    assert [(r["event"], r["events"]) for r in d["unmapped"]] == [("cart", 1)]
    assert d["variants"]["top"][0]["path"] == ["cart", "cart (unmapped)", "cart", "checkout"]


def test_breakdown_by_an_unknown_column_is_an_option_error(helpdesk):
    path, _ = helpdesk
    with pytest.raises(OptionError, match="--by servce_type: the events have no such column") as e:
        parcours.analyze(path, by="servce_type")
    assert "service_type" in e.value.hint


def test_every_rule_mistake_is_reported_at_once(helpdesk, tmp_path):
    path, _ = helpdesk
    text = (MAP_YAML.replace("{service_type: {ne: Value 1}}", "{servce_type: {ne: Value 1}}")
            .replace("{support_section: Value 2}", "{support_section: {lt: 3}}"))
    map_path = tmp_path / "map.yaml"
    map_path.write_text(text, encoding="utf-8")
    with pytest.raises(MapError) as e:
        parcours.analyze(path, map_path)
    assert [p.where for p in e.value.problems] == [
        f"{map_path}, line {_line_of(text, 'servce_type')}, touchpoints[3].match.where.servce_type",
        f"{map_path}, line {_line_of(text, 'lt: 3')}, segments[0].where.support_section.lt",
    ]


def test_encoded_names_sort_and_compare_as_text(tmp_path):
    """Touchpoint, stage and event names travel as DuckDB ENUMs: their order must stay the text order."""
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    names = ["é", "a", "Z", "B", "ab", "b"]
    rows = [{"customer_id": f"c{j}", "event": names[(i + j) % len(names)], "timestamp": t0 + dt.timedelta(minutes=i)}
            for j in range(len(names)) for i in range(len(names))]
    d = parcours.analyze(read_events(ibis.memtable(pd.DataFrame(rows)))).data
    got = [(t["from"], t["to"], t["count"]) for t in d["transitions"]]
    assert got == sorted(got, key=lambda r: (-r[2], r[0], r[1]))  # Python's order is the code point order
    assert [r["touchpoint"] for r in d["touchpoints"]] == sorted(names)  # equal events: by name
    db = tmp_path / "events.ddb"
    parcours.analyze(read_events(ibis.memtable(pd.DataFrame(rows)), engine=f"duckdb:///{db}"))
    import duckdb

    with duckdb.connect(str(db)) as con:  # nothing of the run is left in the user's database
        assert con.execute("SELECT count(*) FROM duckdb_types() WHERE type_name LIKE '_parcours%'").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_parcours%'").fetchone() == (0,)


def test_names_are_stored_encoded_in_the_prepared_table(helpdesk, tmp_path):
    """On DuckDB the prepared table keeps the ENUM types of the lookup (event, touchpoint, stage,
    next touchpoint): stored as text they took ~50% more memory and sorted slower (bench/)."""
    map_path = tmp_path / "map.yaml"
    map_path.write_text(MAP_YAML, encoding="utf-8")
    log = read_events(helpdesk[0])
    p = P.prepare(log.con, log.table, load_map(map_path))
    raw = log.con.con
    (table,) = raw.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_parcours_prepared_%'").fetchone()
    types = dict(raw.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?", [table]).fetchall())
    encoded = {c: types[c] for c in ("_event", "_touchpoint", "_stage", "_next_touchpoint")}
    assert all(t.startswith("ENUM(") for t in encoded.values()), encoded
    assert p.table.schema()["_touchpoint"].is_string()  # the analyses still see text
    got = p.table.select("_touchpoint", "_next_touchpoint").to_pandas()
    assert set(got["_touchpoint"]) == set(pandas_touchpoints(helpdesk[1]))


def test_names_of_prepared_objects_never_collide_with_ingest_tables(monkeypatch):
    """Several logs read and prepared on one connection: the prepared events' view and the
    tables ``read_events`` creates are named from two counters and must not share a name
    (the view was once ``_parcours_events_N`` too, and a later read failed with
    'View with name ... already exists')."""
    import itertools
    import re

    from parcours.ingest import events as ingest_events

    df = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["x", "y", "x"],
                       "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-01"], utc=True)})
    from parcours.engine.connection import connect

    con = connect()  # its own: the names this test forces must not reach the other tests' connection
    log = read_events(ibis.memtable(df), con=con)
    p = P.prepare(log.con, log.table, None)
    view = p.table.op().name
    number = int(re.search(r"(\d+)$", view).group(1))
    monkeypatch.setattr(ingest_events, "_counter", itertools.count(number))  # the next table gets the view's number
    again = read_events(ibis.memtable(df), con=log.con)
    assert again.report.accepted == 3
    assert P.prepare(again.con, again.table, None).table.count().execute() == 3
