"""Issue 12, authentication: the trial's requests against the real app (`create_app`).

Two-factor bypass through the web session, lockouts that neither reveal accounts nor
end sessions, device keys that can be limited, listed, revoked and expire, and CSRF on
cookie-authenticated API calls and on the sign-in form.
"""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from custody.events import utc_now
from evidence.models import ApiKey, User
from tests.app_kit import PASSWORD, Api
from tests.login_form import CSRF, post_login

TOKEN = "/api/v1/auth/token"


def _from(api: Api, address: str) -> TestClient:
    """Another client of the same app, seen from another address."""
    return TestClient(api.client.app, client=(address, 40000))


def _guess(client: TestClient, name: str) -> int:
    return client.post(TOKEN, data={"username": name, "password": "wrong"}).status_code


# -- two-factor bypass -------------------------------------------------------------


def test_enrolment_session_reaches_only_enrolment(
    api: Api, team, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The trial: TOTP required and not enrolled; /login gave a cookie that worked as a
    bearer token on the whole API (an administrator created a prosecutor with it)."""
    monkeypatch.setenv("DALEL_TOTP_GRACE", "0")
    client = api.client
    landed = post_login(client, {"username": "admin", "password": PASSWORD})
    assert landed.url.path == "/account"
    cookie = client.cookies["dalel_session"]
    bearer = {"Authorization": f"Bearer {cookie}"}
    # The cookie's value is never a bearer token.
    assert client.get("/api/v1/users/me", headers=bearer).status_code == 401
    new_user = {"username": "mallory", "password": PASSWORD, "role": "prosecutor"}
    assert client.post("/api/v1/users", json=new_user, headers=bearer).status_code == 401
    # As the cookie (with a same-origin header), only account and enrolment routes work.
    origin = {"Origin": "http://testserver"}
    assert client.get("/api/v1/users/me").status_code == 200
    assert client.post("/api/v1/users", json=new_user, headers=origin).status_code == 403
    assert client.get("/api/v1/users").status_code == 403
    assert client.get("/cases", follow_redirects=False).headers["location"] == "/account"
    with api.session() as session:
        assert session.exec(select(User).where(User.username == "mallory")).first() is None
    # Enrolling through the API with that cookie makes the session whole.
    started = client.post("/api/v1/auth/totp", headers=origin)
    assert started.status_code == 200
    secret = started.json()["secret"]
    confirm = {"secret": secret, "code": pyotp.TOTP(secret).now()}
    assert client.post("/api/v1/auth/totp/confirm", json=confirm, headers=origin).status_code == 204
    assert client.get("/api/v1/users").status_code == 200


def test_api_token_is_not_a_session_cookie(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    token = team["prosecutor"]["Authorization"].split()[1]
    client = _from(api, "10.9.9.9")
    client.cookies.set("dalel_session", token)
    assert client.get("/cases", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/api/v1/users/me").status_code == 401


# -- lockout storm -------------------------------------------------------------------


def test_locked_pair_answers_like_a_wrong_password(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """Five wrong passwords from one address lock that (account, address) pair only: the
    right password from there is answered exactly like a wrong one, the person signs in
    from elsewhere, and their existing sessions go on."""
    attacker = _from(api, "203.0.113.7")
    for _ in range(5):
        assert _guess(attacker, "officer") == 401
    right = attacker.post(TOKEN, data={"username": "officer", "password": PASSWORD})
    wrong = attacker.post(TOKEN, data={"username": "officer", "password": "nope"})
    ghost = attacker.post(TOKEN, data={"username": "ghost", "password": "nope"})
    assert right.status_code == wrong.status_code == ghost.status_code == 401
    assert right.json()["detail"] == wrong.json()["detail"] == ghost.json()["detail"]
    assert right.headers["content-type"] == "application/problem+json"
    assert (
        _from(api, "198.51.100.1")
        .post(TOKEN, data={"username": "officer", "password": PASSWORD})
        .status_code
        == 200
    )
    assert api.client.get("/api/v1/users/me", headers=team["officer"]).status_code == 200
    assert api.events("user.locked") == []


def test_account_lock_grows_expires_and_keeps_sessions(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """Ten failures from several addresses lock the account for a while (never 423);
    the lock expires on its own and the next one lasts twice as long."""
    for n in range(10):
        assert _guess(_from(api, f"192.0.2.{n // 4}"), "investigator") == 401
    elsewhere = _from(api, "198.51.100.2")
    locked = elsewhere.post(TOKEN, data={"username": "investigator", "password": PASSWORD})
    assert locked.status_code == 401 and locked.json()["detail"] == "wrong username or password"
    assert api.client.get("/api/v1/users/me", headers=team["investigator"]).status_code == 200
    assert len(api.events("user.locked")) == 1
    with api.session() as session:
        user = session.exec(select(User).where(User.username == "investigator")).one()
        first = user.locked_until - user.locked_at  # type: ignore[operator]
        assert first == timedelta(minutes=api.settings.login_lock_minutes)
        user.locked_until = utc_now() - timedelta(seconds=1)  # the timer runs out
        session.add(user)
        session.commit()
    for n in range(10):
        assert _guess(_from(api, f"192.0.2.{10 + n // 4}"), "investigator") == 401
    with api.session() as session:
        user = session.exec(select(User).where(User.username == "investigator")).one()
        assert user.locked_until - user.locked_at == 2 * first  # type: ignore[operator]
    listed = api.client.get("/api/v1/users", headers=team["admin"]).json()
    assert next(u for u in listed if u["username"] == "investigator")["locked"] is True
    assert api.client.post("/api/v1/users/investigator/unlock", headers=team["admin"]).is_success
    assert (
        elsewhere.post(TOKEN, data={"username": "investigator", "password": PASSWORD}).status_code
        == 200
    )


def test_throttled_address_gets_problem_json_with_retry_after(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    guesser = _from(api, "203.0.113.99")
    limit = api.settings.login_failures_per_minute
    for n in range(limit):
        assert _guess(guesser, f"name{n}") == 401
    throttled = guesser.post(TOKEN, data={"username": "officer", "password": PASSWORD})
    assert throttled.status_code == 429
    assert throttled.headers["content-type"] == "application/problem+json"
    assert int(throttled.headers["retry-after"]) >= 1


# -- device keys ---------------------------------------------------------------------


def _key(api: Api, team, **extra: object) -> dict[str, str]:  # type: ignore[no-untyped-def]
    created = api.client.post(
        "/api/v1/api-keys",
        json={"username": "officer", "device": "DOCK-7", **extra},
        headers=team["admin"],
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_device_key_is_upload_only_listed_and_revocable(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The trial: a dock key could not be revoked and read every upload's content."""
    key = _key(api, team)
    assert key["scope"] == "upload" and key["expires_at"] is not None
    device = {"X-API-Key": key["api_key"]}
    case_id = team["case"]["id"]
    uploaded = api.upload(case_id, device, b"bodycam shift")
    assert uploaded.status_code == 201
    item = uploaded.json()["id"]
    assert api.client.get(f"/api/v1/items/{item}/content", headers=device).status_code == 403
    assert api.client.get(f"/api/v1/items/{item}", headers=device).status_code == 403
    assert api.client.get(f"/api/v1/items/{item}/content", headers=team["officer"]).is_success
    listed = api.client.get("/api/v1/api-keys", headers=team["admin"]).json()
    assert [k["device"] for k in listed] == ["DOCK-7"] and listed[0]["last_used_at"]
    own = api.client.get("/api/v1/api-keys", headers=team["officer"]).json()
    assert [k["id"] for k in own] == [key["id"]]
    assert api.client.get("/api/v1/api-keys", headers=team["prosecutor"]).status_code == 403
    gone = api.client.delete(f"/api/v1/api-keys/{key['id']}", headers=team["admin"])
    assert gone.status_code == 204
    assert api.upload(case_id, device, b"after revocation").status_code == 401
    assert len(api.events("apikey.revoked")) == 1


def test_revoke_everywhere_covers_device_keys(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    device = {"X-API-Key": _key(api, team, scope="officer")["api_key"]}
    assert api.client.get("/api/v1/users/me", headers=device).status_code == 200
    everywhere = api.client.post("/api/v1/auth/revoke?everywhere=true", headers=team["officer"])
    assert everywhere.status_code == 204
    assert api.client.get("/api/v1/users/me", headers=device).status_code == 401


def test_device_key_expires(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    key = _key(api, team, expires_in_days=30)
    with api.session() as session:
        row = session.get(ApiKey, key["id"])
        assert row is not None and row.expires_at is not None
        row.expires_at = utc_now() - timedelta(seconds=1)
        session.add(row)
        session.commit()
    expired = api.upload(team["case"]["id"], {"X-API-Key": key["api_key"]}, b"late")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


# -- CSRF ----------------------------------------------------------------------------


def test_cookie_authenticated_api_calls_need_csrf(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The trial: an upload and body-less POSTs with only the session cookie → 201."""
    client = api.client
    post_login(client, {"username": "prosecutor", "password": PASSWORD})
    case_id = team["case"]["id"]
    forged = api.upload(case_id, {}, b"forged")
    assert forged.status_code == 403
    cross = api.upload(case_id, {"Origin": "https://evil.example"}, b"forged")
    assert cross.status_code == 403
    assert len(api.events("item.created")) == 0
    token = CSRF.search(client.get(f"/cases/{case_id}").text).group(1)  # type: ignore[union-attr]
    assert api.upload(case_id, {"X-CSRF-Token": token}, b"mine").status_code == 201
    assert api.upload(case_id, {"Origin": "http://testserver"}, b"mine too").status_code == 201
    assert client.post("/api/v1/auth/revoke").status_code == 403
    assert client.get("/api/v1/users/me").status_code == 200


def test_login_form_needs_its_token(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    client = api.client
    form = {"username": "officer", "password": PASSWORD}
    forged = client.post("/login", data=form, follow_redirects=False)
    assert forged.status_code == 403 and "dalel_session" not in client.cookies
    assert post_login(client, form).status_code == 200 and "dalel_session" in client.cookies


def test_device_keys_on_the_account_page(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The officer sees their dock's key with its last use and revokes it on the web."""
    key = _key(api, team)
    device = {"X-API-Key": key["api_key"]}
    assert api.upload(team["case"]["id"], device, b"dock upload").status_code == 201
    client = api.client
    client.cookies.set("dalel_lang", "en")
    post_login(client, {"username": "officer", "password": PASSWORD})
    page = client.get("/account").text
    assert "DOCK-7" in page and "upload only" in page and "never" not in page
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    forged = client.post(f"/account/api-keys/{key['id']}/revoke", follow_redirects=False)
    assert forged.status_code == 403
    done = client.post(f"/account/api-keys/{key['id']}/revoke", data={"csrf": token})
    assert done.status_code == 200 and "revoked" in done.text
    assert api.upload(team["case"]["id"], device, b"after").status_code == 401


def test_every_cookie_write_of_the_api_needs_csrf(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """Every state-changing operation of the OpenAPI (all packages' routers), called
    with only the session cookie and no token or matching Origin, is refused with 403
    by the CSRF check before anything else is looked at."""
    client = api.client
    post_login(client, {"username": "admin", "password": PASSWORD})
    item = api.upload(team["case"]["id"], team["prosecutor"], b"x").json()["id"]
    ids = {"case_id": team["case"]["id"], "item_id": item}
    spec = client.get("/api/v1/openapi.json").json()
    writes = [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"post", "put", "patch", "delete"}
    ]
    exempt = {("POST", "/api/v1/auth/token")}  # sign-in itself sets no cookie
    public = {"/api/v1/verify", "/api/v1/ledger/cosignatures"}  # no session wanted
    forged = {"Origin": "https://evil.example"}
    # The refusal in the account's language.
    expired = {"The form has expired", "Форманың мерзімі өтті", "Срок действия формы истёк"}
    accepted = []
    for method, path in writes:
        if (method, path) in exempt or path in public:
            continue
        url = path.format_map(_Any(ids))
        response = client.request(method, url, headers=forged)
        if response.status_code != 403 or not any(text in response.text for text in expired):
            accepted.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
    assert len(writes) > 40 and accepted == [], accepted


class _Any(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "x"


def test_command_line_names_expired_device_keys(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """`dalel apikey list` said `active` for a key past its expiry (the server refuses
    it): the operator sees `expired`. A negative lifetime is refused, not issued."""
    from evidence.cli import main
    from evidence.config import Settings
    from evidence.db import make_engine

    monkeypatch.setenv("DALEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DALEL_PASSWORD", PASSWORD)
    monkeypatch.delenv("DALEL_DATABASE_URL", raising=False)
    assert main(["user", "add", "root", "--role", "admin"]) == 0
    assert main(["user", "add", "olzhas", "--role", "officer"]) == 0
    add = ["apikey", "add", "--user", "olzhas", "--by", "root"]
    assert main([*add, "--device", "DOCK-1", "--days", "30"]) == 0
    assert main([*add, "--device", "DOCK-2", "--days", "30"]) == 0
    assert main([*add, "--device", "DOCK-3", "--days", "-1"]) != 0
    engine = make_engine(Settings().database_url or "")
    try:
        with Session(engine) as session:
            key = session.exec(select(ApiKey).where(ApiKey.device == "DOCK-1")).one()
            key.expires_at = utc_now() - timedelta(seconds=1)
            session.add(key)
            session.commit()
    finally:
        engine.dispose()
    capsys.readouterr()
    assert main(["apikey", "list"]) == 0
    rows = {line.split()[2]: line.split()[4] for line in capsys.readouterr().out.splitlines()}
    assert rows == {"DOCK-1": "expired", "DOCK-2": "active"}, rows


def test_login_from_a_foreign_page_is_refused(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """Login CSRF: a foreign page posts the attacker's own name and password (and a
    token from the attacker's own visit) into the victim's browser, so the victim's
    uploads would land in the attacker's account. Refused without a session; the same
    form from our own page signs in."""
    attacker = _from(api, "203.0.113.50")
    own_token = CSRF.search(attacker.get("/login").text).group(1)  # type: ignore[union-attr]
    victim = _from(api, "198.51.100.50")
    form = {"username": "officer", "password": PASSWORD}
    foreign = {"Origin": "https://evil.example"}
    for headers, data in [
        (foreign, form),
        (foreign, {**form, "csrf": own_token}),
        ({"Sec-Fetch-Site": "cross-site"}, form),
        ({"Origin": "null"}, form),
    ]:
        victim.get("/login")  # the victim has visited us before: a pre-session cookie
        refused = victim.post("/login", data=data, headers=headers, follow_redirects=False)
        assert refused.status_code == 403, (headers, refused.status_code)
        assert "dalel_session" not in victim.cookies
    signed_in = victim.post(
        "/login", data=form, headers={"Origin": "http://testserver"}, follow_redirects=False
    )
    assert signed_in.status_code == 303 and "dalel_session" in victim.cookies


def test_keys_from_before_expiry_existed_get_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The trial's dock key was issued before keys could expire (no issuer, no expiry):
    after the upgrade it expires a configured period from then; a key issued since with
    'never' (0 days, it has its issuer) keeps no expiry."""
    from alembic import command

    from evidence.db import make_engine
    from evidence.migrations import alembic_config, upgrade
    from evidence.models import Role
    from evidence.security import secret_hash

    url = f"sqlite:///{tmp_path / 'dalel.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            officer = User(username="olzhas", role=Role.OFFICER, password_hash="x",
                           created_at=utc_now())  # fmt: skip
            session.add(officer)
            session.flush()
            for device, issuer in [("OLD-DOCK", None), ("NEW-DOCK", officer.id)]:
                session.add(ApiKey(user_id=officer.id, device=device, created_at=utc_now(),
                                   key_hash=secret_hash(device), created_by=issuer))  # fmt: skip
            session.commit()
        command.downgrade(alembic_config(url), "0016")
        upgrade(url)
        with Session(engine) as session:
            keys = {k.device: k for k in session.exec(select(ApiKey))}
        old = keys["OLD-DOCK"].expires_at
        assert old is not None and abs(old - utc_now() - timedelta(days=365)) < timedelta(hours=1)
        assert keys["NEW-DOCK"].expires_at is None
    finally:
        engine.dispose()
