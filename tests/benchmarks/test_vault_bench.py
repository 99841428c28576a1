"""Vault benchmarks (`make bench`): upload throughput and server memory, CLI file rate.

Throughput is reported as a ratio to `sha256sum` of the same file in the same run, so the
numbers mean the same on a fast or a slow machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.storage_fixtures import free_port

pytestmark = pytest.mark.bench
PASSWORD = "correct horse battery"
SIZE_MB = int(os.environ.get("DALEL_BENCH_SIZE_MB", "2048"))
FILES = int(os.environ.get("DALEL_BENCH_FILES", "10000"))


def _dalel(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "evidence.cli", *args], env=env, check=True, capture_output=True
    )


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "evidence.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                httpx.get(f"{self.url}/api/v1/openapi.json", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def peak_rss_mb(self) -> float:
        """High-water mark of resident memory (VmHWM) of the server process."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture()
def deployment(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Server, dict[str, str], str]]:
    backend = request.param
    env = {
        **os.environ,
        "DALEL_DATA_DIR": str(tmp_path / "var"),
        "DALEL_PASSWORD": PASSWORD,
        "DALEL_MAX_UPLOAD_BYTES": str(200 * 1024**3),
    }
    moto = None
    if backend == "s3":
        from moto.server import ThreadedMotoServer

        port = free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        moto.start()
        env["DALEL_STORAGE_URL"] = f"s3://k:s@127.0.0.1:{port}/bench?secure=false&region=us-east-1"
    _dalel(env, "user", "add", "boss", "--role", "prosecutor")
    _dalel(env, "case", "create", "202611210000100", "--title", "bench", "--by", "boss")
    server = Server(env)
    yield server, env, backend
    server.stop()
    if moto:
        moto.stop()


def _token(url: str) -> str:
    response = httpx.post(
        f"{url}/api/v1/auth/token", data={"username": "boss", "password": PASSWORD}
    )
    return str(response.json()["access_token"])


def _big_file(path: Path, size_mb: int) -> Path:
    block = os.urandom(8 * 1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(size_mb // 8):
            handle.write(block[:4] + os.urandom(4) + block[8:])  # distinct blocks, cheap
    return path


@pytest.mark.parametrize("deployment", ["local", "s3"], indirect=True)
def test_upload_throughput_vs_sha256sum(deployment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, _, backend = deployment
    size_mb = SIZE_MB
    big = _big_file(tmp_path / "shift.mp4", size_mb)
    subprocess.run(["cat", str(big)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    start = time.perf_counter()
    subprocess.run(["sha256sum", str(big)], check=True, capture_output=True)
    baseline = time.perf_counter() - start
    token = _token(server.url)
    case = httpx.get(
        f"{server.url}/api/v1/cases",
        params={"number": "202611210000100"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()[0]
    rss_before = server.peak_rss_mb()
    start = time.perf_counter()
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "-f",
            "-H",
            f"Authorization: Bearer {token}",
            "-F",
            f"file=@{big}",
            f"{server.url}/api/v1/cases/{case['id']}/items",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    item = json.loads(result.stdout)
    assert item["size"] == big.stat().st_size
    ratio = baseline / elapsed
    report = {
        "bench": "upload",
        "backend": "s3 (moto server)" if backend == "s3" else "local folder",
        "size_mb": size_mb,
        "sha256sum_MBps": round(size_mb / baseline, 1),
        "upload_MBps": round(size_mb / elapsed, 1),
        "ratio_vs_sha256sum": round(ratio, 3),
        "server_peak_rss_mb": round(server.peak_rss_mb(), 1),
        "server_rss_before_mb": round(rss_before, 1),
    }
    print("\nBENCH", json.dumps(report))
    # Memory must not grow with the file: the upload streams in bounded buffers.
    assert report["server_peak_rss_mb"] - report["server_rss_before_mb"] < 120


@pytest.mark.parametrize("deployment", ["local"], indirect=True)
def test_cli_upload_many_small_files(deployment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, env, _ = deployment
    folder = tmp_path / "export"
    folder.mkdir()
    for i in range(FILES):
        (folder / f"IMG_{i:05}.jpg").write_bytes(os.urandom(50 * 1024))
    env = {**env, "DALEL_USER": "boss"}
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "evidence.cli",
            "upload",
            "--case",
            "202611210000100",
            "--server",
            server.url,
            "--quiet",
            "--state",
            str(tmp_path / "state.json"),
            str(folder),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    assert f"uploaded {FILES}," in result.stdout
    report = {
        "bench": "cli_many_files",
        "files": FILES,
        "file_kb": 50,
        "files_per_s": round(FILES / elapsed, 1),
        "seconds": round(elapsed, 1),
    }
    print("\nBENCH", json.dumps(report))
