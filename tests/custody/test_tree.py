"""Stored tree: nodes written on append give the same roots and proofs as the reference."""

from __future__ import annotations

import multiprocessing
import random

import pytest
from sqlalchemy import select
from sqlmodel import Session

from custody import SYSTEM, Action, NewEvent, merkle, record, record_many, tree
from custody.errors import ProofError
from custody.models import LedgerEntry, LedgerNode


def _append(session: Session, n: int, items: int = 5) -> None:
    rng = random.Random(n)
    batch: list[NewEvent] = []
    for i in range(n):
        item = f"item-{rng.randrange(items)}"
        if i % 3 == 0:
            record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id=item)
        else:
            batch.append(NewEvent(action=Action.ITEM_METADATA_READ, actor=SYSTEM, item_id=item))
            if len(batch) == 4:
                record_many(session=session, events=batch)
                batch = []
    record_many(session=session, events=batch)


def _leaf_hashes(session: Session) -> list[bytes]:
    return [
        bytes(h)
        for h in session.execute(select(LedgerEntry.leaf_hash).order_by(LedgerEntry.idx)).scalars()
    ]


def test_roots_and_proofs_match_reference(session: Session) -> None:
    _append(session, 45)
    leaves = _leaf_hashes(session)
    size = len(leaves)
    assert tree.current_size(session) == size
    mem = merkle.memory_fetcher(leaves)
    for n in range(0, size + 1):
        assert tree.root_at(session=session, size=n) == merkle.root_from_leaf_hashes(leaves[:n])
    for n in (1, 2, 7, 16, 33, size):
        for i in range(n):
            assert tree.inclusion_proof_at(session=session, index=i, size=n) == (
                merkle.inclusion_proof(i, n, mem)
            )
        for m in range(1, n + 1):
            assert tree.consistency_proof_at(session=session, first=m, second=n) == (
                merkle.consistency_proof(m, n, mem)
            )
    with pytest.raises(ProofError):
        tree.root_at(session=session, size=size + 1)
    with pytest.raises(ProofError):
        tree.root_at(session=session, size=-1)
    nodes = session.execute(select(LedgerNode)).scalars().all()
    assert len(nodes) == sum(size >> level for level in range(1, 7))


def test_chains_across_batches(session: Session) -> None:
    entries = record_many(
        session=session,
        events=[
            NewEvent(action=Action.ITEM_CREATED, actor=SYSTEM, item_id="x", sha256="00" * 32),
            NewEvent(action=Action.ITEM_CREATED, actor=SYSTEM, item_id="y"),
            NewEvent(action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="x"),
        ],
    )
    later = record_many(
        session=session,
        events=[
            NewEvent(action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="y"),
            NewEvent(action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="x"),
        ],
    )
    assert record_many(session=session, events=[]) == []
    assert entries[2].prev_hash == entries[0].leaf_hash
    assert later[0].prev_hash == entries[1].leaf_hash
    assert later[1].prev_hash == entries[2].leaf_hash
    assert [e.idx for e in entries + later] == [0, 1, 2, 3, 4]


def _writer(url: str, worker: int, batches: int) -> None:
    from evidence.db import make_engine

    engine = make_engine(url)
    for b in range(batches):
        with Session(engine) as session:
            if b % 2:
                record(
                    session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="shared"
                )
            else:
                record_many(
                    session=session,
                    events=[
                        NewEvent(
                            action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id=f"w{worker}"
                        ),
                        NewEvent(action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="shared"),
                    ],
                )
            session.commit()
    engine.dispose()


def test_concurrent_processes_make_one_log(fresh_pg_url: str, fresh_pg_engine) -> None:  # type: ignore[no-untyped-def]
    from custody.audit import verify_ledger

    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(fresh_pg_url, w, 30)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with Session(fresh_pg_engine) as session:
        idx = list(session.execute(select(LedgerEntry.idx).order_by(LedgerEntry.idx)).scalars())
        assert idx == list(range(4 * 45))
        report = verify_ledger(session=session)
        assert report.ok, report.problems


def test_missing_node_stops_appends_and_events_need_aware_times(session: Session) -> None:
    from datetime import datetime

    from sqlalchemy import text

    from custody.events import format_time, subject_of

    _append(session, 4)
    session.execute(text("DELETE FROM ledger_node WHERE level = 2"))
    with pytest.raises(ProofError, match="missing"):
        record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="z")
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 1, 1))
    assert subject_of(item_id=None, case_id="c1") == "case:c1"
    assert subject_of(item_id=None, case_id=None) == "system"


def test_large_batch_with_many_subjects(session: Session) -> None:
    first = record_many(
        session=session,
        events=[
            NewEvent(action=Action.ITEM_CREATED, actor=SYSTEM, item_id=f"m{i}") for i in range(1200)
        ],
    )
    again = record_many(
        session=session,
        events=[
            NewEvent(action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id=f"m{i}")
            for i in range(1200)
        ],
    )
    assert [e.prev_hash for e in again] == [e.leaf_hash for e in first]
    assert tree.root_at(session=session, size=2400) == merkle.root_from_leaf_hashes(
        [e.leaf_hash for e in first + again]
    )


def test_binary_copy_types_match_the_models() -> None:
    from sqlalchemy.dialects import postgresql

    from custody.ledger import PG_TYPES

    names = {
        "BIGINT": "int8",
        "INTEGER": "int4",
        "BYTEA": "bytea",
        "TIMESTAMP WITH TIME ZONE": "timestamptz",
    }
    for model in (LedgerEntry, LedgerNode):
        table = model.__table__  # type: ignore[attr-defined]
        for column in table.columns:
            compiled = column.type.compile(dialect=postgresql.dialect())
            expected = names.get(compiled, "varchar" if compiled.startswith("VARCHAR") else "?")
            assert PG_TYPES[table.name][column.name] == expected, column.name
