"""Where each setting of ``Project.run`` comes from, in one order on real data (the helpdesk log):
a keyword > the spec > a stored project's sources (how they are read) > the map's ``source`` and
``analysis`` blocks > the built-in default."""

from __future__ import annotations

import json
import shutil

import pytest

from parcours.model import JourneyMap
from parcours.model.specs import AnalysisSpec
from parcours.project import Project

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"
CASES = {"customer": "case:concept:name", "event": "concept:name", "time": "time:timestamp"}
BY_RESOURCE = {**CASES, "customer": "org:resource"}  # another reading: a journey per resource


def whole(result) -> dict:
    return json.loads(result.to_json())


def options(result) -> tuple:
    o = result.data["options"]
    return o["top"], o["collapse_loops"], o["conversion_window"]


@pytest.fixture(scope="module")
def helpdesk(shared_data):
    """The helpdesk log read once (an EventLog: each run prepares it anew, none reads it again)."""
    from parcours.ingest import read_events

    return read_events(shared_data / HELPDESK)


@pytest.mark.shared_data
def test_the_call_wins_over_the_maps_analysis_block_which_wins_over_the_defaults(helpdesk):
    events = helpdesk
    with_block = Project.local(JourneyMap(analysis={"top": 3, "collapse_loops": True, "conversion_window": "2d"}),
                               events)
    plain = Project.local(JourneyMap(), events)
    from_map = with_block.run(analyses="variants")
    assert options(from_map) == (3, True, "2d")
    assert len(from_map.data["variants"]["top"]) <= 4  # three variants and 'other': the figure follows
    assert options(plain.run(analyses="variants")) == (20, False, None)  # neither: the built-in defaults
    spec = AnalysisSpec(top=5, analyses="variants")
    assert options(with_block.run(spec)) == (5, True, "2d")  # the spec's top, the map's others
    assert options(with_block.run(spec, top=6, collapse_loops=False)) == (6, False, "2d")  # keywords over the spec
    # the map's block is only a default: the same settings given in the call give the same analysis, whole
    asked = plain.run(AnalysisSpec(top=5, analyses="variants"), collapse_loops=True, conversion_window="2d")
    assert whole(with_block.run(spec)) == whole(asked)
    assert whole(asked)["variants"] != whole(plain.run(spec))["variants"], "the settings changed nothing"


@pytest.fixture
def stored(tmp_path, shared_data):
    """A web project holding the helpdesk log, validated with its detected columns (cases)."""
    from parcours.project.in_use import choose
    from parcours.project.sources import Mapping, keep_validation
    from parcours.store import connect, create_project, create_user, create_workspace, sources

    store = connect(f"sqlite:///{tmp_path / 'app.db'}")
    store.migrate()
    user = create_user(store, "ada@example.org", "Ada", "ada-password-1")
    pid = create_project(store, create_workspace(store, "Support").id, "Tickets").id
    data_dir = tmp_path / "data"
    (data_dir / str(pid)).mkdir(parents=True)
    src = shared_data / HELPDESK
    shutil.copyfile(src, data_dir / str(pid) / src.name)
    row = sources.add(store, pid, name=src.name, original_name=src.name, kind="events", format="csv",
                      size=src.stat().st_size, uploaded_by=user.id)
    keep_validation(data_dir / str(pid), sources.get(store, pid, row.id), Mapping(columns={}), store, user.id)
    choose(store, data_dir, pid, row.id, user.id)  # a validated upload goes live once chosen
    yield store, data_dir, pid, data_dir / str(pid) / src.name
    store.close()


@pytest.mark.shared_data
def test_a_stored_projects_sources_sit_between_the_call_and_the_map(stored):
    store, data_dir, pid, file = stored
    m = JourneyMap(source={"columns": {"customer": "org:resource"}}, analysis={"top": 3})
    project = Project.stored(store, data_dir, pid, map=m)

    def read(result) -> tuple:
        return result.data["input"]["columns"]["customer"], result.data["summary"]["journeys"]

    by_source = project.run(analyses="summary")
    by_call = project.run(analyses="summary", columns=BY_RESOURCE, top=5)
    by_map = Project.local(m, file).run(analyses="summary")  # the same file without a stored source
    assert read(by_source)[0] == "case:concept:name"  # the source's columns, not the map's
    assert read(by_call)[0] == read(by_map)[0] == "org:resource"  # the call's; the map's when nothing else says
    assert read(by_source)[1] != read(by_call)[1] == read(by_map)[1]  # each reading counted its own journeys
    assert (by_source.data["options"]["top"], by_call.data["options"]["top"]) == (3, 5)  # the map's, the call's


@pytest.mark.shared_data
def test_the_commands_take_the_projects_events_and_engine_unless_the_spec_says(shared_data, tmp_path):
    """``segments`` (as ``feedback`` and ``compare``) settles its spec as ``run`` does: the
    project's engine fills what the spec leaves, an engine in the spec wins."""
    import parcours
    from parcours.model.specs import SegmentsSpec

    events = shared_data / "pm_running_example/running-example.csv"
    told, own = tmp_path / "told.ddb", tmp_path / "project.ddb"
    project = Project.local(None, events, engine=f"duckdb://{own}")
    by_spec = project.segments(SegmentsSpec(by="org:resource", every="week", engine=f"duckdb://{told}"))
    assert told.exists() and not own.exists()
    by_project = project.segments(SegmentsSpec(by="org:resource", every="week"))
    assert own.exists()
    assert whole(by_spec) == whole(by_project) == whole(parcours.segments(events, by="org:resource", every="week"))
    assert by_project.data["options"]["every"] == "week" and by_project.data["input"]["read"] > 0
