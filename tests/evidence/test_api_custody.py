"""An item's custody over the API is provable: proofs lead to a checkpoint signed by the
key the server publishes, and the ledger endpoints serve the very same leaves."""

from __future__ import annotations

import base64

import pytest

from custody import merkle
from custody.checkpoint import CheckpointBody
from custody.errors import ProofError
from custody.note import Verifier, open_note
from tests.evidence.conftest import Api


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
        served = api.client.get(f"/api/v1/ledger/entries/{event['index']}")
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


def test_ledger_endpoints_are_public_and_errors_are_problems(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    assert api.client.get("/api/v1/ledger/entries/999999").status_code == 404
    bad = api.client.get("/api/v1/ledger/proof/inclusion", params={"index": 5, "tree_size": 2})
    assert bad.status_code in {400, 404}
    assert bad.headers["content-type"] == "application/problem+json"
