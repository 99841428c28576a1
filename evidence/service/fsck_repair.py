"""`dalel fsck --repair`: remove what crashed writers left behind, and say so in custody.

Only bytes no committed row refers to are touched, and only once they are older than a
safety window (an upload in flight has a staging file or multipart upload that is
seconds old; an object committed to storage waits a moment for its row): staging
leftovers, incomplete multipart uploads (aborted) — never the parts of a resumable
upload whose session still exists (fsck does not list them) — and objects no blob row
refers to. Items, blobs and ledger rows are never
changed; what was removed is appended to the ledger as one `storage.repaired` event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

import custody
from custody.events import utc_now
from evidence.errors import StorageError
from evidence.service.fsck import FsckReport
from evidence.storage import ObjectMissing, ObjectStore

# Names listed in the custody event; a larger repair records the count of the rest.
_LISTED = 500


@dataclass(slots=True)
class Repair:
    """What `repair` removed, what it left because it was too young, and what failed."""

    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bytes_freed: int = 0


def _old(moment: datetime | None, cutoff: datetime) -> bool:
    return moment is not None and moment <= cutoff


def repair(
    *,
    session: Session,
    store: ObjectStore,
    report: FsckReport,
    older_than: timedelta,
    now: datetime | None = None,
) -> Repair:
    """Remove the leftovers and orphan objects `report` listed that are older than
    `older_than`; record the removals (committed) as one custody event."""
    cutoff = (now or utc_now()) - older_than
    done = Repair()
    for left in report.leftovers:
        label = left.describe()
        if not _old(left.started_at, cutoff):
            done.kept.append(label)
            continue
        try:
            store.remove_leftover(left)
        except StorageError as exc:
            done.failed.append(f"{label}: {exc}")
            continue
        done.removed.append(label)
        done.bytes_freed += left.size
    for obj in report.orphans:
        label = f"orphan object {obj.key}"
        if not _old(obj.modified_at, cutoff):
            done.kept.append(label)
            continue
        try:
            store.delete(obj.key)
        except ObjectMissing:
            pass
        except StorageError as exc:  # e.g. under the bucket's retention: it stays
            done.failed.append(f"{label}: {exc}")
            continue
        done.removed.append(label)
        done.bytes_freed += obj.size
    if done.removed:
        details: dict[str, Any] = {
            "removed": done.removed[:_LISTED],
            "count": len(done.removed),
            "bytes": done.bytes_freed,
            "older_than_seconds": int(older_than.total_seconds()),
        }
        custody.record(
            session=session,
            action=custody.Action.STORAGE_REPAIRED,
            actor=custody.SYSTEM,
            details=details,
        )
        session.commit()
    return done
