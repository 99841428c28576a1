"""Bulk ingest benchmark (issue 21): `dalel upload` of a phone dump — 10,000 files of
50 KB (DALEL_BENCH_FILES) — to the local store, in files/s and as a ratio to `cp -r` of
the same folder plus `sha256sum` of every file, measured in the same run. CPU seconds
(client, server, baseline) beside wall seconds. Target: >= 500 files/s.

Two server set-ups: media jobs recorded for workers elsewhere (`DALEL_JOBS=off`, the
production shape: the API process only queues them) and the embedded default (jobs on
threads of the API process, which then also detects every file while it uploads).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from pathlib import Path

import pytest

from tests.evidence.bulk_fixtures import Server, copy_and_hash_seconds, make_dump

pytestmark = pytest.mark.bench
FILES = int(os.environ.get("DALEL_BENCH_FILES", "10000"))
SIZE = 50 * 1024


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("jobs", ["off", "thread"])
def test_phone_dump_upload_rate_vs_cp_and_sha256sum(tmp_path: Path, jobs: str) -> None:
    dump = tmp_path / "extraction"
    make_dump(dump, files=FILES, size=SIZE)
    server = Server(tmp_path, extra={"DALEL_JOBS": jobs})
    try:
        subprocess.run(["cat", *map(str, sorted(dump.rglob("*.jpg"))[:1])], check=True,
                       capture_output=True)  # fmt: skip
        cpu = _children_cpu()
        baseline = copy_and_hash_seconds(dump, tmp_path / "copy")
        baseline_cpu = _children_cpu() - cpu
        assert server.process is not None
        server_cpu = _process_cpu(server.process.pid)
        cpu = _children_cpu()
        start = time.perf_counter()
        result = subprocess.run(
            server.upload_command("--source-kind", "phone", "--from-extraction", str(dump)),
            env=server.client_env(tmp_path),
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.perf_counter() - start
        client_cpu = _children_cpu() - cpu
        server_cpu = _process_cpu(server.process.pid) - server_cpu
        assert f"uploaded {FILES}, already in the case 0, failed 0" in result.stdout
        assert server.count("SELECT count(*) FROM item") == FILES
    finally:
        server.stop()
    report = {
        "bench": "bulk_upload",
        "jobs": jobs,
        "files": FILES,
        "file_kb": SIZE // 1024,
        "files_per_s": round(FILES / elapsed, 1),
        "wall_s": round(elapsed, 2),
        "client_cpu_s": round(client_cpu, 2),
        "server_cpu_s": round(server_cpu, 2),
        "baseline_cp_sha256sum_s": round(baseline, 2),
        "baseline_cpu_s": round(baseline_cpu, 2),
        "baseline_files_per_s": round(FILES / baseline, 1),
        "ratio_vs_cp_sha256sum": round(baseline / elapsed, 3),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print("\nBENCH", json.dumps(report))
