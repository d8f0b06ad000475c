"""For tests that start ``parcours serve``: the first admin (or an account an app admin made)
replaces its one-time password before anything else, as the app requires (issue 23)."""

from __future__ import annotations

import httpx

OWN_PASSWORD = "my own password"


def own_password(base: str, email: str, one_time: str, new: str = OWN_PASSWORD) -> str:
    """Log in with the one-time password, change it to ``new`` (``POST /api/v1/me/password``) and
    log out; returns ``new``."""
    with httpx.Client(base_url=base, timeout=60) as c:  # a loaded machine: argon2 at the product's cost
        r = c.post("/api/v1/session", json={"email": email, "password": one_time})
        assert r.status_code == 200, r.text
        csrf = {"X-CSRF-Token": r.json()["csrf"]}
        r = c.post("/api/v1/me/password", json={"current": one_time, "new": new}, headers=csrf)
        assert r.status_code == 204, r.text
        c.delete("/api/v1/session", headers=csrf)
    return new
