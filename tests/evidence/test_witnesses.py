"""Witnesses are configured: administrators register them; the cosignature flood of the
penetration test (finding 7: 150 self-made keys, one named like a court) is refused."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import text

from custody.checkpoint import CheckpointBody
from custody.note import COSIGNATURE_V1, Signer, Verifier, cosign, open_note, split_note
from evidence import service
from tests.app_kit import Api


def _checkpoint(api: Api) -> tuple[str, int]:
    """Sign a checkpoint now; its text and size."""
    ledger = service.LedgerConfig.from_settings(api.settings)
    with api.session() as session:
        signed = service.checkpoint(session=session, ledger=ledger)
    keys = [line for line in api.client.get("/api/v1/ledger/key").text.splitlines() if line]
    body = open_note(signed.note, [Verifier.parse(k) for k in keys])
    return body, CheckpointBody.parse(body).size


def _post(  # type: ignore[no-untyped-def]
    api: Api, signer: Signer, body: str, size: int, at: int = 1_770_000_000, client=None
):
    payload = {
        "size": size,
        "witness_key": str(signer.verifier),
        "cosignature": cosign(body, signer, at),
    }
    return (client or api.client).post("/api/v1/ledger/cosignatures", json=payload)


def _refusals(api: Api) -> int:
    with api.engine.connect() as conn:
        leaves = conn.execute(
            text("SELECT leaf FROM ledger_entry WHERE action = 'access.denied'")
        ).scalars()
        return sum(
            1 for leaf in leaves if json.loads(leaf)["details"]["permission"] == "ledger.cosign"
        )


def test_only_administrators_register_witnesses(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    court = Signer.generate("court.almaty.kz", COSIGNATURE_V1)
    body = {"name": "court.almaty.kz", "key": str(court.verifier)}
    for who in ("prosecutor", "auditor", "defence"):
        refused = api.client.post("/api/v1/ledger/witnesses", json=body, headers=team[who])
        assert refused.status_code == 403, who
    assert api.client.post("/api/v1/ledger/witnesses", json=body).status_code == 401
    created = api.client.post("/api/v1/ledger/witnesses", json=body, headers=team["admin"])
    assert created.status_code == 201, created.text
    assert created.json()["key"] == str(court.verifier)
    again = api.client.post("/api/v1/ledger/witnesses", json=body, headers=team["admin"])
    assert again.status_code == 409
    wrong_name = {"name": "court.astana.kz", "key": str(court.verifier)}
    assert api.client.post(
        "/api/v1/ledger/witnesses", json=wrong_name, headers=team["admin"]
    ).status_code == 400  # fmt: skip
    log_key = {"name": "x", "key": str(Signer.generate("x").verifier)}  # a note key, not 0x04
    assert api.client.post(
        "/api/v1/ledger/witnesses", json=log_key, headers=team["admin"]
    ).status_code == 400  # fmt: skip
    listed = api.client.get("/api/v1/ledger/witnesses", headers=team["auditor"])
    assert [w["name"] for w in listed.json()] == ["court.almaty.kz"]
    assert api.client.get("/api/v1/ledger/witnesses", headers=team["prosecutor"]).status_code == 403
    assert [e for e in api.events() if e[1].startswith("ledger.witness")] != []

    text_, size = _checkpoint(api)
    assert _post(api, court, text_, size).status_code == 201
    assert _post(api, court, text_, size, at=1_770_000_001).status_code == 409  # one each
    assert "— court.almaty.kz " in api.client.get("/api/v1/ledger/checkpoint").text

    gone = api.client.delete("/api/v1/ledger/witnesses/court.almaty.kz", headers=team["admin"])
    assert gone.status_code == 204
    assert "— court.almaty.kz " not in api.client.get("/api/v1/ledger/checkpoint").text
    text_, size = _checkpoint(api)
    assert _post(api, court, text_, size).status_code == 403
    assert api.client.delete(
        "/api/v1/ledger/witnesses/court.almaty.kz", headers=team["admin"]
    ).status_code == 404  # fmt: skip
    history = api.client.get("/api/v1/ledger/witnesses?removed=true", headers=team["admin"])
    assert history.json()[0]["removed_at"] is not None


def test_the_cosignature_flood_is_refused(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    court = Signer.generate("court.example.kz", COSIGNATURE_V1)
    api.client.post(
        "/api/v1/ledger/witnesses",
        json={"name": court.name, "key": str(court.verifier)},
        headers=team["admin"],
    )
    body, size = _checkpoint(api)
    before = _refusals(api)
    # 150 self-made keys, one of them bearing the registered court's name.
    flood = [Signer.generate(f"w{i}.example", COSIGNATURE_V1) for i in range(149)]
    flood.append(Signer.generate("court.example.kz", COSIGNATURE_V1))
    attacker = TestClient(api.client.app, client=("203.0.113.66", 40000))
    statuses = [_post(api, s, body, size, client=attacker).status_code for s in flood]
    assert 201 not in statuses and set(statuses) == {403, 429}, set(statuses)
    # Refused and recorded until the address's budget is spent, then throttled without
    # touching the ledger (a flood must not become a flood of ledger entries).
    limit = api.settings.public_requests_per_minute
    assert statuses[:limit] == [403] * limit and set(statuses[limit:]) == {429}
    assert _refusals(api) - before == limit
    throttled = _post(api, flood[0], body, size, client=attacker)
    assert int(throttled.headers["Retry-After"]) >= 1
    # The real court, from its own address, is not held back by the flood.
    assert _post(api, court, body, size).status_code == 201
    served = api.client.get("/api/v1/ledger/checkpoint").text
    _, signatures = split_note(served)
    names = [s.name for s in signatures]
    assert names.count("court.example.kz") <= 1
    assert len(signatures) <= 2, names  # the log's own signature, and the real court's
