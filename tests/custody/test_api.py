"""Ledger HTTP endpoints, checkpoints and a witness talking to them over HTTP."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from custody import SYSTEM, Action, merkle, record
from custody.checkpoint import (
    CheckpointBody,
    add_cosignature,
    latest_checkpoint,
    make_checkpoint,
    served_note,
)
from custody.errors import (
    CustodyConflict,
    CustodyNotFound,
    SignatureError,
    WitnessError,
)
from custody.keys import KeyRing, create_key, load_keys
from custody.models import LedgerEntry
from custody.note import COSIGNATURE_V1, Signer, cosign, open_note, witnesses_that_cosigned
from custody.router import router
from custody.witness import run_witness, witness_key
from custody.witnesses import register_witness
from evidence.routers.ledger import router as policy_router

ORIGIN = "dalel.test/ledger"


@pytest.fixture()
def keys(tmp_path: Path) -> KeyRing:
    return load_keys(key_dir=tmp_path / "log-keys", name=ORIGIN)


@pytest.fixture()
def client(session: Session, tmp_path: Path) -> TestClient:
    from evidence import problems
    from evidence.config import Settings
    from evidence.deps import get_session

    app = FastAPI()
    app.state.settings = Settings(data_dir=tmp_path)  # what create_app provides the routes
    problems.register(app, extra=[(CustodyNotFound, 404), (CustodyConflict, 409)])
    api = APIRouter(prefix="/api/v1")
    api.include_router(router)
    api.include_router(policy_router)  # cosignatures (the witness registry decides)
    app.include_router(api)
    app.dependency_overrides[get_session] = lambda: session
    return TestClient(app)


def _grow(session: Session, n: int) -> None:
    for i in range(n):
        record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id=f"i{i % 3}")


def test_checkpoint_only_when_grown(session: Session, keys: KeyRing) -> None:
    assert latest_checkpoint(session=session) is None
    empty = make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    assert empty.size == 0 and empty.root_hash == merkle.EMPTY_ROOT
    _grow(session, 5)
    first = make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    assert first.size == 5
    assert make_checkpoint(session=session, keys=keys, origin=ORIGIN).id == first.id
    forced = make_checkpoint(session=session, keys=keys, origin=ORIGIN, force=True)
    assert forced.id != first.id and forced.size == 5
    body = CheckpointBody.parse(open_note(forced.note, keys.verifiers))
    assert (body.origin, body.size, body.root) == (ORIGIN, 5, forced.root_hash)


def test_endpoints(client: TestClient, session: Session, keys: KeyRing, tmp_path: Path) -> None:
    assert client.get("/api/v1/ledger/checkpoint").status_code == 404
    assert client.get("/api/v1/ledger/key").status_code == 404
    _grow(session, 7)
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    # After a rotation both keys sign, and both stay listed.
    create_key(key_dir=tmp_path / "log-keys", name=ORIGIN)
    rotated = load_keys(key_dir=tmp_path / "log-keys", name=ORIGIN)
    _grow(session, 4)
    make_checkpoint(session=session, keys=rotated, origin=ORIGIN)

    key_text = client.get("/api/v1/ledger/key")
    assert key_text.headers["content-type"].startswith("text/plain")
    assert key_text.text.splitlines() == [str(v) for v in rotated.verifiers]

    note = client.get("/api/v1/ledger/checkpoint").text
    body = CheckpointBody.parse(open_note(note, rotated.verifiers[:1]))
    assert body.size == 11

    cons = client.get("/api/v1/ledger/proof/consistency", params={"first": 7, "second": 11})
    assert cons.status_code == 200 and len(cons.json()["hashes"]) > 0
    assert (
        client.get("/api/v1/ledger/proof/consistency", params={"first": 9, "second": 8}).status_code
        == 400
    )
    assert (
        client.get(
            "/api/v1/ledger/proof/consistency", params={"first": 1, "second": 99}
        ).status_code
        == 400
    )


def test_cosignature_endpoint(client: TestClient, session: Session, keys: KeyRing) -> None:
    _grow(session, 3)
    cp = make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    witness = Signer.generate("court.example", COSIGNATURE_V1)
    text = open_note(cp.note, keys.verifiers)
    line = cosign(text, witness, 1_750_000_000)
    payload = {"size": 3, "witness_key": str(witness.verifier), "cosignature": line}
    session.commit()  # the refusal is recorded in a transaction of its own
    unknown = client.post("/api/v1/ledger/cosignatures", json=payload)
    assert unknown.status_code == 403, unknown.text
    assert "dalel witness add" in unknown.json()["detail"]
    refusal = json.loads(
        session.exec(select(LedgerEntry).order_by(col(LedgerEntry.idx).desc())).first().leaf  # type: ignore[union-attr]
    )
    assert refusal["action"] == "access.denied" and refusal["actor"]["role"] == "public"
    assert refusal["details"]["permission"] == "ledger.cosign"
    register_witness(session=session, name="court.example", key=str(witness.verifier), by="t")
    created = client.post("/api/v1/ledger/cosignatures", json=payload)
    assert created.status_code == 201, created.text
    assert created.json()["witness"] == "court.example"
    again = client.post("/api/v1/ledger/cosignatures", json=payload)
    assert again.status_code == 409
    missing = client.post("/api/v1/ledger/cosignatures", json={**payload, "size": 2})
    assert missing.status_code == 404
    forged = {**payload, "cosignature": cosign(text.replace("\n3\n", "\n4\n"), witness, 1)}
    assert client.post("/api/v1/ledger/cosignatures", json=forged).status_code == 400
    log_key = {**payload, "witness_key": str(keys.verifiers[0])}
    assert client.post("/api/v1/ledger/cosignatures", json=log_key).status_code == 400
    served = client.get("/api/v1/ledger/checkpoint").text
    assert witnesses_that_cosigned(served, [witness.verifier]) == [witness.verifier]
    with pytest.raises(SignatureError, match="exactly one"):
        add_cosignature(
            session=session,
            size=3,
            witness_key=str(witness.verifier),
            line=line + line,
        )


def _register(session: Session, state: Path, name: str = "court.example") -> None:
    """The log's administrator registers the witness's key (made on its first use)."""
    key = str(witness_key(state_dir=state, name=name).verifier)
    register_witness(session=session, name=name, key=key, by="admin")


def test_witness_cosigns_growth_and_refuses_rollback(
    client: TestClient, session: Session, keys: KeyRing, tmp_path: Path
) -> None:
    state = tmp_path / "witness"
    _grow(session, 4)
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    session.commit()
    with pytest.raises(WitnessError, match="403"):  # not registered yet: refused
        run_witness(
            server_url="http://testserver", state_dir=state, name="court.example", client=client
        )
    _register(session, state)
    first = run_witness(
        server_url="http://testserver", state_dir=state, name="court.example", client=client
    )
    assert first.status == "cosigned" and first.size == 4
    assert (
        run_witness(
            server_url="http://testserver", state_dir=state, name="court.example", client=client
        ).status
        == "unchanged"
    )
    _grow(session, 5)
    cp = make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    second = run_witness(
        server_url="http://testserver", state_dir=state, name="court.example", client=client
    )
    assert second.status == "cosigned" and second.size == 10  # 4 + the refusal + 5
    served = served_note(session=session, checkpoint=cp)
    assert served.count("— court.example ") == 1

    # Roll the witness's memory forward to a size the log never reached: now the log
    # looks rolled back, and the witness must refuse.
    saved = json.loads((state / "state.json").read_text())
    (state / "state.json").write_text(json.dumps({**saved, "size": 50}))
    with pytest.raises(WitnessError, match="rolled back"):
        run_witness(
            server_url="http://testserver", state_dir=state, name="court.example", client=client
        )
    # Same size, different root: a fork.
    (state / "state.json").write_text(
        json.dumps({**saved, "root": base64.b64encode(b"\x07" * 32).decode()})
    )
    with pytest.raises(WitnessError, match="forked"):
        run_witness(
            server_url="http://testserver", state_dir=state, name="court.example", client=client
        )
    # An older state whose root the log cannot prove consistent with.
    (state / "state.json").write_text(
        json.dumps({**saved, "size": 4, "root": base64.b64encode(b"\x07" * 32).decode()})
    )
    _grow(session, 1)
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    with pytest.raises(WitnessError, match="inconsistent"):
        run_witness(
            server_url="http://testserver", state_dir=state, name="court.example", client=client
        )
    (state / "state.json").write_text(json.dumps({**saved, "origin": "other"}))
    with pytest.raises(WitnessError, match="origin changed"):
        run_witness(
            server_url="http://testserver", state_dir=state, name="court.example", client=client
        )


def test_witness_refuses_unknown_log_key_and_unreachable_server(
    client: TestClient, session: Session, keys: KeyRing, tmp_path: Path
) -> None:
    _grow(session, 2)
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    other = Signer.generate(ORIGIN)
    with pytest.raises(WitnessError, match="does not verify"):
        run_witness(
            server_url="http://testserver",
            state_dir=tmp_path / "w",
            name="w",
            client=client,
            log_key=str(other.verifier),
        )
    with pytest.raises(WitnessError, match="cannot reach"):
        run_witness(server_url="http://127.0.0.1:9", state_dir=tmp_path / "w2", name="w")
    transport = httpx.MockTransport(lambda request: httpx.Response(500, text="boom"))
    with pytest.raises(WitnessError, match="answered 500"):
        run_witness(
            server_url="http://x",
            state_dir=tmp_path / "w3",
            name="w",
            client=httpx.Client(transport=transport),
        )


def test_item_custody_with_proofs(session: Session, keys: KeyRing) -> None:
    from custody.view import everything, item_custody

    assert item_custody(session=session, item_id="i0", readable=everything).checkpoint is None
    _grow(session, 6)
    cp = make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    _grow(session, 1)
    custody = item_custody(session=session, item_id="i0", readable=everything)
    assert [e.index for e in custody.events] == [0, 3, 6]
    assert custody.unanchored == 1 and custody.tree_size == 6
    assert custody.events[-1].proof == []
    for e in custody.events[:-1]:
        merkle.verify_inclusion(
            leaf_hash=merkle.hash_leaf(e.leaf or b""),
            index=e.index,
            size=6,
            proof=e.proof,
            root=cp.root_hash,
        )
        assert e.event is not None and e.event["item"] == "i0"


def test_witness_reports_delivery_failures(
    client: TestClient, session: Session, keys: KeyRing, tmp_path: Path
) -> None:
    _grow(session, 2)
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    served = {
        "/api/v1/ledger/key": client.get("/api/v1/ledger/key").text,
        "/api/v1/ledger/checkpoint": client.get("/api/v1/ledger/checkpoint").text,
    }

    def refusing(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, text=served[request.url.path])
        return httpx.Response(400, text="no")

    def breaking(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, text=served[request.url.path])
        raise httpx.ConnectError("gone", request=request)

    for handler, message in ((refusing, "refused the cosignature"), (breaking, "cannot deliver")):
        with pytest.raises(WitnessError, match=message):
            run_witness(
                server_url="http://x",
                state_dir=tmp_path / handler.__name__,
                name="w",
                client=httpx.Client(transport=httpx.MockTransport(handler)),
            )
