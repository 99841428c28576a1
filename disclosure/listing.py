"""What the navigation leads to on the disclosure side: the list of disclosures (the
defence's own; the prosecution's and auditors' across their cases), named by case number,
prosecutor and recipient instead of an id; the court export of each case the caller may
export; and the count of unread notifications."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from disclosure import portal
from disclosure.models import Disclosure, Notification
from disclosure.schemas import DisclosurePublic
from evidence.models import Case, CaseMember, Role, User
from evidence.policy import Perm, Principal, allowed


def unread_count(session: Session, principal: Principal) -> int:
    """The caller's unread notifications (the navigation's badge)."""
    query = select(func.count()).where(
        Notification.user_id == principal.user_id, col(Notification.read_at).is_(None)
    )
    return int(session.exec(query).one())


@dataclass(frozen=True)
class Listed:
    disclosure: DisclosurePublic
    case_number: str
    prosecutor: str


def _cases_where(session: Session, principal: Principal, perm: Perm) -> list[Case]:
    """The caller's cases in which their membership holds `perm` (the one policy)."""
    rows = session.exec(
        select(Case, CaseMember.role)
        .join(CaseMember, col(CaseMember.case_id) == Case.id)
        .where(CaseMember.user_id == principal.user_id)
        .order_by(col(Case.created_at).desc())
    ).all()
    return [c for c, role in rows if allowed(principal=principal, perm=perm, case_role=Role(role))]


def listed(session: Session, principal: Principal) -> list[Listed]:
    """The disclosures the caller sees in the portal's list, newest first."""
    if principal.role is Role.DEFENCE:
        shown = portal.list_mine(session=session, principal=principal)
    else:
        cases = _cases_where(session, principal, Perm.DISCLOSURE_READ)
        ids = [c.id for c in cases]
        rows = session.exec(
            select(Disclosure)
            .where(col(Disclosure.case_id).in_(ids))
            .order_by(col(Disclosure.created_at).desc())
        ).all()
        shown = [portal.public(session, d, for_defence=False) for d in rows]
    if not shown:
        return []
    found = session.exec(
        select(Disclosure.id, Case.number, User.username)
        .join(Case, col(Case.id) == Disclosure.case_id)
        .join(User, col(User.id) == Disclosure.created_by)
        .where(col(Disclosure.id).in_([d.id for d in shown]))
    ).all()
    names = {i: (number, who) for i, number, who in found}
    return [Listed(d, *names.get(d.id, ("", ""))) for d in shown]


def exportable_cases(session: Session, principal: Principal) -> list[Case]:
    """The cases whose court export the caller may make."""
    return _cases_where(session, principal, Perm.COURT_EXPORT)
