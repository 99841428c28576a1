"""Evidence requests as the citizen tests make them (tests/evidence/test_citizen_api.py,
tests/web/test_citizen_pages.py): the investigator's request, and a citizen's chunked
upload through its link."""

from __future__ import annotations

import hashlib

from tests.app_kit import Api

CHUNK = 256 * 1024


def make_request(api: Api, team, **extra):  # type: ignore[no-untyped-def]
    body = {
        "person_name": "Айгүл Серікқызы",
        "phone": "+77011234567",
        "language": "kk",
        "asked_for": "screenshots of the messages from 12–14 March",
        **extra,
    }
    response = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/evidence-requests",
        json=body,
        headers=team["investigator"],
    )
    assert response.status_code == 201, response.text
    created = response.json()
    return created, created["link"].rsplit("/r/", 1)[1]


def send(  # type: ignore[no-untyped-def]
    api: Api, token: str, name: str, data: bytes, *, sha256: str | None = None, cut=None
):
    digest = sha256 or hashlib.sha256(data).hexdigest()
    begin = api.client.post(
        f"/api/v1/citizen/{token}/uploads",
        json={"filename": name, "size": len(data), "sha256": digest},
    )
    if begin.status_code != 201:
        return begin
    upload = begin.json()["id"]
    offset = 0
    while offset < len(data):
        end = min(len(data), offset + CHUNK)
        if cut is not None and offset <= cut < end:
            # The connection drops mid-chunk: half the chunk arrives, then the page asks
            # where to resume and goes on from there.
            api.client.put(
                f"/api/v1/citizen/{token}/uploads/{upload}",
                content=data[offset:cut],
                headers={"Upload-Offset": str(offset)},
            )
            offset = api.client.get(f"/api/v1/citizen/{token}/uploads/{upload}").json()["offset"]
            assert offset == cut
            cut = None
            continue
        put = api.client.put(
            f"/api/v1/citizen/{token}/uploads/{upload}",
            content=data[offset:end],
            headers={"Upload-Offset": str(offset)},
        )
        assert put.status_code == 200, put.text
        offset = end
    return api.client.post(
        f"/api/v1/citizen/{token}/uploads/{upload}/finalize", json={"sha256": digest}
    )
