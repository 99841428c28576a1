"""Crash consistency (issue 13): `dalel serve` killed with SIGKILL at random points of
50 concurrent uploads (multipart and resumable), twice, and restarted each time.

Afterwards every acknowledged upload is there with its bytes; `dalel fsck --repair`
clears what the kills left (staging files, objects whose transaction never committed,
spool files), and then `dalel fsck` and `dalel ledger verify` are clean: no item
without its object or its creation event, no ledger gap. On SQLite and PostgreSQL.

The random points come from a seed printed with any failure (DALEL_CRASH_SEED repeats
a run). This is the short form (one kill, small uploads); the long form, two kills
during uploads up to 1.5 MiB, is tests/benchmarks/test_crash_bench.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evidence.crash_kit import crash_run, database_for


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_during_concurrent_uploads_leaves_no_partial_item_nor_ledger_gap(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    """The short form, for `make test`: one kill, uploads of 16–256 KiB."""
    with database_for(request, backend) as database:
        crash_run(tmp_path, database, rounds=1, largest=256 * 1024)
