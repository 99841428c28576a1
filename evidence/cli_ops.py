"""`dalel backup` and `dalel restore` (README "Backup and restore")."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evidence.config import Settings


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from evidence.db import make_engine
    from evidence.service.backup import backup
    from evidence.storage import open_store

    engine = make_engine(settings.database_url or "")
    try:
        summary = backup(
            engine=engine, database_url=settings.database_url or "",
            store=open_store(settings.storage_url or ""), folder=args.out, objects=args.objects,
        )  # fmt: skip
    finally:
        engine.dispose()
    absent = summary.objects - summary.present
    print(
        f"backup of the {summary.dialect} database in {summary.folder}: ledger "
        f"{summary.ledger_size} entries, root {summary.ledger_root}; {summary.objects} objects "
        f"listed ({absent} absent from the store, purged or missing), {summary.copied} copied"
    )
    if not args.objects:
        print("objects were not copied: mirror the object store itself (mc mirror, replication)")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from evidence.db import make_engine
    from evidence.service.backup import restore
    from evidence.storage import open_store

    engine = make_engine(settings.database_url or "")
    try:
        summary = restore(
            engine=engine, database_url=settings.database_url or "",
            store=open_store(settings.storage_url or ""), folder=args.source,
        )  # fmt: skip
    finally:
        engine.dispose()
    print(
        f"restored: ledger {summary.ledger_size} entries, root {summary.ledger_root} (as backed "
        f"up); {summary.objects} objects listed, {summary.copied} copied into the store"
    )
    for key in summary.missing:
        print(f"missing from the store: {key}")
    if summary.missing:
        print(f"{len(summary.missing)} object(s) missing: copy them, then run `dalel fsck`")
        return 1
    print("now prove it: `dalel ledger verify` and `dalel fsck`")
    return 0


def register(sub: Any, add: Any) -> None:
    """Add the commands to the `dalel` parser."""
    made = add("backup", cmd_backup, "dump the database and list the objects into a new folder")
    made.add_argument("out", type=Path, help="a new (or empty) folder")
    made.add_argument(
        "--objects", action="store_true",
        help="copy the objects' bytes too (a local store; production mirrors its object store)",
    )  # fmt: skip
    back = add(
        "restore", cmd_restore,
        "load a backup into the empty database and store the settings name",
    )  # fmt: skip
    back.add_argument("source", type=Path, help="a folder written by `dalel backup`")
