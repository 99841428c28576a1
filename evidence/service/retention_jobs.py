"""Work that follows a retention change, outside the request that made it: telling the
object store (locks and hold flags for a case's objects) and running an approved purge.

Both are safe to run twice. The storage update runs in the background of the request (a
failure is logged; `dalel retention apply` runs it again). An approved purge is a job of
the job runtime (ingest's `purge` stage, through `evidence.hooks.Hooks.submit_purge`): queued,
retried, listed with the item's jobs, run by `dalel worker` (RQ) or in-process; without a
job runtime it runs in the background of the request. `dalel retention purge ID`
finishes it by hand.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from fastapi import BackgroundTasks
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from evidence import hooks
from evidence.errors import InvalidInput
from evidence.models import Item
from evidence.policy import Perm, Principal
from evidence.retention import RetentionConfig, parse, table_path
from evidence.service.access import require
from evidence.service.object_locks import HORIZON_DAYS, sync_objects
from evidence.service.purge_run import run_purge
from evidence.service.retention import check_table, load_table, recompute, refuse
from evidence.storage import ObjectStore

log = logging.getLogger(__name__)


def sync_in_background(
    engine: Engine,
    store: ObjectStore,
    *,
    case_id: str | None,
    item_id: str | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> None:
    """Apply a case's (or one item's) locks to the store in a session of its own."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            sha256s = None
            if item_id is not None:
                sha256s = list(session.exec(select(Item.sha256).where(col(Item.id) == item_id)))
            sync_objects(
                session=session,
                store=store,
                case_id=None if sha256s else case_id,
                sha256s=sha256s,
                horizon_days=horizon_days,
            )
    except Exception:  # the next `dalel retention apply` catches up
        log.exception("applying retention to storage failed for case %s", case_id)


def purge_in_background(engine: Engine, store: ObjectStore, *, purge_id: str) -> None:
    """Queue an approved purge's job; run it here, in a session of its own, only when no
    job runtime is installed."""
    try:
        if hooks.of(engine).submit_purge(purge_id):
            return
        with Session(engine, expire_on_commit=False) as session:
            run_purge(session=session, store=store, purge_id=purge_id)
    except Exception:  # `dalel retention purge ID` finishes it
        log.exception("purge %s could not be queued or run", purge_id)


def after_change(
    tasks: BackgroundTasks,
    app: Any,
    session: Session,
    *,
    case_id: str,
    item_id: str | None = None,
) -> None:
    """Queue the storage update that follows a change of dates or holds. The request's
    session ends its transaction first (on SQLite even a read holds the write lock)."""
    session.commit()
    tasks.add_task(
        sync_in_background,
        app.state.engine,
        app.state.store,
        case_id=case_id,
        item_id=item_id,
        horizon_days=app.state.settings.retention_horizon_days,
    )


def after_approval(tasks: BackgroundTasks, app: Any, session: Session, *, purge_id: str) -> None:
    """Queue the purge job of an approved request (after the request's transaction)."""
    session.commit()
    tasks.add_task(purge_in_background, app.state.engine, app.state.store, purge_id=purge_id)


def write_table_file(table: RetentionConfig, data_dir: Path) -> Path:
    """Save a table as the operator's YAML, atomically (what start-up loads next time)."""
    path = table_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Dalel retention table (written by Dalel; see the shipped default.yaml)\n"
    text += yaml.safe_dump(table.as_json(), allow_unicode=True, sort_keys=False)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".retention-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def save_table(
    *,
    session: Session,
    principal: Principal,
    body: Any,
    data_dir: Path,
    client: str | None = None,
) -> int:
    """An administrator's new table: checked (a bad one is refused whole, the refusal
    recorded), written to the data directory (so a restart keeps it), put in force, every
    item redated; returns how many dates moved. Storage follows with `dalel retention
    apply` (a table change can touch every object)."""
    require(session, principal=principal, perm=Perm.RETENTION_CONFIG, client=client)
    try:
        table = parse(body)
        check_table(session, table)
    except InvalidInput as exc:
        raise refuse(
            session, principal=principal, operation="retention.table", error=exc, client=client
        ) from exc
    path = write_table_file(table, data_dir)
    row = load_table(
        session=session, table=table, source=str(path), principal=principal, client=client
    )
    if row is None:
        return 0
    moved = recompute(session=session)
    session.commit()
    return moved
