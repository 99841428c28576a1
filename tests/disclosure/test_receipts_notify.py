"""Receipts signed with the lawyer's Ed25519 key; notifications in the app and by e-mail."""

from __future__ import annotations

import nacl.signing
import pytest

from tests.app_kit import Api
from tests.disclosure.conftest import Material, disclose
from tests.disclosure.smtp_sink import smtp_sink


def test_lawyer_signs_a_receipt_and_the_prosecutor_sees_it(
    api: Api, team, material: Material
) -> None:  # type: ignore[no-untyped-def]
    body = disclose(api, team, [material.original]).json()
    did, served = body["id"], body["items"][0]["served_id"]
    download = api.client.get(
        f"/api/v1/disclosures/{did}/items/{served}/content?download=true", headers=team["defence"]
    )
    receipt_id = download.headers["X-Receipt-Id"]
    (receipt,) = api.client.get(
        f"/api/v1/disclosures/{did}/receipts", headers=team["defence"]
    ).json()
    assert receipt["id"] == receipt_id and receipt["sha256"] == body["items"][0]["sha256"]
    assert not receipt["signed"]
    key = nacl.signing.SigningKey.generate()
    sign = f"/api/v1/receipts/{receipt_id}/signature"
    signature = key.sign(receipt["statement"].encode()).signature.hex()
    assert (
        api.client.post(sign, json={"signature": signature}, headers=team["defence"]).status_code
        == 400
    )
    registered = api.client.post(
        "/api/v1/receipts/keys",
        json={"public_key": key.verify_key.encode().hex()},
        headers=team["defence"],
    )
    assert registered.status_code == 201, registered.text
    wrong = nacl.signing.SigningKey.generate().sign(receipt["statement"].encode()).signature.hex()
    assert (
        api.client.post(sign, json={"signature": wrong}, headers=team["defence"]).status_code == 400
    )
    assert (
        api.client.post(sign, json={"signature": "zz"}, headers=team["defence"]).status_code == 400
    )
    signed = api.client.post(sign, json={"signature": signature}, headers=team["defence"])
    assert signed.status_code == 200 and signed.json()["signed"], signed.text
    # Nobody else signs it.
    assert (
        api.client.post(sign, json={"signature": signature}, headers=team["prosecutor"]).status_code
        == 404
    )
    seen = api.client.get(f"/api/v1/disclosures/{did}/receipts", headers=team["prosecutor"]).json()
    assert seen[0]["signed"] and seen[0]["key"] == key.verify_key.encode().hex()
    nacl.signing.VerifyKey(bytes.fromhex(seen[0]["key"])).verify(
        seen[0]["statement"].encode(), bytes.fromhex(seen[0]["signature"])
    )
    assert (
        api.client.get(f"/api/v1/disclosures/{did}/receipts", headers=team["outsider"]).status_code
        == 403
    )
    assert "disclosure.receipt.signed" in [a for _, a, _ in api.events()]


@pytest.mark.parametrize("api", ["sqlite"], indirect=True)
def test_prosecutor_is_emailed_on_first_receipt_and_first_opening(  # type: ignore[no-untyped-def]
    api: Api, team, material: Material, monkeypatch
) -> None:
    with smtp_sink() as (port, messages):
        monkeypatch.setenv("DALEL_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("DALEL_SMTP_PORT", str(port))
        monkeypatch.setenv("DALEL_SMTP_FROM", "dalel@prokuratura.kz")
        put = api.client.put(
            "/api/v1/notifications/address", json={"email": "aigerim@prokuratura.kz"},
            headers=team["prosecutor"],
        )  # fmt: skip
        assert put.status_code == 204
        body = disclose(api, team, [material.original]).json()
        did, served = body["id"], body["items"][0]["served_id"]
        url = f"/api/v1/disclosures/{did}/items/{served}/content"
        for _ in range(2):  # only the first of each notifies
            api.client.get(url, headers=team["defence"])
            api.client.get(url + "?download=true", headers=team["defence"])
        notes = api.client.get("/api/v1/notifications", headers=team["prosecutor"]).json()
        assert sorted(n["kind"] for n in notes) == ["disclosure.opened", "disclosure.received"]
        assert len(messages) == 2
        assert all("aigerim@prokuratura.kz" in m and "defence" in m for m in messages)
    # Nobody else sees the prosecutor's notifications.
    assert api.client.get("/api/v1/notifications", headers=team["defence"]).json() == []
    read = api.client.post(
        f"/api/v1/notifications/{notes[0]['id']}/read", headers=team["prosecutor"]
    )
    assert read.status_code == 204
    unread = api.client.get("/api/v1/notifications?unread=true", headers=team["prosecutor"]).json()
    assert len(unread) == 1


def test_defence_notes_are_private_and_trail_is_for_auditors(
    api: Api, team, material: Material
) -> None:  # type: ignore[no-untyped-def]
    body = disclose(api, team, [material.original]).json()
    did, served = body["id"], body["items"][0]["served_id"]
    notes = f"/api/v1/disclosures/{did}/notes"
    added = api.client.post(notes, json={"text": "alibi: 14:05 CCTV"}, headers=team["defence"])
    assert added.status_code == 201
    assert [n["text"] for n in api.client.get(notes, headers=team["defence"]).json()] == [
        "alibi: 14:05 CCTV"
    ]
    for who in ["prosecutor", "auditor", "investigator"]:
        assert api.client.get(notes, headers=team[who]).status_code == 404
    api.client.get(f"/api/v1/disclosures/{did}/items/{served}/content", headers=team["defence"])
    trail = f"/api/v1/disclosures/{did}/access-trail"
    assert api.client.get(trail, headers=team["prosecutor"]).status_code == 403
    assert api.client.get(trail, headers=team["defence"]).status_code == 403
    events = api.client.get(trail, headers=team["auditor"]).json()
    assert [e["action"] for e in events] == ["item.content.read"]
    assert events[0]["details"]["disclosure"] == did
