"""Purging evidence after its retention: what is due, and the two-person rule.

One prosecutor of the case proposes; a second person with the right to approve (another
prosecutor of the case, never the proposer) approves; then the purge job
(`evidence.service.purge_run.run_purge`) deletes the bytes and records `item.purged`.
Every refusal (held, not yet due, the proposer approving) is recorded and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, not_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence import hooks
from evidence.errors import AccessDenied, Conflict, EvidenceError, InvalidInput, NotFound
from evidence.models import Case, CaseMember, Item, ItemKind, Role
from evidence.policy import Perm, Principal, allowed
from evidence.retention_models import (
    ItemRetention,
    LegalHold,
    PurgeItem,
    PurgeRequest,
    PurgeState,
)
from evidence.service.access import case_role, load_case, require
from evidence.service.holds import held_items
from evidence.service.retention import recompute_item, refuse

_OPEN = (PurgeState.PROPOSED, PurgeState.APPROVED)


@dataclass(frozen=True, slots=True)
class DueCase:
    case_id: str
    number: str
    title: str
    items: int
    earliest: datetime


def _due_filter(now: datetime) -> list[ColumnElement[bool]]:
    """Date passed, not purged or being purged, no hold in force on the item or its case.
    The two NOT EXISTS stay separate so each uses its own index."""
    item_hold = exists().where(
        col(LegalHold.item_id) == col(ItemRetention.item_id), col(LegalHold.released_at).is_(None)
    )
    case_hold = exists().where(
        col(LegalHold.case_id) == col(ItemRetention.case_id),
        col(LegalHold.item_id).is_(None),
        col(LegalHold.released_at).is_(None),
    )
    return [
        col(ItemRetention.retain_until) <= now,
        col(ItemRetention.purged_at).is_(None),
        col(ItemRetention.purging_at).is_(None),
        not_(item_hold),
        not_(case_hold),
    ]


def due_query(*, now: datetime, user_id: str | None = None):  # type: ignore[no-untyped-def]
    """Per case: items due, earliest date. `user_id`: only cases where that user is a
    prosecutor (None: every case, for administrators)."""
    query = (
        sa_select(
            col(ItemRetention.case_id),
            func.count().label("items"),
            func.min(ItemRetention.retain_until).label("earliest"),
        )
        .where(*_due_filter(now))
        .group_by(col(ItemRetention.case_id))
    )
    if user_id is not None:
        mine = sa_select(col(CaseMember.case_id)).where(
            col(CaseMember.user_id) == user_id, col(CaseMember.role) == Role.PROSECUTOR
        )
        query = query.where(col(ItemRetention.case_id).in_(mine))
    return query


def due_cases(
    *, session: Session, principal: Principal | None, now: datetime | None = None
) -> list[DueCase]:
    """What has passed its date and is not held, per case: every case for those who may
    see the whole list (administrators, and the operator at the server: None), else the
    cases where the caller is prosecutor."""
    now = now or utc_now()
    everyone = principal is None or allowed(principal=principal, perm=Perm.RETENTION_DUE)
    rows = session.execute(
        due_query(now=now, user_id=None if everyone or principal is None else principal.user_id)
    ).all()
    cases = {
        c.id: c for c in session.exec(select(Case).where(col(Case.id).in_([r[0] for r in rows])))
    }
    return sorted(
        (
            DueCase(cid, cases[cid].number, cases[cid].title, int(n), first)
            for cid, n, first in rows
        ),
        key=lambda due: (due.earliest, due.number),
    )


def due_items(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    now: datetime | None = None,
    client: str | None = None,
    limit: int = 10_000,
) -> list[tuple[Item, ItemRetention]]:
    """The due items of one case, by name: for those who may propose (prosecutors of the
    case); administrators see only the per-case counts of `due_cases`."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.PURGE_PROPOSE, case=case, client=client)
    return due_items_unchecked(session=session, case_id=case.id, now=now, limit=limit)


def due_items_unchecked(
    *, session: Session, case_id: str, now: datetime | None = None, limit: int = 10_000
) -> list[tuple[Item, ItemRetention]]:
    """`due_items` for the operator at the server (`dalel retention due --case`)."""
    now = now or utc_now()
    rows = session.exec(
        select(Item, ItemRetention)
        .join(ItemRetention, col(ItemRetention.item_id) == col(Item.id))
        .where(col(ItemRetention.case_id) == case_id, *_due_filter(now))
        .order_by(col(ItemRetention.retain_until), col(Item.created_at))
        .limit(limit)
    ).all()
    return [(item, own) for item, own in rows]


