"""deploy/postgres-roles.sql: the application role cannot delete items or blobs (nor the
retention records); even the owner is stopped by triggers. A purge deletes bytes only."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from evidence.db import make_engine

ROLES_SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgres-roles.sql"
KEPT = [
    "item",
    "blob",
    "item_retention",
    "case_retention",
    "legal_hold",
    "purge_request",
    "purge_item",
    "retention_config",
    "object_lock",
]


def test_app_role_cannot_delete_evidence_rows(fresh_pg_url: str) -> None:
    with psycopg.connect(fresh_pg_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute(ROLES_SQL.read_text())  # type: ignore[arg-type]
    engine = make_engine(fresh_pg_url)
    try:
        for sql in (
            *(f"DELETE FROM {table}" for table in KEPT),  # noqa: S608 - constant names
            "TRUNCATE item CASCADE",
        ):
            with Session(engine) as session:
                session.execute(text("SET LOCAL ROLE dalel_app"))
                with pytest.raises(DBAPIError) as caught:
                    session.execute(text(sql))
                assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege), sql
        with Session(engine) as session:  # updates stay possible (tombstones, holds)
            session.execute(text("SET LOCAL ROLE dalel_app"))
            session.execute(text("UPDATE item_retention SET purged_at = purged_at"))
            session.execute(text("UPDATE legal_hold SET released_at = released_at"))
        for table in ("item", "blob"):  # the owner too, by trigger
            with Session(engine) as session, pytest.raises(DBAPIError) as caught:
                session.execute(text(f"DELETE FROM {table}"))  # noqa: S608
            assert "keeps its rows" in str(caught.value.orig)
    finally:
        engine.dispose()
