"""Retention of cases and items: the table in force, categories, legal basis and purpose,
lifecycle dates, and each item's computed retain-until date.

Every item has an `item_retention` row from the moment it is registered. Its date is
recomputed whenever something it depends on changes (the case's or the item's category,
a lifecycle date, the table), in the same transaction as the custody event recording the
change; the object store is told afterwards by `evidence.service.object_locks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence.errors import EvidenceError, InvalidInput, ItemPurged
from evidence.models import Item, ItemKind, User
from evidence.policy import Perm, Principal
from evidence.retention import ClockDates, RetentionConfig, parse, retain_until, shipped_default
from evidence.retention_models import CaseRetention, ItemRetention, RetentionConfigRow
from evidence.service.access import require

_cache: dict[int, RetentionConfig] = {}


def current_config(session: Session) -> tuple[int | None, RetentionConfig]:
    """The retention table in force (its row id), or the shipped default before any load."""
    newest = session.exec(
        select(RetentionConfigRow.id).order_by(col(RetentionConfigRow.id).desc()).limit(1)
    ).first()
    if newest is None:
        return None, shipped_default()
    if newest not in _cache:
        row = session.get(RetentionConfigRow, newest)
        assert row is not None
        _cache[newest] = parse(row.body)
    return newest, _cache[newest]


def refuse(
    session: Session,
    *,
    principal: Principal,
    operation: str,
    error: EvidenceError,
    client: str | None = None,
    case_id: str | None = None,
    item_id: str | None = None,
) -> EvidenceError:
    """Record a refused retention action in its own transaction and hand the error back:
    nothing of the request is kept, but the attempt is in the ledger."""
    session.rollback()
    custody.record(
        session=session,
        action=custody.Action.RETENTION_REFUSED,
        actor=principal.actor(),
        case_id=case_id,
        item_id=item_id,
        client=client,
        details={"operation": operation, "reason": str(error)},
    )
    session.commit()
    return error


def check_table(session: Session, table: RetentionConfig) -> None:
    """Refuse a table that drops a category some case or item still uses."""
    used = {
        code
        for model in (CaseRetention, ItemRetention)
        for code in session.exec(select(model.category).distinct()).all()
        if code is not None
    }
    missing = sorted(used - set(table.categories))
    if missing:
        raise InvalidInput(
            "categories still in use cannot be removed: %(codes)s", codes=", ".join(missing)
        )


def load_table(
    *,
    session: Session,
    table: RetentionConfig,
    source: str,
    principal: Principal | None = None,
    client: str | None = None,
) -> RetentionConfigRow | None:
    """Put a retention table in force (None when it is the one in force already).

    A table that drops a category some case or item still uses is refused. Dates of
    every item are recomputed afterwards by `recompute` (the caller runs it).
    """
    if principal is not None:
        require(session, principal=principal, perm=Perm.RETENTION_CONFIG, client=client)
    config_id, config = current_config(session)
    if config_id is not None and config.digest == table.digest:
        return None
    check_table(session, table)
    row = RetentionConfigRow(
        body=table.as_json(),
        digest=table.digest,
        source=source[:500],
        loaded_by=principal.user_id if principal else None,
        loaded_at=utc_now(),
    )
    session.add(row)
    session.flush()
    custody.record(
        session=session,
        action=custody.Action.RETENTION_CONFIG_LOADED,
        actor=principal.actor() if principal else custody.SYSTEM,
        client=client,
        details={
            "digest": table.digest,
            "source": row.source,
            "categories": sorted(table.categories),
        },
    )
    session.commit()
    return row


def case_settings(session: Session, case_id: str) -> CaseRetention:
    """The case's retention row (a transient empty one when none was saved yet)."""
    return session.get(CaseRetention, case_id) or CaseRetention(case_id=case_id)


def compute_until(
    config: RetentionConfig,
    *,
    case: CaseRetention,
    category: str | None,
    kind: ItemKind,
    collected_at: datetime | None,
) -> datetime | None:
    """An item's retain-until under `config`: its own category (else its case's), the
    period for its kind (unpacked children count as originals), from its clock."""
    period = config.category(category or case.category).period(
        original=ItemKind(kind) is not ItemKind.DERIVATIVE
    )
    dates = ClockDates(
        collected_at=collected_at,
        case_closed_at=case.closed_at,
        verdict_at=case.verdict_at,
        appeal_ended_at=case.appeal_ended_at,
    )
    return retain_until(period, dates)


