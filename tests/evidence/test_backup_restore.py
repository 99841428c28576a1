"""The restore drill (issue 21): `dalel backup`, `dalel restore` into a fresh database and
a fresh object folder or bucket, then `dalel ledger verify` and `dalel fsck` pass and the
ledger's root is the backed-up one."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from evidence.app import create_app
from evidence.cli import main
from evidence.config import Settings, get_settings
from evidence.migrations import upgrade
from evidence.models import Role
from evidence.service.ledger import LedgerConfig
from tests.app_kit import PASSWORD, Api
from tests.conftest import PG_ADMIN_URL
from tests.storage_fixtures import s3_url


def _dalel(env: dict[str, str], *commands: list[str]) -> tuple[list[int], str]:
    """Run `dalel` commands through the CLI's own entry point, with `env` as the process
    environment (in this interpreter: a new one per command costs seconds here)."""
    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    codes = []
    try:
        os.environ.clear()
        os.environ.update(env)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            for argv in commands:
                get_settings.cache_clear()
                codes.append(main(argv))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
    return codes, out.getvalue() + err.getvalue()


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DALEL_")}
    env.update(
        DALEL_DATA_DIR=str(settings.data_dir), DALEL_DATABASE_URL=settings.database_url or "",
        DALEL_STORAGE_URL=settings.storage_url or "", DALEL_JOBS="off",
        DALEL_ARGON2_TIME_COST="1", DALEL_ARGON2_MEMORY_KIB="1024",
    )  # fmt: skip
    return env


def _evidence(settings: Settings) -> dict[str, object]:
    """A case with three files (one read, one uploaded twice), signed: what is backed up."""
    from evidence import service

    app = create_app(settings)
    with TestClient(app) as client:
        api = Api(client=client, engine=app.state.engine, settings=settings)
        api.user("prk_backup", Role.PROSECUTOR)
        headers = api.token("prk_backup")
        case_id = api.case(headers)
        items = [
            api.upload(case_id, headers, data, name=name).json()
            for name, data in [("a.txt", b"alpha " * 500), ("b.bin", os.urandom(70_000)),
                               ("c.txt", b"gamma"), ("again.txt", b"gamma")]
        ]  # fmt: skip
        assert client.get(f"/api/v1/items/{items[0]['id']}/content", headers=headers).content
        with api.session() as session:
            service.checkpoint(session=session, ledger=LedgerConfig.from_settings(settings))
    app.state.engine.dispose()
    return {"case": case_id, "items": items}


def _drill(source: Settings, target: Settings, backup: Path, *, objects: bool) -> str:
    _evidence(source)
    codes, out = _dalel(_env(source), ["backup", str(backup), *(["--objects"] if objects else [])])
    assert codes == [0], out
    meta = json.loads((backup / "backup.json").read_text())
    assert meta["objects"] == meta["objects_present"] == 3  # the duplicate is stored once
    assert meta["objects_copied"] == (3 if objects else 0)
    assert meta["ledger"]["size"] > 0 and meta["checkpoint"]["size"] <= meta["ledger"]["size"]
    codes, out = _dalel(
        _env(target), ["restore", str(backup)], ["ledger", "verify"], ["fsck"],
        ["restore", str(backup)],  # once more: the database is no longer empty
    )  # fmt: skip
    assert codes[:3] == [0, 0, 0], out
    assert codes[3] == 2 and "already has tables" in out, out
    assert f"root {meta['ledger']['root']}" in out and "ledger OK" in out and "fsck OK" in out
    return out


def test_restore_drill_sqlite_into_a_fresh_database_and_a_mirrored_folder(tmp_path: Path) -> None:
    source = Settings(data_dir=tmp_path / "source", checkpoint_interval_seconds=0)
    upgrade(source.database_url or "")
    target = Settings(data_dir=tmp_path / "target", checkpoint_interval_seconds=0)
    # Not copied by the backup: the operator mirrors the folder (as `mc mirror` would).
    lacking = Settings(data_dir=tmp_path / "lacking", checkpoint_interval_seconds=0)
    _evidence(source)
    codes, out = _dalel(_env(source), ["backup", str(tmp_path / "backup")])
    assert codes == [0], out
    codes, out = _dalel(_env(lacking), ["restore", str(tmp_path / "backup")])
    assert codes == [1] and out.count("missing from the store: sha256/") == 3, out
    shutil.copytree(
        tmp_path / "source" / "objects",
        tmp_path / "target" / "objects",
        ignore=shutil.ignore_patterns(".staging"),
    )
    codes, out = _dalel(
        _env(target), ["restore", str(tmp_path / "backup")], ["ledger", "verify"], ["fsck"]
    )
    assert codes == [0, 0, 0], out
    assert "ledger OK" in out and "fsck OK" in out


def test_a_tampered_backup_is_refused(tmp_path: Path) -> None:
    source = Settings(data_dir=tmp_path / "source", checkpoint_interval_seconds=0)
    upgrade(source.database_url or "")
    _evidence(source)
    codes, out = _dalel(_env(source), ["backup", str(tmp_path / "backup"), "--objects"])
    assert codes == [0], out
    manifest = tmp_path / "backup" / "objects.jsonl"
    manifest.write_text(manifest.read_text().replace('"present": true', '"present": false', 1))
    target = Settings(data_dir=tmp_path / "target", checkpoint_interval_seconds=0)
    codes, out = _dalel(_env(target), ["restore", str(tmp_path / "backup")])
    assert codes == [2] and "objects.jsonl is missing or altered" in out, out


@pytest.fixture()
def fresh_pg() -> Iterator[list[str]]:
    """Two new, empty PostgreSQL databases (source and target), dropped afterwards."""
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            raise
        pytest.skip("PostgreSQL not reachable")
    names = [f"dalel_drill_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield [f"{base}/{name}" for name in names]
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_drill_postgresql_and_s3_into_a_fresh_database_and_bucket(
    tmp_path: Path, fresh_pg: list[str], s3_endpoint: str
) -> None:
    source = Settings(
        data_dir=tmp_path / "source", database_url=fresh_pg[0],
        storage_url=s3_url(s3_endpoint), checkpoint_interval_seconds=0,
    )  # fmt: skip
    upgrade(source.database_url or "")
    target = Settings(
        data_dir=tmp_path / "target", database_url=fresh_pg[1],
        storage_url=s3_url(s3_endpoint), checkpoint_interval_seconds=0,
    )  # fmt: skip
    out = _drill(source, target, tmp_path / "backup", objects=True)
    assert "3 copied into the store" in out
    assert PASSWORD not in out
