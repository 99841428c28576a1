"""`dalel retention due|apply|purge|table`: retention at the server, as its operator."""

from __future__ import annotations

import argparse
import shutil
from typing import Any

from evidence.cli_common import CliError, migrated_engine, open_session
from evidence.config import Settings


def cmd_due(args: argparse.Namespace, settings: Settings) -> int:
    """Per case, what has passed its date and is not held (with --case: the items)."""
    from sqlmodel import select

    from evidence.models import Case
    from evidence.service.purge import due_cases, due_items_unchecked

    with open_session(settings) as session:
        cases = due_cases(session=session, principal=None)
        if args.case:
            case = session.exec(select(Case).where(Case.number == args.case)).first()
            if case is None:
                raise CliError(f"no case {args.case}")
            rows = due_items_unchecked(session=session, case_id=case.id, limit=args.limit)
            for item, own in rows:
                assert own.retain_until is not None
                print(f"{own.retain_until:%Y-%m-%d}  {item.id}  {item.kind}  {item.original_name}")
            print(f"case {case.number}: {len(rows)} item(s) due")
            return 0
    for due in cases:
        print(
            f"{due.number}  {due.items:>8} item(s) due since {due.earliest:%Y-%m-%d}  {due.title}"
        )
    total = sum(due.items for due in cases)
    print(f"{total} item(s) due in {len(cases)} case(s); held items are not listed")
    return 0


def cmd_apply(args: argparse.Namespace, settings: Settings) -> int:
    """Recompute dates (all items, or one case's) and apply locks and holds to storage."""
    from sqlmodel import select

    from evidence.models import Case
    from evidence.service.object_locks import sync_objects
    from evidence.service.retention import recompute
    from evidence.storage import open_store

    store = open_store(settings.storage_url or "")
    with open_session(settings) as session:
        case_id = None
        if args.case:
            case = session.exec(select(Case).where(Case.number == args.case)).first()
            if case is None:
                raise CliError(f"no case {args.case}")
            case_id = case.id
        moved = recompute(session=session, case_id=case_id)
        session.commit()
        report = sync_objects(
            session=session,
            store=store,
            case_id=case_id,
            horizon_days=args.horizon_days or settings.retention_horizon_days,
            workers=args.workers,
        )
    print(
        f"{moved} retention date(s) recomputed; {report.objects} object(s) checked, "
        f"{report.extended} lock(s) extended, {report.holds_changed} hold flag(s) changed"
    )
    for sha in report.missing:
        print(f"  missing object: {sha} (run `dalel fsck`)")
    return 1 if report.missing else 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    """Run (or finish) an approved purge: its `purge` job, by hand, in this process."""
    from evidence.app import install_domains
    from evidence.errors import EvidenceError
    from evidence.retention_models import PurgeRequest
    from evidence.storage import open_store
    from ingest.retention import run_purge_now
    from ingest.runtime import jobs

    engine = install_domains().bind(migrated_engine(settings))
    jobs.configure(engine=engine, store=open_store(settings.storage_url or ""))
    try:
        job = run_purge_now(args.id)
    except EvidenceError as exc:
        raise CliError(str(exc)) from exc
    except Exception as exc:  # recorded on the job; the request says how far it got
        print(f"dalel retention purge: {type(exc).__name__}: {exc}")
    else:
        print(f"job {job.id}: {job.state}")
    from sqlmodel import Session

    with Session(engine) as session:
        request = session.get(PurgeRequest, args.id)
        if request is None:
            raise CliError(f"no purge request {args.id}")
        error = f" ({request.error})" if request.error else ""
        print(f"purge {request.id}: {request.state}{error}")
        return 0 if str(request.state) == "done" else 1


def cmd_table(args: argparse.Namespace, settings: Settings) -> int:
    """Show the retention table in force; --init writes the shipped default to the data
    directory for editing; --load puts the data directory's table in force."""
    import json

    from evidence.retention import read_table, table_path
    from evidence.retention.config import DEFAULT_PATH
    from evidence.service.retention import current_config, load_table, recompute

    path = table_path(settings.data_dir)
    if args.init:
        if path.exists():
            raise CliError(f"{path} exists already; edit it, then `dalel retention table --load`")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEFAULT_PATH, path)
        print(f"wrote {path}: edit it, then `dalel retention table --load`")
        return 0
    with open_session(settings) as session:
        if args.load:
            table, source = read_table(settings.data_dir)
            row = load_table(session=session, table=table, source=source)
            if row is None:
                print(f"the table of {source} is in force already")
                return 0
            moved = recompute(session=session)
            session.commit()
            print(f"loaded {source} ({table.digest[:12]}); {moved} retention date(s) moved")
            print("apply it to storage with `dalel retention apply`")
            return 0
        table_id, table = current_config(session)
    print(json.dumps(table.as_json(), ensure_ascii=False, indent=1))
    print(f"# table {table_id or 'shipped default'}, digest {table.digest}")
    return 0


def load_table_file(settings: Settings) -> str | None:
    """At `dalel migrate` and `dalel serve`: put the data directory's retention table in
    force when it changed (a table with errors stops the command, naming the error)."""
    from sqlmodel import Session

    from evidence.retention import read_table, table_path
    from evidence.service.retention import load_table, recompute

    if not table_path(settings.data_dir).is_file():
        return None
    table, source = read_table(settings.data_dir)
    engine = migrated_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            if load_table(session=session, table=table, source=source) is None:
                return None
            moved = recompute(session=session)
            session.commit()
    finally:
        engine.dispose()
    return f"retention table {source} loaded; {moved} date(s) moved (`dalel retention apply`)"


def register(sub: Any, add: Any) -> None:
    """Add the retention commands to the `dalel` parser."""
    retention = sub.add_parser("retention", help="retention, holds, purges").add_subparsers(
        dest="sub", required=True
    )
    due = add("due", cmd_due, "list what has passed its retention date and is not held", retention)
    due.add_argument("--case", help="ЕРДР number: list that case's due items")
    due.add_argument("--limit", type=int, default=10_000)
    apply = add("apply", cmd_apply, "recompute dates and apply locks to storage", retention)
    apply.add_argument("--case", help="ЕРДР number (default: every case)")
    apply.add_argument(
        "--horizon-days", type=int, help="lock for undated items (DALEL_RETENTION_HORIZON_DAYS)"
    )
    apply.add_argument("--workers", type=int, default=8, help="storage calls at once")
    purge = add("purge", cmd_purge, "run or finish an approved purge", retention)
    purge.add_argument("id", help="purge request id")
    table = add("table", cmd_table, "show, initialise or load the retention table", retention)
    group = table.add_mutually_exclusive_group()
    group.add_argument("--init", action="store_true", help="copy the shipped default to edit")
    group.add_argument(
        "--load", action="store_true", help="put the data directory's table in force"
    )