def _descendants(session: Session, roots: Sequence[str]) -> dict[str, str]:
    """Every item derived from or unpacked out of `roots`, mapped to the root it follows."""
    found: dict[str, str] = {}
    frontier = {root: root for root in roots}
    while frontier:
        children = session.exec(
            select(Item.id, Item.parent_id).where(col(Item.parent_id).in_(list(frontier)))
        ).all()
        frontier = {
            child: frontier[parent]
            for child, parent in children
            if parent is not None and child not in found
        }
        found |= frontier
    return found


def _check_purgeable(
    session: Session, case: Case, rows: dict[str, tuple[Item, ItemRetention]], now: datetime
) -> None:
    """Raise (Conflict) unless every item is due and free of holds, today's table used."""
    for item, own in rows.values():
        if own.purged_at is not None or own.purging_at is not None:
            raise Conflict("item %(item)s has been purged already", item=item.id)
        until = recompute_item(session, own, item)
        if until is None:
            raise Conflict("item %(item)s is kept indefinitely for now", item=item.id)
        if until > now:
            raise Conflict(
                "item %(item)s is retained until %(until)s", item=item.id, until=until.isoformat()
            )
    held = held_items(session, case_id=case.id, item_ids=rows)
    if held:
        raise Conflict("item %(item)s is under a legal hold", item=sorted(held)[0])


def _load(
    session: Session, case_id: str, item_ids: Sequence[str]
) -> dict[str, tuple[Item, ItemRetention]]:
    rows = session.exec(
        select(Item, ItemRetention)
        .join(ItemRetention, col(ItemRetention.item_id) == col(Item.id))
        .where(col(Item.id).in_(list(item_ids)))
    ).all()
    found = {item.id: (item, own) for item, own in rows if item.case_id == case_id}
    missing = sorted(set(item_ids) - set(found))
    if missing:
        raise NotFound("no item %(item)s in this case", item=missing[0])
    return found


