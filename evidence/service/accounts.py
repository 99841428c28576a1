"""Account administration beyond creating users (`users`): disabling and enabling an
account, changing its role, the sign-in failures an administrator watches, and the
people a case's manager may add as members. Every change is a custody event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence.errors import AccessDenied, Conflict, InvalidInput, NotFound
from evidence.models import CaseMember, Role, User
from evidence.policy import MEMBER_ROLES, Perm, Principal
from evidence.service.access import load_case, require
from evidence.service.apikeys import revoke_user_keys
from evidence.service.users import revoke_tokens


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("no user %(username)s", username=username)
    return user


def _not_self(principal: Principal, user: User) -> None:
    if principal.user_id == user.id:
        raise AccessDenied("another administrator must change your own account")


def set_disabled(
    *,
    session: Session,
    principal: Principal,
    username: str,
    disabled: bool,
    client: str | None = None,
) -> User:
    """Disable an account (its sessions end and its device keys are revoked) or enable
    it again (administrators; never their own)."""
    require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    user = _user(session, username)
    _not_self(principal, user)
    if disabled == (user.disabled_at is not None):
        return user  # already so: nothing to record
    details: dict[str, object] = {"user": user.id, "username": username}
    if disabled:
        user.disabled_at = utc_now()
        details |= {
            "tokens": revoke_tokens(session, user_id=user.id),
            "keys": revoke_user_keys(session, user_id=user.id),
        }
    else:
        user.disabled_at = None
    session.add(user)
    custody.record(
        session=session,
        action=custody.Action.USER_DISABLED if disabled else custody.Action.USER_ENABLED,
        actor=principal.actor(),
        client=client,
        details=details,
    )
    session.commit()
    return user


def set_role(
    *,
    session: Session,
    principal: Principal,
    username: str,
    role: Role | str,
    client: str | None = None,
) -> User:
    """Change an account's role (administrators; never their own). A member of a case
    keeps the role it has there, so a member must leave their cases first."""
    require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    role = check_role(str(role))
    user = _user(session, username)
    _not_self(principal, user)
    if user.role is role:
        return user
    member = session.exec(select(CaseMember.id).where(CaseMember.user_id == user.id)).first()
    if member is not None:
        raise Conflict(
            "%(username)s is a member of a case: remove them from their cases before "
            "changing the role",
            username=username,
        )
    before = user.role
    user.role = role
    session.add(user)
    tokens = revoke_tokens(session, user_id=user.id)  # sessions carry the old role
    custody.record(
        session=session,
        action=custody.Action.USER_ROLE_CHANGED,
        actor=principal.actor(),
        client=client,
        details={
            "user": user.id, "username": username, "from": str(before), "to": str(role),
            "tokens": tokens,
        },
    )  # fmt: skip
    session.commit()
    return user


@dataclass(frozen=True)
class Failures:
    """An account's sign-in failures as the administrator's page shows them."""

    username: str
    failed: int
    locked_until: datetime | None
    locks: int


def sign_in_failures(
    *, session: Session, principal: Principal, client: str | None = None
) -> list[Failures]:
    """Accounts with failed sign-ins since their last success, or locked, worst first."""
    require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    rows = session.exec(
        select(User).where((col(User.failed_logins) > 0) | col(User.locked_until).is_not(None))
    ).all()
    now = utc_now()
    out = [
        Failures(
            u.username,
            u.failed_logins,
            u.locked_until if u.locked_until and u.locked_until > now else None,
            u.lock_count,
        )
        for u in rows
    ]
    return sorted(out, key=lambda f: (f.locked_until is None, -f.failed, f.username))


def member_candidates(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> list[User]:
    """The people a case's manager may add: active accounts of roles that can be members,
    not yet in the case."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_MANAGE, case=case, client=client)
    members = select(CaseMember.user_id).where(CaseMember.case_id == case.id)
    query = (
        select(User)
        .where(col(User.role).in_(sorted(MEMBER_ROLES)))
        .where(col(User.disabled_at).is_(None))
        .where(col(User.id).not_in(members))
        .order_by(col(User.role), col(User.username))
    )
    return list(session.exec(query).all())


def check_role(value: str) -> Role:
    """A role named in a form, or a clear refusal."""
    try:
        return Role(value)
    except ValueError as exc:
        raise InvalidInput("no such role: %(role)s", role=value) from exc
