"""Disclosure API on SQLite and PostgreSQL: create, tranches, flags, revoke, portal reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.app_kit import Api
from tests.disclosure.conftest import Material, disclose


def _served(body: dict) -> list[str]:  # type: ignore[type-arg]
    return [entry["served_id"] for entry in body["items"]]


def test_original_is_replaced_by_its_watermarked_redaction(
    api: Api, team, material: Material
) -> None:  # type: ignore[no-untyped-def]
    response = disclose(api, team, [material.original], note="first batch")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "active" and body["tranches"] == 1
    (entry,) = body["items"]
    assert entry["source_id"] == material.original
    assert entry["item_id"] == material.redacted
    assert entry["watermarked"] and entry["served_id"] not in {material.original, material.redacted}
    # The watermarked copy is a derivative of the redaction, recorded in custody.
    derived = api.client.get(
        f"/api/v1/items/{entry['served_id']}", headers=team["prosecutor"]
    ).json()
    assert derived["derivative_kind"] == "watermarked"
    assert derived["parent_id"] == material.redacted
    actions = [a for _, a, _ in api.events()]
    assert "disclosure.created" in actions and "item.disclosed" in actions


def test_blocked_and_unapproved_items_are_refused(api: Api, team, material: Material) -> None:  # type: ignore[no-untyped-def]
    # No redaction and not marked disclosable.
    assert disclose(api, team, [material.unredacted]).status_code == 409
    # An unapproved derivative (a proxy) is never disclosable.
    assert disclose(api, team, [material.proxy]).status_code == 409
    flags = f"/api/v1/items/{material.unredacted}/disclosure-flags"
    response = api.client.post(
        flags, json={"disclosable_original": True}, headers=team["prosecutor"]
    )
    assert response.status_code == 200, response.text
    created = disclose(api, team, [material.unredacted])
    assert created.status_code == 201
    assert created.json()["items"][0]["item_id"] == material.unredacted
    # "Do not disclose" on the original blocks its redaction too.
    api.client.post(
        f"/api/v1/items/{material.original}/disclosure-flags",
        json={"do_not_disclose": True, "reason": "witness safety"},
        headers=team["prosecutor"],
    )
    assert disclose(api, team, [material.original]).status_code == 409
    assert disclose(api, team, [material.redacted]).status_code == 409
    # Only a prosecutor of the case discloses or flags; the attempt is recorded as denied.
    for who in ["officer", "defence", "outsider", "auditor"]:
        denied = api.client.post(
            f"/api/v1/cases/{team['case']['id']}/disclosures",
            json={"recipient": "defence", "items": [material.unredacted]},
            headers=team[who],
        )
        assert denied.status_code in {403, 404}, (who, denied.text)
    assert (
        api.client.post(flags, json={"do_not_disclose": True}, headers=team["officer"]).status_code
        == 403
    )
    # The recipient must be a defence account; expiry must be in the future.
    assert disclose(api, team, [material.unredacted], recipient="officer").status_code == 400
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert disclose(api, team, [material.unredacted], expires_at=past).status_code == 400


def test_defence_reads_served_files_and_revocation_cuts_access(
    api: Api, team, material: Material
) -> None:  # type: ignore[no-untyped-def]
    api.client.post(
        f"/api/v1/items/{material.unredacted}/disclosure-flags",
        json={"disclosable_original": True},
        headers=team["prosecutor"],
    )
    body = disclose(api, team, [material.original, material.unredacted]).json()
    did = body["id"]
    served = _served(body)
    mine = api.client.get("/api/v1/disclosures", headers=team["defence"]).json()
    assert [d["id"] for d in mine] == [did]
    assert mine[0]["items"][0].get("source_id") is None  # no pointer to originals
    url = f"/api/v1/disclosures/{did}/items/{served[0]}/content"
    view = api.client.get(url, headers=team["defence"])
    assert view.status_code == 200 and view.content[:4] == b"\x89PNG"
    part = api.client.get(url, headers={**team["defence"], "Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == b"\x89PNG"
    download = api.client.get(url + "?download=true", headers=team["defence"])
    assert download.status_code == 200 and download.headers["X-Receipt-Id"]
    # The plain item route works too for the served file (policy via the lookup) ...
    assert (
        api.client.get(f"/api/v1/items/{served[0]}/content", headers=team["defence"]).status_code
        == 200
    )
    # ... and every read names the defence in custody.
    reads = [
        e
        for e in api.events()
        if e[2] == served[0] and e[1] in {"item.content.read", "item.downloaded"}
    ]
    assert len(reads) >= 4
    # The prosecutor was notified of first opening and first receipt.
    kinds = {
        n["kind"]
        for n in api.client.get("/api/v1/notifications", headers=team["prosecutor"]).json()
    }
    assert {"disclosure.opened", "disclosure.received"} <= kinds
    revoked = api.client.post(f"/api/v1/disclosures/{did}/revoke", headers=team["prosecutor"])
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert api.client.get(url, headers=team["defence"]).status_code == 410
    assert (
        api.client.get(f"/api/v1/items/{served[0]}/content", headers=team["defence"]).status_code
        == 403
    )
    assert (
        api.client.get(f"/api/v1/disclosures/{did}/bundle", headers=team["defence"]).status_code
        == 410
    )


def test_tranches_list_what_changed(api: Api, team, material: Material) -> None:  # type: ignore[no-untyped-def]
    api.client.post(
        f"/api/v1/items/{material.unredacted}/disclosure-flags",
        json={"disclosable_original": True},
        headers=team["prosecutor"],
    )
    body = disclose(api, team, [material.original]).json()
    did, first = body["id"], _served(body)[0]
    response = api.client.post(
        f"/api/v1/disclosures/{did}/tranches",
        json={"add": [material.unredacted], "withdraw": [material.original], "note": "t2"},
        headers=team["prosecutor"],
    )
    assert response.status_code == 201, response.text
    tranche = response.json()
    assert tranche["number"] == 2 and tranche["withdrawn"] == [first] and len(tranche["added"]) == 1
    view = api.client.get(f"/api/v1/disclosures/{did}", headers=team["defence"]).json()
    assert _served(view) == tranche["added"]
    assert [h["number"] for h in view["history"]] == [1, 2]
    # The withdrawn file is no longer readable.
    gone = api.client.get(
        f"/api/v1/disclosures/{did}/items/{first}/content", headers=team["defence"]
    )
    assert gone.status_code == 404
    assert (
        api.client.get(f"/api/v1/items/{first}/content", headers=team["defence"]).status_code == 403
    )
    prosecution = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/disclosures", headers=team["prosecutor"]
    ).json()
    assert prosecution[0]["items"][0]["withdrawn_in"] == 2


def test_expired_disclosure_gives_no_access(api: Api, team, material: Material) -> None:  # type: ignore[no-untyped-def]
    # Any future time: the row is moved into the past below (a loaded machine can take
    # more than a few seconds to answer, and a past expiry is refused).
    soon = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    body = disclose(api, team, [material.original], expires_at=soon).json()
    from disclosure.models import Disclosure

    with api.session() as session:
        row = session.get(Disclosure, body["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
        session.commit()
    url = f"/api/v1/disclosures/{body['id']}/items/{_served(body)[0]}/content"
    assert api.client.get(url, headers=team["defence"]).status_code == 410
    assert (
        api.client.get(f"/api/v1/disclosures/{body['id']}", headers=team["defence"]).json()[
            "status"
        ]
        == "expired"
    )
