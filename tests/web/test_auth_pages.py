"""Sign-in pages: secure cookie, CSRF, TOTP enrolment and sign-in, the API password grant
with a code, the hold at enrolment once the grace period is off, sign-out everywhere."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.app_kit import PASSWORD, Api
from tests.login_form import post_login
from tests.web.conftest import csrf_of, sign_in


def _enrol(api: Api, name: str) -> str:
    """Enrol through the account page; returns the secret."""
    sign_in(api, name)
    page = api.client.get("/account").text
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    wrong = api.client.post(
        "/account/totp", data={"csrf": csrf_of(page), "secret": secret, "code": "000000"}
    )
    assert wrong.status_code == 400 and "does not match" in wrong.text
    done = api.client.post(
        "/account/totp",
        data={"csrf": csrf_of(page), "secret": secret, "code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 200 and "Two-factor sign-in is on." in done.text
    return secret


def test_cookie_flags_and_csrf(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    response = post_login(
        web.client,
        {"username": "investigator", "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    page = web.client.get(f"/cases/{team['case']['id']}")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    forged = web.client.post("/logout", data={"csrf": "f" * 64})
    assert forged.status_code == 403
    assert web.client.get("/cases").status_code == 200  # still signed in


def test_secure_cookie_behind_https(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    web.client.app.state.settings.base_url = "https://dalel.example"  # type: ignore[attr-defined]
    response = post_login(
        web.client, {"username": "investigator", "password": PASSWORD}, follow_redirects=False
    )
    assert "secure" in response.headers["set-cookie"].lower()


def test_totp_enrolment_and_sign_in(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    secret = _enrol(web, "prosecutor")
    totp = pyotp.TOTP(secret)
    client = web.client
    client.cookies.delete("dalel_session")
    asked = post_login(client, {"username": "prosecutor", "password": PASSWORD})
    assert asked.status_code == 401 and "6-digit code" in asked.text
    wrong = post_login(client, {"username": "prosecutor", "password": PASSWORD, "totp": "123456"})
    assert wrong.status_code == 401
    # The code used at enrolment cannot be replayed: use the next one (±1 step is valid).
    code = totp.at(time.time() + 30)
    ok = post_login(client, {"username": "prosecutor", "password": PASSWORD, "totp": code})
    assert ok.status_code == 200 and "202611210000001" in ok.text
    replay = post_login(client, {"username": "prosecutor", "password": PASSWORD, "totp": code})
    assert replay.status_code == 401
    # The API password grant takes the code in `totp` (or `client_secret`).
    form = {"username": "prosecutor", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 401
    token = client.post(
        "/api/v1/auth/token", data={**form, "client_secret": totp.at(time.time() - 30)}
    )
    assert token.status_code == 200
    assert len(web.events("user.totp.enrolled")) == 1


def test_api_enrolment(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    started = web.client.post("/api/v1/auth/totp", headers=team["auditor"])
    assert started.status_code == 200
    body = started.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/Dalel:")
    confirm = web.client.post(
        "/api/v1/auth/totp/confirm",
        json={"secret": body["secret"], "code": pyotp.TOTP(body["secret"]).now()},
        headers=team["auditor"],
    )
    assert confirm.status_code == 204
    again = web.client.post(
        "/api/v1/auth/totp/confirm",
        json={"secret": body["secret"], "code": "1"},
        headers=team["auditor"],
    )
    assert again.status_code == 401  # replacing needs a code from the current secret


def test_required_role_is_held_at_enrolment_without_grace(
    web: Api, team, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DALEL_TOTP_GRACE", "0")
    form = {"username": "prosecutor", "password": PASSWORD}
    assert web.client.post("/api/v1/auth/token", data=form).status_code == 401
    web.client.cookies.delete("dalel_session")
    landed = post_login(web.client, form)
    assert landed.url.path == "/account" and "must use two-factor" in landed.text
    held = web.client.get(f"/cases/{team['case']['id']}", follow_redirects=False)
    assert held.status_code == 303 and held.headers["location"] == "/account"
    # Roles outside DALEL_TOTP_ROLES are not held.
    sign_in(web, "investigator")
    assert web.client.get("/cases").status_code == 200


def test_sign_out_everywhere(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    csrf = sign_in(web, "investigator")
    response = web.client.post("/logout", data={"csrf": csrf, "everywhere": "1"})
    assert response.url.path == "/login"
    # The API token issued earlier for the same person is revoked too.
    me = web.client.get("/api/v1/users/me", headers=team["investigator"])
    assert me.status_code == 401
    assert len(web.events("user.sessions.revoked")) == 1


def test_language_switch_is_a_safe_redirect(web: Api) -> None:
    bounced = web.client.get("/lang/ru?next=https://evil.example/", follow_redirects=False)
    assert bounced.headers["location"] == "/cases"
    assert "dalel_lang=ru" in bounced.headers["set-cookie"]


@pytest.mark.parametrize(
    ("accept", "wrong"),
    [
        ("en-GB,en;q=0.9", "Wrong username, password or code."),
        ("ru-RU,ru;q=0.9,en;q=0.5", "Неверное имя пользователя, пароль или код."),
        ("de-DE,de;q=0.9", "Пайдаланушы аты, құпиясөз немесе код қате."),
    ],
)
def test_sign_in_error_speaks_the_browsers_language(
    web: Api, team, accept: str, wrong: str
) -> None:  # type: ignore[no-untyped-def]
    """Before any choice (no cookie) the page and its error follow `Accept-Language`
    (Kazakh when the browser asks for none of ours); a chosen language wins over it."""
    web.client.cookies.delete("dalel_lang")
    headers = {"Accept-Language": accept}
    refused = post_login(
        web.client, {"username": "investigator", "password": "wrong"}, headers=headers
    )
    assert refused.status_code == 401
    lang = {"en": "en", "ru": "ru"}.get(accept[:2], "kk")
    assert f'<html lang="{lang}">' in refused.text
    assert wrong in refused.text
    web.client.cookies.set("dalel_lang", "ru")
    chosen = post_login(
        web.client, {"username": "investigator", "password": "wrong"}, headers=headers
    )
    assert '<html lang="ru">' in chosen.text


def test_the_chosen_language_follows_the_account(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    """Switching while signed in saves the language on the account; signing in from a
    new browser (no cookie, an English Accept-Language) brings it back."""
    sign_in(web, "investigator")
    web.client.get("/lang/ru?next=/cases")
    web.client.cookies.clear()
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    assert '<html lang="en">' in web.client.get("/login", headers=english).text
    landed = post_login(
        web.client, {"username": "investigator", "password": PASSWORD}, headers=english
    )
    assert landed.status_code == 200
    assert '<html lang="ru">' in landed.text
    assert web.client.cookies.get("dalel_lang") == "ru"
    # A browser that chose a language on the sign-in page keeps it, and the account too.
    web.client.cookies.clear()
    web.client.get("/lang/kk?next=/login")
    kept = post_login(web.client, {"username": "investigator", "password": PASSWORD})
    assert '<html lang="kk">' in kept.text
    web.client.cookies.clear()
    again = post_login(web.client, {"username": "investigator", "password": PASSWORD})
    assert '<html lang="kk">' in again.text
