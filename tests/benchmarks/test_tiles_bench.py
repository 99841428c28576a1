"""Tile serving (`make bench`): requests/s for a full 256-hash tile of a 1,000,000-entry
log on PostgreSQL, against a static file of the same size (8,192 bytes) served by the
same uvicorn process, with the server's CPU time per request beside it (the machine is
shared: wall-clock rates move with the load, CPU per request much less).

Three tile loads: one tile over and over (the cache's case); full level-0 tiles spread
over the whole log (the first request of each reads 256 rows, later ones hit the cache);
and, in-process, the uncached read itself (`tile_hashes`) from PostgreSQL.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlmodel import Session

from custody.checkpoint import make_checkpoint
from custody.keys import load_keys
from custody.tiles import TileRef, tile_hashes
from evidence.db import make_engine
from tests.benchmarks.ledger_kit import populate_ledger
from tests.storage_fixtures import free_port

pytestmark = pytest.mark.bench

SIZE = 1_000_000
SECONDS = 8.0
CLIENTS = 2  # client processes, one keep-alive connection each
SERVER = """
import os, uvicorn
from starlette.staticfiles import StaticFiles
from evidence.app import create_app

app = create_app()
app.mount("/bench-static", StaticFiles(directory=os.environ["BENCH_STATIC"]))
uvicorn.run(app, host="127.0.0.1", port=int(os.environ["BENCH_PORT"]), log_level="warning",
            access_log=False)
"""


def _client(port: int, paths: list[str], seconds: float, out) -> None:  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", port)
    rng = random.Random(os.getpid())
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        conn.request("GET", paths[rng.randrange(len(paths))])
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200 and len(body) == 8192, (response.status, len(body))
        done += 1
    out.put((done, time.perf_counter() - start))


def _server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load(port: int, pid: int, paths: list[str]) -> tuple[float, float]:
    """Requests/s over all clients, and the server's CPU µs per request."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    cpu = _server_cpu(pid)
    procs = [
        ctx.Process(target=_client, args=(port, paths, SECONDS, queue)) for _ in range(CLIENTS)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    done = sum(r[0] for r in results)
    return done / max(r[1] for r in results), (_server_cpu(pid) - cpu) / done * 1e6


def test_bench_tile_serving_against_a_static_file(bench_url: str, tmp_path: Path) -> None:
    t0 = time.perf_counter()
    populate_ledger(bench_url, SIZE)
    load = time.perf_counter() - t0
    engine = make_engine(bench_url)
    keys = load_keys(key_dir=tmp_path / "keys", name="bench/ledger")
    with Session(engine) as session:
        make_checkpoint(session=session, keys=keys, origin="bench/ledger")
        session.commit()
        rng = random.Random(3)
        cold = []
        for _ in range(300):
            ref = TileRef(level=0, index=rng.randrange(SIZE // 256))
            t = time.perf_counter()
            assert len(tile_hashes(session=session, ref=ref, size=SIZE)) == 8192
            cold.append(time.perf_counter() - t)
    engine.dispose()
    static = tmp_path / "static"
    static.mkdir()
    (static / "tile.bin").write_bytes(os.urandom(8192))
    port = free_port()
    env = {**os.environ, "DALEL_DATABASE_URL": bench_url, "DALEL_DATA_DIR": str(tmp_path / "d"),
           "DALEL_LEDGER_KEY_DIR": str(tmp_path / "keys"), "DALEL_LEDGER_ORIGIN": "bench/ledger",
           "DALEL_CHECKPOINT_INTERVAL_SECONDS": "0", "DALEL_JOBS": "off",
           "BENCH_STATIC": str(static), "BENCH_PORT": str(port)}  # fmt: skip
    server = subprocess.Popen([sys.executable, "-c", textwrap.dedent(SERVER)], env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/bench-static/tile.bin")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.3)
        one = [f"/api/v1/ledger/{TileRef(0, 1234).path()}"]
        spread = [f"/api/v1/ledger/{TileRef(0, n).path()}" for n in range(SIZE // 256)]
        rates = {}
        static_file = ["/bench-static/tile.bin"]
        loads = [("static file", static_file), ("one tile", one), ("spread tiles", spread),
                 ("spread again", spread), ("static again", static_file)]  # fmt: skip
        for name, paths in loads:
            rates[name] = _load(port, server.pid, paths)
    finally:
        server.terminate()
        server.wait(timeout=30)
    base = statistics.mean([rates["static file"][0], rates["static again"][0]])
    cold.sort()
    print(
        f"\ntiles from a {SIZE:,}-entry log (load by COPY {load:.0f}s): "
        + "; ".join(
            f"{name} {rps:,.0f} req/s, server CPU {cpu:.0f} µs/req"
            for name, (rps, cpu) in rates.items()
        )
        + f"; ratio one tile / static {rates['one tile'][0] / base:.2f}, spread / static "
        f"{rates['spread tiles'][0] / base:.2f}; uncached tile read from PostgreSQL p50 "
        f"{cold[len(cold) // 2] * 1e3:.2f} ms, p99 {cold[int(len(cold) * 0.99)] * 1e3:.2f} ms; "
        f"{CLIENTS} keep-alive clients; machine load average {os.getloadavg()[0]:.1f}"
    )
    assert rates["one tile"][0] > 0.3 * base  # gross regressions only: shared machine
