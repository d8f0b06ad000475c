"""Comments and mentions, members and the last admin, password changes: the store functions,
on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import yaml

from parcours.demo import _MAP_YAML
from parcours.errors import OptionError
from parcours.store import activity, add_member, authenticate, create_project, create_user, create_workspace, save_map
from parcours.store.comments import (
    MAX_BODY,
    NotAllowed,
    UnknownTarget,
    add_comment,
    delete_comment,
    list_comments,
    mentions_of,
    targets,
)
from parcours.store.members import LastAdmin, NotAMember, list_members, remove_member, set_role_by_email
from parcours.store.users import WrongPassword, change_password


@pytest.fixture
def team(store):
    """Workspace A: Alice Martin (admin), Bob Durand (editor), Alice Dupont (viewer), with the demo map;
    workspace B: Carol (admin), a stranger to A."""
    people = {key: create_user(store, f"{key}@example.org", name, f"{key}-password")
              for key, name in (("alice", "Alice Martin"), ("bob", "Bob Durand"), ("dupont", "Alice Dupont"),
                                ("carol", "Carol"))}
    a, b = create_workspace(store, "Agence A"), create_workspace(store, "Banque B")
    for key, role in (("alice", "admin"), ("bob", "editor"), ("dupont", "viewer")):
        add_member(store, a.id, people[key].id, role)
    add_member(store, b.id, people["carol"].id, "admin")
    pa = create_project(store, a.id, "Parcours achat")
    save_map(store, pa.id, _MAP_YAML, people["alice"].id, base=None)
    return {**people, "a": a, "b": b, "pa": pa, "pb": create_project(store, b.id, "Ouverture")}


def test_mentions_resolve_to_members_only_whatever_the_case(store, team):
    body = ('@BOB please check with @"alice MARTIN" and @carol@example.org; also @Carol, @Nobody, '
            'and write to bob@example.org (not a mention). @bob@EXAMPLE.org again.')
    posted = add_comment(store, team["pa"].id, team["dupont"].id, "project", None, body)
    assert [u.id for u in posted.mentions] == [team["bob"].id, team["alice"].id]  # each once, in order
    # Carol exists, but in another workspace: not resolved, exactly like someone who does not exist
    assert posted.unresolved == ["@carol@example.org", "@Carol", "@Nobody"]
    stored = list_comments(store, team["pa"].id)
    assert [(c.id, c.body, [u.name for u in c.mentions]) for c in stored] == [
        (posted.id, body, ["Alice Martin", "Bob Durand"])]  # mentions listed by name
    highlighted = [p["text"] for p in stored[0].parts if p["user_id"]]
    assert highlighted == ["@BOB", '@"alice MARTIN"', "@bob@EXAMPLE.org"]
    assert "".join(p["text"] for p in stored[0].parts) == body


def test_a_first_name_resolves_when_one_member_has_it(store, team):
    posted = add_comment(store, team["pa"].id, team["bob"].id, "project", None, "@Alice? @alice-dupont? @Bob.")
    # two members are called Alice: ambiguous, left as text; "Bob." is Bob Durand, the only Bob
    assert [u.name for u in posted.mentions] == ["Bob Durand"] and posted.unresolved == ["@Alice", "@alice-dupont"]


def test_targets_come_from_the_latest_map(store, team):
    doc = yaml.safe_load(_MAP_YAML)
    found = targets(store, team["pa"].id)
    assert found[0] == ("project", str(team["pa"].id), "Parcours achat")
    for kind, key in (("stage", "stages"), ("touchpoint", "touchpoints"), ("pain_point", "pain_points")):
        assert [i for k, i, _ in found if k == kind] == [x["id"] for x in doc[key]]
    assert ("stage", "purchase", "Achat") in found  # the map's language (fr)
    with pytest.raises(UnknownTarget, match="no stage 'achat'") as e:
        add_comment(store, team["pa"].id, team["bob"].id, "stage", "achat", "hello")
    assert e.value.known == [s["id"] for s in doc["stages"]] and "purchase" in e.value.hint
    with pytest.raises(UnknownTarget, match="target_kind"):
        add_comment(store, team["pa"].id, team["bob"].id, "goal", "x", "hello")
    with pytest.raises(UnknownTarget, match="no touchpoint"):  # a project without a map: only the project
        add_comment(store, team["pb"].id, team["carol"].id, "touchpoint", "online_ad", "hello")
    add_comment(store, team["pb"].id, team["carol"].id, "project", None, "hello")


def test_bodies_are_checked_and_kept_as_written(store, team):
    for body, message in (("   \n ", "cannot be empty"), ("x" * (MAX_BODY + 1), "more than 5000")):
        with pytest.raises(OptionError, match=message):
            add_comment(store, team["pa"].id, team["bob"].id, "project", None, body)
    text = "<script>alert(1)</script> & ‘quotes’ " + "é" * (MAX_BODY - 40)
    posted = add_comment(store, team["pa"].id, team["bob"].id, "stage", "purchase", text)
    assert list_comments(store, team["pa"].id, "stage", "purchase")[0].body == text == posted.body
    assert list_comments(store, team["pa"].id, "stage", "discovery") == []
    assert list_comments(store, team["pa"].id, "project") == []


def test_comments_are_in_the_feed_and_deleted_by_author_or_admin(store, team):
    pa = team["pa"].id
    c1 = add_comment(store, pa, team["bob"].id, "stage", "purchase", "one")
    c2 = add_comment(store, pa, team["dupont"].id, "pain_point", doc_pain_point(), "two")
    lines = activity.feed(store, pa)
    assert [(x.kind, x.summary, x.user.name if x.user else None) for x in lines] == [
        ("comment", f"commented on pain point {pain_point_name()!r}", "Alice Dupont"),
        ("comment", "commented on stage 'Achat'", "Bob Durand"),
        ("map_saved", "saved version 1", "Alice Martin")]
    assert (lines[0].target_kind, lines[0].target_id) == ("pain_point", doc_pain_point())
    with pytest.raises(NotAllowed):  # an editor, not the author
        delete_comment(store, pa, c2.id, team["bob"].id)
    with pytest.raises(NotAllowed):  # the admin of another workspace
        delete_comment(store, pa, c2.id, team["carol"].id)
    with pytest.raises(OptionError, match="no comment"):  # not in this project
        delete_comment(store, team["pb"].id, c2.id, team["carol"].id)
    delete_comment(store, pa, c1.id, team["bob"].id)  # the author
    delete_comment(store, pa, c2.id, team["alice"].id)  # the workspace admin
    assert list_comments(store, pa) == []
    assert [x.kind for x in activity.feed(store, pa)][:2] == ["comment_deleted", "comment_deleted"]


def doc_pain_point() -> str:
    return yaml.safe_load(_MAP_YAML)["pain_points"][0]["id"]


def pain_point_name() -> str:
    name = yaml.safe_load(_MAP_YAML)["pain_points"][0]["name"]
    return name["fr"] if isinstance(name, dict) else name


def test_mentions_of_me_newest_first_while_i_am_a_member(store, team):
    pa, alice = team["pa"].id, team["alice"]
    first = add_comment(store, pa, team["bob"].id, "project", None, "@alice@example.org first")
    add_comment(store, pa, team["bob"].id, "project", None, "nobody here")
    second = add_comment(store, pa, team["dupont"].id, "stage", "purchase", 'second, @"Alice Martin"')
    found = mentions_of(store, alice.id)
    assert [(c.id, c.project_name, c.author) for c in found] == [
        (second.id, "Parcours achat", "Alice Dupont"), (first.id, "Parcours achat", "Bob Durand")]
    assert mentions_of(store, team["bob"].id) == []
    add_member(store, team["a"].id, team["bob"].id, "admin")  # so that Alice may leave
    remove_member(store, team["a"].id, alice.id)
    assert mentions_of(store, alice.id) == []  # no longer a member: no longer sees them


def test_a_workspace_keeps_an_admin(store, team):
    a = team["a"].id
    with pytest.raises(LastAdmin, match="last admin"):
        remove_member(store, a, team["alice"].id)
    with pytest.raises(LastAdmin, match="making them editor"):
        set_role_by_email(store, a, "ALICE@example.org", "editor")
    set_role_by_email(store, a, "bob@example.org", "admin")
    set_role_by_email(store, a, "alice@example.org", "viewer")  # another admin exists now
    with pytest.raises(LastAdmin):
        remove_member(store, a, team["bob"].id)
    assert {u.email: r for u, r in list_members(store, a)} == {
        "alice@example.org": "viewer", "bob@example.org": "admin", "dupont@example.org": "viewer"}
    with pytest.raises(OptionError, match="not a member"):
        remove_member(store, a, team["carol"].id)


def test_roles_change_by_email_for_members_only_whether_or_not_an_account_exists(store, team):
    a = team["a"].id
    with pytest.raises(OptionError, match="unknown role"):
        set_role_by_email(store, a, "bob@example.org", "owner")
    # Carol has an account (in workspace B), Dave has none: the same answer, naming no account
    with pytest.raises(NotAMember) as carol:
        set_role_by_email(store, a, "carol@example.org", "viewer")
    with pytest.raises(NotAMember) as dave:
        set_role_by_email(store, a, "Dave@example.org", "viewer")
    assert str(carol.value).replace("carol", "dave") == str(dave.value) and "account" not in str(dave.value)
    assert set_role_by_email(store, a, "BOB@example.org", "viewer").id == team["bob"].id
    assert dict((u.email, r) for u, r in list_members(store, a))["bob@example.org"] == "viewer"
    assert "carol@example.org" not in {u.email for u, _ in list_members(store, a)}


def test_change_password_needs_the_current_one(store, team):
    uid = team["bob"].id
    with pytest.raises(WrongPassword):
        change_password(store, uid, "not-my-password", "a-new-password")
    with pytest.raises(OptionError, match="too short"):
        change_password(store, uid, "bob-password", "short")
    assert authenticate(store, "bob@example.org", "bob-password") is not None  # nothing changed so far
    change_password(store, uid, "bob-password", "a-new-password")
    assert authenticate(store, "bob@example.org", "bob-password") is None
    assert authenticate(store, "bob@example.org", "a-new-password").id == uid


def test_new_workspace_admin_and_project_activity(store, team):
    w = create_workspace(store, "  Équipe   CX ", admin_id=team["carol"].id)
    assert (w.name, w.slug) == ("Équipe CX", "equipe-cx")
    assert [(u.name, r) for u, r in list_members(store, w.id)] == [("Carol", "admin")]
    p = create_project(store, w.id, "Onboarding", author_id=team["carol"].id)
    assert [(x.kind, x.summary) for x in activity.feed(store, p.id)] == [("project_created", "created the project 'Onboarding'")]
    with pytest.raises(OptionError, match="already has a project"):
        create_project(store, w.id, "onboarding")
    with pytest.raises(OptionError, match="name"):
        create_project(store, w.id, "   ")
