"""Migration 0006 analyses the entries an older schema indexed: after the upgrade the
new analyzer finds them (stems, folding, fuzzy names) on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from evidence.app import load_all_models
from evidence.db import make_engine
from evidence.migrations import alembic_config
from ingest.search import query
from tests.conftest import PG_ADMIN_URL

ROWS = [
    ("Свидетель видел мужчину возле машины", '{"start": 0.0}'),
    ("Куәгер Жезқазғанда тұрады, Ерубаев келді", '{"start": 5.0}'),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    request.getfixturevalue("pg_url")  # skips (or fails in CI) without PostgreSQL
    name = f"dalel_mig0006_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + (
            f"/{name}"
        )
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _old_rows(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            'INSERT INTO "user" (id, username, full_name, role, password_hash, failed_logins, '
            "created_at) VALUES ('u1', 'u1', '', 'PROSECUTOR', 'x', 0, '2026-11-21 00:00:00')"
        ))  # fmt: skip
        conn.execute(text(
            'INSERT INTO "case" (id, number, title, status, created_by, created_at) VALUES '
            "('c1', '100000000000001', 't', 'open', 'u1', '2026-11-21 00:00:00')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO blob (sha256, size, media_type, storage_key, created_at) VALUES "
            "('s', 1, 'audio/wav', 'k', '2026-11-21 00:00:00')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO item (id, case_id, sha256, kind, source_kind, original_name, "
            "uploaded_by, created_at) VALUES ('i1', 'c1', 's', 'ORIGINAL', 'AUDIO', 'a.wav', "
            "'u1', '2026-11-21 00:00:00')"
        ))  # fmt: skip
        for body, locator in ROWS:
            conn.execute(
                text(
                    "INSERT INTO search_entry (case_id, item_id, source, locator, text) "
                    "VALUES ('c1', 'i1', 'transcript', :loc, :body)"
                ),
                {"loc": locator, "body": body},
            )
        if conn.dialect.name == "sqlite":  # the FTS5 table as the old code kept it
            conn.execute(text(
                "CREATE VIRTUAL TABLE search_fts USING fts5(text, "
                "tokenize = 'unicode61 remove_diacritics 0')"
            ))  # fmt: skip
            conn.execute(
                text("INSERT INTO search_fts(rowid, text) SELECT id, text FROM search_entry")
            )
    engine.dispose()


def test_upgrade_reindexes_existing_entries(url: str) -> None:
    load_all_models()
    config = alembic_config(url)
    command.upgrade(config, "0005")
    _old_rows(url)
    command.upgrade(config, "head")
    engine = make_engine(url)
    with Session(engine) as session:
        found = {
            q: [h.locator["start"] for h in query(session=session, case_id="c1", q=q, owner=None)]
            for q in ("мужчина", "машина", "Жезказган", "Yerubayev")
        }
    engine.dispose()
    assert found == {"мужчина": [0.0], "машина": [0.0], "Жезказган": [5.0], "Yerubayev": [5.0]}
    command.downgrade(config, "0005")  # and back: the old shape works again
    command.upgrade(config, "head")


def test_cli_reindex(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`dalel search reindex` re-analyses a database's entries; an unknown case is a
    plain error."""
    url = f"sqlite:///{tmp_path / 'dalel.sqlite3'}"
    load_all_models()
    config = alembic_config(url)
    command.upgrade(config, "0005")
    _old_rows(url)
    env = {**os.environ, "DALEL_DATA_DIR": str(tmp_path), "DALEL_DATABASE_URL": url}
    code = "import sys; from evidence.cli import main; sys.exit(main(sys.argv[1:]))"

    def dalel(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
            stdin=subprocess.DEVNULL, timeout=120,
        )  # fmt: skip

    done = dalel("search", "reindex")  # migrates first (0006 re-indexes too), then again
    assert done.returncode == 0, done.stderr
    assert "re-indexed 2 search entries of 1 case(s)" in done.stdout
    assert "re-indexed 2" in dalel("search", "reindex", "--case", "100000000000001").stdout
    refused = dalel("search", "reindex", "--case", "999999999999999")
    assert refused.returncode == 2 and "no case 999999999999999" in refused.stderr
