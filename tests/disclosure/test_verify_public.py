"""Public verification without an oracle (finding 3): anonymously, only files the system
released — delivered to a disclosure's recipient or exported for a court — are
recognised, with the proof of the release; a held file and an unknown one get the same
bytes. Signed-in court and prosecution members learn what their own cases hold."""

from __future__ import annotations

import base64
import hashlib
import json

from custody import merkle
from custody.checkpoint import CheckpointBody
from custody.note import Verifier, open_note
from evidence.models import Role
from evidence.service import LedgerConfig, checkpoint
from tests.app_kit import Api
from tests.disclosure.conftest import Material, disclose, make_user, png_bytes


def _verify(api: Api, sha256: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return api.client.post("/api/v1/verify", json={"sha256": sha256}, headers=headers or {})


def _sign(api: Api) -> None:
    with api.session() as session:
        checkpoint(session=session, ledger=LedgerConfig.from_settings(api.settings))


def _check_release_proof(api: Api, answer: dict, sha256: str, kind: str) -> None:  # type: ignore[type-arg]
    """What a court does with the answer: the release event names these bytes (and
    nothing about the case), and it is in the tree the log signed."""
    keys = [Verifier.parse(k) for k in api.client.get("/api/v1/ledger/key").text.splitlines()]
    body = CheckpointBody.parse(open_note(answer["checkpoint"], keys))
    assert body.size == answer["tree_size"]
    (release,) = [r for r in answer["releases"] if r["kind"] == kind]
    leaf = base64.b64decode(release["leaf"])
    event = json.loads(leaf)
    assert event["action"] == "file.released" and event["sha256"] == sha256
    assert event["details"] == {"kind": kind} and event["actor"]["id"] == "system"
    assert not {"case", "case_number", "item", "client"} & set(event)
    merkle.verify_inclusion(
        leaf_hash=merkle.hash_leaf(leaf),
        index=release["index"],
        size=body.size,
        proof=[base64.b64decode(h) for h in release["inclusion_proof"]],
        root=body.root,
    )


def test_held_and_unknown_files_get_the_same_answer(api: Api, team, material: Material) -> None:  # type: ignore[no-untyped-def]
    held = png_bytes("red")  # the original photo of the case: held, never released
    unknown = png_bytes("green", (17, 5))
    _sign(api)
    answers = []
    for data in (held, unknown):
        digest = hashlib.sha256(data).hexdigest()
        for response in (
            _verify(api, digest),
            _verify(api, digest.upper()),
            api.client.post("/api/v1/verify", files={"file": ("x.png", data, "image/png")}),
            api.client.post(
                "/api/v1/verify", content=data, headers={"Content-Type": "application/octet-stream"}
            ),
        ):
            assert response.status_code == 200, response.text
            # The date and the request id differ per request, whatever was asked.
            varying = {"date", "x-request-id"}
            headers = {k: v for k, v in response.headers.items() if k not in varying}
            answers.append((response.content, headers))
    assert all(answer == answers[0] for answer in answers), answers
    assert json.loads(answers[0][0]) == {"released": False}
    assert _verify(api, "xyz").status_code == 400
    assert api.client.post("/api/v1/verify", json={"sha": 1}).status_code == 400
    assert api.client.post("/api/v1/verify", files={"other": ("x", b"1")}).status_code == 400
    page = api.client.get("/verify")
    assert page.status_code == 200 and "SHA-256" in page.text


def test_a_file_delivered_to_the_defence_is_released_with_its_proof(
    api: Api, team, material: Material
) -> None:  # type: ignore[no-untyped-def]
    body = disclose(api, team, [material.original]).json()
    served = body["items"][0]["served_id"]
    meta = api.client.get(f"/api/v1/items/{served}", headers=team["prosecutor"]).json()
    sha256 = meta["sha256"]
    _sign(api)
    # Disclosed but not yet delivered: nothing has left the building.
    assert json.loads(_verify(api, sha256).content) == {"released": False}
    url = f"/api/v1/disclosures/{body['id']}/items/{served}/content"
    data = api.client.get(url, headers=team["defence"]).content
    assert hashlib.sha256(data).hexdigest() == sha256
    _sign(api)
    answer = _verify(api, sha256).json()
    assert answer["released"] is True and answer["sha256"] == sha256
    _check_release_proof(api, answer, sha256, "disclosure")
    api.client.get(url + "?download=true", headers=team["defence"])  # the same release
    _sign(api)
    assert len(_verify(api, sha256).json()["releases"]) == 1
    text = _verify(api, sha256).text
    for secret in ("202611210000001", "Кража", "photo.png", "defence", "prosecutor", "testclient"):
        assert secret not in text, secret
    # The original behind the served copy was never released.
    original = api.client.get(f"/api/v1/items/{material.original}", headers=team["prosecutor"])
    assert json.loads(_verify(api, original.json()["sha256"]).content) == {"released": False}


def test_court_export_releases_and_members_get_the_full_answer(
    api: Api, team, material: Material
) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    original = api.client.get(f"/api/v1/items/{material.original}", headers=team["prosecutor"])
    sha256 = original.json()["sha256"]
    # A prosecutor of the case learns that the case holds it (recorded); an outsider
    # prosecutor, the officer and the defence learn nothing more than the public.
    full = _verify(api, sha256, team["prosecutor"]).json()
    assert full["held"] is True and full["released"] is False
    (held,) = full["items"]
    assert held["item_id"] == material.original and held["case_id"] == case_id
    assert json.loads(base64.b64decode(held["record"]["leaf"]))["action"] == "item.created"
    assert ("item.verified", material.original) in [(a, i) for _, a, i in api.events()]
    for who in ("outsider", "officer", "defence"):
        other = _verify(api, sha256, team[who]).json()
        assert other == {"sha256": sha256, "released": False, "held": False, "items": []}, who
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert _verify(api, sha256, bad_token).status_code == 401
    # The court exports the case: every file in the export is released.
    _, judge = make_user(api, "judge", Role.COURT)
    api.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "judge"}, headers=team["prosecutor"]
    )
    export = api.client.get(f"/api/v1/cases/{case_id}/court-export", headers=judge)
    assert export.status_code == 200, export.text
    answer = _verify(api, sha256).json()
    _check_release_proof(api, answer, sha256, "court-export")
    assert _verify(api, sha256, judge).json()["held"] is True


def test_public_verify_is_rate_limited_per_address(api: Api) -> None:
    from fastapi.testclient import TestClient

    limit = api.settings.public_requests_per_minute
    greedy = TestClient(api.client.app, client=("203.0.113.7", 41000))
    answers = [greedy.post("/api/v1/verify", json={"sha256": "0" * 64}) for _ in range(limit + 5)]
    assert [a.status_code for a in answers] == [200] * limit + [429] * 5
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    # Another address is not held back.
    assert api.client.post("/api/v1/verify", json={"sha256": "0" * 64}).status_code == 200
