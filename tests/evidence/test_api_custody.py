"""An item's custody over the API is provable: proofs lead to a checkpoint signed by the
key the server publishes, and the ledger endpoints serve the very same leaves."""

from __future__ import annotations

import base64

import pytest

from custody import merkle
from custody.checkpoint import CheckpointBody
from custody.errors import ProofError
from custody.note import Verifier, open_note
from tests.app_kit import Api


def test_item_custody_proofs_verify_against_published_key(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    item = api.upload(team["case"]["id"], team["officer"], b"bodycam").json()
    api.client.get(f"/api/v1/items/{item['id']}/content", headers=team["prosecutor"])
    body = api.client.get(f"/api/v1/items/{item['id']}/custody", headers=team["prosecutor"]).json()
    keys = api.client.get("/api/v1/ledger/key").text.splitlines()
    text = open_note(body["checkpoint"], [Verifier.parse(k) for k in keys])
    checkpoint = CheckpointBody.parse(text)
    assert checkpoint.size == body["tree_size"]
    actions = [e["event"]["action"] for e in body["events"]]
    assert actions == ["item.created", "item.content.read", "item.custody.read"]
    for event in body["events"]:
        leaf = base64.b64decode(event["leaf"])
        served = api.client.get(
            f"/api/v1/ledger/entries/{event['index']}", headers=team["prosecutor"]
        )
        assert served.content == leaf
        proof = [base64.b64decode(h) for h in event["inclusion_proof"]]
        merkle.verify_inclusion(
            leaf_hash=merkle.hash_leaf(leaf),
            index=event["index"],
            size=checkpoint.size,
            proof=proof,
            root=checkpoint.root,
        )
        with pytest.raises(ProofError):
            merkle.verify_inclusion(
                leaf_hash=merkle.hash_leaf(leaf + b" "),
                index=event["index"],
                size=checkpoint.size,
                proof=proof,
                root=checkpoint.root,
            )


def test_ledger_entry_errors_are_problems(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    auditor = team["auditor"]
    assert api.client.get("/api/v1/ledger/entries/999999", headers=auditor).status_code == 404
    huge = api.client.get(f"/api/v1/ledger/entries/{2**63}", headers=auditor)
    assert huge.status_code == 422
    bad = api.client.get(
        "/api/v1/ledger/proof/inclusion", params={"index": 0, "tree_size": 999}, headers=auditor
    )
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"


def test_checkpoints_are_signed_periodically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import time

    from fastapi.testclient import TestClient

    from evidence.app import create_app
    from evidence.config import Settings
    from evidence.migrations import upgrade
    from evidence.models import Role

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    settings = Settings(data_dir=tmp_path, database_url=url, checkpoint_interval_seconds=1)
    app = create_app(settings)
    with TestClient(app) as client:
        api = Api(client=client, engine=app.state.engine, settings=settings)
        api.user("boss", Role.PROSECUTOR)
        api.case(api.token("boss"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            response = client.get("/api/v1/ledger/checkpoint")
            if response.status_code == 200 and int(response.text.split("\n")[1]) >= 2:
                break
            time.sleep(0.3)
        assert response.status_code == 200, response.text
        assert int(response.text.split("\n")[1]) == len(api.events())
