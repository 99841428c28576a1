"""Crash consistency, the long form (`make bench`): `dalel serve` killed with SIGKILL
twice during 50 concurrent uploads of up to 1.5 MiB (resumable uploads several chunks
in), on SQLite and PostgreSQL; the checks of tests/evidence/test_crash_consistency.py.
Prints the seed, the kill times, the acknowledged uploads and what fsck --repair
removed, with the run's wall and CPU seconds (the servers' and tools' CPU included)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.evidence.crash_kit import crash_run, database_for

pytestmark = pytest.mark.bench


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_twice_during_large_concurrent_uploads(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    backend: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wall, before = time.perf_counter(), os.times()
    with database_for(request, backend) as database:
        happened = crash_run(tmp_path, database, rounds=2, largest=1536 * 1024)
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    with capsys.disabled():
        print(f"\ncrash consistency ({backend}): {happened}; "
              f"{time.perf_counter() - wall:.1f} s wall, {cpu:.1f} s CPU")  # fmt: skip
