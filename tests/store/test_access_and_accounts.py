"""The decisions the web's account, team and security routes leave to the store (issue 22), on
SQLite and PostgreSQL: who may reach a project or a workspace (``store.access``), a user's
projects, signing up from an invitation, the log-in throttle's one guard, and the accounts an
app administrator creates and signs out."""

from __future__ import annotations

import doctest
import importlib

import pytest

from parcours.errors import OptionError
from parcours.store import add_member, create_project, create_user, create_workspace, sign_ins, throttle
from parcours.store.access import RoleTooLow, access, at_least
from parcours.store.errors import NotFound
from parcours.store.invitations import SignUpClosed, find, invite, sign_up
from parcours.store.models import AppActivity, LoginFailure
from parcours.store.users import AlreadyExists, accounts, authenticate, create_account
from parcours.store.workspaces import projects_of


@pytest.fixture
def teams(store, alice, bob):
    """Alice admin of "CX team" (projects "Zebra" and "Achat") and viewer of "Autre"; Bob editor of
    "CX team" only."""
    cx, other = create_workspace(store, "CX team", admin_id=alice.id), create_workspace(store, "Autre")
    add_member(store, other.id, alice.id, "viewer")
    add_member(store, cx.id, bob.id, "editor")
    return {"cx": cx, "other": other, "zebra": create_project(store, cx.id, "Zebra"),
            "achat": create_project(store, cx.id, "Achat"), "elsewhere": create_project(store, other.id, "Ailleurs")}


def test_access_gives_the_thing_and_the_role_or_refuses_as_the_web_words_it(store, alice, bob, teams):
    project, role = access(store, bob.id, project_id=teams["achat"].id, need="editor")
    assert (project.id, project.name, role) == (teams["achat"].id, "Achat", "editor")
    workspace, role = access(store, alice.id, workspace_id=teams["other"].id)
    assert (workspace.id, workspace.slug, role) == (teams["other"].id, "autre", "viewer")
    # not a member: the same answer as for nothing at all, so nobody learns what exists elsewhere
    for kw, missing in ((dict(project_id=teams["elsewhere"].id), f"no project {teams['elsewhere'].id}"),
                        (dict(project_id=999_999), "no project 999999"),
                        (dict(workspace_id=teams["other"].id), f"no workspace {teams['other'].id}"),
                        (dict(workspace_id=999_999), "no workspace 999999")):
        with pytest.raises(NotFound) as e:
            access(store, bob.id, **kw)
        assert e.value.message == missing
    with pytest.raises(RoleTooLow) as e:
        access(store, bob.id, workspace_id=teams["cx"].id, need="admin")
    assert (e.value.role, e.value.need, e.value.message) == (
        "editor", "admin", "your role in this workspace is editor: admin or admin is needed to do this")
    with pytest.raises(RoleTooLow):
        access(store, alice.id, project_id=teams["elsewhere"].id, need="editor")
    with pytest.raises(TypeError):
        access(store, alice.id, project_id=1, workspace_id=1)


def test_roles_rank_viewer_editor_admin():
    assert [(r, n) for r in ("viewer", "editor", "admin") for n in ("viewer", "editor", "admin") if at_least(r, n)] == [
        ("viewer", "viewer"), ("editor", "viewer"), ("editor", "editor"),
        ("admin", "viewer"), ("admin", "editor"), ("admin", "admin")]


def test_projects_of_a_user_by_workspace_then_name_as_values(store, alice, bob, teams):
    cx, other = teams["cx"], teams["other"]
    ws = lambda w: {"id": w.id, "name": w.name, "slug": w.slug}  # noqa: E731
    assert projects_of(store, alice.id) == [
        {"id": teams["elsewhere"].id, "name": "Ailleurs", "slug": "ailleurs", "workspace": ws(other), "role": "viewer"},
        {"id": teams["achat"].id, "name": "Achat", "slug": "achat", "workspace": ws(cx), "role": "admin"},
        {"id": teams["zebra"].id, "name": "Zebra", "slug": "zebra", "workspace": ws(cx), "role": "admin"}]
    assert [p["name"] for p in projects_of(store, bob.id)] == ["Achat", "Zebra"]
    assert projects_of(store, 999_999) == []


