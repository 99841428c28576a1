"""Cases (by ЕРДР number) and their members."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.errors import Conflict, InvalidInput, NotFound
from evidence.models import Case, CaseMember, Role, User
from evidence.policy import MEMBER_ROLES, Perm, Principal
from evidence.service.access import load_case, require
from evidence.validation import check_case_number


def create_case(
    *, session: Session, principal: Principal, number: str, title: str, client: str | None = None
) -> Case:
    """Open a case; its creator becomes its first member."""
    require(session, principal=principal, perm=Perm.CASE_CREATE, client=client)
    number = check_case_number(number)
    title = title.strip()
    if not title or len(title) > 300:
        raise InvalidInput("a case title is 1–300 characters")
    if session.exec(select(Case).where(Case.number == number)).first():
        raise Conflict("case %(number)s already exists", number=number)
    now = utc_now()
    case = Case(number=number, title=title, created_by=principal.user_id, created_at=now)
    session.add(case)
    session.flush()
    session.add(
        CaseMember(
            case_id=case.id,
            user_id=principal.user_id,
            role=principal.role,
            added_by=principal.user_id,
            added_at=now,
        )
    )
    custody.record(
        session=session,
        action=custody.Action.CASE_CREATED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=number,
        client=client,
        details={"title": title},
    )
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent request took the number first
        session.rollback()
        raise Conflict("case %(number)s already exists", number=number) from exc
    return case


def get_case(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> Case:
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_READ, case=case, client=client)
    return case


def find_case(
    *, session: Session, principal: Principal, number: str, client: str | None = None
) -> Case:
    """Look a case up by its ЕРДР number (members only)."""
    case = session.exec(select(Case).where(Case.number == check_case_number(number))).first()
    if case is None:
        raise NotFound("no case %(number)s", number=number)
    require(session, principal=principal, perm=Perm.CASE_READ, case=case, client=client)
    return case


def list_cases(*, session: Session, principal: Principal) -> list[Case]:
    """Only the cases the caller is a member of: need-to-know."""
    query = (
        select(Case)
        .join(CaseMember, CaseMember.case_id == Case.id)  # type: ignore[arg-type]
        .where(CaseMember.user_id == principal.user_id)
        .order_by(Case.created_at.desc())  # type: ignore[attr-defined]
    )
    return list(session.exec(query))


def list_members(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> list[tuple[CaseMember, User]]:
    case = get_case(session=session, principal=principal, case_id=case_id, client=client)
    query = (
        select(CaseMember, User)
        .join(User, User.id == CaseMember.user_id)  # type: ignore[arg-type]
        .where(CaseMember.case_id == case.id)
        .order_by(User.username)
    )
    return list(session.exec(query).all())


def add_member(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    username: str,
    role: Role | None = None,
    client: str | None = None,
) -> CaseMember:
    """Give a colleague access to a case (prosecutors and investigators of the case)."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_MANAGE, case=case, client=client)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("no user %(username)s", username=username)
    role = role or user.role
    if user.role not in MEMBER_ROLES or role not in MEMBER_ROLES:
        raise InvalidInput("the role %(role)s cannot be a case member", role=Role(user.role))
    if role is not user.role:
        raise InvalidInput("a member's role in the case must match their account role")
    existing = session.exec(
        select(CaseMember).where(CaseMember.case_id == case.id, CaseMember.user_id == user.id)
    ).first()
    if existing:
        raise Conflict("%(username)s is already a member", username=username)
    member = CaseMember(
        case_id=case.id, user_id=user.id, role=role, added_by=principal.user_id, added_at=utc_now()
    )
    session.add(member)
    custody.record(
        session=session,
        action=custody.Action.CASE_MEMBER_ADDED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"user": user.id, "username": username, "role": str(role)},
    )
    session.commit()
    return member


def remove_member(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    username: str,
    client: str | None = None,
) -> None:
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_MANAGE, case=case, client=client)
    row = session.exec(
        select(CaseMember)
        .join(User, User.id == CaseMember.user_id)  # type: ignore[arg-type]
        .where(CaseMember.case_id == case.id, User.username == username)
    ).first()
    if row is None:
        raise NotFound("%(username)s is not a member", username=username)
    session.delete(row)
    custody.record(
        session=session,
        action=custody.Action.CASE_MEMBER_REMOVED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"user": row.user_id, "username": username},
    )
    session.commit()
