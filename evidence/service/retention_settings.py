"""Setting retention: a case's category, legal basis and purpose, its lifecycle dates,
and an item's own override (with its reason). Each change is a custody event recorded in
the same transaction as the change and the recomputed dates it causes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

import custody
from custody.events import utc_now
from evidence.errors import Conflict, InvalidInput
from evidence.policy import Perm, Principal
from evidence.retention import RetentionConfig
from evidence.retention_models import CaseRetention, ItemRetention
from evidence.service.access import load_case, load_item, require
from evidence.service.item_events import record_item_event
from evidence.service.retention import current_config, recompute, recompute_item, track_item

LIFECYCLE_FIELDS = ("closed_at", "verdict_at", "appeal_ended_at")
_TEXT_MAX = 2000


def _checked_code(value: str | None, table: Mapping[str, Any], what: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in table:
        raise InvalidInput("unknown %(what)s code %(code)s", what=what, code=value)
    return value


def _checked_text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > _TEXT_MAX:
        raise InvalidInput("%(what)s is at most %(max)d characters", what=what, max=_TEXT_MAX)
    return value or None


@dataclass(frozen=True, slots=True)
class Basis:
    """Legal basis and purpose: codes from the retention table, plus free text."""

    legal_basis: str | None = None
    legal_basis_text: str | None = None
    purpose: str | None = None
    purpose_text: str | None = None

    def checked(self, config: RetentionConfig) -> dict[str, str | None]:
        return {
            "legal_basis": _checked_code(self.legal_basis, config.legal_bases, "legal basis"),
            "legal_basis_text": _checked_text(self.legal_basis_text, "the legal basis text"),
            "purpose": _checked_code(self.purpose, config.purposes, "purpose"),
            "purpose_text": _checked_text(self.purpose_text, "the purpose text"),
        }


def _changed(row: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if getattr(row, key) != value}


def set_case_retention(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    category: str | None,
    basis: Basis,
    client: str | None = None,
) -> CaseRetention:
    """Set a case's category, legal basis and purpose (prosecutor of the case)."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.RETENTION_MANAGE, case=case, client=client)
    _, config = current_config(session)
    values = {"category": _checked_code(category, config.categories, "category")}
    values |= basis.checked(config)
    row = session.get(CaseRetention, case.id) or CaseRetention(case_id=case.id)
    changed = _changed(row, values)
    if not changed:
        return row
    for key, value in changed.items():
        setattr(row, key, value)
    row.updated_at = utc_now()
    session.add(row)
    session.flush()
    moved = recompute(session=session, case_id=case.id) if "category" in changed else 0
    custody.record(
        session=session,
        action=custody.Action.CASE_RETENTION_SET,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={**changed, "items_redated": moved},
    )
    session.commit()
    return row


def set_lifecycle(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    dates: Mapping[str, datetime | None],
    client: str | None = None,
) -> CaseRetention:
    """Record the case's closure, verdict and end-of-appeal dates (prosecutor); each
    change is its own custody event. A field left out is unchanged; None clears it."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_LIFECYCLE, case=case, client=client)
    unknown = set(dates) - set(LIFECYCLE_FIELDS)
    if unknown:
        raise InvalidInput("unknown case dates: %(fields)s", fields=", ".join(sorted(unknown)))
    now = utc_now()
    for field, value in dates.items():
        if value is not None and value.tzinfo is None:
            raise InvalidInput("%(field)s must carry a time zone offset", field=field)
        if value is not None and value > now + timedelta(minutes=5):
            raise InvalidInput("%(field)s lies in the future", field=field)
    row = session.get(CaseRetention, case.id) or CaseRetention(case_id=case.id)
    after = {field: dates.get(field, getattr(row, field)) for field in LIFECYCLE_FIELDS}
    if (
        after["verdict_at"]
        and after["appeal_ended_at"]
        and (after["appeal_ended_at"] < after["verdict_at"])
    ):
        raise InvalidInput("the appeal cannot end before the verdict")
    changed = _changed(row, {field: dates[field] for field in dates})
    if not changed:
        return row
    previous = {field: getattr(row, field) for field in changed}
    for field, value in changed.items():
        setattr(row, field, value)
    row.updated_at = now
    session.add(row)
    session.flush()
    moved = recompute(session=session, case_id=case.id)
    for field, value in changed.items():
        old = previous[field]
        custody.record(
            session=session,
            action=custody.Action.CASE_LIFECYCLE_SET,
            actor=principal.actor(),
            case_id=case.id,
            case_number=case.number,
            client=client,
            details={
                "field": field,
                "value": value.isoformat() if value else None,
                "previous": old.isoformat() if old else None,
                "items_redated": moved,
            },
        )
    session.commit()
    return row


def set_item_retention(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    category: str | None,
    reason: str | None,
    basis: Basis,
    client: str | None = None,
) -> ItemRetention:
    """Override an item's category (a reason is required) and its basis or purpose."""
    item, case = load_item(session, item_id)
    require(
        session,
        principal=principal,
        perm=Perm.RETENTION_MANAGE,
        case=case,
        item=item,
        client=client,
    )
    _, config = current_config(session)
    row = session.get(ItemRetention, item.id)
    if row is None:
        row = track_item(session, item)
    if row.purged_at is not None or row.purging_at is not None:
        raise Conflict("the item has been purged")
    values: dict[str, Any] = {"category": _checked_code(category, config.categories, "category")}
    reason = _checked_text(reason, "the reason")
    if values["category"] != row.category:
        if not reason:
            raise InvalidInput("changing an item's retention category needs a reason")
        values["category_reason"] = reason
    values |= basis.checked(config)
    changed = _changed(row, values)
    if not changed:
        return row
    for key, value in changed.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    recompute_item(session, row, item)
    record_item_event(
        session=session,
        action=custody.Action.ITEM_RETENTION_SET,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details={
            **changed,
            "retain_until": row.retain_until.isoformat() if row.retain_until else None,
        },
    )
    session.commit()
    return row
