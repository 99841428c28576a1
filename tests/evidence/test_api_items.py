"""Upload, read and custody through the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import itertools
import json
import os

import pytest

from tests.app_kit import Api


def test_upload_read_and_custody(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    data = os.urandom(300_000)
    response = api.upload(
        case_id,
        team["officer"],
        data,
        source_kind="bodycam",
        device="AXON-B3-0042",
        captured_at="2026-11-20T22:15:00+05:00",
        location="Алматы, пр. Абая 10",
    )
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["sha256"] == hashlib.sha256(data).hexdigest()
    assert item["size"] == len(data)
    assert item["source_kind"] == "bodycam" and item["device"] == "AXON-B3-0042"
    assert item["original_name"] == "clip.mp4"

    got = api.client.get(f"/api/v1/items/{item['id']}/content", headers=team["investigator"])
    assert got.status_code == 200 and got.content == data
    assert got.headers["etag"] == f'"{item["sha256"]}"'

    ranged = api.client.get(
        f"/api/v1/items/{item['id']}/content",
        headers={**team["prosecutor"], "Range": "bytes=100-199"},
    )
    assert ranged.status_code == 206
    assert ranged.content == data[100:200]
    assert ranged.headers["content-range"] == f"bytes 100-199/{len(data)}"
    suffix = api.client.get(
        f"/api/v1/items/{item['id']}/content", headers={**team["prosecutor"], "Range": "bytes=-10"}
    )
    assert suffix.content == data[-10:]

    history = api.client.get(f"/api/v1/items/{item['id']}/custody", headers=team["prosecutor"])
    assert history.status_code == 200
    events = history.json()["events"]
    actions = [e["event"]["action"] for e in events]
    assert actions == [
        "item.created",
        "item.content.read",
        "item.content.read",
        "item.content.read",
        "item.custody.read",
    ]
    assert events[0]["event"]["sha256"] == item["sha256"]
    assert events[0]["event"]["actor"]["name"] == "officer"
    for before, after in itertools.pairwise(events):
        assert after["event"]["prev"] == before["leaf_hash"]
    assert events[2]["event"]["details"]["range"] == [100, 199]


def test_same_bytes_stored_once_both_uploads_recorded(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    first = api.upload(case_id, team["officer"], b"photo bytes" * 100, name="a.jpg")
    again = api.upload(case_id, team["investigator"], b"photo bytes" * 100, name="b.jpg")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    other_case = api.case(team["prosecutor"], number="202611210000002")
    third = api.upload(other_case, team["prosecutor"], b"photo bytes" * 100, name="c.jpg")
    assert third.status_code == 201 and third.json()["id"] != first.json()["id"]
    objects = [p for p in (api.settings.data_dir / "objects").rglob("*") if p.is_file()]
    assert len(objects) == 1
    assert len(api.events("item.duplicate_uploaded")) == 1
    assert len(api.events("item.created")) == 2


def test_expected_hash_mismatch_keeps_nothing(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    response = api.upload(team["case"]["id"], team["officer"], b"abc", sha256="0" * 64)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "expected" in response.json()["detail"]
    assert api.events("item.created") == []
    assert not [p for p in (api.settings.data_dir / "objects").rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "fields", "status"),
    [
        ("../../etc/passwd", {}, 400),
        ("x" * 500, {}, 400),
        ("ok.jpg", {"captured_at": "2026-11-20T22:15:00"}, 400),
        ("ok.jpg", {"source_kind": "satellite"}, 400),
        ("ok.jpg", {"original_path": "/abs/path.jpg"}, 400),
        ("ok.jpg", {"original_path": "a/../../b.jpg"}, 400),
        ("ok.jpg", {"sha256": "xyz"}, 400),
    ],
)
def test_bad_upload_input_is_4xx_and_changes_nothing(api: Api, team, name, fields, status) -> None:  # type: ignore[no-untyped-def]
    before = api.events()
    response = api.upload(team["case"]["id"], team["officer"], b"bytes", name=name, **fields)
    assert response.status_code == status, response.text
    assert response.json()["status"] == status
    assert api.events() == before


def test_control_characters_in_file_name_are_refused(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    # Built by hand: HTTP clients would percent-encode the control character.
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="evil\x07.jpg"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\nbytes\r\n--{boundary}--\r\n"
    ).encode()
    response = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/items",
        content=body,
        headers={**team["officer"], "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 400
    assert "control" in response.json()["detail"]
    assert api.events("item.created") == []


def test_empty_and_oversized_files_are_refused(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    assert api.upload(case_id, team["officer"], b"").status_code == 400
    big = b"x" * (api.settings.max_upload_bytes + 1)
    assert api.upload(case_id, team["officer"], big).status_code == 413
    assert api.events("item.created") == []


def test_truncated_multipart_body_keeps_nothing(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    boundary = "dalelboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + b"partial bytes with no closing boundary"
    response = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/items",
        content=body,
        headers={**team["officer"], "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 400
    assert "truncated" in response.json()["detail"]
    assert api.events("item.created") == []


def test_unknown_ids_are_404(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    missing = "00000000-0000-0000-0000-000000000000"
    for path in [
        f"/api/v1/items/{missing}",
        f"/api/v1/items/{missing}/content",
        f"/api/v1/cases/{missing}",
        f"/api/v1/cases/{missing}/items",
    ]:
        response = api.client.get(path, headers=team["prosecutor"])
        assert response.status_code == 404, path
        assert response.json()["title"] == "Not found"


def test_list_items_by_hash(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    item = api.upload(case_id, team["officer"], b"needle").json()
    found = api.client.get(
        f"/api/v1/cases/{case_id}/items", params={"sha256": item["sha256"]}, headers=team["officer"]
    )
    assert [i["id"] for i in found.json()] == [item["id"]]
    none = api.client.get(
        f"/api/v1/cases/{case_id}/items", params={"sha256": "1" * 64}, headers=team["officer"]
    )
    assert none.json() == []


def test_event_leaves_are_canonical_json(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    import rfc8785
    from sqlalchemy import text

    api.upload(team["case"]["id"], team["officer"], b"canonical")
    with api.engine.connect() as conn:
        for (leaf,) in conn.execute(text("SELECT leaf FROM ledger_entry")):
            assert rfc8785.dumps(json.loads(leaf)) == bytes(leaf)


def test_media_type_comes_from_content_not_name(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    text = api.upload(case_id, team["officer"], "Протокол допроса".encode(), name="a.jpg").json()
    assert text["media_type"] == "text/plain"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    image = api.upload(case_id, team["officer"], png, name="notes.txt").json()
    assert image["media_type"] == "image/png"
    binary = api.upload(case_id, team["officer"], bytes(range(256)) * 4, name="x.txt").json()
    assert binary["media_type"] == "application/octet-stream"
