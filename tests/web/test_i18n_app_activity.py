"""The app's activity, on the administration page, is said in its reader's language (issue 23,
§3): a user signed out everywhere, log-ins slowed down, an invitation; the API keeps English."""

from __future__ import annotations

import pytest

from parcours.web import i18n
from tests.web.test_i18n_pages import _foreign, _visible
from tests.web.test_security_accounts import API, app_client, client_for, log_in, quick_throttle, world  # noqa: F401


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_administration_page_says_the_apps_activity_in_its_language(store, world, quick_throttle, lang):  # noqa: F811
    c = app_client(store)
    for i in range(3):
        log_in(c, "alice", f"guess-{i}")
    dana, hd = client_for(store, "dana")
    assert dana.post(f"{API}/admin/users/{world['alice'].id}/sign-out", headers=hd).status_code == 200
    summaries = [x["summary"] for x in dana.get(f"{API}/admin/activity").json()["items"]]
    assert summaries[0] == "dana@example.org signed alice@example.org out everywhere (0 browser(s))"  # the API's
    said = _visible(dana.get("/admin/accounts", headers={"Accept-Language": lang}).text)
    assert i18n.text(lang, "app_activity.signed_out_by", by="dana@example.org", email="alice@example.org", n=0) in said
    assert i18n.text(lang, "app_activity.throttled_account", email="alice@example.org", seconds=1) in said
    assert _foreign(said, lang) == []
    if lang == "fr":
        assert "out everywhere" not in said and "repeated failed" not in said