def test_sign_up_checks_the_link_then_whether_sign_up_is_open_then_the_account(store, alice, bob, teams):
    _, token = invite(store, teams["cx"].id, "New@Example.org", "viewer", invited_by=alice.id)
    with pytest.raises(NotFound):  # an unknown link is refused first, even when sign-up is closed
        sign_up(store, "not-a-token", "New", "new-password", False)
    with pytest.raises(SignUpClosed) as e:
        sign_up(store, token, "New", "new-password", False)
    assert e.value.message == ("accounts are created by the app's administrators here: ask one to create yours "
                               "with this email, then log in and accept the invitation")
    with pytest.raises(OptionError, match="too short"):
        sign_up(store, token, "New", "short", True)
    find(store, token)  # refusals leave the invitation pending
    user, workspace, role = sign_up(store, token, "New", "new-password", True, "10.0.0.7")
    assert (user.email, user.name, workspace.id, role) == ("new@example.org", "New", teams["cx"].id, "viewer")
    assert access(store, user.id, workspace_id=teams["cx"].id)[1] == "viewer"
    assert authenticate(store, "new@example.org", "new-password").id == user.id
    with pytest.raises(NotFound):  # the link is used
        sign_up(store, token, "New", "new-password", True)
    _, again = invite(store, teams["other"].id, "bob@example.org", "viewer", invited_by=alice.id)
    with pytest.raises(AlreadyExists) as e:
        sign_up(store, again, "Bob", "bob-password", True)
    assert (e.value.message, e.value.hint) == (
        "an account with this email exists already: log in with it, then accept the invitation", None)


def test_the_throttle_guard_lets_in_refuses_and_counts(store, alice, monkeypatch):
    limits = throttle.Limits(max_failures=2, wait=30)
    right = lambda: authenticate(store, "alice@example.org", "alice-password")  # noqa: E731
    wrong = lambda: authenticate(store, "alice@example.org", "nope")  # noqa: E731
    assert throttle.guard(store, "alice@example.org", "10.0.0.1", right, limits).id == alice.id
    for _ in range(2):
        with pytest.raises(throttle.WrongCredentials, match="^wrong email or password$"):
            throttle.guard(store, "alice@example.org", "10.0.0.1", wrong, limits)
    checked = []
    with pytest.raises(throttle.Throttled) as e:  # even the right password waits, and is not checked
        throttle.guard(store, "alice@example.org", "10.0.0.1", lambda: checked.append(1) or right(), limits)
    assert 29 <= e.value.seconds <= 30 and checked == []
    assert e.value.message == f"too many failed log-ins for this account: try again in {e.value.seconds} s"
    monkeypatch.setenv("PARCOURS_LOGIN_WAIT_SECONDS", "0")
    with pytest.raises(throttle.Unavailable) as e:  # the settings are wrong: nobody gets in
        throttle.guard(store, "bob@example.org", "10.0.0.2", right)
    assert e.value.message == "PARCOURS_LOGIN_WAIT_SECONDS='0' is not a whole number of 1 or more"
    assert e.value.hint == "e.g. PARCOURS_LOGIN_WAIT_SECONDS=30 (the default), or unset it"
    with store.transaction() as session:  # the refusal for the settings counted no attempt
        assert session.query(LoginFailure).filter_by(email="bob@example.org").count() == 0


def test_accounts_made_and_signed_out_by_an_admin_are_noted(store, alice, bob):
    created, password = create_account(store, "Carol@Example.org", "Carol", admin=True, by=alice, address="10.0.0.3")
    assert authenticate(store, "carol@example.org", password).id == created.id and created.is_admin
    with pytest.raises(AlreadyExists):
        create_account(store, "carol@example.org", "Carol", by=alice)
    for _ in range(2):
        sign_ins.start(store, bob.id)
    mine = sign_ins.start(store, alice.id)
    sign_ins.start(store, alice.id)
    assert [(u.email, n) for u, n in accounts(store)] == [
        ("alice@example.org", 2), ("bob@example.org", 2), ("carol@example.org", 0)]
    assert sign_ins.sign_out_everywhere(store, bob.id, by=alice, address="10.0.0.3") == 2
    assert sign_ins.sign_out_others(store, alice, keep=mine, address="10.0.0.4") == 1
    assert sign_ins.user_for(store, mine).id == alice.id
    with pytest.raises(NotFound, match="^no user 999999$"):
        sign_ins.sign_out_everywhere(store, 999_999, by=alice)
    with store.transaction() as session:
        lines = [(x.kind, x.summary, x.user_id, x.address) for x in session.query(AppActivity).order_by(AppActivity.id)]
    assert lines == [
        ("account_created", "alice@example.org created the account carol@example.org (app admin)", alice.id, "10.0.0.3"),
        ("signed_out_everywhere", "alice@example.org signed bob@example.org out everywhere (2 browser(s))", bob.id,
         "10.0.0.3"),
        ("signed_out_everywhere", "alice@example.org signed out of 1 other browser(s)", alice.id, "10.0.0.4")]


def test_the_access_docstring_examples_run():
    result = doctest.testmod(importlib.import_module("parcours.store.access"), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
