"""The pipeline end to end through the API, jobs inline, on SQLite and PostgreSQL:
video, a rendered Russian page, a born-digital PDF and a zipped WhatsApp export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.app_kit import Api, make_team
from tests.ingest.conftest_integration import whatsapp_zip

pytest_plugins = ["tests.ingest.conftest_integration"]


def _jobs(api: Api, item_id: str, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = api.client.get(f"/api/v1/items/{item_id}/jobs", headers=headers)
    assert response.status_code == 200, response.text
    return {job["stage"]: job for job in response.json()}


def _derivatives(api: Api, item_id: str, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = api.client.get(f"/api/v1/items/{item_id}/derivatives", headers=headers)
    assert response.status_code == 200, response.text
    return {d["derivative_kind"]: d for d in response.json()}


def _search(api: Api, case_id: str, q: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = api.client.get(f"/api/v1/cases/{case_id}/search", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["hits"])


def _upload(api: Api, team: dict, path_or_bytes: Path | bytes, name: str, who="prosecutor") -> str:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    response = api.upload(team["case"]["id"], team[who], data, name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_video_audio_image_pdf_and_chat(
    ingest_api: Api, video_720p: Path, rendered_pages, digital_pdf: Path, photo_jpeg: Path
) -> None:
    api = ingest_api
    team = make_team(api)
    pro, case_id = team["prosecutor"], team["case"]["id"]

    # Video: detection, poster + thumbnail, MP4 proxy, transcript.
    video = _upload(api, team, video_720p, "допрос.mp4")
    jobs = _jobs(api, video, pro)
    assert {s: j["state"] for s, j in jobs.items()} == {
        "detect": "done", "thumbnail": "done", "proxy": "done", "transcribe": "done",
    }  # fmt: skip
    assert all(j["id"].startswith(j["key"]) and j["attempts"] == 1 for j in jobs.values())
    derived = _derivatives(api, video, pro)
    assert {"poster", "thumbnail", "proxy", "transcript"} <= derived.keys()
    for d in derived.values():
        assert d["derivation"]["tool"] and d["derivation"]["version"]
        assert d["derivation"]["parent"] == video
    assert derived["proxy"]["derivation"]["tool"] == "ffmpeg"
    transcript = api.client.get(f"/api/v1/items/{video}/transcript", headers=pro).json()
    assert transcript["version"] == 1 and transcript["verified"] is False
    assert transcript["language"]
    last = 0.0
    for seg in transcript["segments"]:
        assert last <= seg["start"] <= seg["end"] <= 2.1
        last = seg["start"]
        for word in seg["words"]:
            assert {"word", "start", "end", "probability"} <= word.keys()
    meta = api.client.get(f"/api/v1/items/{video}/metadata", headers=pro).json()
    assert meta["kind"] == "video" and meta["probe"]["video_codec"] == "h264"
    assert meta["extension_mismatch"] is False

    # A reviewer's version is searchable with the time of the segment.
    edit = {
        "segments": [{"start": 0.2, "end": 1.4, "text": "Свидетель Иванов подтвердил показания"}],
        "verified": True,
        "base_version": 1,
    }
    response = api.client.put(f"/api/v1/items/{video}/transcript", json=edit, headers=pro)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2 and response.json()["verified"] is True
    [hit] = _search(api, case_id, "Иванов", pro)
    assert hit["item_id"] == video and hit["kind"] == "transcript"
    assert hit["locator"] == {"start": 0.2, "end": 1.4}
    assert "[Иванов]" in hit["snippet"]

    # A rendered Russian page: OCR with word boxes, searchable by word, on page 1.
    page = _upload(api, team, rendered_pages["rus"].png, "протокол.png")
    assert {j["state"] for j in _jobs(api, page, pro).values()} == {"done"}
    assert {"proxy", "thumbnail", "ocr", "searchable_pdf"} <= _derivatives(api, page, pro).keys()
    text = api.client.get(f"/api/v1/items/{page}/text", headers=pro).json()
    assert "Иванова" in text["text"]
    assert text["pages"][0]["source"] == "ocr" and text["pages"][0]["words"][0]["width"] > 0
    hits = _search(api, case_id, "допроса", pro)
    assert any(h["item_id"] == page and h["locator"] == {"page": 1} for h in hits)

    # A born-digital PDF: its text layer, no OCR, no searchable copy needed.
    pdf = _upload(api, team, digital_pdf, "protocol.pdf")
    assert _jobs(api, pdf, pro)["ocr"]["state"] == "done"
    pdf_derived = _derivatives(api, pdf, pro)
    assert "text" in pdf_derived and "searchable_pdf" not in pdf_derived
    hits = _search(api, case_id, "Interview", pro)
    assert any(h["item_id"] == pdf and h["kind"] == "pdf-text" for h in hits)

    # A zipped WhatsApp export: children with paths, messages linked, refusals recorded.
    archive = _upload(api, team, whatsapp_zip(photo_jpeg.read_bytes()), "whatsapp.zip")
    assert _jobs(api, archive, pro)["unpack"]["state"] == "done"
    children = api.client.get(f"/api/v1/items/{archive}/derivatives", headers=pro).json()
    paths = {c["original_path"]: c for c in children}
    photo_path = "WhatsApp Chat - Иван/00000012-PHOTO-2023-01-13-22-00-01.jpg"
    assert set(paths) == {"WhatsApp Chat - Иван/_chat.txt", photo_path}
    assert all(c["kind"] == "child" for c in children)
    messages = api.client.get(f"/api/v1/items/{archive}/messages", headers=pro).json()
    assert [m["sender"] for m in messages] == ["Иван Петров", "Иван Петров", "Айгүл"]
    assert messages[1]["attachment_item_ids"] == [paths[photo_path]["id"]]
    assert messages[0]["sent_at"].startswith("2023-01-02T05:11:12")  # Almaty → UTC
    findings = api.client.get(f"/api/v1/items/{archive}/metadata", headers=pro).json()
    reasons = {f["member_path"]: f["reason"] for f in findings["archive_findings"]}
    assert reasons["../../etc/cron.d/evil"] == "path_traversal"
    assert reasons["WhatsApp Chat - Иван/link"] == "symlink"
    hits = _search(api, case_id, "рынка", pro)
    assert any(h["item_id"] == archive and h["locator"]["message"] for h in hits)
    # The unpacked photo went through the pipeline as an item of its own.
    assert _jobs(api, paths[photo_path]["id"], pro)["detect"]["state"] == "done"


def test_transcript_exports(ingest_api: Api, speech) -> None:  # type: ignore[no-untyped-def]
    api = ingest_api
    team = make_team(api)
    item = _upload(api, team, speech["ru"], "допрос.wav")
    assert _jobs(api, item, team["prosecutor"])["proxy"]["state"] == "done"
    for fmt in ("txt", "srt", "vtt", "docx", "pdf"):
        url = f"/api/v1/items/{item}/transcript.{fmt}"
        response = api.client.get(url, headers=team["prosecutor"])
        assert response.status_code == 200, response.text
        assert "attachment" in response.headers["content-disposition"]
        if fmt == "docx":
            assert response.content[:2] == b"PK"
        elif fmt == "pdf":
            assert response.content[:5] == b"%PDF-"
        elif fmt == "vtt":
            assert response.text.startswith("WEBVTT")
