"""Cases (by ЕРДР number) and their members."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.errors import Conflict, InvalidInput, NotFound
from evidence.models import Case, CaseMember, Role, User
from evidence.policy import MEMBER_ROLES, Perm, Principal
from evidence.service.access import case_role, deny, load_case, require
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
    if row.role is Role.PROSECUTOR:
        # The prosecution's access to its own case is the prosecution's to give away.
        if case_role(session, case_id=case.id, user_id=principal.user_id) is not Role.PROSECUTOR:
            raise deny(
                session, principal=principal, perm=Perm.CASE_TRANSFER, client=client,
                case_id=case.id,
            )  # fmt: skip
        if _prosecutors(session, case.id) <= 1:
            raise Conflict(
                "a case keeps at least one prosecutor: add the next one before removing "
                "%(username)s (or ask an administrator to transfer the case)",
                username=username,
            )
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


def _prosecutors(session: Session, case_id: str) -> int:
    rows = session.exec(
        select(CaseMember.id).where(
            CaseMember.case_id == case_id, CaseMember.role == Role.PROSECUTOR
        )
    ).all()
    return len(rows)


def transfer_case(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    username: str,
    reason: str,
    replaces: str | None = None,
    client: str | None = None,
) -> CaseMember:
    """An administrator's approved transfer: make `username` (a prosecutor account) a
    prosecutor of the case and, with `replaces`, remove that prosecutor from it — the
    only way the last prosecutor leaves a case. The reason is recorded."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_TRANSFER, case=case, client=client)
    clean = " ".join(reason.split())
    if not clean:
        raise InvalidInput("give the reason for the transfer")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("no user %(username)s", username=username)
    if user.role is not Role.PROSECUTOR:
        raise InvalidInput("a case can only be transferred to a prosecutor")
    member = session.exec(
        select(CaseMember).where(CaseMember.case_id == case.id, CaseMember.user_id == user.id)
    ).first()
    now = utc_now()
    if member is None:
        member = CaseMember(
            case_id=case.id, user_id=user.id, role=Role.PROSECUTOR,
            added_by=principal.user_id, added_at=now,
        )  # fmt: skip
        session.add(member)
        custody.record(
            session=session, action=custody.Action.CASE_MEMBER_ADDED, actor=principal.actor(),
            case_id=case.id, case_number=case.number, client=client,
            details={"user": user.id, "username": username, "role": "prosecutor",
                     "transfer": clean},
        )  # fmt: skip
    if replaces and replaces != username:
        old = session.exec(
            select(CaseMember)
            .join(User, User.id == CaseMember.user_id)  # type: ignore[arg-type]
            .where(CaseMember.case_id == case.id, User.username == replaces)
        ).first()
        if old is None:
            raise NotFound("%(username)s is not a member", username=replaces)
        session.delete(old)
        custody.record(
            session=session, action=custody.Action.CASE_MEMBER_REMOVED, actor=principal.actor(),
            case_id=case.id, case_number=case.number, client=client,
            details={"user": old.user_id, "username": replaces, "transfer": clean},
        )  # fmt: skip
    session.commit()
    return member


CASE_STATUSES = ("open", "closed", "archived")


def update_case(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    title: str | None = None,
    status: str | None = None,
    client: str | None = None,
) -> Case:
    """Change a case's title or status (its prosecutors and investigators); the change
    is a custody event of the case naming what it was before."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_MANAGE, case=case, client=client)
    changes: dict[str, object] = {}
    if title is not None:
        clean = " ".join(title.split())
        if not clean or len(clean) > 300:
            raise InvalidInput("a case title is 1–300 characters")
        if clean != case.title:
            changes["title"] = {"from": case.title, "to": clean}
            case.title = clean
    if status is not None and status != case.status:
        if status not in CASE_STATUSES:
            raise InvalidInput("a case status is open, closed or archived")
        changes["status"] = {"from": case.status, "to": status}
        case.status = status
    if not changes:
        return case
    session.add(case)
    custody.record(
        session=session,
        action=custody.Action.CASE_UPDATED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details=changes,
    )
    session.commit()
    return case
