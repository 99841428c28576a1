"""Ledger entries and inclusion proofs by need-to-know (findings 1 and 2): nothing for
anonymous callers, the item's or case's rule for members, system events for auditors and
administrators, the defence's events never for the prosecution; refusals recorded."""

from __future__ import annotations

import base64
import json

from sqlalchemy import text

from custody import merkle
from evidence.service import LedgerConfig, checkpoint
from tests.app_kit import Api
from tests.disclosure.conftest import Material, disclose


def _entries(api: Api) -> list[tuple[int, str, str | None, dict]]:  # type: ignore[type-arg]
    with api.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT idx, subject, item_id, leaf FROM ledger_entry ORDER BY idx")
        )
        return [(i, s, item, json.loads(leaf)) for i, s, item, leaf in rows]


def _get(api: Api, index: int, who: dict[str, str] | None):  # type: ignore[no-untyped-def]
    return api.client.get(f"/api/v1/ledger/entries/{index}", headers=who or {})


def _proof(api: Api, index: int, size: int, who: dict[str, str] | None):  # type: ignore[no-untyped-def]
    params = {"index": index, "tree_size": size}
    return api.client.get("/api/v1/ledger/proof/inclusion", params=params, headers=who or {})


def test_entries_follow_the_custody_view(api: Api, team, material: Material) -> None:  # type: ignore[no-untyped-def]
    api.client.post(
        f"/api/v1/items/{material.unredacted}/disclosure-flags",
        json={"disclosable_original": True},
        headers=team["prosecutor"],
    )
    body = disclose(api, team, [material.unredacted]).json()
    served = body["items"][0]["served_id"]
    read = api.client.get(
        f"/api/v1/disclosures/{body['id']}/items/{served}/content", headers=team["defence"]
    )
    assert read.status_code == 200
    with api.session() as session:
        size = checkpoint(session=session, ledger=LedgerConfig.from_settings(api.settings)).size
    entries = _entries(api)
    system = next(i for i, s, _, e in entries if s == "system" and e["action"] == "user.created")
    item = next(i for i, _, it, e in entries if it == material.unredacted and e["prev"] is None)
    defence = next(i for i, _, _, e in entries if e["actor"]["role"] == "defence" and i < size)
    case = next(i for i, s, _, _ in entries if s.startswith("case:"))
    # Anonymous: nothing, for any index.
    for index, *_ in entries:
        assert _get(api, index, None).status_code == 401
        assert _proof(api, index, size, None).status_code == 401
    expected = {
        # index: who may read it in clear
        system: {"auditor", "admin"},
        # The officer uploaded it; the defence holds item.origin on what it was disclosed
        # (here the file itself, marked disclosable as it is).
        item: {"prosecutor", "investigator", "auditor", "officer", "defence"},
        case: {"prosecutor", "investigator", "auditor"},
        defence: {"defence", "auditor"},
    }
    before = len([e for e in _entries(api) if e[3]["action"] == "access.denied"])
    refused = 0
    for index, readers in expected.items():
        for who in ("prosecutor", "investigator", "officer", "outsider", "auditor", "admin",
                    "defence"):  # fmt: skip
            entry = _get(api, index, team[who])
            proof = _proof(api, index, size, team[who])
            if who in readers:
                assert entry.status_code == 200, (index, who, entry.text)
                assert proof.status_code == 200
                merkle.verify_inclusion(
                    leaf_hash=merkle.hash_leaf(entry.content), index=index, size=size,
                    proof=[base64.b64decode(h) for h in proof.json()["hashes"]],
                    root=_root(api, size),
                )  # fmt: skip
            else:
                assert entry.status_code == 403, (index, who)
                assert proof.status_code == 403, (index, who)
                assert entry.headers["content-type"] == "application/problem+json"
                assert b'"action"' not in entry.content and b"202611" not in entry.content
                refused += 2
    denials = [e for e in _entries(api) if e[3]["action"] == "access.denied"]
    assert len(denials) - before == refused  # every refusal is recorded


def _root(api: Api, size: int) -> bytes:
    with api.engine.connect() as conn:
        root = conn.execute(
            text("SELECT root_hash FROM checkpoint WHERE size = :s ORDER BY id DESC"), {"s": size}
        ).first()
    assert root is not None
    return bytes(root[0])
