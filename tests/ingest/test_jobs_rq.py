"""RQ workers on the real Redis (127.0.0.1:6379) with real worker processes: queues split
by cost, and a worker killed with SIGKILL mid-job leads to a retry and one derivative.

Every test uses its own queue-name prefix, so parallel runs never meet.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from evidence.models import Item
from tests.app_kit import Api, make_team
from tests.ingest.rq_kit import (
    REDIS_URL,
    Workers,
    alive,
    descendants,
    ffmpeg_media,
    job_of,
    job_state,
    redis_up,
    wait_until,
)

pytest_plugins = ["tests.ingest.conftest_integration", "tests.ingest.rq_kit"]

pytestmark = pytest.mark.skipif(not redis_up(), reason="Redis not reachable")


def test_long_transcription_never_blocks_fast_jobs(
    rq_api: Api, workers: Workers, tmp_path: Path, photo_jpeg: Path
) -> None:
    api = rq_api
    team = make_team(api)
    case_id, pro = team["case"]["id"], team["prosecutor"]
    audio = ffmpeg_media(
        tmp_path, "long.wav", "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=16000",
        "-t", "120",
    )  # fmt: skip
    workers.start("fast")
    workers.start("asr")
    long_item = api.upload(case_id, pro, audio.read_bytes(), name="long.wav").json()["id"]
    wait_until(
        lambda: job_state(api, long_item, "transcribe") == "running", 90, "transcription start",
        workers.log,
    )  # fmt: skip
    photo = api.upload(case_id, pro, photo_jpeg.read_bytes(), name="photo.jpg").json()["id"]
    wait_until(
        lambda: job_state(api, photo, "thumbnail") == "done", 90, "the thumbnail", workers.log
    )
    # The fast queue was served while the asr worker was still busy.
    assert job_state(api, long_item, "transcribe") == "running"
    assert job_state(api, photo, "ocr") == "queued"  # nobody serves the ocr queue here


def test_sigkill_mid_job_retries_and_makes_one_derivative(
    rq_api: Api, workers: Workers, tmp_path: Path, prefix: str
) -> None:
    from rq import Queue
    from rq.registry import StartedJobRegistry

    from ingest.runtime.queue import redis_connection

    api = rq_api
    team = make_team(api)
    video = ffmpeg_media(
        tmp_path, "shift.mp4", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440", "-t", "8", "-c:v", "libx264",
        "-preset", "ultrafast", "-c:a", "aac",
    )  # fmt: skip
    item = api.upload(team["case"]["id"], team["prosecutor"], video.read_bytes(), name="s.mp4")
    item_id = item.json()["id"]
    workers.start("fast")
    first = workers.start("media")

    def transcoding() -> bool:
        job = job_of(api, item_id, "proxy")
        return job is not None and str(job.state) == "running" and job.progress > 0

    wait_until(transcoding, 120, "the proxy transcode to make progress", workers.log)
    horses = descendants(first.pid)
    assert horses, "the worker should have forked a work horse"
    workers.kill(first)  # SIGKILL to the worker, its work horse and ffmpeg
    wait_until(lambda: not any(alive(pid) for pid in horses), 10, "the work horse to die")
    assert job_state(api, item_id, "proxy") == "running"

    # RQ's maintenance retries abandoned jobs once their heartbeat lapses (~90 s, then
    # within a minute); run that clean-up now as if the time had passed.
    queue = Queue(f"{prefix}-media", connection=redis_connection(REDIS_URL))
    registry = StartedJobRegistry(queue=queue)
    assert registry.get_job_ids(), "the killed job should still be registered as started"
    registry.cleanup(timestamp=time.time() + 3600)

    second = workers.start("media", burst=True)
    second.wait(timeout=180)
    job = job_of(api, item_id, "proxy")
    assert job is not None and str(job.state) == "done", job
    assert job.attempts == 2
    with Session(api.engine) as session:
        proxies = session.exec(
            select(Item).where(Item.parent_id == item_id, Item.derivative_kind == "proxy")
        ).all()
    assert len(proxies) == 1
