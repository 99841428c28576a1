"""The defence's reading of disclosed material is visible to auditors, not prosecutors;
withheld events still prove the item's chain and inclusion."""

from __future__ import annotations

import base64
import itertools

from custody import merkle
from custody.checkpoint import CheckpointBody
from custody.note import Verifier, open_note
from tests.app_kit import Api
from tests.disclosure.conftest import Material, disclose


def test_defence_reads_are_hashes_to_the_prosecutor(api: Api, team, material: Material) -> None:  # type: ignore[no-untyped-def]
    body = disclose(api, team, [material.original]).json()
    served = body["items"][0]["served_id"]
    url = f"/api/v1/disclosures/{body['id']}/items/{served}/content"
    assert api.client.get(url, headers=team["defence"]).status_code == 200
    prosecutor = api.client.get(f"/api/v1/items/{served}/custody", headers=team["prosecutor"])
    auditor = api.client.get(f"/api/v1/items/{served}/custody", headers=team["auditor"])
    hidden = [e for e in prosecutor.json()["events"] if e["withheld"]]
    assert hidden and all(e["leaf"] is None and e["event"] is None for e in hidden)
    shown = {e["index"]: e for e in auditor.json()["events"]}
    assert all(shown[e["index"]]["event"]["actor"]["role"] == "defence" for e in hidden)
    keys = [Verifier.parse(k) for k in api.client.get("/api/v1/ledger/key").text.splitlines()]
    checkpoint = CheckpointBody.parse(open_note(prosecutor.json()["checkpoint"], keys))
    events = prosecutor.json()["events"]
    for before, after in itertools.pairwise(events):
        if after["event"]:
            assert after["event"]["prev"] == before["leaf_hash"]
    for event in hidden:
        merkle.verify_inclusion(
            leaf_hash=bytes.fromhex(event["leaf_hash"]),
            index=event["index"],
            size=checkpoint.size,
            proof=[base64.b64decode(h) for h in event["inclusion_proof"]],
            root=checkpoint.root,
        )
