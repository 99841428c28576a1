"""One signer (issue 21): three `dalel serve` processes on one PostgreSQL database, each
with its own key folder, and uploads spread over all three. Only the holder of the
signer's advisory lock signs the periodic checkpoint: at most one checkpoint per interval,
all by one key; when that process is killed, one of the others takes over, alone too.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from custody.audit import verify_ledger
from custody.models import Checkpoint
from custody.note import split_note
from evidence import service
from evidence.db import make_engine
from evidence.migrations import upgrade
from evidence.models import Role
from evidence.policy import Principal
from tests.conftest import empty_pg_database
from tests.storage_fixtures import free_port

INTERVAL = 0.5  # seconds between periodic checkpoints (DALEL_CHECKPOINT_INTERVAL_SECONDS)
PASSWORD = "correct horse battery"
CASE = "202612020000321"


@pytest.fixture()
def database() -> Iterator[str]:
    with empty_pg_database("dalel_signer") as url:
        upgrade(url)  # once, before three servers start (each would migrate otherwise)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:  # the prosecutor and the case
            user = service.create_user(
                session=session, principal=None, username="aigerim", password=PASSWORD,
                role=Role.PROSECUTOR,
            )  # fmt: skip
            prosecutor = Principal(user_id=user.id, username=user.username, role=Role.PROSECUTOR)
            service.create_case(session=session, principal=prosecutor, number=CASE, title="One")
        engine.dispose()
        yield url


def _start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "evidence.cli", "serve", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def _wait(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 120  # three starts at once on a loaded 2-core machine
    while True:
        try:
            httpx.get(f"{url}/api/v1/ledger/key", timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"dalel serve did not start: {log.read_text()}") from None
            time.sleep(0.2)


def _signed(engine: Engine, since: datetime) -> list[tuple[datetime, str]]:
    """(created_at, signing key id) of the checkpoints signed since `since`."""
    with Session(engine) as session:
        rows = session.exec(select(Checkpoint).where(col(Checkpoint.created_at) >= since)).all()
        return [(row.created_at, split_note(row.note)[1][0].key_id.hex()) for row in rows]


def _grow(
    engine: Engine, urls: list[str], headers: dict[str, str], case_id: str, want: int
) -> list[tuple[datetime, str]]:
    """Upload through the servers in turn until `want` checkpoints were signed since the
    start (bounded: 120 s, 2,000 uploads): the log grows all along, however loaded the
    machine. Returns those checkpoints."""
    since = datetime.now(UTC)
    clients = [httpx.Client(base_url=url, headers=headers, timeout=30) for url in urls]
    done, deadline = 0, time.monotonic() + 120
    try:
        while time.monotonic() < deadline and done < 2000:
            response = clients[done % len(clients)].post(
                f"/api/v1/cases/{case_id}/items",
                files={"file": (f"f{done}.bin", os.urandom(512), "application/octet-stream")},
            )
            assert response.status_code == 201, response.text
            done += 1
            if len(_signed(engine, since)) >= want:
                break
    finally:
        for client in clients:
            client.close()
    time.sleep(2 * INTERVAL)  # the last appends get their checkpoint
    signed = _signed(engine, since)
    assert len(signed) >= want, f"{len(signed)} checkpoints after {done} uploads"
    return signed


def _per_interval(rows: list[tuple[datetime, str]]) -> Counter[int]:
    return Counter(math.floor(at.timestamp() / INTERVAL) for at, _ in rows)


def _key_owner(data_dirs: list[Path], key_id: str) -> int:
    owners = [i for i, d in enumerate(data_dirs) if list(d.glob(f"keys/*-{key_id}.pub"))]
    assert len(owners) == 1, owners
    return owners[0]


def test_three_api_processes_sign_one_checkpoint_per_interval(
    database: str, tmp_path: Path
) -> None:
    base = {**os.environ, "DALEL_DATABASE_URL": database, "DALEL_PASSWORD": PASSWORD,
            "DALEL_STORAGE_URL": f"file://{tmp_path / 'objects'}",
            "DALEL_CHECKPOINT_INTERVAL_SECONDS": str(INTERVAL),
            "DALEL_LOGIN_REFUSAL_DELAY_SECONDS": "0"}  # fmt: skip
    # Each process its own key folder: a checkpoint's key id says which process signed.
    data_dirs = [tmp_path / f"api{i}" for i in range(3)]
    logs = [tmp_path / f"api{i}.log" for i in range(3)]
    pairs = zip(data_dirs, logs, strict=True)
    started = [_start({**base, "DALEL_DATA_DIR": str(d)}, log) for d, log in pairs]
    try:
        for (process, url), log in zip(started, logs, strict=True):
            _wait(process, url, log)
        urls = [url for _, url in started]
        token = httpx.post(
            f"{urls[0]}/api/v1/auth/token", data={"username": "aigerim", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        case_id = httpx.get(f"{urls[0]}/api/v1/cases", params={"number": CASE},
                            headers=headers).json()[0]["id"]  # fmt: skip

        engine = make_engine(database)
        try:
            # 1. All three serve uploads; one of them signs, at most once per interval.
            first = _grow(engine, urls, headers, case_id, want=4)
            bins = _per_interval(first)
            assert max(bins.values()) == 1, sorted(bins.items())
            keys = {key for _, key in first}
            assert len(keys) == 1, keys  # one signer
            leader = _key_owner(data_dirs, keys.pop())
            assert sum(1 for d in data_dirs if (d / "keys").exists()) == 1  # others never signed

            # 2. The signer dies (no goodbye: its connection drops, PostgreSQL frees the
            # lock); one of the others takes over, alone.
            started[leader][0].send_signal(signal.SIGKILL)
            started[leader][0].wait(timeout=10)
            survivors = [url for i, (_, url) in enumerate(started) if i != leader]
            second = _grow(engine, survivors, headers, case_id, want=3)
            bins = _per_interval(second)
            assert max(bins.values()) == 1, sorted(bins.items())
            keys = {key for _, key in second}
            assert len(keys) == 1, keys
            assert _key_owner(data_dirs, keys.pop()) != leader

            # Every checkpoint, by either signer, verifies against the log's key list.
            with Session(engine) as session:
                report = verify_ledger(session=session)
            assert report.ok, report.problems
            assert report.checkpoints >= len(first) + len(second)
        finally:
            engine.dispose()
    finally:
        for process, _ in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