def propose_purge(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    reason: str,
    item_ids: Sequence[str] | None = None,
    client: str | None = None,
) -> PurgeRequest:
    """Propose purging items of a case (None: everything due in it). An original brings
    its derivatives and unpacked files that are due and free of holds, except those ever
    disclosed: they stay until their own date, and are proposed on their own."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.PURGE_PROPOSE, case=case, client=client)
    text = (reason or "").strip()
    if not text or len(text) > 2000:
        raise InvalidInput("a purge proposal needs a reason (at most 2000 characters)")
    now = utc_now()
    try:
        if item_ids is None:
            named = [
                item.id
                for item, _ in due_items(
                    session=session, principal=principal, case_id=case.id, now=now
                )
            ]
            if not named:
                raise Conflict("nothing in this case is due for purging")
        else:
            named = list(dict.fromkeys(item_ids))
            if not named:
                raise InvalidInput("name at least one item to purge")
        rows = _load(session, case.id, named)
        _check_purgeable(session, case, rows, now)
        via = {item_id: None for item_id in named} | _follow(session, case, rows, now)
        open_ = session.exec(
            select(PurgeItem.item_id)
            .join(PurgeRequest, col(PurgeRequest.id) == col(PurgeItem.purge_id))
            .where(col(PurgeItem.item_id).in_(list(via)), col(PurgeRequest.state).in_(_OPEN))
        ).first()
        if open_ is not None:
            raise Conflict("item %(item)s is in an open purge request already", item=open_)
    except (Conflict, NotFound) as exc:
        raise refuse(
            session,
            principal=principal,
            operation="purge.propose",
            error=exc,
            client=client,
            case_id=case.id,
        ) from exc
    request = PurgeRequest(
        case_id=case.id, reason=text, proposed_by=principal.user_id, proposed_at=now
    )
    session.add(request)
    session.flush()
    for item_id, root in via.items():
        session.add(PurgeItem(purge_id=request.id, item_id=item_id, via=root))
    custody.record(
        session=session,
        action=custody.Action.PURGE_PROPOSED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"purge": request.id, "items": sorted(via), "reason": text},
    )
    session.commit()
    return request


def _follow(
    session: Session, case: Case, rows: dict[str, tuple[Item, ItemRetention]], now: datetime
) -> dict[str, str | None]:
    """Descendants of the named originals that go with them (due, not held, never
    disclosed), mapped to the original they follow."""
    roots = [item.id for item, _ in rows.values() if item.kind is not ItemKind.DERIVATIVE]
    following = {k: v for k, v in _descendants(session, roots).items() if k not in rows}
    if not following:
        return {}
    extra = _load(session, case.id, list(following))
    held = held_items(session, case_id=case.id, item_ids=extra)
    result: dict[str, str | None] = {}
    for item_id, (item, own) in extra.items():
        if item_id in held or own.purged_at is not None or own.purging_at is not None:
            continue
        until = recompute_item(session, own, item)
        if until is None or until > now or hooks.was_disclosed(session, item_id):
            continue
        result[item_id] = following[item_id]
    return result


def get_purge(
    *, session: Session, principal: Principal, purge_id: str, client: str | None = None
) -> tuple[PurgeRequest, list[PurgeItem]]:
    request = session.get(PurgeRequest, purge_id)
    if request is None:
        raise NotFound("no such purge request")
    case = load_case(session, request.case_id)
    require(session, principal=principal, perm=Perm.RETENTION_READ, case=case, client=client)
    items = list(session.exec(select(PurgeItem).where(PurgeItem.purge_id == request.id)))
    return request, items


def decide_purge(
    *,
    session: Session,
    principal: Principal,
    purge_id: str,
    approve: bool,
    reason: str | None = None,
    client: str | None = None,
) -> PurgeRequest:
    """The second person approves (the purge job may then run) or rejects a proposal.

    The proposer can never approve their own proposal; every item must still be due and
    free of holds at the moment of approval.
    """
    request = session.get(PurgeRequest, purge_id)
    if request is None:
        raise NotFound("no such purge request")
    case = load_case(session, request.case_id)
    require(session, principal=principal, perm=Perm.PURGE_APPROVE, case=case, client=client)
    operation = "purge.approve" if approve else "purge.reject"
    try:
        if request.state is not PurgeState.PROPOSED:
            raise Conflict("the purge request is %(state)s, not proposed", state=str(request.state))
        if approve and principal.user_id == request.proposed_by:
            raise AccessDenied("the proposer of a purge cannot approve it: a second person must")
        items = [
            row.item_id
            for row in session.exec(select(PurgeItem).where(PurgeItem.purge_id == request.id))
        ]
        if approve:
            _check_purgeable(session, case, _load(session, case.id, items), utc_now())
        elif not (reason or "").strip():
            raise InvalidInput("rejecting a purge needs a reason")
    except EvidenceError as exc:
        raise refuse(
            session,
            principal=principal,
            operation=operation,
            error=exc,
            client=client,
            case_id=case.id,
        ) from exc
    request.state = PurgeState.APPROVED if approve else PurgeState.REJECTED
    request.decided_by, request.decided_at = principal.user_id, utc_now()
    request.decision_reason = (reason or "").strip() or None
    session.add(request)
    custody.record(
        session=session,
        action=custody.Action.PURGE_APPROVED if approve else custody.Action.PURGE_REJECTED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={
            "purge": request.id,
            "proposed_by": request.proposed_by,
            "items": sorted(items),
            **({"reason": request.decision_reason} if request.decision_reason else {}),
        },
    )
    session.commit()
    return request


def list_purges(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> list[PurgeRequest]:
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.RETENTION_READ, case=case, client=client)
    return list(
        session.exec(
            select(PurgeRequest)
            .where(PurgeRequest.case_id == case.id)
            .order_by(col(PurgeRequest.proposed_at).desc())
        )
    )


def may_approve(session: Session, principal: Principal, request: PurgeRequest) -> bool:
    """Whether the caller could approve (pages show the button only then)."""
    role = case_role(session, case_id=request.case_id, user_id=principal.user_id)
    return (
        request.state is PurgeState.PROPOSED
        and principal.user_id != request.proposed_by
        and allowed(principal=principal, perm=Perm.PURGE_APPROVE, case_role=role)
    )
