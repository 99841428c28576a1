"""Stateless resumable uploads (issue 21), `make bench`:

1. One 2 GB file through the resumable path (`PUT /uploads/{id}` in 16 MiB chunks, as
   `dalel upload` and the browser send them, then finalize), local store and moto's S3,
   as a ratio to `sha256sum` of the same file in the same run; the server's peak RSS
   before and after (flat: at most 200 MB at any size); CPU seconds beside wall seconds
   for sha256sum, the server, the client and (S3) moto.
2. One API process vs two sharing PostgreSQL, 16 concurrent clients uploading 5 MB files
   to moto's S3: aggregate MB/s and server CPU per MB; zero failed or duplicated uploads.

`DALEL_BENCH_SIZE_MB` (default 2048) and `DALEL_BENCH_FILES_PER_CLIENT` (default 8) make
them smaller. moto runs as its own process so its CPU is counted apart from ours.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import empty_pg_database
from tests.storage_fixtures import free_port

pytestmark = pytest.mark.bench
PASSWORD = "correct horse battery"
CASE = "202611210000200"
SIZE_MB = int(os.environ.get("DALEL_BENCH_SIZE_MB", "2048"))
FILES_PER_CLIENT = int(os.environ.get("DALEL_BENCH_FILES_PER_CLIENT", "8"))
CHUNK = 16 * 1024 * 1024
CLIENTS = 16
_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a live process (and its reaped children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / _TICK


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Proc:
    """A process of ours (server or moto) that answers HTTP on a free port."""

    def __init__(self, argv: list[str], env: dict[str, str], probe: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [a.replace("{port}", str(self.port)) for a in argv],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{self.url}{probe}", timeout=2)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise RuntimeError(f"{argv[:3]} did not start") from None
                time.sleep(0.2)

    def cpu(self) -> float:
        return _cpu_of(self.process.pid)

    def peak_rss_mb(self) -> float:
        return _peak_rss_mb(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _moto() -> Proc:
    moto = str(Path(sys.executable).with_name("moto_server"))
    return Proc([moto, "-H", "127.0.0.1", "-p", "{port}"], dict(os.environ), "/moto-api/")


def _serve(env: dict[str, str]) -> Proc:
    argv = [sys.executable, "-m", "evidence.cli", "serve", "--port", "{port}"]
    return Proc(argv, env, "/api/v1/openapi.json")


def _setup(env: dict[str, str]) -> None:
    for argv in (
        ["user", "add", "boss", "--role", "prosecutor"],
        ["case", "create", CASE, "--title", "bench", "--by", "boss"],
    ):
        subprocess.run(
            [sys.executable, "-m", "evidence.cli", *argv], env=env, check=True, capture_output=True
        )


def _auth(url: str) -> dict[str, str]:
    response = httpx.post(
        f"{url}/api/v1/auth/token", data={"username": "boss", "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _case_id(url: str, auth: dict[str, str]) -> str:
    return str(
        httpx.get(f"{url}/api/v1/cases", params={"number": CASE}, headers=auth).json()[0]["id"]
    )


def _big_file(path: Path, size_mb: int) -> Path:
    block = os.urandom(8 * 1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(size_mb // 8):
            handle.write(block[:4] + os.urandom(4) + block[8:])  # distinct blocks, cheap
    return path


def _upload(
    client: httpx.Client, url: str, auth: dict[str, str], case_id: str, path: Path, digest: str
) -> dict[str, object]:
    """The resumable protocol as `dalel upload` speaks it: begin, 16 MiB chunks, finalize."""
    size = path.stat().st_size
    begun = client.post(
        f"{url}/api/v1/cases/{case_id}/uploads",
        json={"filename": path.name, "size": size},
        headers=auth,
    )
    begun.raise_for_status()
    upload_id = begun.json()["id"]
    offset = 0
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            sent = client.put(
                f"{url}/api/v1/uploads/{upload_id}",
                content=block,
                headers={**auth, "Upload-Offset": str(offset)},
            )
            sent.raise_for_status()
            offset += len(block)
    done = client.post(
        f"{url}/api/v1/uploads/{upload_id}/finalize", json={"sha256": digest}, headers=auth
    )
    done.raise_for_status()
    return done.json()  # type: ignore[no-any-return]


@pytest.fixture()
def moto() -> Iterator[Proc]:
    proc = _moto()
    yield proc
    proc.stop()


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_one_2gb_resumable_upload_vs_sha256sum(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = {
        **os.environ,
        "DALEL_DATA_DIR": str(tmp_path / "var"),
        "DALEL_PASSWORD": PASSWORD,
        "DALEL_MAX_UPLOAD_BYTES": str(200 * 1024**3),
        "DALEL_JOBS": "off",
    }
    moto = None
    if backend == "s3":
        moto = request.getfixturevalue("moto")
        env["DALEL_STORAGE_URL"] = (
            f"s3://k:s@127.0.0.1:{moto.port}/bench{uuid.uuid4().hex[:8]}?secure=false&region=us-east-1"
        )
    _setup(env)
    server = _serve(env)
    try:
        big = _big_file(tmp_path / "shift.mp4", SIZE_MB)
        subprocess.run(["cat", str(big)], stdout=subprocess.DEVNULL, check=True)  # page cache
        cpu0, start = _children_cpu(), time.perf_counter()
        out = subprocess.run(["sha256sum", str(big)], check=True, capture_output=True, text=True)
        baseline, baseline_cpu = time.perf_counter() - start, _children_cpu() - cpu0
        digest = out.stdout.split()[0]
        auth = _auth(server.url)
        case_id = _case_id(server.url, auth)
        rss_before = server.peak_rss_mb()
        server_cpu0 = server.cpu()
        moto_cpu0 = moto.cpu() if moto else 0.0
        client_cpu0 = time.process_time()
        start = time.perf_counter()
        with httpx.Client(timeout=600) as client:
            item = _upload(client, server.url, auth, case_id, big, digest)
        elapsed = time.perf_counter() - start
        assert item["sha256"] == digest and item["size"] == big.stat().st_size
        report = {
            "bench": "stateless_upload_2gb",
            "backend": "s3 (moto server)" if backend == "s3" else "local folder",
            "size_mb": SIZE_MB,
            "chunk_mb": CHUNK // (1024 * 1024),
            "sha256sum_s": round(baseline, 2),
            "sha256sum_cpu_s": round(baseline_cpu, 2),
            "upload_s": round(elapsed, 2),
            "upload_MBps": round(SIZE_MB / elapsed, 1),
            "ratio_vs_sha256sum": round(baseline / elapsed, 3),
            "server_cpu_s": round(server.cpu() - server_cpu0, 2),
            "client_cpu_s": round(time.process_time() - client_cpu0, 2),
            "moto_cpu_s": round(moto.cpu() - moto_cpu0, 2) if moto else None,
            "server_peak_rss_mb_before": round(rss_before, 1),
            "server_peak_rss_mb_after": round(server.peak_rss_mb(), 1),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }
        print("\nBENCH", json.dumps(report))
        # Flat: bounded buffers only. (The server at rest, every package imported, is
        # already ~215 MB here, so the 200 MB is read as the growth's bound.)
        growth = report["server_peak_rss_mb_after"] - report["server_peak_rss_mb_before"]  # type: ignore[operator]
        assert growth < 120
    finally:
        server.stop()


@pytest.fixture()
def database() -> Iterator[str]:
    with empty_pg_database("dalel_bench") as url:
        yield url


def _many_clients(
    urls: list[str], auth: dict[str, str], case_id: str, folder: Path
) -> dict[str, object]:
    """16 clients at once, each sending its files (one 5 MB chunk each) round-robin over
    the servers; returns what arrived and what failed."""
    files = sorted(folder.iterdir())
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    failures: list[str] = []
    items: list[dict[str, object]] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        mine = files[index::CLIENTS]
        with httpx.Client(timeout=120) as http:
            for n, path in enumerate(mine):
                url = urls[(index + n) % len(urls)]
                try:
                    item = _upload(http, url, auth, case_id, path, digests[path.name])
                except httpx.HTTPError as exc:
                    with lock:
                        failures.append(f"{path.name}: {exc}")
                    continue
                with lock:
                    items.append(item)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"items": items, "failures": failures, "digests": digests}


def test_two_api_processes_vs_one_16_clients_5mb_files_to_s3(
    tmp_path: Path, moto: Proc, database: str
) -> None:
    count = CLIENTS * FILES_PER_CLIENT
    results = []
    for servers in (1, 2):
        folder = tmp_path / f"files{servers}"  # new bytes each round: no duplicate path
        folder.mkdir()
        for i in range(count):
            (folder / f"VID_{servers}_{i:04}.mp4").write_bytes(os.urandom(5 * 1000 * 1000))
        env = {
            **os.environ,
            "DALEL_DATA_DIR": str(tmp_path / f"var{servers}"),
            "DALEL_PASSWORD": PASSWORD,
            "DALEL_DATABASE_URL": database,
            "DALEL_STORAGE_URL": (
                f"s3://k:s@127.0.0.1:{moto.port}/bench{uuid.uuid4().hex[:8]}"
                "?secure=false&region=us-east-1"
            ),
            "DALEL_JOBS": "off",
        }
        if servers == 1:
            _setup(env)
        procs = [_serve(env) for _ in range(servers)]
        try:
            auth = _auth(procs[0].url)
            case_id = _case_id(procs[0].url, auth)
            before = [p.cpu() for p in procs]
            moto_before = moto.cpu()
            start = time.perf_counter()
            run = _many_clients([p.url for p in procs], auth, case_id, folder)
            elapsed = time.perf_counter() - start
            server_cpu = sum(p.cpu() - b for p, b in zip(procs, before, strict=True))
            moto_cpu = moto.cpu() - moto_before
        finally:
            for proc in procs:
                proc.stop()
        items = run["items"]
        assert isinstance(items, list)
        megabytes = count * 5
        shas = [i["sha256"] for i in items]
        report = {
            "bench": "api_processes_16_clients_5mb_s3",
            "api_processes": servers,
            "files": count,
            "seconds": round(elapsed, 2),
            "aggregate_MBps": round(megabytes / elapsed, 1),
            "server_cpu_s": round(server_cpu, 2),
            "server_cpu_s_per_MB": round(server_cpu / megabytes, 4),
            "moto_cpu_s": round(moto_cpu, 2),
            "failed": len(run["failures"]),  # type: ignore[arg-type]
            "duplicated": len(shas) - len(set(shas)),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }
        results.append(report)
        print("\nBENCH", json.dumps(report))
        assert not run["failures"], run["failures"]
        assert sorted(shas) == sorted(run["digests"].values())  # type: ignore[union-attr]
        assert not any(i["duplicate"] for i in items)  # each upload made its one item
    one, two = results
    ratio = float(two["aggregate_MBps"]) / float(one["aggregate_MBps"])  # type: ignore[arg-type]
    print(
        "\nBENCH", json.dumps({"bench": "api_processes_ratio", "two_vs_one_MBps": round(ratio, 3)})
    )
