"""`dalel fsck` over a large vault on PostgreSQL (issue 13's benchmark; `make bench`).

100,000 items and 1,000,000 ledger rows (DALEL_BENCH_FSCK_ITEMS / _EVENTS make it
smaller): fsck without re-hashing any object (`--sample 0`) and with `--sample 1000`,
each as a ratio to a bare `SELECT count(*)` of the same tables (ledger_entry,
ledger_node, item, blob) in the same run. CPU seconds are this process's (fsck's Python
work: parsing and hashing every leaf); the rest of the wall time is PostgreSQL and I/O.

The load is bulk: rows by Core executemany, events by `record_many` in batches of
10,000 (COPY), one checkpoint at the very end — a checkpoint signs only after checking
every entry since the previous one, so signing during the load would check the whole
log again and again (the last attempt at this benchmark timed out on exactly that).
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from custody import Action, NewEvent, record_many
from custody.checkpoint import make_checkpoint
from custody.events import utc_now
from custody.keys import load_keys
from evidence import service
from evidence.db import make_engine
from evidence.models import Blob, Item, Role
from evidence.policy import Principal
from evidence.service.fsck import fsck
from evidence.service.references import References
from evidence.storage.base import blob_key
from evidence.storage.local import LocalStore
from tests.conftest import pg_database_with_tables

pytestmark = pytest.mark.bench

ITEMS = int(os.environ.get("DALEL_BENCH_FSCK_ITEMS", "100000"))
EVENTS = int(os.environ.get("DALEL_BENCH_FSCK_EVENTS", "1000000"))
BATCH = 10_000
TABLES = ("ledger_entry", "ledger_node", "item", "blob")


@pytest.fixture()
def bench_url() -> Iterator[str]:
    """A fresh database, dropped afterwards (a million committed rows meet no test)."""
    with pg_database_with_tables("dalel_fsck") as url:
        yield url


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _load(engine: Engine, store: LocalStore) -> tuple[int, float]:
    """ITEMS items (blob, item row, stored object, item.created) and reads up to EVENTS
    rows; one checkpoint at the end. Returns the ledger size and the load's seconds."""
    started = time.perf_counter()
    with Session(engine) as session:
        user = service.create_user(
            session=session, principal=None, username="bench.officer", password="x" * 16,
            role=Role.PROSECUTOR,
        )  # fmt: skip
        principal = Principal(user_id=user.id, username=user.username, role=user.role)
        case = service.create_case(
            session=session, principal=principal, number="260000000000001", title="bench"
        )
        case_id, case_number, actor = case.id, case.number, principal.actor()
        session.commit()
    item_ids: list[str] = []
    for start in range(0, ITEMS, BATCH):
        blobs, items, events = [], [], []
        for n in range(start, min(start + BATCH, ITEMS)):
            content = f"bench object {n}\n".encode()
            sha = hashlib.sha256(content).hexdigest()
            path = store.root / blob_key(sha)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            item_id = str(uuid.uuid4())
            item_ids.append(item_id)
            blobs.append({"sha256": sha, "size": len(content), "media_type": "text/plain",
                          "storage_key": blob_key(sha)})  # fmt: skip
            items.append({"id": item_id, "case_id": case_id, "sha256": sha, "kind": "original",
                          "source_kind": "other", "original_name": f"{n}.txt",
                          "uploaded_by": actor.id})  # fmt: skip
            events.append(
                NewEvent(
                    action=Action.ITEM_CREATED,
                    actor=actor,
                    case_id=case_id,
                    case_number=case_number,
                    item_id=item_id,
                    sha256=sha,
                )
            )
        with Session(engine) as session:
            stamp = {"created_at": utc_now()}
            session.connection().execute(
                Blob.__table__.insert(),  # type: ignore[attr-defined]
                [{**row, **stamp} for row in blobs],
            )
            session.connection().execute(
                Item.__table__.insert(),  # type: ignore[attr-defined]
                [{**row, **stamp} for row in items],
            )
            record_many(session=session, events=events)
            session.commit()
    pick = random.Random(13)
    with Session(engine) as session:
        size = int(session.execute(text("SELECT count(*) FROM ledger_entry")).scalar_one())
    while size < EVENTS:
        count = min(BATCH, EVENTS - size)
        reads = [
            NewEvent(
                action=Action.ITEM_CONTENT_READ,
                actor=actor,
                case_id=case_id,
                case_number=case_number,
                item_id=pick.choice(item_ids),
                client="10.0.0.7",
            )
            for _ in range(count)
        ]
        with Session(engine) as session:
            record_many(session=session, events=reads)
            session.commit()
        size += count
    keys = load_keys(key_dir=store.root.parent / "keys", name="bench/ledger")
    with Session(engine) as session:
        make_checkpoint(session=session, keys=keys, origin="bench/ledger",
                        references=References(session, preload=True))  # fmt: skip
        session.commit()
    return size, time.perf_counter() - started


@pytest.mark.timeout(7200)  # the load alone takes minutes on a shared machine
def test_fsck_over_a_large_ledger_against_a_bare_count(
    bench_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(bench_url)
    store = LocalStore(tmp_path / "objects")
    try:
        size, load_seconds = _load(engine, store)
        with capsys.disabled():
            print(f"\nloaded {size:,} ledger rows and {ITEMS:,} items in {load_seconds:.0f} s")
        with Session(engine) as session:
            session.execute(text("ANALYZE"))
            session.commit()

        def bare() -> list[int]:
            with Session(engine) as session:
                return [
                    int(session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # noqa: S608
                    for t in TABLES
                ]

        bare()  # warm the cache for both: fsck is measured against a warm count
        counts, bare_wall, bare_cpu = _timed(bare)
        runs = {}
        for sample in (0, 1000):

            def check(sample: int = sample) -> Any:
                with Session(engine) as session:
                    return fsck(session=session, store=store, sample=sample)

            report, wall, cpu = _timed(check)
            assert report.ok, [str(f) for f in report.findings[:5]] + report.ledger.problems[:5]
            assert report.items_checked == ITEMS
            assert report.objects_checked == min(sample, ITEMS)
            runs[sample] = (wall, cpu)
    finally:
        engine.dispose()
    assert counts[0] == size == EVENTS and counts[2] == counts[3] == ITEMS
    with capsys.disabled():
        print(
            f"\nfsck bench (PostgreSQL): {ITEMS:,} items, {size:,} ledger rows, "
            f"{counts[1]:,} nodes; load {load_seconds:.0f} s"
        )
        print(f"  bare SELECT count(*) of {', '.join(TABLES)}: "
              f"{bare_wall:.3f} s wall, {bare_cpu:.3f} s CPU")  # fmt: skip
        for sample, (wall, cpu) in runs.items():
            print(
                f"  fsck --sample {sample}: {wall:.1f} s wall ({wall / bare_wall:.0f}x the "
                f"count), {cpu:.1f} s CPU; {size / wall:,.0f} ledger rows/s"
            )
    # Only a gross regression fails (the machines are shared): fsck stays linear,
    # well under a millisecond of wall time per ledger row.
    assert runs[0][0] < size / 1000
