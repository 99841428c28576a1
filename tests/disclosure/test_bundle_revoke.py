"""Revocation cuts a bundle that is already streaming: over real HTTP (uvicorn), the
prosecutor revokes while the defence is mid-way through a large file; and in process,
between two files. The stop is recorded in custody (real app, real database)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlmodel import col, select

from custody.models import LedgerEntry
from disclosure import bundle
from disclosure.errors import BundleStopped
from evidence import service
from evidence.models import Role
from evidence.policy import Principal
from tests.app_kit import Api
from tests.disclosure.conftest import Material, disclose
from tests.storage_fixtures import free_port

BIG = 48 << 20  # larger than what loopback socket buffers hold, several status checks


@pytest.fixture()
def live(api: Api) -> Iterator[str]:
    """The test app over HTTP on 127.0.0.1 (so a download really streams)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            api.client.app, host="127.0.0.1", port=port, lifespan="off", log_level="critical"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _big_disclosure(api: Api, team, material: Material) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A disclosure of the watermarked photo, then a 48 MiB approved redaction (served as
    it is: not a watermarkable type). Returns (disclosure id, big file's id)."""
    with api.session() as session:
        big = service.register_derivative(
            session=session,
            store=api.client.app.state.store,  # type: ignore[attr-defined]
            parent_id=material.unredacted,
            source=os.urandom(1 << 20) * (BIG >> 20),
            name="cctv-export.bin",
            derivative_kind="redacted",
            derivation={"tool": "dalel-redact", "version": "1", "plan_id": "p-big"},
        )
    body = disclose(api, team, [material.original, material.unredacted]).json()
    served = [entry["served_id"] for entry in body["items"]]
    assert served[1] == big.id and all(entry["state"] == "ready" for entry in body["items"])
    return body["id"], big.id


def _events(api: Api, item_id: str, action: str) -> list[dict]:  # type: ignore[type-arg]
    with api.session() as session:
        rows = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.item_id == item_id, LedgerEntry.action == action)
            .order_by(col(LedgerEntry.idx))
        ).all()
        return [json.loads(row.leaf) for row in rows]


def test_revocation_cuts_a_streaming_bundle_over_http(
    api: Api, team, material: Material, live: str
) -> None:  # type: ignore[no-untyped-def]
    did, big = _big_disclosure(api, team, material)
    received, failure = 0, None
    with (
        httpx.Client(base_url=live, timeout=30) as defence,
        httpx.Client(base_url=live, timeout=30) as prosecutor,
        defence.stream(
            "GET", f"/api/v1/disclosures/{did}/bundle", headers=team["defence"]
        ) as response,
    ):
        assert response.status_code == 200
        revoked_at = None
        try:
            for chunk in response.iter_raw(64 << 10):
                received += len(chunk)
                if revoked_at is None and received > 2 << 20:  # well into the big file
                    revoked = prosecutor.post(
                        f"/api/v1/disclosures/{did}/revoke",
                        json={"reason": "wrong lawyer"},
                        headers=team["prosecutor"],
                    )
                    assert revoked.status_code == 200, revoked.text
                    revoked_at = received
        except httpx.TransportError as exc:  # the connection ended mid-body
            failure = exc
    # The transfer failed (no well-formed end) long before the big file was through.
    assert failure is not None, f"the whole bundle arrived ({received} bytes)"
    # Stopped at the next 8 MiB check, give or take what the sockets held.
    assert revoked_at is not None and received < revoked_at + bundle.CHECK_EVERY + (12 << 20)
    assert received < BIG
    # Custody: the big file's download was recorded before the first byte, then its stop.
    assert _events(api, big, "item.downloaded")
    (stopped,) = _events(api, big, "access.denied")
    details = stopped["details"]
    assert stopped["actor"]["name"] == "defence"
    assert details["bundle"] == "stopped" and details["reason"] == "disclosure revoked"
    assert details["disclosure"] == did and details["files_completed"] == 1
    assert details["purpose"] == "disclosure-bundle" and details["receipt"]
    # Afterwards nothing more is served.
    after = httpx.get(f"{live}/api/v1/disclosures/{did}/bundle", headers=team["defence"])
    assert after.status_code == 410


def test_revocation_between_files_stops_the_stream(api: Api, team, material: Material) -> None:  # type: ignore[no-untyped-def]
    """In process: read the first file's bytes, revoke, and the next file never starts."""
    api.client.post(
        f"/api/v1/items/{material.unredacted}/disclosure-flags",
        json={"disclosable_original": True},
        headers=team["prosecutor"],
    )
    body = disclose(api, team, [material.original, material.unredacted]).json()
    did = body["id"]
    first, second = (entry["served_id"] for entry in body["items"])
    with api.session() as session:
        user = api.client.get("/api/v1/users/me", headers=team["defence"]).json()
        principal = Principal(user_id=user["id"], username="defence", role=Role.DEFENCE)
        prepared = bundle.prepare_bundle(
            session=session, store=api.client.app.state.store,  # type: ignore[attr-defined]
            principal=principal, ledger=service.LedgerConfig(
                key_dir=api.settings.ledger_key_dir, origin=api.settings.ledger_origin
            ),  # type: ignore[arg-type]
            disclosure_id=did,
        )  # fmt: skip
        stream = prepared.stream()
        head = next(stream)  # README, manifests
        assert b"manifest.json" in head
        first_file = next(stream)  # the first file, whole (small)
        assert first_file
        revoked = api.client.post(f"/api/v1/disclosures/{did}/revoke", headers=team["prosecutor"])
        assert revoked.status_code == 200
        with pytest.raises(BundleStopped, match="stopped after 1 of 2 files"):
            for _ in stream:
                pass
    assert not _events(api, first, "access.denied")
    (stopped,) = _events(api, second, "access.denied")
    assert stopped["details"]["files_completed"] == 1


def test_revocation_cuts_a_single_file_download_over_http(
    api: Api, team, material: Material, live: str
) -> None:  # type: ignore[no-untyped-def]
    """The same for one file the defence is downloading on its own."""
    did, big = _big_disclosure(api, team, material)
    received, failure, revoked_at = 0, None, None
    url = f"/api/v1/disclosures/{did}/items/{big}/content"
    with (
        httpx.Client(base_url=live, timeout=30) as defence,
        httpx.Client(base_url=live, timeout=30) as prosecutor,
        defence.stream("GET", url, params={"download": "true"}, headers=team["defence"]) as got,
    ):
        assert got.status_code == 200 and int(got.headers["content-length"]) == BIG
        try:
            for chunk in got.iter_raw(64 << 10):
                received += len(chunk)
                if revoked_at is None and received > 2 << 20:
                    revoked = prosecutor.post(
                        f"/api/v1/disclosures/{did}/revoke", headers=team["prosecutor"]
                    )
                    assert revoked.status_code == 200, revoked.text
                    revoked_at = received
        except httpx.TransportError as exc:
            failure = exc
    assert failure is not None, f"the whole file arrived ({received} bytes)"
    assert revoked_at is not None and received < BIG
    (stopped,) = _events(api, big, "access.denied")
    assert stopped["actor"]["name"] == "defence"
    assert stopped["details"]["purpose"] == "disclosure-download"
    assert stopped["details"]["reason"] == "disclosure revoked"
    assert 0 < stopped["details"]["bytes_sent"] < BIG
