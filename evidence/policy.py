"""Need-to-know access: one policy function, used by the API, the web pages and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from custody import Actor
from evidence.models import Role


class Perm(StrEnum):
    USER_MANAGE = "user.manage"
    CASE_CREATE = "case.create"
    CASE_READ = "case.read"
    CASE_MANAGE = "case.manage"
    ITEM_UPLOAD = "item.upload"
    ITEM_READ = "item.read"
    ITEM_CONTENT = "item.content"
    ITEM_CUSTODY = "item.custody"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a person, or a device acting for an officer."""

    user_id: str
    username: str
    role: Role
    device: str | None = None
    token_id: str | None = None

    def actor(self) -> Actor:
        return Actor(id=self.user_id, name=self.username, role=str(self.role), device=self.device)


# Case roles that may do each thing inside a case they belong to.
_IN_CASE: dict[Perm, frozenset[Role]] = {
    Perm.CASE_READ: frozenset(
        {Role.OFFICER, Role.INVESTIGATOR, Role.PROSECUTOR, Role.COURT, Role.AUDITOR}
    ),
    Perm.CASE_MANAGE: frozenset({Role.INVESTIGATOR, Role.PROSECUTOR}),
    Perm.ITEM_UPLOAD: frozenset({Role.OFFICER, Role.INVESTIGATOR, Role.PROSECUTOR}),
    Perm.ITEM_READ: frozenset({Role.INVESTIGATOR, Role.PROSECUTOR, Role.COURT, Role.AUDITOR}),
    Perm.ITEM_CONTENT: frozenset({Role.INVESTIGATOR, Role.PROSECUTOR, Role.COURT}),
    Perm.ITEM_CUSTODY: frozenset({Role.INVESTIGATOR, Role.PROSECUTOR, Role.COURT, Role.AUDITOR}),
}
# What an officer may do with items they uploaded themselves.
_OWN_ITEM = frozenset({Perm.ITEM_READ, Perm.ITEM_CONTENT, Perm.ITEM_CUSTODY})
# What a defence lawyer may do with an item a prosecutor disclosed to them.
_DISCLOSED = frozenset({Perm.ITEM_READ, Perm.ITEM_CONTENT})
# Roles that may join a case as members (an administrator never reads evidence).
MEMBER_ROLES = frozenset(Role) - {Role.ADMIN, Role.DEFENCE}


def allowed(
    *,
    principal: Principal,
    perm: Perm,
    case_role: Role | None = None,
    own_item: bool = False,
    disclosed: bool = False,
) -> bool:
    """Decide one access: role × case membership × disclosure.

    `case_role` is the caller's role in the case (None when not a member); `own_item`
    says the caller uploaded the item in question; `disclosed` that a prosecutor has
    disclosed the item to the caller (only ever true for defence lawyers).
    """
    if principal.role is Role.ADMIN:
        return perm is Perm.USER_MANAGE
    if perm is Perm.USER_MANAGE:
        return False
    if perm is Perm.CASE_CREATE:
        return principal.role in {Role.PROSECUTOR, Role.INVESTIGATOR}
    if principal.role is Role.DEFENCE:
        return disclosed and perm in _DISCLOSED
    if case_role is None:
        return False
    if case_role in _IN_CASE[perm]:
        return True
    return case_role is Role.OFFICER and own_item and perm in _OWN_ITEM
