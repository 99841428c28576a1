"""Evidence-request benchmarks (issue 19; `make bench`), each a ratio to a baseline in the
same run so the numbers mean the same on a fast or a slow machine:

- the person's page hashing a 1 GB file in headless Chromium (the page's own `hashFile`:
  hash-wasm streaming) against `sha256sum` of the same file (target ≥ 0.3);
- a person sending a 1 GB file through the link in the browser, from the click to the
  receipt (hashing on the device included), against a staff `dalel upload` of a file of
  the same size to the same server (target ≥ 0.8 as baseline time / citizen time);
- an investigator uploading such a file on the case page (issue 20: hashed while it is
  sent, through the resumable protocol), against `dalel upload` in the same way.

CPU seconds are reported beside wall seconds: the browser's processes, the server's and
the baseline tools'. DALEL_BENCH_CITIZEN_MB sets the size (default 1024).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.app_kit import PASSWORD
from tests.web.browser_kit import Server, seed_case, seed_people, sign_in

pytestmark = [pytest.mark.bench, pytest.mark.browser]
MiB = 1024 * 1024
SIZE_MB = int(os.environ.get("DALEL_BENCH_CITIZEN_MB", "1024"))
NUMBER = "202612020000191"
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[1])
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        found += children
        frontier += children
    return found


def browser_cpu(server_pid: int) -> float:
    """CPU seconds of the browser's processes (our descendants, not the server)."""
    server = {server_pid, *_descendants(server_pid)}
    return sum(_cpu_of(p) for p in _descendants(os.getpid()) if p not in server)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def big_file(path: Path, size_mb: int) -> Path:
    block = os.urandom(8 * MiB)
    with open(path, "wb") as handle:
        for _ in range(size_mb // 8):
            handle.write(block[:4] + os.urandom(4) + block[8:])  # distinct blocks, cheap
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # page cache
    return path


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    limit = str(max(4 * 1024 * MiB, 2 * SIZE_MB * MiB))
    srv = Server(tmp_path, DALEL_JOBS="off", DALEL_MAX_UPLOAD_BYTES=limit)
    srv.env["DALEL_BASE_URL"] = srv.base
    people = seed_people(srv.settings, ("prosecutor", "investigator"))
    case_id = seed_case(
        srv.settings, number=NUMBER, title="bench", owner=people["prosecutor"],
        members=["investigator"],
    )  # fmt: skip
    srv.start()
    try:
        yield srv, case_id
    finally:
        srv.stop()


def report(data: dict[str, Any]) -> None:
    print("\nBENCH", json.dumps(data))


def test_browser_hashing_vs_sha256sum(server: Any, browser: Any, tmp_path: Path) -> None:
    srv, _ = server
    big = big_file(tmp_path / "video.mp4", SIZE_MB)
    cpu = children_cpu()
    start = time.perf_counter()
    out = subprocess.run(["sha256sum", str(big)], check=True, capture_output=True, text=True)
    baseline = time.perf_counter() - start
    baseline_cpu = children_cpu() - cpu
    expected = out.stdout.split()[0]
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{srv.base}/receipts")  # a page of the server: its CSP, its bundle
    page.set_input_files("#receipt-file", str(big))
    assert (
        page.evaluate("document.getElementById('receipt-file').files[0].size") == big.stat().st_size
    )
    rounds = []
    for _ in range(2):  # the first round also compiles the WASM and warms the file reads
        cpu = browser_cpu(srv.process.pid)  # type: ignore[union-attr]
        result = page.evaluate(
            """async () => {
              const { hashFile } = await import("/static/dist/citizen.js");
              const file = document.getElementById("receipt-file").files[0];
              const t0 = performance.now();
              const hex = await hashFile(file, () => {});
              return [hex, (performance.now() - t0) / 1000];
            }"""
        )
        rounds.append((result[1], browser_cpu(srv.process.pid) - cpu))  # type: ignore[union-attr]
        assert result[0] == expected
    seconds, cpu_seconds = min(rounds)
    ratio = baseline / seconds
    report({
        "bench": "citizen_browser_hash", "size_mb": SIZE_MB, "hasher": "hash-wasm (streaming)",
        "sha256sum_s": round(baseline, 2), "sha256sum_cpu_s": round(baseline_cpu, 2),
        "sha256sum_MBps": round(SIZE_MB / baseline, 1),
        "browser_s": round(seconds, 2), "browser_cpu_s": round(cpu_seconds, 2),
        "browser_MBps": round(SIZE_MB / seconds, 1), "ratio_vs_sha256sum": round(ratio, 3),
        "target": 0.3,
    })  # fmt: skip


def dalel_upload(srv: Server, path: Path, state: Path) -> tuple[float, float, float]:
    """A staff `dalel upload` of `path` to the server: wall, its CPU, the server's CPU."""
    assert srv.process is not None
    env = {**os.environ, "DALEL_USER": "investigator", "DALEL_PASSWORD": PASSWORD}
    server_cpu = _cpu_of(srv.process.pid)
    cpu = children_cpu()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "evidence.cli", "upload", "--case", NUMBER, "--server", srv.base,
         "--quiet", "--state", str(state), str(path)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    return wall, children_cpu() - cpu, _cpu_of(srv.process.pid) - server_cpu


def test_citizen_upload_vs_dalel_upload(server: Any, browser: Any, tmp_path: Path) -> None:
    srv, case_id = server
    assert srv.process is not None
    staff_file = big_file(tmp_path / "staff.mp4", SIZE_MB)
    person_file = big_file(tmp_path / "phone.mp4", SIZE_MB)  # same size, other bytes
    bearer = {"Authorization": f"Bearer {srv.token('investigator')}"}
    created = httpx.post(
        f"{srv.base}/api/v1/cases/{case_id}/evidence-requests",
        json={"person_name": "Bench", "phone": "+7700", "max_file_bytes": 2 * SIZE_MB * MiB,
              "max_total_bytes": 2 * SIZE_MB * MiB},
        headers=bearer, timeout=30,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    link = created.json()["link"]

    # The staff upload: the CLI's resumable protocol against the same server.
    staff, staff_cpu, staff_server_cpu = dalel_upload(srv, staff_file, tmp_path / "state.json")

    # The person: the link's page on a phone-sized browser, from the click to the receipt.
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(link)
    page.set_input_files("#citizen-files", str(person_file))
    server_cpu = _cpu_of(srv.process.pid)
    cpu = browser_cpu(srv.process.pid)
    start = time.perf_counter()
    page.click("#citizen-send")
    page.wait_for_selector("#receipt-files li", timeout=900_000)
    person = time.perf_counter() - start
    person_cpu = browser_cpu(srv.process.pid) - cpu
    person_server_cpu = _cpu_of(srv.process.pid) - server_cpu
    assert page.locator("ul.files li.received").count() == 1
    ratio = staff / person
    report({
        "bench": "citizen_upload", "size_mb": SIZE_MB,
        "dalel_upload_s": round(staff, 2), "dalel_upload_cpu_s": round(staff_cpu, 2),
        "dalel_upload_server_cpu_s": round(staff_server_cpu, 2),
        "citizen_s": round(person, 2), "citizen_browser_cpu_s": round(person_cpu, 2),
        "citizen_server_cpu_s": round(person_server_cpu, 2),
        "citizen_MBps": round(SIZE_MB / person, 1),
        "ratio_dalel_upload_over_citizen": round(ratio, 3), "target": 0.8,
    })  # fmt: skip


def test_case_page_upload_vs_dalel_upload(server: Any, browser: Any, tmp_path: Path) -> None:
    srv, case_id = server
    assert srv.process is not None
    staff_file = big_file(tmp_path / "cli.mp4", SIZE_MB)
    page_file = big_file(tmp_path / "page.mp4", SIZE_MB)  # same size, other bytes
    cli, cli_cpu, cli_server_cpu = dalel_upload(srv, staff_file, tmp_path / "state.json")

    page = sign_in(browser, srv.base, "investigator")
    page.goto(f"{srv.base}/cases/{case_id}")
    page.set_input_files("#pick-files", str(page_file))
    server_cpu = _cpu_of(srv.process.pid)
    cpu = browser_cpu(srv.process.pid)
    start = time.perf_counter()
    page.click("#upload-start")
    page.wait_for_selector("#upload-files li.done", timeout=900_000)
    seconds = time.perf_counter() - start
    page_cpu = browser_cpu(srv.process.pid) - cpu
    page_server_cpu = _cpu_of(srv.process.pid) - server_cpu
    ratio = cli / seconds
    report({
        "bench": "case_page_upload", "size_mb": SIZE_MB,
        "dalel_upload_s": round(cli, 2), "dalel_upload_cpu_s": round(cli_cpu, 2),
        "dalel_upload_server_cpu_s": round(cli_server_cpu, 2),
        "page_s": round(seconds, 2), "page_browser_cpu_s": round(page_cpu, 2),
        "page_server_cpu_s": round(page_server_cpu, 2),
        "page_MBps": round(SIZE_MB / seconds, 1),
        "ratio_dalel_upload_over_page": round(ratio, 3), "target": 0.8,
    })  # fmt: skip