def item_until(
    config: RetentionConfig, *, item: Item, case: CaseRetention, own: ItemRetention | None
) -> datetime | None:
    """`compute_until` for a loaded item (collection: when collected, else registered)."""
    return compute_until(
        config,
        case=case,
        category=own.category if own else None,
        kind=item.kind,
        collected_at=item.collected_at or item.created_at,
    )


def track_item(session: Session, item: Item) -> ItemRetention:
    """Give a newly registered item its retention row (same transaction as its event)."""
    config_id, config = current_config(session)
    case = case_settings(session, item.case_id)
    row = ItemRetention(
        item_id=item.id,
        case_id=item.case_id,
        retain_until=item_until(config, item=item, case=case, own=None),
        config_id=config_id,
    )
    session.add(row)
    return row


def recompute(*, session: Session, case_id: str | None = None, batch: int = 5000) -> int:
    """Recompute the dates of a case's (or every) unpurged item; returns how many moved.

    Does not commit: the caller commits with the event that caused the change.
    """
    config_id, config = current_config(session)
    cases: dict[str, CaseRetention] = {}
    # Plain columns, not ORM objects: a recompute of a million items must stay small.
    query = (
        sa_select(
            col(ItemRetention.item_id),
            col(ItemRetention.case_id),
            col(ItemRetention.category),
            col(ItemRetention.retain_until),
            col(ItemRetention.config_id),
            col(Item.kind),
            col(Item.collected_at),
            col(Item.created_at),
        )
        .join(Item, col(Item.id) == col(ItemRetention.item_id))
        .where(col(ItemRetention.purged_at).is_(None))
    )
    if case_id is not None:
        query = query.where(col(ItemRetention.case_id) == case_id)
    changes: list[dict[str, Any]] = []
    for item_id, item_case, category, old, old_config, kind, collected, created in session.execute(
        query
    ):
        case = cases.get(item_case)
        if case is None:
            case = cases[item_case] = case_settings(session, item_case)
        until = compute_until(
            config, case=case, category=category, kind=kind, collected_at=collected or created
        )
        if until != old or old_config != config_id:
            changes.append({"id": item_id, "until": until, "config": config_id})
    table = ItemRetention.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.item_id == bindparam("id"))
        .values(retain_until=bindparam("until"), config_id=bindparam("config"))
    )
    for start in range(0, len(changes), batch):
        session.connection().execute(statement, changes[start : start + batch])
    session.expire_all()
    return len(changes)


def recompute_item(session: Session, row: ItemRetention, item: Item) -> datetime | None:
    """Refresh one item's date from the table in force (no commit)."""
    config_id, config = current_config(session)
    row.retain_until = item_until(
        config, item=item, case=case_settings(session, item.case_id), own=row
    )
    row.config_id = config_id
    session.add(row)
    return row.retain_until


def ensure_readable(session: Session, item: Item) -> None:
    """Refuse the bytes of an item that is purged or being purged (ItemPurged, 410)."""
    own = session.get(ItemRetention, item.id)
    if own is None:
        return
    if own.purged_at is not None:
        raise ItemPurged(
            "item %(item)s was purged on %(date)s after its retention ended",
            item=item.id,
            date=own.purged_at.date().isoformat(),
        )
    if own.purging_at is not None:
        raise ItemPurged("item %(item)s is being purged after its retention ended", item=item.id)


def purged_items(session: Session, item_ids: Iterable[str]) -> set[str]:
    """Which of the items were purged; ItemPurged if one is being purged right now (its
    chain is not finished, so no bundle can prove it yet)."""
    ids = list(item_ids)
    if not ids:
        return set()
    rows = session.exec(
        select(ItemRetention.item_id, ItemRetention.purged_at).where(
            col(ItemRetention.item_id).in_(ids), col(ItemRetention.purging_at).is_not(None)
        )
    ).all()
    for item_id, done in rows:
        if done is None:
            raise ItemPurged(
                "item %(item)s is being purged after its retention ended", item=item_id
            )
    return {item_id for item_id, _ in rows}


def usernames(session: Session, user_ids: Iterable[str | None]) -> dict[str, str]:
    """Display names for user ids (reports and pages)."""
    wanted = {uid for uid in user_ids if uid}
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.username).where(col(User.id).in_(wanted))).all()
    return dict(rows)
