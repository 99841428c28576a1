"""Evidence requests to victims and witnesses through the API: the link, uploads with the
device's SHA-256, quarantine, accept/reject, the signed receipt and its public check."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from custody.events import utc_now
from evidence import service
from evidence.citizen_models import EvidenceRequest, Submission
from evidence.models import Blob, Item
from evidence.service.ledger import LedgerConfig
from tests.app_kit import Api
from tests.evidence.citizen_kit import make_request, send


def checkpoint(api: Api) -> None:
    with api.session() as session:
        service.checkpoint(session=session, ledger=LedgerConfig.from_settings(api.settings))


def test_request_upload_receipt_accept_reject(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    created, token = make_request(api, team, show_case_number=True)
    assert len(token) >= 22 and created["state"] == "sent"
    with api.session() as session:
        row = session.exec(select(EvidenceRequest)).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(row.model_dump())  # only the hash is stored
    page = api.client.get(f"/api/v1/citizen/{token}")
    assert page.status_code == 200 and page.json()["case_number"] == "202611210000001"
    assert "phone" not in page.json() and "person_name" not in page.json()
    files = {"a.jpg": os.urandom(40_000), "b.mp4": os.urandom(1_500_000), "c.txt": b"hi\n" * 9}
    received = [send(api, token, "b.mp4", files["b.mp4"], cut=700_000)]
    received += [send(api, token, n, files[n]) for n in ("a.jpg", "c.txt")]
    assert [r.status_code for r in received] == [201, 201, 201], [r.text for r in received]
    states = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/evidence-requests", headers=team["investigator"]
    ).json()
    assert states[0]["state"] == "files received" and states[0]["files_received"] == 3
    # In quarantine: not items of the case, processed by nothing.
    items = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/items", headers=team["prosecutor"]
    ).json()
    assert items == [] and api.events("item.created") == []
    assert len(api.events("citizen.file.received")) == 3
    # The receipt, signed; checked on the public endpoint before and after a checkpoint.
    signed = api.client.get(f"/api/v1/citizen/{token}/receipt").json()
    body = signed["receipt"]
    assert body["case"] == "202611210000001" and len(body["files"]) == 3
    by_name = {f["name"]: f for f in body["files"]}
    assert by_name["b.mp4"]["sha256"] == hashlib.sha256(files["b.mp4"]).hexdigest()
    assert "Айгүл" not in signed["note"] and "+7701" not in signed["note"]
    checkpoint(api)
    check = api.client.post("/api/v1/receipts/verify", json={"note": signed["note"]}).json()
    assert check["signature"] is True and check["all_included"] is True
    entry = body["files"][0]
    proof = api.client.get(
        "/api/v1/receipts/proof",
        params={"index": entry["ledger_index"], "leaf_hash": entry["leaf_hash"]},
    )
    assert proof.status_code == 200 and proof.json()["tree_size"] > entry["ledger_index"]
    forged = signed["note"].replace(by_name["a.jpg"]["sha256"], "0" * 64)
    assert (
        api.client.post("/api/v1/receipts/verify", json={"note": forged}).json()["signature"]
        is False
    )
    wrong_leaf = api.client.get(
        "/api/v1/receipts/proof", params={"index": entry["ledger_index"], "leaf_hash": "a" * 64}
    )
    assert wrong_leaf.status_code == 404
    pdf = api.client.get(f"/api/v1/citizen/{token}/receipt.pdf?lang=ru")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The investigator accepts two and rejects one.
    quarantine = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/submissions", headers=team["investigator"]
    ).json()
    assert {s["state"] for s in quarantine} == {"quarantined"}
    ids = {s["original_name"]: s["id"] for s in quarantine}
    for name in ("a.jpg", "b.mp4"):
        done = api.client.post(
            f"/api/v1/submissions/{ids[name]}/accept", headers=team["investigator"]
        )
        assert done.status_code == 200 and done.json()["item_id"], done.text
    no_reason = api.client.post(
        f"/api/v1/submissions/{ids['c.txt']}/reject",
        json={"reason": ""},
        headers=team["investigator"],
    )
    assert no_reason.status_code == 422
    rejected = api.client.post(
        f"/api/v1/submissions/{ids['c.txt']}/reject",
        json={"reason": "not about the case"},
        headers=team["prosecutor"],
    )
    assert rejected.json()["state"] == "rejected"
    again = api.client.post(
        f"/api/v1/submissions/{ids['c.txt']}/accept", headers=team["investigator"]
    )
    assert again.status_code == 409
    items = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/items", headers=team["prosecutor"]
    ).json()
    assert sorted(i["original_name"] for i in items) == ["a.jpg", "b.mp4"]
    assert {i["source_kind"] for i in items} == {"citizen"}
    assert len(api.events("item.created")) == 2
    assert len(api.events("citizen.file.accepted")) == 1 * 2
    assert len(api.events("citizen.file.rejected")) == 1
    # Files are never served back through the link.
    assert api.client.get(f"/api/v1/citizen/{token}/files").status_code in (404, 405)


def test_tampered_hash_keeps_nothing(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    _, token = make_request(api, team)
    data = os.urandom(20_000)
    claimed = hashlib.sha256(data + b"x").hexdigest()  # the page's hash, request tampered
    response = send(api, token, "photo.jpg", data, sha256=claimed)
    assert response.status_code == 400, response.text
    with api.session() as session:
        assert session.exec(select(Submission)).all() == []
        assert session.get(Blob, hashlib.sha256(data).hexdigest()) is None
    assert len(api.events("upload.rejected")) == 1
    staging = api.settings.data_dir / "objects" / ".staging"
    assert not [p for p in staging.iterdir() if p.name.endswith(".parts")]
    # A finalize that names another hash than the one declared is refused too.
    begin = api.client.post(
        f"/api/v1/citizen/{token}/uploads",
        json={"filename": "x", "size": 3, "sha256": hashlib.sha256(b"abc").hexdigest()},
    )
    upload = begin.json()["id"]
    api.client.put(
        f"/api/v1/citizen/{token}/uploads/{upload}", content=b"abc", headers={"Upload-Offset": "0"}
    )
    bad = api.client.post(
        f"/api/v1/citizen/{token}/uploads/{upload}/finalize", json={"sha256": "1" * 64}
    )
    assert bad.status_code == 400


def test_limits_are_enforced_by_the_server(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    _, token = make_request(api, team, max_files=2, max_file_bytes=50_000, max_total_bytes=60_000)
    assert send(api, token, "big.mp4", os.urandom(50_001)).status_code == 413
    assert send(api, token, "one.jpg", os.urandom(40_000)).status_code == 201
    assert send(api, token, "two.jpg", os.urandom(30_000)).status_code == 413  # total
    assert send(api, token, "two.jpg", os.urandom(10_000)).status_code == 201
    used_up = send(api, token, "three.jpg", os.urandom(10))
    assert used_up.status_code == 410 and "all the files" in used_up.text
    # A used-up link still gives its receipt.
    assert len(api.client.get(f"/api/v1/citizen/{token}/receipt").json()["receipt"]["files"]) == 2
    too_long = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/evidence-requests",
        json={"person_name": "X", "email": "x@example.kz", "expires_in_days": 31},
        headers=team["investigator"],
    )
    assert too_long.status_code == 422


def test_expired_and_revoked_links_accept_nothing(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    created, token = make_request(api, team)
    _, other = make_request(api, team)
    with api.session() as session:
        row = session.get(EvidenceRequest, created["id"])
        assert row is not None
        row.expires_at = utc_now() - timedelta(minutes=1)
        session.add(row)
        session.commit()
    expired = api.client.get(f"/api/v1/citizen/{token}")
    assert expired.status_code == 410 and "has expired" in expired.text
    assert send(api, token, "a.jpg", b"abc").status_code == 410
    listed = api.client.get(
        f"/api/v1/cases/{team['case']['id']}/evidence-requests", headers=team["investigator"]
    ).json()
    assert {r["state"] for r in listed} == {"expired", "sent"}
    live = next(r["id"] for r in listed if r["state"] == "sent")
    revoke = api.client.post(f"/api/v1/evidence-requests/{live}/revoke", headers=team["prosecutor"])
    assert revoke.json()["state"] == "revoked"
    assert api.client.get(f"/api/v1/citizen/{other}").status_code == 410
    assert api.client.get(f"/api/v1/citizen/{other}/receipt").status_code == 410
    assert len(api.events("citizen.request.refused")) == 4
    assert len(api.events("citizen.request.revoked")) == 1


def test_outsiders_and_officers_may_not_send_requests(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    for who in ("outsider", "officer", "auditor"):
        response = api.client.post(
            f"/api/v1/cases/{team['case']['id']}/evidence-requests",
            json={"person_name": "X", "phone": "+7700"},
            headers=team[who],
        )
        assert response.status_code == 403, who
    assert len(api.events("access.denied")) == 3


def test_wrong_tokens_are_rate_limited(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    _, token = make_request(api, team)
    codes = [
        api.client.get(f"/api/v1/citizen/{os.urandom(18).hex()}").status_code for _ in range(1000)
    ]
    assert codes[:20] == [404] * 20 and set(codes[20:]) == {429}
    # Unknown tokens answer alike, whatever case exists; the address stays blocked.
    assert api.client.get(f"/api/v1/citizen/{token}").status_code == 429
    # A denial is recorded for each refused token, not for each throttled one.
    assert len(api.events("access.denied")) == 20


def test_a_zip_bomb_waits_in_quarantine_unopened(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    _, token = make_request(api, team)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../etc/evil.txt", b"x")
        archive.writestr("zeros.bin", b"\0" * 50_000_000)
    data = buffer.getvalue()
    assert len(data) < 200_000
    assert send(api, token, "WhatsApp Chat.zip", data).status_code == 201
    with api.session() as session:
        assert session.exec(select(Item)).all() == []
        sub = session.exec(select(Submission)).one()
        assert sub.media_type == "application/zip"
        jobs = session.execute(text("SELECT count(*) FROM job")).scalar_one()
        assert jobs == 0
