"""Bulk ingest of a phone dump (issue 21): `dalel upload --from-extraction` of thousands of
small files with 1 % duplicates, the server killed mid-run and started again.

Exactly one item per distinct file, one `item.created` per item, no file's upload
recorded twice, every file accounted for, and a second run sends nothing. 2,000 files
here (DALEL_BULK_FILES); the benchmark runs 10,000.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.evidence.bulk_fixtures import Server, make_dump, run_cli

FILES = int(os.environ.get("DALEL_BULK_FILES", "2000"))


@pytest.fixture()
def bulk_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = Server(tmp_path)
    yield server
    server.stop()


def _recorded_paths(server: Server) -> tuple[Counter[str], dict[str, int]]:
    """Paths named by upload events (the item's path for `item.created`, the event's own
    for a repeat upload), and the number of `item.created` events per item."""
    paths: Counter[str] = Counter()
    created: Counter[str] = Counter()
    with sqlite3.connect(f"file:{server.database}?mode=ro", uri=True) as db:
        items = dict(db.execute("SELECT id, original_path FROM item WHERE kind = 'ORIGINAL'"))
        rows = db.execute(
            "SELECT action, item_id, leaf FROM ledger_entry"
            " WHERE action IN ('item.created', 'item.duplicate_uploaded')"
        )
        for action, item_id, leaf in rows:
            if action == "item.created":
                created[item_id] += 1
                paths[items[item_id]] += 1
            else:
                paths[json.loads(leaf)["details"]["original_path"]] += 1
    return paths, dict(created)


def test_bulk_upload_survives_a_server_kill_and_resumes(
    bulk_server: Server, tmp_path: Path
) -> None:
    server = bulk_server
    dump = tmp_path / "extraction"
    contents = make_dump(dump, files=FILES, size=3000, duplicates=0.01)
    distinct = len(set(contents.values()))
    assert distinct < FILES
    env = server.client_env(tmp_path)
    client = subprocess.Popen(
        server.upload_command("--source-kind", "phone", "--jobs", "2", "--from-extraction",
                              str(dump)),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Cut the network once some batches are in and many are still to come.
    deadline = time.monotonic() + 300
    while server.count("SELECT count(*) FROM item") < 250:
        assert client.poll() is None, client.communicate()
        assert time.monotonic() < deadline, "no batch arrived"
        time.sleep(0.05)
    server.kill()
    at_cut = server.count("SELECT count(*) FROM item")
    assert at_cut < distinct, "the run ended before the cut"
    time.sleep(2)
    server.start()
    out, err = client.communicate(timeout=600)
    assert client.returncode == 0, out + err
    uploaded, skipped = _summary(out)
    assert uploaded + skipped == FILES and "failed 0" in out

    # Exactly one item per distinct file, one item.created each.
    assert server.count("SELECT count(*) FROM item WHERE kind = 'ORIGINAL'") == distinct
    assert server.count("SELECT count(DISTINCT sha256) FROM item") == distinct
    paths, created = _recorded_paths(server)
    assert len(created) == distinct and set(created.values()) == {1}
    # No file's upload recorded twice; every recorded path is a file of the dump.
    assert max(paths.values()) == 1
    assert set(paths) <= set(contents)
    # A file not recorded is one whose bytes were already in the case (under its twin's
    # path) when it was sent again after the cut, skipped by hash: never distinct bytes.
    missing = set(contents) - set(paths)
    recorded = {contents[path] for path in paths}
    assert len(missing) <= FILES - distinct
    assert all(contents[path] in recorded for path in missing)
    # The dump's paths and times are kept.
    with sqlite3.connect(f"file:{server.database}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT original_name, source_kind, source_modified_at FROM item"
            " WHERE original_path = 'sdcard/DCIM/Camera/IMG_00000.jpg'"
        ).fetchone()
    assert row[0] == "IMG_00000.jpg" and row[1] == "PHONE"
    kept = datetime.fromisoformat(row[2]).replace(tzinfo=UTC)
    assert kept == datetime.fromtimestamp(1_780_000_000, UTC)

    # Resumed again: nothing is sent, nothing recorded.
    entries = server.count("SELECT count(*) FROM ledger_entry")
    again = run_cli(server, env, "--from-extraction", str(dump))
    assert f"uploaded 0, already in the case {FILES}, failed 0" in again
    assert server.count("SELECT count(*) FROM ledger_entry") == entries


def _summary(out: str) -> tuple[int, int]:
    line = next(line for line in out.splitlines() if line.startswith("uploaded "))
    parts = line.replace(",", "").split()
    return int(parts[1]), int(parts[6])
