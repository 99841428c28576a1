"""Containers through the pipeline (SQLite, jobs inline): a zipped Telegram Desktop
export, a bare WhatsApp _chat.txt, a TAR, an unreadable archive, nesting limits."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from tests.app_kit import Api, make_team
from tests.ingest.conftest_integration import WHATSAPP_CHAT

pytest_plugins = ["tests.ingest.conftest_integration"]

PHOTO_PATH = "photos/photo_1@02-01-2023_10-11-12.jpg"


def _telegram_zip(photo: bytes) -> bytes:
    data = {
        "name": "Айгүл", "type": "personal_chat", "id": 4242,
        "messages": [
            {"id": 2, "type": "message", "date": "2023-01-02T15:11:12",
             "date_unixtime": "1672654272", "from": "Иван", "from_id": "user9",
             "text": ["Встреча ", {"type": "bold", "text": "завтра"}, " у склада"]},
            {"id": 3, "type": "message", "date": "2023-01-02T15:12:00",
             "date_unixtime": "1672654320", "from": "Айгүл", "from_id": "user7",
             "photo": PHOTO_PATH, "text": ""},
        ],
    }  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ChatExport_2023-01-05/result.json", json.dumps(data, ensure_ascii=False))
        zf.writestr(f"ChatExport_2023-01-05/{PHOTO_PATH}", photo)
    return buf.getvalue()


def _upload(api: Api, team: dict[str, Any], data: bytes, name: str) -> str:
    response = api.upload(team["case"]["id"], team["prosecutor"], data, name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _get(api: Api, team: dict[str, Any], path: str) -> Any:
    response = api.client.get(f"/api/v1{path}", headers=team["prosecutor"])
    assert response.status_code == 200, response.text
    return response.json()


def test_telegram_export_in_a_zip(sqlite_api: Api, photo_jpeg: Path) -> None:
    api = sqlite_api
    team = make_team(api)
    archive = _upload(api, team, _telegram_zip(photo_jpeg.read_bytes()), "telegram.zip")
    children = {
        c["original_path"]: c["id"] for c in _get(api, team, f"/items/{archive}/derivatives")
    }
    messages = _get(api, team, f"/items/{archive}/messages")
    assert [m["platform"] for m in messages] == ["telegram", "telegram"]
    assert messages[0]["text"] == "Встреча завтра у склада"
    assert messages[0]["sent_at"].startswith("2023-01-02T10:11:12")
    assert messages[1]["attachment_item_ids"] == [children[f"ChatExport_2023-01-05/{PHOTO_PATH}"]]
    hits = _get(api, team, f"/cases/{team['case']['id']}/search?q=склада")["hits"]
    assert [h["locator"]["message"] for h in hits] == ["2"]
    # The photo inside went through detection and has its C2PA result recorded.
    meta = _get(api, team, f"/items/{children[f'ChatExport_2023-01-05/{PHOTO_PATH}']}/metadata")
    assert meta["kind"] == "image" and meta["c2pa"]["state"] in {"absent", "not_checked"}


def test_bare_whatsapp_chat_and_tar(sqlite_api: Api) -> None:
    api = sqlite_api
    team = make_team(api)
    chat = _upload(api, team, WHATSAPP_CHAT.encode(), "_chat.txt")
    senders = [m["sender"] for m in _get(api, team, f"/items/{chat}/messages")]
    assert senders == ["Иван Петров", "Иван Петров", "Айгүл"]

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, body in [("docs/a.txt", b"first"), ("/etc/shadow", b"x")]:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tf.addfile(info, io.BytesIO(body))
    tar = _upload(api, team, buf.getvalue(), "seized.tar.gz")
    children = _get(api, team, f"/items/{tar}/derivatives")
    assert [c["original_path"] for c in children] == ["docs/a.txt"]
    findings = _get(api, team, f"/items/{tar}/metadata")["archive_findings"]
    assert [(f["member_path"], f["reason"]) for f in findings] == [("/etc/shadow", "absolute_path")]


def test_unreadable_archive_is_a_recorded_failure(sqlite_api: Api) -> None:
    api = sqlite_api
    team = make_team(api)
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("a.txt", "x" * 5000)
    broken = good.getvalue()[:-30]  # the central directory's end is cut off
    item = _upload(api, team, broken, "cut.zip")
    jobs = {j["stage"]: j for j in _get(api, team, f"/items/{item}/jobs")}
    if "unpack" in jobs:  # libmagic may still call it a ZIP
        assert jobs["unpack"]["state"] == "failed" and jobs["unpack"]["attempts"] == 1
        assert "ArchiveRejected" in jobs["unpack"]["error"]
        findings = _get(api, team, f"/items/{item}/metadata")["archive_findings"]
        assert findings[0]["reason"] == "archive_rejected"


def test_nesting_deeper_than_the_limit_is_recorded(sqlite_api: Api) -> None:
    api = sqlite_api
    team = make_team(api)
    payload = b"innermost"
    for depth in range(5):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(f"level{depth}.{'zip' if depth else 'txt'}", payload)
        payload = buf.getvalue()
    top = _upload(api, team, payload, "nested.zip")
    item, seen = top, 0
    while True:
        children = _get(api, team, f"/items/{item}/derivatives")
        if not children:
            break
        item, seen = children[0]["id"], seen + 1
    assert seen == 3  # DALEL_ARCHIVE_MAX_DEPTH
    findings = _get(api, team, f"/items/{item}/metadata")["archive_findings"]
    assert findings[0]["reason"] == "nesting_too_deep"


def test_plain_text_file_is_searchable(sqlite_api: Api) -> None:
    api = sqlite_api
    team = make_team(api)
    body = "Объяснение потерпевшего: кошелёк похищен в автобусе №92.\n".encode("cp1251")
    item = _upload(api, team, body, "объяснение.txt")
    text = _get(api, team, f"/items/{item}/text")
    assert text["pages"][0]["source"] == "text" and "кошелёк" in text["text"]
    [hit] = _get(api, team, f"/cases/{team['case']['id']}/search?q=автобусе")["hits"]
    assert hit["item_id"] == item and hit["kind"] == "text" and hit["locator"] == {"page": 1}
