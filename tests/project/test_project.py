"""``Project``: the object the CLI, the web app and notebooks share gives the same analysis as
``parcours.analyze``, from files (``Project.local``) and from the web app's store
(``Project.stored``, an uploaded and validated source)."""

from __future__ import annotations

import json
import shutil

import pytest

import parcours
from parcours.demo import write_demo
from parcours.project import Project
from tests.store.conftest import backend, empty_url, store  # noqa: F401 - fixtures reused

HELPDESK = "helpdesk_tickets/helpdesk_events.csv.gz"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("project_demo"), customers=400, seed=3)


def whole(result) -> dict:
    return json.loads(result.to_json())


def test_local_run_is_analyze_on_the_demo(demo):
    project = Project.local(demo.map_path, demo.events_path)
    assert whole(project.run(feedback=str(demo.feedback_path), top=5)) == whole(
        parcours.analyze(demo.events_path, demo.map_path, feedback=str(demo.feedback_path), top=5))
    assert parcours.Project is Project
    assert project.map.id == "maison_lumiere" and project.run().data["options"]["top"] == project.map.analysis.top \
        if project.map.analysis and project.map.analysis.top else True


def test_local_run_is_analyze_on_helpdesk(shared_data):
    src = shared_data / HELPDESK
    assert whole(Project.local(None, src).run(top=7)) == whole(parcours.analyze(src, top=7))


def test_local_run_reads_the_maps_source_path(demo, tmp_path):
    """No events given: the map's source.path, relative to the map file, as analyze does."""
    assert whole(Project.local(demo.map_path).run(analyses="funnel")) == whole(
        parcours.analyze(None, demo.map_path, analyses="funnel"))


def test_stored_run_is_local_run_on_the_same_file(store, tmp_path, shared_data):  # noqa: F811
    from parcours.project.in_use import choose
    from parcours.project.sources import Mapping, keep_validation
    from parcours.store import sources
    from parcours.store.users import create_user
    from parcours.store.workspaces import add_member, create_project, create_workspace

    user = create_user(store, "ada@example.org", "Ada", "ada-password-1")
    ws = create_workspace(store, "Support")
    add_member(store, ws.id, user.id, "editor")
    pid = create_project(store, ws.id, "Tickets").id
    data_dir = tmp_path / "data"
    folder = data_dir / str(pid)
    folder.mkdir(parents=True)
    src = shared_data / HELPDESK
    shutil.copyfile(src, folder / src.name)
    row = sources.add(store, pid, name=src.name, original_name=src.name, kind="events", format="csv",
                      size=src.stat().st_size, uploaded_by=user.id)
    project = Project.stored(store, data_dir, pid)
    assert project.preview(row.id)["detected"] == {"customer": "case:concept:name", "event": "concept:name",
                                                   "time": "time:timestamp"}
    keep_validation(folder, sources.get(store, pid, row.id), Mapping(columns={}), store, user.id)
    choose(store, data_dir, pid, row.id, user.id)  # a validated upload goes live once chosen
    stored = whole(Project.stored(store, data_dir, pid).run(top=7))
    local = whole(Project.local(None, folder / src.name).run(top=7, fmt="csv", columns={
        "customer": "case:concept:name", "event": "concept:name", "time": "time:timestamp"}))
    assert stored == local
    assert stored["summary"]["events"] == 21_348
    # the upload is the file, read the same (its columns detected: the report says so, the rest is equal)
    original = whole(Project.local(None, src).run(top=7))
    assert {k: v for k, v in original.items() if k != "input"} == {k: v for k, v in local.items() if k != "input"}


def test_check_map_and_rule_on_a_local_project(demo):
    project = Project.local(demo.map_path, demo.events_path)
    check = project.check_map(demo.map_path.read_text(encoding="utf-8"))
    assert check["valid"] and check["data"]["events"] == demo.events
    tp = project.map.touchpoints[0]
    rule = project.check_rule({"id": tp.id, "match": tp.match.model_dump(exclude_none=True)
                               if hasattr(tp.match, "model_dump") else tp.match})
    assert rule["valid"] and rule["data"]["events"] == next(
        t["events"] for t in check["data"]["touchpoints"] if t["id"] == tp.id)


def test_two_local_projects_never_share_a_live_check(demo, tmp_path):
    """The live checks' cache is per process: a second project with the same map text but other
    events must be measured on its own events (it was answered from the first one's)."""
    import pandas as pd

    first = Project.local(demo.map_path, demo.events_path)
    text = demo.map_path.read_text(encoding="utf-8")
    assert first.check_map(text)["data"]["events"] == demo.events
    half = tmp_path / "half.csv"
    pd.read_csv(demo.events_path).iloc[: demo.events // 2].to_csv(half, index=False)
    second = Project.local(demo.map_path, half)
    assert second.check_map(text)["data"]["events"] == demo.events // 2
