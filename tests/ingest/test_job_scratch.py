"""In-process jobs keep their temporary files under the data directory (issue 13, point
9, the thread backend): a kill -9 of `dalel serve` mid-transcode used to leave the
copy of the evidence (`/tmp/dalel-job-*/input`) and the partial proxy in the system's
temporary directory for good. Now both sit in the job's scratch folder under
`$DATA_DIR/tmp/jobs`, which the next start removes; a finished job leaves nothing."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from evidence import scratch
from tests.served import Served, setup

PASSWORD = "correct horse battery"


def _wait(check: Callable[[], bool], timeout: float, what: str, served: Served) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{served.tail()}")


def _jobs(served: Served, headers: dict[str, str], item_id: str) -> dict[str, dict]:  # type: ignore[type-arg]
    found = httpx.get(f"{served.url}/api/v1/items/{item_id}/jobs", headers=headers, timeout=10)
    assert found.status_code == 200, found.text
    return {job["stage"]: job for job in found.json()}


def _jobs_state(data: Path, item_id: str) -> str:
    with sqlite3.connect(data / "dalel.sqlite3") as db:
        (state,) = db.execute(
            "SELECT state FROM job WHERE item_id = ? AND stage = 'proxy'", (item_id,)
        ).fetchone()
    return str(state)


def _dalel_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if "dalel-" in p.name] if folder.exists() else []


def test_kill_9_mid_job_leaves_nothing_in_tmp_and_the_next_start_clears_it(
    tmp_path: Path,
) -> None:
    system_tmp = tmp_path / "system-tmp"  # the server's /tmp, watched
    system_tmp.mkdir()
    data = tmp_path / "var"
    env = {**os.environ, "DALEL_DATA_DIR": str(data), "DALEL_PASSWORD": PASSWORD,
           "DALEL_JOBS": "thread", "TMPDIR": str(system_tmp), "DALEL_WHISPER_MODEL": "",
           "DALEL_PROXY_HEIGHT": "360"}  # fmt: skip
    for name in ("DALEL_DATABASE_URL", "DALEL_STORAGE_URL", "DALEL_REDIS_URL"):
        env.pop(name, None)
    setup(env, ("user", "add", "aigerim", "--role", "prosecutor"),
          ("case", "create", "202612020000013", "--title", "Кража", "--by", "aigerim"))  # fmt: skip
    video = tmp_path / "shift.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=640x360:rate=25", "-t", "10", "-c:v", "libx264", "-preset",
         "ultrafast", str(video)],
        check=True, timeout=120,
    )  # fmt: skip
    served = Served(env, tmp_path / "serve.log")
    served.start()
    try:
        token = httpx.post(f"{served.url}/api/v1/auth/token",
                           data={"username": "aigerim", "password": PASSWORD}).json()  # fmt: skip
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        case = httpx.get(f"{served.url}/api/v1/cases", params={"number": "202612020000013"},
                         headers=headers).json()[0]  # fmt: skip
        with open(video, "rb") as handle:
            uploaded = httpx.post(f"{served.url}/api/v1/cases/{case['id']}/items",
                                  files={"file": ("shift.mp4", handle, "video/mp4")},
                                  headers=headers, timeout=60)  # fmt: skip
        assert uploaded.status_code == 201, uploaded.text
        item_id = uploaded.json()["id"]

        scratch_root = data / "tmp" / "jobs"

        def transcoding() -> bool:  # the evidence copied out, the proxy being written
            return any(scratch_root.glob("*/dalel-proxy-*/proxy.mp4"))

        _wait(transcoding, 90, "the proxy transcode to start", served)
        (folder,) = [p for p in scratch_root.iterdir() if any(p.glob("dalel-proxy-*"))]
        assert folder.name.startswith(f"{served.process.pid}@")  # type: ignore[union-attr]
        served.kill()
        assert _jobs_state(data, item_id).lower() == "running"  # killed mid-job
        assert list(folder.glob("dalel-job-*/input")), "the evidence copy is in the job's folder"
        assert folder.exists()  # a kill -9 runs no clean-up: the next start's to do
        assert _dalel_files(system_tmp) == [], "nothing of the job went to the system's /tmp"

        served.start()
        assert not folder.exists(), "the start removed the dead process's scratch folder"
        _wait(lambda: _jobs(served, headers, item_id)["proxy"]["state"] == "done", 120,
              "the proxy, resumed after the restart", served)  # fmt: skip
        _wait(lambda: not any(scratch_root.iterdir()), 15, "the job's folder to go", served)
        assert _dalel_files(system_tmp) == []
    finally:
        served.stop()


def test_a_dead_processs_folders_go_a_live_ones_stay(tmp_path: Path) -> None:
    """The pid of a folder decides: this process's own folders (in use) stay, as do a
    running process's; a dead process's go, and so does a folder named with this
    process's pid that it did not make (the pid of a server before a restart, reused)."""
    root = tmp_path / "jobs"
    host = socket.gethostname()
    sleeper = subprocess.Popen(["sleep", "30"])
    gone = subprocess.Popen(["true"])
    gone.wait()
    try:
        live = root / f"{sleeper.pid}@{host}@a"
        dead = root / f"{gone.pid}@{host}@b"
        reused = root / f"{os.getpid()}@{host}@c"
        elsewhere = root / f"{gone.pid}@another-host@d"
        for path in (live, dead, reused, elsewhere):
            (path / "dalel-job-x").mkdir(parents=True)
            (path / "dalel-job-x" / "input").write_bytes(b"evidence")
        with scratch.folder(root) as mine:
            (mine / "part").write_bytes(b"in use")
            assert scratch.current() == mine
            removed = scratch.remove_dead(root)
            assert sorted(removed) == sorted([dead, reused])
            assert mine.exists() and live.exists() and elsewhere.exists()
        assert not mine.exists() and scratch.current() is None
    finally:
        sleeper.kill()
        sleeper.wait()
