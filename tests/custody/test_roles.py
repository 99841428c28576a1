"""deploy/postgres-roles.sql: the application role can append to the ledger, never edit it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from custody import SYSTEM, Action, record
from evidence.db import make_engine

ROLES_SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgres-roles.sql"
LEDGER_TABLES = [
    "ledger_entry",
    "ledger_node",
    "ledger_key",
    "checkpoint",
    "cosignature",
    "checkpoint_timestamp",
]


def _apply(url: str) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute(ROLES_SQL.read_text())  # type: ignore[arg-type]


def test_app_role_appends_but_cannot_change_the_ledger(fresh_pg_url: str) -> None:
    _apply(fresh_pg_url)
    _apply(fresh_pg_url)  # idempotent
    engine = make_engine(fresh_pg_url)
    try:
        with Session(engine) as session:
            session.execute(text("SET LOCAL ROLE dalel_app"))
            entry = record(session=session, action=Action.ITEM_CREATED, actor=SYSTEM, item_id="a")
            record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="a")
            session.commit()
            assert entry.idx == 0
        for sql in (
            "UPDATE ledger_entry SET action = 'item.purged' WHERE idx = 0",
            "DELETE FROM ledger_entry WHERE idx = 1",
            "UPDATE ledger_node SET hash = hash",
            "TRUNCATE ledger_entry",
            *(f"DELETE FROM {table}" for table in LEDGER_TABLES),  # noqa: S608
        ):
            with Session(engine) as session:
                session.execute(text("SET LOCAL ROLE dalel_app"))
                with pytest.raises(DBAPIError) as caught:
                    session.execute(text(sql))
                assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege), sql
                assert "permission denied" in str(caught.value.orig)
        # Even the owner is stopped by the append-only triggers.
        with Session(engine) as session, pytest.raises(DBAPIError) as caught:
            session.execute(text("UPDATE ledger_entry SET action = 'x' WHERE idx = 0"))
        assert "append-only" in str(caught.value.orig)
        with Session(engine) as session:
            count = session.execute(text("SELECT count(*) FROM ledger_entry")).scalar_one()
            assert count == 2
    finally:
        engine.dispose()
