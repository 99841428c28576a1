"""Legal holds: while a case or an item is held, nothing in scope can be purged, whatever
its retention date. Placing and releasing a hold each need a reason and are recorded."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_
from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence.errors import Conflict, InvalidInput, NotFound
from evidence.models import Case
from evidence.policy import Perm, Principal
from evidence.retention_models import LegalHold
from evidence.service.access import load_case, load_item, require

_REASON_MAX = 2000


def _reason(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("%(what)s needs a reason", what=what)
    if len(text) > _REASON_MAX:
        raise InvalidInput("a reason is at most %(max)d characters", max=_REASON_MAX)
    return text


def active_holds(session: Session, *, case_id: str) -> list[LegalHold]:
    """Holds in force on the case or any of its items, oldest first."""
    return list(
        session.exec(
            select(LegalHold)
            .where(LegalHold.case_id == case_id, col(LegalHold.released_at).is_(None))
            .order_by(col(LegalHold.placed_at))
        )
    )


def held_items(session: Session, *, case_id: str, item_ids: Iterable[str]) -> set[str]:
    """The given items of a case that a hold in force covers (a case hold covers all)."""
    wanted = set(item_ids)
    holds = active_holds(session, case_id=case_id)
    if any(hold.item_id is None for hold in holds):
        return wanted
    return wanted & {hold.item_id for hold in holds if hold.item_id}


def held_cases(session: Session, case_ids: Iterable[str]) -> set[str]:
    """Cases with a hold in force on the whole case."""
    ids = list(set(case_ids))
    if not ids:
        return set()
    rows = session.exec(
        select(LegalHold.case_id).where(
            col(LegalHold.case_id).in_(ids),
            col(LegalHold.item_id).is_(None),
            col(LegalHold.released_at).is_(None),
        )
    ).all()
    return set(rows)


def place_hold(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    reason: str,
    item_id: str | None = None,
    client: str | None = None,
) -> LegalHold:
    """Hold a whole case, or one of its items (prosecutor or court member of the case)."""
    case = load_case(session, case_id)
    item = None
    if item_id is not None:
        item, item_case = load_item(session, item_id)
        if item_case.id != case.id:
            raise NotFound("no such item in this case")
    require(session, principal=principal, perm=Perm.HOLD_SET, case=case, item=item, client=client)
    hold = LegalHold(
        case_id=case.id,
        item_id=item.id if item else None,
        reason=_reason(reason, "a legal hold"),
        placed_by=principal.user_id,
        placed_at=utc_now(),
    )
    session.add(hold)
    session.flush()
    _record(session, case, hold, custody.Action.LEGAL_HOLD_PLACED, principal, client, hold.reason)
    session.commit()
    return hold


def release_hold(
    *,
    session: Session,
    principal: Principal,
    hold_id: str,
    reason: str,
    client: str | None = None,
) -> LegalHold:
    """End a hold; the release needs its own reason."""
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound("no such legal hold")
    case = load_case(session, hold.case_id)
    item = load_item(session, hold.item_id)[0] if hold.item_id else None
    require(session, principal=principal, perm=Perm.HOLD_SET, case=case, item=item, client=client)
    text = _reason(reason, "releasing a legal hold")
    if hold.released_at is not None:
        raise Conflict("the legal hold was released already")
    hold.released_at, hold.released_by, hold.release_reason = utc_now(), principal.user_id, text
    session.add(hold)
    _record(session, case, hold, custody.Action.LEGAL_HOLD_RELEASED, principal, client, text)
    session.commit()
    return hold


def _record(
    session: Session,
    case: Case,
    hold: LegalHold,
    action: custody.Action,
    principal: Principal,
    client: str | None,
    reason: str,
) -> None:
    custody.record(
        session=session,
        action=action,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        item_id=hold.item_id,
        client=client,
        details={"hold": hold.id, "scope": "item" if hold.item_id else "case", "reason": reason},
    )


def list_holds(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> list[LegalHold]:
    """Every hold of a case, in force or released (members who may see retention)."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.RETENTION_READ, case=case, client=client)
    return list(
        session.exec(
            select(LegalHold).where(LegalHold.case_id == case.id).order_by(col(LegalHold.placed_at))
        )
    )


def holds_covering(session: Session, *, case_id: str, item_id: str) -> list[LegalHold]:
    """Holds in force that cover one item (its own and its case's)."""
    return list(
        session.exec(
            select(LegalHold).where(
                LegalHold.case_id == case_id,
                col(LegalHold.released_at).is_(None),
                or_(col(LegalHold.item_id).is_(None), col(LegalHold.item_id) == item_id),
            )
        )
    )
