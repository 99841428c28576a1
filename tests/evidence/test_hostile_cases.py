"""Issue 12: a case keeps at least one prosecutor; one file-name rule for every way a
file enters. The trial's requests against the real app (`create_app`)."""

from __future__ import annotations

from evidence.models import Role
from tests.app_kit import Api


def test_investigator_cannot_remove_the_prosecutor(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The trial: an investigator removed the case's only prosecutor (204)."""
    case_id = team["case"]["id"]
    url = f"/api/v1/cases/{case_id}/members/prosecutor"
    refused = api.client.delete(url, headers=team["investigator"])
    assert refused.status_code == 403
    assert api.events("access.denied") and api.events("case.member.removed") == []
    # Not even the prosecutor can leave the case without a successor.
    alone = api.client.delete(url, headers=team["prosecutor"])
    assert alone.status_code == 409 and "at least one prosecutor" in alone.json()["detail"]
    members = api.client.get(f"/api/v1/cases/{case_id}/members", headers=team["prosecutor"])
    assert "prosecutor" in {m["username"] for m in members.json()}


def test_prosecutor_hands_over_or_an_administrator_transfers(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    api.user("successor", Role.PROSECUTOR)
    api.user("third", Role.PROSECUTOR)
    added = api.client.post(
        f"/api/v1/cases/{case_id}/members",
        json={"username": "successor"},
        headers=team["prosecutor"],
    )
    assert added.status_code == 201
    # Two prosecutors: one may now leave, removed by a prosecutor.
    left = api.client.delete(
        f"/api/v1/cases/{case_id}/members/prosecutor", headers=team["prosecutor"]
    )
    assert left.status_code == 204
    # The last one cannot leave; an administrator approves a transfer instead.
    transfer = {"username": "third", "reason": "reassigned, order 114", "replaces": "successor"}
    assert (
        api.client.post(
            f"/api/v1/cases/{case_id}/transfer", json=transfer, headers=team["investigator"]
        ).status_code
        == 403
    )
    done = api.client.post(
        f"/api/v1/cases/{case_id}/transfer", json=transfer, headers=team["admin"]
    )
    assert done.status_code == 200 and done.json()["username"] == "third"
    third = api.token("third")
    names = {
        m["username"]
        for m in api.client.get(f"/api/v1/cases/{case_id}/members", headers=third).json()
    }
    assert "third" in names and "successor" not in names
    assert (
        api.client.get(f"/api/v1/cases/{case_id}/items", headers=team["admin"]).status_code == 403
    )


def test_one_name_rule_for_every_way_in(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The trial: `a\\u202egnp.exe` (shown as `aexe.png`) entered through an archive while
    uploads refused it. The same names are refused by a direct upload and a resumable
    one, and a tus-style filename with a zero-width or control character likewise."""
    case_id = team["case"]["id"]
    for name in ["a\u202egnp.exe", "photo\u200b.jpg", "bell\u0007.txt", "tab\tname.txt"]:
        # Raw bytes: a client library would percent-encode control characters.
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="'
            + name.encode()
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n--b--\r\n'
        )
        direct = api.client.post(
            f"/api/v1/cases/{case_id}/items",
            content=body,
            headers={**team["prosecutor"], "Content-Type": "multipart/form-data; boundary=b"},
        )
        assert direct.status_code in {400, 422}, (name, direct.text)
        resumable = api.client.post(
            f"/api/v1/cases/{case_id}/uploads",
            json={"filename": name, "size": 1},
            headers=team["prosecutor"],
        )
        assert resumable.status_code in {400, 422}, (name, resumable.text)
        assert resumable.headers["content-type"] == "application/problem+json"
    assert api.events("item.created") == []
    ok = api.client.post(
        f"/api/v1/cases/{case_id}/uploads",
        json={"filename": "ordinary.jpg", "size": 1},
        headers=team["prosecutor"],
    )
    assert ok.status_code == 201, ok.text
