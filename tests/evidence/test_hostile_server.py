"""Issue 12: limits that live in the server itself (`dalel serve`): a giant request
header is refused before it is held in memory, and the server goes on serving."""

from __future__ import annotations

import contextlib
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pydantic
import pytest

from evidence.config import Settings
from tests.app_kit import PASSWORD
from tests.evidence.conftest import dalel


def _raw(url: str, payload: bytes) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as conn:
        # Refused mid-send or reset: what the server said is still read below.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(payload)
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := conn.recv(65536):
                answer += chunk
    return answer


def _server_pid(url: str) -> int:
    """The `dalel serve` process listening at `url` (started by the fixture)."""
    port = str(urlsplit(url).port)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if b"serve" in argv and port.encode() in argv and b"evidence.cli" in argv:
                return int(proc.name)
    raise AssertionError(f"no dalel serve process on port {port}")


def _peak_rss_kib(pid: int) -> int:
    """The process's resident-memory high-water mark (VmHWM): it keeps the peak even
    when a big buffer was freed again at once."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_giant_header_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    """The trial: a 64 MiB request header was accepted (server memory +117 MB). It is
    refused (400/431, or the connection closed) before it is held: the server's peak
    memory does not grow by anything near the header's size."""
    url, _env = server
    pid = _server_pid(url)
    assert httpx.get(f"{url}/api/v1/ledger/checkpoint", timeout=10).status_code in {200, 404}
    peak = _peak_rss_kib(pid)
    big = b"GET /api/v1/ledger/checkpoint HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (64 << 20)
    answer = _raw(url, big + b"\r\n\r\n")
    assert answer == b"" or answer.split(b" ", 2)[1] in {b"400", b"431"}, answer[:200]
    long_line = b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = _raw(url, long_line)
    assert answer == b"" or answer.split(b" ", 2)[1] in {b"400", b"414", b"431"}, answer[:200]
    # Many headers, each small, add up the same way.
    many = b"".join(b"X-H%d: %s\r\n" % (n, b"b" * 1000) for n in range(20_000))
    answer = _raw(url, b"GET /api/v1/ledger/checkpoint HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert answer == b"" or answer.split(b" ", 2)[1] in {b"400", b"431"}, answer[:200]
    grown = _peak_rss_kib(pid) - peak
    assert grown < 16 * 1024, f"peak memory grew by {grown} KiB"
    # A normal request still works.
    assert httpx.get(f"{url}/api/v1/openapi.json", timeout=10).status_code == 200


def test_lockout_storm_does_not_stall_other_requests(server) -> None:  # type: ignore[no-untyped-def]
    """The trial: 80 concurrent sign-ins for a locked user, each sleeping 4 s with a
    database connection held, exhausted the pool: plain-text 500s, and an unrelated
    checkpoint read took 59.8 s. Now refusals hold nothing and every answer is problem
    JSON; the other request is served at once."""
    url, _env = server
    form = {"username": "olzhas", "password": "a wrong guess"}

    def guess(_: int) -> httpx.Response:
        return httpx.post(f"{url}/api/v1/auth/token", data=form, timeout=120)

    with ThreadPoolExecutor(max_workers=80) as pool:
        storm = [pool.submit(guess, n) for n in range(160)]
        time.sleep(1.0)  # the storm is under way
        began = time.monotonic()
        other = httpx.get(f"{url}/api/v1/openapi.json", timeout=120)
        checkpoint = httpx.get(f"{url}/api/v1/ledger/checkpoint", timeout=120)
        waited = time.monotonic() - began
        answers = [f.result() for f in storm]
    assert other.status_code == 200 and checkpoint.status_code in {200, 404}
    assert waited < 5.0, waited
    assert {a.status_code for a in answers} <= {401, 429, 503}
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers)
    busy = [a for a in answers if a.status_code in {429, 503}]
    assert all(int(a.headers["retry-after"]) >= 1 for a in busy)


def test_device_keys_from_the_command_line(server) -> None:  # type: ignore[no-untyped-def]
    """The trial: a docking-station key could not be revoked (no endpoint, no CLI). The
    operator issues one with the configured expiry, lists it with its last use and
    revokes it; the running server refuses it at once."""
    url, env = server
    dalel(env, "user", "add", "root", "--role", "admin")
    issued = dalel(
        {**env, "DALEL_API_KEY_TTL_DAYS": "7"},
        "apikey", "add", "--user", "olzhas", "--device", "DOCK-7", "--by", "root",
    ).stdout  # fmt: skip
    key_id, secret = issued.split()[2], issued.rsplit(": ", 1)[1].strip()
    device = {"X-API-Key": secret}
    cases = f"{url}/api/v1/cases"
    signed_in = httpx.post(
        f"{url}/api/v1/auth/token", data={"username": "aigerim", "password": PASSWORD}
    ).json()
    prosecutor = {"Authorization": f"Bearer {signed_in['access_token']}"}
    case = httpx.get(cases, params={"number": "202611210000777"}, headers=prosecutor).json()[0]
    member = {"username": "olzhas"}
    httpx.post(f"{cases}/{case['id']}/members", json=member, headers=prosecutor)
    found = httpx.get(cases, params={"number": "202611210000777"}, headers=device)
    assert found.status_code == 200 and found.json()[0]["id"] == case["id"], found.text
    (row,) = [line for line in dalel(env, "apikey", "list").stdout.splitlines() if key_id in line]
    fields = row.split()
    expires = (datetime.now(UTC) + timedelta(days=7)).date()
    assert fields[1:5] == ["olzhas", "DOCK-7", "upload", "active"], row
    assert fields[6] != "never" and fields[-1] in {str(expires), str(expires - timedelta(days=1))}
    dalel(env, "apikey", "revoke", key_id)
    refused = httpx.get(cases, params={"number": "202611210000777"}, headers=device)
    assert refused.status_code == 401, refused.text
    assert f"{key_id}  olzhas  DOCK-7  upload  revoked" in dalel(env, "apikey", "list").stdout


def test_header_limit_cannot_be_configured_away() -> None:
    """The header bound is the server's protection: a setting past 1 MiB is refused."""
    with pytest.raises(pydantic.ValidationError):
        Settings(max_header_bytes=256 << 20)
    assert Settings(max_header_bytes=1 << 20).max_header_bytes == 1 << 20
