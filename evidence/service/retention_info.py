"""What the item page, the case's retention page, the API and the report show about
retention: the effective category, basis and purpose (and where each comes from), the
date, the holds in force, a purge's approvals, and what the object store was told."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from evidence.models import Case, Item
from evidence.policy import Perm, Principal
from evidence.retention import RetentionConfig
from evidence.retention_models import (
    CaseRetention,
    ItemRetention,
    LegalHold,
    ObjectLock,
    PurgeRequest,
)
from evidence.service.access import load_case, load_item, require
from evidence.service.holds import active_holds, holds_covering
from evidence.service.retention import case_settings, current_config, usernames


@dataclass(frozen=True, slots=True)
class Coded:
    """A code from the retention table with its names, free text, and where it is set
    (`item`, `case` or `default`)."""

    code: str | None
    names: dict[str, str]
    text: str | None
    source: str


def _coded(
    table: dict[str, dict[str, str]], code: str | None, text: str | None, source: str
) -> Coded:
    return Coded(code, table.get(code or "", {}), text, source)


@dataclass(frozen=True, slots=True)
class PurgeInfo:
    purge_id: str
    purging_at: datetime | None
    purged_at: datetime | None
    reason: str
    proposed_by: str
    approved_by: str | None
    approved_at: datetime | None


@dataclass(frozen=True, slots=True)
class ItemRetentionInfo:
    item_id: str
    category: Coded
    category_reason: str | None
    legal_basis: Coded
    purpose: Coded
    retain_until: datetime | None
    holds: list[LegalHold]
    purge: PurgeInfo | None
    storage_until: datetime | None
    storage_hold: bool | None


def _purge_info(session: Session, own: ItemRetention) -> PurgeInfo | None:
    if own.purge_id is None:
        return None
    request = session.get(PurgeRequest, own.purge_id)
    if request is None:
        return None
    names = usernames(session, [request.proposed_by, request.decided_by])
    return PurgeInfo(
        purge_id=request.id,
        purging_at=own.purging_at,
        purged_at=own.purged_at,
        reason=request.reason,
        proposed_by=names.get(request.proposed_by, request.proposed_by),
        approved_by=names.get(request.decided_by or "", request.decided_by),
        approved_at=request.decided_at,
    )


def describe_item(
    session: Session, config: RetentionConfig, item: Item, own: ItemRetention, case: CaseRetention
) -> ItemRetentionInfo:
    """Everything known about one item's retention (no policy check: callers do it)."""
    code = own.category or case.category or config.default_category
    source = "item" if own.category else "case" if case.category else "default"
    category = config.category(code)
    basis_source = "item" if own.legal_basis or own.legal_basis_text else "case"
    purpose_source = "item" if own.purpose or own.purpose_text else "case"
    basis = (
        (own.legal_basis, own.legal_basis_text)
        if basis_source == "item"
        else (case.legal_basis, case.legal_basis_text)
    )
    purpose = (
        (own.purpose, own.purpose_text)
        if purpose_source == "item"
        else (case.purpose, case.purpose_text)
    )
    lock = session.get(ObjectLock, item.sha256)
    return ItemRetentionInfo(
        item_id=item.id,
        category=Coded(category.code, category.names, None, source),
        category_reason=own.category_reason,
        legal_basis=_coded(config.legal_bases, basis[0], basis[1], basis_source),
        purpose=_coded(config.purposes, purpose[0], purpose[1], purpose_source),
        retain_until=own.retain_until,
        holds=holds_covering(session, case_id=item.case_id, item_id=item.id),
        purge=_purge_info(session, own),
        storage_until=lock.retain_until if lock else None,
        storage_hold=lock.legal_hold if lock else None,
    )


def item_retention(
    *, session: Session, principal: Principal, item_id: str, client: str | None = None
) -> ItemRetentionInfo:
    """An item's retention, for members who may see retention (or read the item)."""
    item, case = load_item(session, item_id)
    require(
        session, principal=principal, perm=Perm.RETENTION_READ, case=case, item=item, client=client
    )
    return item_retention_unchecked(session, item)


def item_retention_unchecked(session: Session, item: Item) -> ItemRetentionInfo:
    """The same without a policy check, for pages that already authorised the item."""
    _, config = current_config(session)
    own = session.get(ItemRetention, item.id) or ItemRetention(
        item_id=item.id, case_id=item.case_id
    )
    return describe_item(session, config, item, own, case_settings(session, item.case_id))


@dataclass(frozen=True, slots=True)
class CaseRetentionInfo:
    case: Case
    settings: CaseRetention
    category: Coded
    legal_basis: Coded
    purpose: Coded
    holds: list[LegalHold]
    counts: dict[str, int] = field(default_factory=dict)  # items, purged, dated, indefinite
    next_date: datetime | None = None


def case_retention(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> CaseRetentionInfo:
    """A case's category, basis, purpose, lifecycle dates, holds and item counts."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.RETENTION_READ, case=case, client=client)
    _, config = current_config(session)
    settings = case_settings(session, case.id)
    category = config.category(settings.category)
    rows = session.exec(
        select(
            func.count(),
            func.count(col(ItemRetention.purged_at)),
            func.count(col(ItemRetention.retain_until)),
            func.min(col(ItemRetention.retain_until)),
        ).where(ItemRetention.case_id == case.id)
    ).one()
    total, purged, dated, first = rows
    next_date = session.exec(
        select(func.min(col(ItemRetention.retain_until))).where(
            ItemRetention.case_id == case.id, col(ItemRetention.purged_at).is_(None)
        )
    ).one()
    return CaseRetentionInfo(
        case=case,
        settings=settings,
        category=Coded(
            category.code, category.names, None, "case" if settings.category else "default"
        ),
        legal_basis=_coded(
            config.legal_bases, settings.legal_basis, settings.legal_basis_text, "case"
        ),
        purpose=_coded(config.purposes, settings.purpose, settings.purpose_text, "case"),
        holds=active_holds(session, case_id=case.id),
        counts={
            "items": int(total),
            "purged": int(purged),
            "dated": int(dated) - int(purged),
            "undated": int(total) - int(dated),
        },
        next_date=next_date if first is not None else None,
    )


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """What the custody report shows about an item's retention, in one language."""

    legal_basis: str
    purpose: str
    retain_until: datetime | None
    purged_at: datetime | None


def report_facts(session: Session, item: Item, language: str) -> ReportFacts:
    """The item's basis, purpose, date and purge for the custody report in `language`."""
    info = item_retention_unchecked(session, item)

    def named(value: Coded) -> str:
        name = value.names.get(language, value.code or "") if value.code else ""
        return " — ".join(p for p in (name, value.text or "") if p)

    return ReportFacts(
        legal_basis=named(info.legal_basis),
        purpose=named(info.purpose),
        retain_until=info.retain_until,
        purged_at=info.purge.purged_at if info.purge else None,
    )
