"""Need-to-know: sign-in, tokens, device keys, roles, membership; denials are recorded."""

from __future__ import annotations

from tests.app_kit import PASSWORD, Api


def test_unknown_user_and_missing_token(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    assert (
        api.client.post(
            "/api/v1/auth/token", data={"username": "ghost", "password": "x"}
        ).status_code
        == 401
    )
    assert api.client.get("/api/v1/cases").status_code == 401
    garbage = {"Authorization": "Bearer dt_garbage"}
    assert api.client.get("/api/v1/cases", headers=garbage).status_code == 401


def test_revoked_token_stops_working(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    headers = api.token("investigator")
    assert api.client.get("/api/v1/cases", headers=headers).status_code == 200
    assert api.client.post("/api/v1/auth/revoke", headers=headers).status_code == 204
    assert api.client.get("/api/v1/cases", headers=headers).status_code == 401
    other = api.token("investigator")
    assert api.client.post("/api/v1/auth/revoke?everywhere=true", headers=other).status_code == 204
    assert api.client.get("/api/v1/cases", headers=team["investigator"]).status_code == 401


def test_device_key_uploads_as_its_officer(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    created = api.client.post(
        "/api/v1/api-keys", json={"username": "officer", "device": "DOCK-7"}, headers=team["admin"]
    )
    assert created.status_code == 201
    key = created.json()["api_key"]
    response = api.upload(team["case"]["id"], {"X-API-Key": key}, b"bodycam shift")
    assert response.status_code == 201
    assert response.json()["device"] == "DOCK-7"
    event = api.client.get(
        f"/api/v1/items/{response.json()['id']}/custody", headers=team["prosecutor"]
    )
    assert event.json()["events"][0]["event"]["actor"] == {
        "id": event.json()["events"][0]["event"]["actor"]["id"],
        "name": "officer",
        "role": "officer",
        "device": "DOCK-7",
    }
    not_officer = api.client.post(
        "/api/v1/api-keys", json={"username": "prosecutor", "device": "X"}, headers=team["admin"]
    )
    assert not_officer.status_code == 400
    by_non_admin = api.client.post(
        "/api/v1/api-keys", json={"username": "officer", "device": "X"}, headers=team["prosecutor"]
    )
    assert by_non_admin.status_code == 403


def test_case_numbers_are_validated_and_unique(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    for bad in ["12345", "20261121000000A", "2026112100000011", ""]:
        response = api.client.post(
            "/api/v1/cases", json={"number": bad, "title": "x"}, headers=team["prosecutor"]
        )
        assert response.status_code == 400, bad
    dup = api.client.post(
        "/api/v1/cases",
        json={"number": "202611210000001", "title": "x"},
        headers=team["investigator"],
    )
    assert dup.status_code == 409
    officer = api.client.post(
        "/api/v1/cases", json={"number": "202611210000009", "title": "x"}, headers=team["officer"]
    )
    assert officer.status_code == 403


def test_non_member_is_refused_and_refusal_recorded(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    item = api.upload(case_id, team["officer"], b"secret evidence").json()
    for path in [
        f"/api/v1/cases/{case_id}",
        f"/api/v1/cases/{case_id}/items",
        f"/api/v1/items/{item['id']}",
        f"/api/v1/items/{item['id']}/content",
        f"/api/v1/items/{item['id']}/custody",
    ]:
        response = api.client.get(path, headers=team["outsider"])
        assert response.status_code == 403, path
        assert b"secret evidence" not in response.content
    denials = api.events("access.denied")
    assert len(denials) == 5
    assert {d[2] for d in denials} == {None, item["id"]}
    assert api.client.get("/api/v1/cases", headers=team["outsider"]).json() == []


def test_roles_inside_a_case(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    mine = api.upload(case_id, team["officer"], b"officer upload").json()
    theirs = api.upload(case_id, team["investigator"], b"investigator upload").json()
    get = api.client.get
    # Officers read what they uploaded, not the rest of the case.
    assert get(f"/api/v1/items/{mine['id']}/content", headers=team["officer"]).status_code == 200
    assert get(f"/api/v1/items/{theirs['id']}/content", headers=team["officer"]).status_code == 403
    listed = get(f"/api/v1/cases/{case_id}/items", headers=team["officer"]).json()
    assert [i["id"] for i in listed] == [mine["id"]]
    # Prosecutors and investigators read everything in their case.
    for who in ["prosecutor", "investigator"]:
        assert get(f"/api/v1/items/{mine['id']}/content", headers=team[who]).status_code == 200
    # Auditors see metadata and custody, not content.
    assert get(f"/api/v1/items/{mine['id']}", headers=team["auditor"]).status_code == 200
    assert get(f"/api/v1/items/{mine['id']}/custody", headers=team["auditor"]).status_code == 200
    assert get(f"/api/v1/items/{mine['id']}/content", headers=team["auditor"]).status_code == 403
    # Administrators manage people and read no evidence; defence sees nothing yet.
    for who in ["admin", "defence"]:
        assert get(f"/api/v1/items/{mine['id']}", headers=team[who]).status_code == 403
        assert get(f"/api/v1/cases/{case_id}", headers=team[who]).status_code == 403
    assert api.upload(case_id, team["auditor"], b"not allowed").status_code == 403


def test_membership_rules(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    post = api.client.post
    assert (
        post(
            f"/api/v1/cases/{case_id}/members",
            json={"username": "admin"},
            headers=team["prosecutor"],
        ).status_code
        == 400
    )
    assert (
        post(
            f"/api/v1/cases/{case_id}/members",
            json={"username": "defence"},
            headers=team["prosecutor"],
        ).status_code
        == 400
    )
    assert (
        post(
            f"/api/v1/cases/{case_id}/members",
            json={"username": "officer"},
            headers=team["prosecutor"],
        ).status_code
        == 409
    )
    assert (
        post(
            f"/api/v1/cases/{case_id}/members",
            json={"username": "nobody"},
            headers=team["prosecutor"],
        ).status_code
        == 404
    )
    assert (
        post(
            f"/api/v1/cases/{case_id}/members",
            json={"username": "outsider"},
            headers=team["officer"],
        ).status_code
        == 403
    )
    members = api.client.get(
        f"/api/v1/cases/{case_id}/members", headers=team["investigator"]
    ).json()
    assert {m["username"] for m in members} == {"prosecutor", "officer", "investigator", "auditor"}
    removed = api.client.delete(
        f"/api/v1/cases/{case_id}/members/officer", headers=team["prosecutor"]
    )
    assert removed.status_code == 204
    assert api.client.get(f"/api/v1/cases/{case_id}", headers=team["officer"]).status_code == 403
    assert len(api.events("case.member.added")) == 3
    assert len(api.events("case.member.removed")) == 1


def test_admin_manages_users(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    created = api.client.post(
        "/api/v1/users",
        json={"username": "judge", "password": PASSWORD, "role": "court", "full_name": "Судья"},
        headers=team["admin"],
    )
    assert created.status_code == 201 and created.json()["role"] == "court"
    weak = api.client.post(
        "/api/v1/users",
        json={"username": "weak", "password": "short", "role": "court"},
        headers=team["admin"],
    )
    assert weak.status_code == 400
    assert (
        api.client.post(
            "/api/v1/users",
            json={"username": "x1", "password": PASSWORD, "role": "court"},
            headers=team["prosecutor"],
        ).status_code
        == 403
    )
    names = {u["username"] for u in api.client.get("/api/v1/users", headers=team["admin"]).json()}
    assert "judge" in names
    me = api.client.get("/api/v1/users/me", headers=team["officer"]).json()
    assert me["username"] == "officer" and me["role"] == "officer"
