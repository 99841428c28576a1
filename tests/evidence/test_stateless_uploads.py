"""Stateless resumable uploads (issue 21): two real `dalel serve` processes on different
ports share PostgreSQL, Redis and moto's S3; one upload's chunks alternate between them,
and a process killed (SIGKILL) in the middle of a chunk leaves the upload for the other
to continue at once."""

from __future__ import annotations

import hashlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest

from tests.conftest import empty_pg_database
from tests.storage_fixtures import free_port, s3_url

PASSWORD = "correct horse battery"
CASE = "202611210000321"
MiB = 1024 * 1024
_SETUP = f"""
import sys
from evidence.cli import main
for argv in (
    ["user", "add", "aigerim", "--role", "prosecutor"],
    ["case", "create", "{CASE}", "--title", "Грабеж", "--by", "aigerim"],
):
    if main(argv) != 0:
        sys.exit("dalel " + " ".join(argv) + " failed")
"""


@dataclass
class Host:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A database of its own: the servers' `dalel serve` builds it by migrations."""
    with empty_pg_database("dalel_stateless") as url:
        yield url


def _start(env: dict[str, str]) -> Host:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "evidence.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Host(f"http://127.0.0.1:{port}", process)


def _wait(host: Host) -> None:
    deadline = time.monotonic() + 90  # a loaded 2-core machine starts slowly
    while True:
        try:
            httpx.get(f"{host.url}/api/v1/openapi.json", timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline or host.process.poll() is not None:
                raise RuntimeError("dalel serve did not start") from None
            time.sleep(0.2)


@pytest.fixture(scope="module")
def hosts(
    tmp_path_factory: pytest.TempPathFactory, database: str, s3_endpoint: str
) -> Iterator[tuple[Host, Host, dict[str, str]]]:
    """Started once for the module (each start costs seconds); the crash test, which
    kills the second, runs last."""
    env = {
        **os.environ,
        # keys and logs only: no upload bytes land in the data directory
        "DALEL_DATA_DIR": str(tmp_path_factory.mktemp("stateless") / "var"),
        "DALEL_DATABASE_URL": database,
        "DALEL_STORAGE_URL": s3_url(s3_endpoint),
        "DALEL_REDIS_URL": "redis://127.0.0.1:6379/9",
        "DALEL_PASSWORD": PASSWORD,
    }
    setup = subprocess.run([sys.executable, "-c", _SETUP], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    # The set-up migrated the database: both start at once.
    first, second = _start(env), _start(env)
    _wait(first)
    _wait(second)
    yield first, second, env
    for host in (first, second):
        if host.process.poll() is None:
            host.process.terminate()
            host.process.wait(timeout=20)


def _auth(host: Host) -> dict[str, str]:
    response = httpx.post(
        f"{host.url}/api/v1/auth/token", data={"username": "aigerim", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _case_id(host: Host, auth: dict[str, str]) -> str:
    cases = httpx.get(f"{host.url}/api/v1/cases", params={"number": CASE}, headers=auth)
    assert cases.status_code == 200, cases.text
    return str(cases.json()[0]["id"])


def _begin(host: Host, auth: dict[str, str], case_id: str, size: int) -> str:
    body = {"filename": "shift.mp4", "size": size, "source_kind": "bodycam"}
    response = httpx.post(f"{host.url}/api/v1/cases/{case_id}/uploads", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _put(host: Host, auth: dict[str, str], upload_id: str, offset: int, data: bytes) -> int:
    response = httpx.put(
        f"{host.url}/api/v1/uploads/{upload_id}",
        content=data,
        headers={**auth, "Upload-Offset": str(offset)},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["offset"])


def _offset(host: Host, auth: dict[str, str], upload_id: str) -> int:
    response = httpx.get(f"{host.url}/api/v1/uploads/{upload_id}", headers=auth)
    assert response.status_code == 200, response.text
    return int(response.json()["offset"])


def _finalize(host: Host, auth: dict[str, str], upload_id: str, digest: str) -> dict[str, str]:
    response = httpx.post(
        f"{host.url}/api/v1/uploads/{upload_id}/finalize",
        json={"sha256": digest},
        headers=auth,
        timeout=60,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _content(host: Host, auth: dict[str, str], item_id: str) -> bytes:
    response = httpx.get(f"{host.url}/api/v1/items/{item_id}/content", headers=auth, timeout=60)
    assert response.status_code == 200, response.text
    return response.content


def test_chunks_alternating_between_two_servers_make_one_file(hosts) -> None:  # type: ignore[no-untyped-def]
    first, second, _ = hosts
    auth = _auth(first)  # a token from one server is good on the other (shared database)
    case_id = _case_id(second, auth)
    # 5 MiB chunks (S3's smallest part), a small one in the middle that waits as a tail
    # object, and a short last one.
    data = os.urandom(17 * MiB + 12_345)
    cuts = [0, 5 * MiB, 10 * MiB, 10 * MiB + 700_000, 15 * MiB, len(data)]
    upload_id = _begin(first, auth, case_id, len(data))
    for i, (start, end) in enumerate(itertools.pairwise(cuts)):
        host = (second, first)[i % 2]  # begun on the first, first chunk to the second
        assert _offset(host, auth, upload_id) == start
        assert _put(host, auth, upload_id, start, data[start:end]) == end
    digest = hashlib.sha256(data).hexdigest()
    item = _finalize(second, auth, upload_id, digest)
    assert item["sha256"] == digest and item["size"] == len(data)
    assert hashlib.sha256(_content(first, auth, item["id"])).hexdigest() == digest
    # The session is gone on both servers.
    for host in (first, second):
        gone = httpx.get(f"{host.url}/api/v1/uploads/{upload_id}", headers=auth)
        assert gone.status_code == 404


def _row_locked(database: str) -> bool:
    """Whether a transaction holds an upload_session row (FOR UPDATE)."""
    with psycopg.connect(database.replace("+psycopg", ""), autocommit=True) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = 'upload_session' AND l.mode = 'RowShareLock'"
        ).fetchone()
    return bool(found and found[0])


def test_a_server_killed_mid_chunk_leaves_the_upload_to_the_other(hosts) -> None:  # type: ignore[no-untyped-def]
    first, second, env = hosts
    auth = _auth(first)
    case_id = _case_id(first, auth)
    data = os.urandom(12 * MiB)
    upload_id = _begin(first, auth, case_id, len(data))
    assert _put(first, auth, upload_id, 0, data[: 6 * MiB]) == 6 * MiB
    # Half of the second chunk reaches the second server, which then dies.
    chunk = data[6 * MiB :]
    with socket.create_connection(("127.0.0.1", second.port)) as sock:
        head = (
            f"PUT /api/v1/uploads/{upload_id} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {auth['Authorization']}\r\nUpload-Offset: {6 * MiB}\r\n"
            f"Content-Length: {len(chunk)}\r\n\r\n"
        ).encode()
        sock.sendall(head + chunk[: len(chunk) // 2])
        deadline = time.monotonic() + 30
        while not _row_locked(env["DALEL_DATABASE_URL"]):  # it is writing the upload
            assert time.monotonic() < deadline, "the second server never took the chunk"
            time.sleep(0.1)
        second.process.send_signal(signal.SIGKILL)
        second.process.wait(timeout=10)
    assert second.process.returncode == -signal.SIGKILL
    # Nothing of the cut chunk counts, and its lock died with the process.
    assert _offset(first, auth, upload_id) == 6 * MiB
    assert _put(first, auth, upload_id, 6 * MiB, chunk) == len(data)
    digest = hashlib.sha256(data).hexdigest()
    item = _finalize(first, auth, upload_id, digest)
    assert item["sha256"] == digest
    assert _content(first, auth, item["id"]) == data
