"""Administrators reset a lost authenticator: the user is signed out everywhere and
enrols again; the reset and its reason are in custody."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyotp
from sqlmodel import select

from custody.models import LedgerEntry
from evidence.models import User
from tests.app_kit import PASSWORD, Api
from tests.evidence.conftest import dalel


def _enrol(api: Api, headers: dict[str, str]) -> str:
    secret = api.client.post("/api/v1/auth/totp", headers=headers).json()["secret"]
    confirmed = api.client.post(
        "/api/v1/auth/totp/confirm",
        json={"secret": secret, "code": pyotp.TOTP(secret).now()},
        headers=headers,
    )
    assert confirmed.status_code == 204, confirmed.text
    return secret


def _reset(api: Api, username: str, headers: dict[str, str], reason: str = "phone lost, #2231"):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1/users/{username}/totp/reset", json={"reason": reason}, headers=headers
    )


def test_reset_signs_out_and_allows_new_enrolment(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    _enrol(api, team["auditor"])
    listed = api.client.get("/api/v1/users", headers=team["admin"]).json()
    assert next(u for u in listed if u["username"] == "auditor")["two_factor"] is True

    done = _reset(api, "auditor", team["admin"])
    assert done.status_code == 200, done.text
    assert done.json()["two_factor"] is False
    # Every session of the user ended, the old token included.
    assert api.client.get("/api/v1/users/me", headers=team["auditor"]).status_code == 401
    # Password alone signs in again (no code asked), and a new authenticator binds.
    token = api.client.post(
        "/api/v1/auth/token", data={"username": "auditor", "password": PASSWORD}
    )
    assert token.status_code == 200, token.text
    fresh = {"Authorization": f"Bearer {token.json()['access_token']}"}
    _enrol(api, fresh)

    [(idx, _action, _item)] = api.events("user.totp.reset")
    with api.session() as session:
        entry = session.exec(select(LedgerEntry).where(LedgerEntry.idx == idx)).one()
        details = json.loads(entry.leaf)["details"]
    assert details["reason"] == "phone lost, #2231"
    assert details["had_totp"] is True and details["tokens"] >= 1


def test_reset_is_refused_to_others_and_to_oneself(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    before = len(api.events())
    assert _reset(api, "auditor", team["prosecutor"]).status_code == 403
    assert _reset(api, "admin", team["admin"]).status_code == 403
    assert _reset(api, "nobody", team["admin"]).status_code == 404
    assert _reset(api, "auditor", team["admin"], reason="   ").status_code in {400, 422}
    # Refusals are recorded; nothing else changed.
    assert not api.events("user.totp.reset")
    assert len(api.events()) >= before
    with api.session() as session:
        assert session.exec(select(User).where(User.username == "admin")).one()


def test_cli_reset(tmp_path: Path) -> None:
    env = {**os.environ, "DALEL_DATA_DIR": str(tmp_path / "var"), "DALEL_PASSWORD": PASSWORD}
    env.pop("DALEL_DATABASE_URL", None)
    env.pop("DALEL_STORAGE_URL", None)
    dalel(env, "user", "add", "aigerim", "--role", "prosecutor")
    missing = dalel(env, "user", "reset-totp", "aigerim", check=False)
    assert missing.returncode != 0 and "--reason" in missing.stderr
    done = dalel(env, "user", "reset-totp", "aigerim", "--reason", "new phone")
    assert "reset" in done.stdout
    unknown = dalel(env, "user", "reset-totp", "nobody", "--reason", "x", check=False)
    assert unknown.returncode != 0 and "nobody" in unknown.stderr
