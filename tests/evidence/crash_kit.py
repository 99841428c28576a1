"""A crash run for tests/evidence/test_crash_consistency.py and its long form in the
benchmarks: `dalel serve` killed with SIGKILL during concurrent uploads, restarted, and
checked (every acknowledged upload there, fsck and the ledger clean afterwards)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests import conftest as root
from tests.app_kit import PASSWORD
from tests.served import Served, run_many, setup

CASE = "202612020000050"
UPLOADS = 50
CHUNK = 256 * 1024


@contextlib.contextmanager
def database_for(request: pytest.FixtureRequest, backend: str) -> Iterator[str | None]:
    """None (the embedded SQLite file) or a fresh PostgreSQL database the server
    migrates itself, dropped afterwards."""
    if backend == "sqlite":
        yield None
        return
    with root.empty_pg_database("dalel_crash") as url:
        yield url


class Uploader:
    """One client per upload; what the server acknowledged is kept (sha256 → item id)."""

    def __init__(self, served: Served, headers: dict[str, str], case_id: str) -> None:
        self.served, self.headers, self.case_id = served, headers, case_id
        self.acknowledged: dict[str, str] = {}
        self.lock = threading.Lock()
        self.first = threading.Event()  # set on the first acknowledgement

    def __call__(self, number: int, body: bytes) -> None:
        url = f"{self.served.url}/api/v1"
        try:
            with httpx.Client(base_url=url, headers=self.headers, timeout=60) as client:
                if number % 2:
                    item = self._resumable(client, number, body)
                else:
                    item = client.post(
                        f"/cases/{self.case_id}/items",
                        files={"file": (f"{number}.bin", body, "application/octet-stream")},
                    )
        except httpx.HTTPError:
            return  # the server died under it: not acknowledged
        if item is not None and item.status_code in (200, 201):
            with self.lock:
                self.acknowledged[hashlib.sha256(body).hexdigest()] = item.json()["id"]
            self.first.set()

    def _resumable(self, client: httpx.Client, number: int, body: bytes) -> httpx.Response | None:
        begun = client.post(
            f"/cases/{self.case_id}/uploads",
            json={"filename": f"{number}.bin", "size": len(body),
                  "sha256": hashlib.sha256(body).hexdigest()},
        )  # fmt: skip
        if begun.status_code != 201:
            return None
        upload = begun.json()["id"]
        for offset in range(0, len(body), CHUNK):
            sent = client.put(
                f"/uploads/{upload}",
                content=body[offset : offset + CHUNK],
                headers={"Upload-Offset": str(offset),
                         "Content-Type": "application/offset+octet-stream"},
            )  # fmt: skip
            if sent.status_code not in (200, 204):
                return None
        return client.post(f"/uploads/{upload}/finalize",
                           json={"sha256": hashlib.sha256(body).hexdigest()})  # fmt: skip


def crash_run(tmp_path: Path, database: str | None, *, rounds: int, largest: int) -> str:
    """`rounds` kills during UPLOADS concurrent uploads of up to `largest` bytes, then
    the checks; returns what happened (seed, kill times, uploads acknowledged)."""
    seed = int(os.environ.get("DALEL_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    env = {**os.environ, "DALEL_DATA_DIR": str(tmp_path / "var"), "DALEL_PASSWORD": PASSWORD,
           "DALEL_JOBS": "off"}  # fmt: skip
    for name in ("DALEL_DATABASE_URL", "DALEL_STORAGE_URL", "DALEL_REDIS_URL"):
        env.pop(name, None)
    if database is not None:
        env["DALEL_DATABASE_URL"] = database
    setup(env, ("migrate",), ("user", "add", "olzhas", "--role", "prosecutor"),
          ("case", "create", CASE, "--title", "Разбой", "--by", "olzhas"))  # fmt: skip
    bodies = [rng.randbytes(rng.randrange(16 * 1024, largest)) for _ in range(UPLOADS)]
    shas = [hashlib.sha256(b).hexdigest() for b in bodies]
    served = Served(env, tmp_path / "serve.log")
    served.start()
    try:
        token = httpx.post(f"{served.url}/api/v1/auth/token",
                           data={"username": "olzhas", "password": PASSWORD}).json()  # fmt: skip
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        (case,) = httpx.get(f"{served.url}/api/v1/cases", params={"number": CASE},
                            headers=headers).json()  # fmt: skip
        uploader = Uploader(served, headers, case["id"])
        kills = []
        for _ in range(rounds):
            landed = set(uploader.acknowledged)
            waiting = [n for n, sha in enumerate(shas) if sha not in landed]
            uploader.first.clear()
            with ThreadPoolExecutor(len(waiting)) as pool:
                for n in waiting:
                    pool.submit(uploader, n, bodies[n])
                # The kill comes a random time after the first upload landed, not after
                # the start: on a loaded machine (CI) a fixed clock killed the server
                # before anything could land, and the run tested nothing.
                uploader.first.wait(timeout=60)
                delay = rng.uniform(0.0, 1.0)
                time.sleep(delay)
                served.kill()
                kills.append(round(delay, 2))
            served.start()
        count = len(uploader.acknowledged)
        context = f"seed {seed}, kills {kills} s after a round's first upload, {count} acknowledged"
        assert uploader.acknowledged, context  # the kills came late enough for some to land
        by_sha = {hashlib.sha256(b).hexdigest(): b for b in bodies}
        with httpx.Client(base_url=f"{served.url}/api/v1", headers=headers, timeout=60) as api:
            for sha, item_id in uploader.acknowledged.items():
                found = api.get(f"/items/{item_id}")
                assert found.status_code == 200 and found.json()["sha256"] == sha, context
                assert api.get(f"/items/{item_id}/content").content == by_sha[sha], context
            listed = {i["sha256"] for i in api.get(f"/cases/{case['id']}/items").json()}
        assert set(uploader.acknowledged) <= listed <= set(by_sha), context
    finally:
        served.stop()
    # One interpreter for the three: each start costs seconds on a loaded machine.
    (repair_code, repaired), (fsck_code, checked), (verify_code, verified) = run_many(
        env, ("fsck", "--repair", "--older-than", "0"), ("fsck",), ("ledger", "verify")
    )
    assert repair_code == 0, f"{context}\n{repaired}"
    assert fsck_code == 0 and "fsck OK" in checked, f"{context}\n{repaired}\n{checked}"
    assert verify_code == 0, f"{context}\n{verified}"
    removed = repaired.count("removed: ")
    return f"{context}, {removed} leftover(s) removed by fsck --repair"
