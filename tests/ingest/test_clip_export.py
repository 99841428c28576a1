"""Clips exported as derivatives: frame-exact cuts of the original made by a `clip` job,
through the API, with jobs run inline, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.app_kit import Api, make_team
from tests.web.conftest import sign_in

pytest_plugins = ["tests.ingest.conftest_integration"]


def _upload(api: Api, team: dict, path: Path, name: str) -> str:
    response = api.upload(team["case"]["id"], team["prosecutor"], path.read_bytes(), name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _clip(api: Api, team: dict, item: str, start: float, end: float, title: str = "") -> str:
    response = api.client.post(
        f"/api/v1/items/{item}/clips",
        json={"start": start, "end": end, "title": title},
        headers=team["investigator"],
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    return dict(json.loads(out))


def _frame(path: Path, at: float | None = None) -> bytes:
    """A 64x36 grey thumbnail of the frame at `at` seconds (exact seek), or the first."""
    seek = ["-ss", f"{at}"] if at is not None else []
    return subprocess.run(
        ["ffmpeg", "-v", "error", *seek, "-i", str(path), "-frames:v", "1",
         "-vf", "scale=64:36,format=gray", "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


def _distance(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def _content(api: Api, item: str, headers: dict[str, str], target: Path) -> Path:
    response = api.client.get(f"/api/v1/items/{item}/content", headers=headers)
    assert response.status_code == 200, response.text
    target.write_bytes(response.content)
    return target


def test_video_clip_is_a_frame_exact_derivative(
    ingest_api: Api, video_720p: Path, tmp_path: Path
) -> None:
    api = ingest_api
    team = make_team(api)
    video = _upload(api, team, video_720p, "допрос.mp4")
    clip = _clip(api, team, video, 0.5, 1.5, title="Удар в 0:00")

    # Only the case's investigators and prosecutors may make new evidence from a clip.
    for who, status in [("officer", 403), ("outsider", 403), ("auditor", 403)]:
        refused = api.client.post(f"/api/v1/clips/{clip}/export", headers=team[who])
        assert refused.status_code == status, (who, refused.text)
    assert not api.events("item.clip.export")
    never = api.client.get(f"/api/v1/clips/{clip}/export", headers=team["investigator"])
    assert never.status_code == 404

    queued = api.client.post(f"/api/v1/clips/{clip}/export", headers=team["investigator"])
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert job["stage"] == "clip" and job["subject"] == clip
    state = api.client.get(f"/api/v1/clips/{clip}/export", headers=team["prosecutor"]).json()
    assert state["state"] == "done", state
    derivative = state["result"]["derivative"]

    listed = api.client.get(f"/api/v1/items/{video}/derivatives", headers=team["prosecutor"])
    clips = [d for d in listed.json() if d["derivative_kind"] == "clip"]
    assert [d["id"] for d in clips] == [derivative]
    record = clips[0]["derivation"]
    assert record["parent"] == video and record["tool"] == "ffmpeg"
    assert record["parameters"]["clip"] == clip
    assert (record["parameters"]["start"], record["parameters"]["end"]) == (0.5, 1.5)
    assert clips[0]["original_name"].startswith("допрос.clip-000000-000001")

    cut = _content(api, derivative, team["prosecutor"], tmp_path / "clip.mp4")
    probe = _probe(cut)
    assert abs(float(probe["format"]["duration"]) - 1.0) < 0.1
    streams = {s["codec_type"]: s for s in probe["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["height"] == 720
    assert streams["audio"]["codec_name"] == "aac"
    assert "location" not in json.dumps(probe["format"].get("tags", {}))
    # The cut starts at 0.5 s, not at the keyframe before it (0.0 s), and holds no hidden
    # frames from outside the range (a stream copy keeps 0.0-0.5 s behind an edit list).
    first = _frame(cut)
    assert _distance(first, _frame(video_720p, 0.5)) < _distance(first, _frame(video_720p, 0.0))
    packets = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
         "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", str(cut)],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    assert 29 <= int(packets) <= 31  # 1 s at 30 fps

    # Asking again gives the same job and no second derivative; custody tells who asked.
    again = api.client.post(f"/api/v1/clips/{clip}/export", headers=team["prosecutor"])
    assert again.status_code == 202 and again.json()["id"] == job["id"]
    listed = api.client.get(f"/api/v1/items/{video}/derivatives", headers=team["prosecutor"])
    assert sum(d["derivative_kind"] == "clip" for d in listed.json()) == 1
    assert len(api.events("item.clip.export")) == 2
    custody = api.client.get(f"/api/v1/items/{video}/custody", headers=team["auditor"]).json()
    assert "item.clip.export" in {e["event"]["action"] for e in custody["events"]}


def test_audio_clip_and_refusals(
    ingest_api: Api, tone_wav: Path, photo_jpeg: Path, tmp_path: Path
) -> None:
    api = ingest_api
    team = make_team(api)
    audio = _upload(api, team, tone_wav, "звонок.wav")
    clip = _clip(api, team, audio, 0.25, 0.75)
    done = api.client.post(f"/api/v1/clips/{clip}/export", headers=team["prosecutor"])
    assert done.status_code == 202, done.text
    state = api.client.get(f"/api/v1/clips/{clip}/export", headers=team["prosecutor"]).json()
    assert state["state"] == "done", state
    cut = _content(api, state["result"]["derivative"], team["prosecutor"], tmp_path / "c.m4a")
    probe = _probe(cut)
    assert [s["codec_type"] for s in probe["streams"]] == ["audio"]
    assert abs(float(probe["format"]["duration"]) - 0.5) < 0.1

    # A photo cannot be clipped: 415, and nothing is recorded.
    photo = _upload(api, team, photo_jpeg, "photo.jpg")
    photo_clip = _clip(api, team, photo, 0.0, 1.0)
    before = len(api.events())
    refused = api.client.post(f"/api/v1/clips/{photo_clip}/export", headers=team["prosecutor"])
    assert refused.status_code == 415, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert len(api.events()) == before
    # A clip that does not exist.
    missing = api.client.post("/api/v1/clips/nope/export", headers=team["prosecutor"])
    assert missing.status_code == 404


def test_item_page_exports_a_clip(sqlite_api: Api, video_720p: Path) -> None:
    api = sqlite_api
    api.client.cookies.set("dalel_lang", "ru")
    team = make_team(api)
    video = _upload(api, team, video_720p, "допрос.mp4")
    clip = _clip(api, team, video, 0.2, 1.2, title="Подход")

    sign_in(api, "officer")  # may bookmark, may not make new evidence
    assert f'action="/clips/{clip}/export"' not in api.client.get(f"/items/{video}").text
    csrf = sign_in(api, "investigator")
    page = api.client.get(f"/items/{video}").text
    assert f'action="/clips/{clip}/export"' in page and "Экспортировать файлом" in page
    done = api.client.post(f"/clips/{clip}/export", data={"csrf": csrf, "item": video})
    assert done.status_code == 200 and done.url.path == f"/items/{video}"
    state = api.client.get(f"/api/v1/clips/{clip}/export", headers=team["investigator"]).json()
    assert f'href="/items/{state["result"]["derivative"]}"' in done.text
    assert "Экспортированный фрагмент" in done.text
    # A forged form is refused and queues nothing new.
    forged = api.client.post(f"/clips/{clip}/export", data={"csrf": "x", "item": video})
    assert forged.status_code == 403
    assert len(api.events("item.clip.export")) == 1
