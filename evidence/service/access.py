"""Access checks that leave a trace: every refusal is recorded in custody."""

from __future__ import annotations

from sqlmodel import Session, select

import custody
from evidence import hooks
from evidence.errors import AccessDenied, NotFound
from evidence.models import Case, CaseMember, Item, Role
from evidence.policy import Perm, Principal, allowed


def case_role(session: Session, *, case_id: str, user_id: str) -> Role | None:
    """The user's role in the case, or None when they are not a member."""
    role = session.exec(
        select(CaseMember.role).where(CaseMember.case_id == case_id, CaseMember.user_id == user_id)
    ).first()
    return Role(role) if role is not None else None


def deny(
    session: Session,
    *,
    principal: Principal,
    perm: Perm,
    client: str | None,
    case_id: str | None = None,
    item_id: str | None = None,
) -> AccessDenied:
    """Record the refusal in its own transaction (the request's work is abandoned)."""
    record_denial(
        session, principal=principal, perm=perm, client=client, case_id=case_id, item_id=item_id
    )
    return AccessDenied(
        "%(username)s may not %(permission)s here", username=principal.username, permission=perm
    )


def record_denial(
    session: Session,
    *,
    principal: Principal,
    perm: Perm,
    client: str | None,
    case_id: str | None = None,
    item_id: str | None = None,
    details: dict[str, object] | None = None,
) -> None:
    """Record a refusal and commit it, abandoning the request's work; for refusals that
    answer "not found" (the existence of someone else's disclosure stays hidden), the
    caller raises its own error after this."""
    session.rollback()
    custody.record(
        session=session,
        action=custody.Action.ACCESS_DENIED,
        actor=principal.actor(),
        case_id=case_id,
        item_id=item_id,
        client=client,
        details={"permission": str(perm), **(details or {})},
    )
    session.commit()


def require(
    session: Session,
    *,
    principal: Principal,
    perm: Perm,
    client: str | None,
    case: Case | None = None,
    item: Item | None = None,
    disclosed: bool | None = None,
) -> None:
    """Raise (after recording the denial) unless the policy allows `perm`.

    `disclosed` (for permissions on a disclosure rather than an item) says the
    disclosure in question is the caller's own; by default it is looked up for `item`.
    """
    if not permits(
        session, principal=principal, perm=perm, case=case, item=item, disclosed=disclosed
    ):
        raise deny(
            session,
            principal=principal,
            perm=perm,
            client=client,
            case_id=case.id if case else None,
            item_id=item.id if item else None,
        )


def permits(
    session: Session,
    *,
    principal: Principal,
    perm: Perm,
    case: Case | None = None,
    item: Item | None = None,
    disclosed: bool | None = None,
) -> bool:
    """The policy's answer for this caller, case and item (nothing is recorded)."""
    role = case_role(session, case_id=case.id, user_id=principal.user_id) if case else None
    own = item is not None and item.uploaded_by == principal.user_id
    if disclosed is None:
        disclosed = (
            principal.role is Role.DEFENCE
            and item is not None
            and hooks.is_disclosed(session, principal.user_id, item.id)
        )
    return allowed(
        principal=principal, perm=perm, case_role=role, own_item=own, disclosed=disclosed
    )


def require_case(
    session: Session,
    *,
    principal: Principal,
    perm: Perm,
    case_id: str,
    client: str | None,
    disclosed: bool | None = None,
) -> Case:
    """The case, if the policy allows `perm` in it; else a recorded denial."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=perm, client=client, case=case, disclosed=disclosed)
    return case


def load_case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("no such case")
    return case


def load_item(session: Session, item_id: str) -> tuple[Item, Case]:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound("no such item")
    return item, load_case(session, item.case_id)
