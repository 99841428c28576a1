"""The one access policy, as a table: every role × permission × membership × disclosure."""

from __future__ import annotations

import itertools

import pytest

from evidence.models import Role
from evidence.policy import Perm, Principal, allowed

R, P = Role, Perm
# (role, perm) pairs a member of the case in that same role may do.
MEMBER_MAY = {
    (R.OFFICER, P.CASE_READ), (R.OFFICER, P.ITEM_UPLOAD),
    (R.INVESTIGATOR, P.CASE_READ), (R.INVESTIGATOR, P.CASE_MANAGE),
    (R.INVESTIGATOR, P.ITEM_UPLOAD), (R.INVESTIGATOR, P.ITEM_READ),
    (R.INVESTIGATOR, P.ITEM_CONTENT), (R.INVESTIGATOR, P.ITEM_CUSTODY),
    (R.PROSECUTOR, P.CASE_READ), (R.PROSECUTOR, P.CASE_MANAGE), (R.PROSECUTOR, P.ITEM_UPLOAD),
    (R.PROSECUTOR, P.ITEM_READ), (R.PROSECUTOR, P.ITEM_CONTENT), (R.PROSECUTOR, P.ITEM_CUSTODY),
    (R.COURT, P.CASE_READ), (R.COURT, P.ITEM_READ), (R.COURT, P.ITEM_CONTENT),
    (R.COURT, P.ITEM_CUSTODY),
    (R.AUDITOR, P.CASE_READ), (R.AUDITOR, P.ITEM_READ), (R.AUDITOR, P.ITEM_CUSTODY),
}  # fmt: skip
CASE_PERMS = [p for p in Perm if p not in {P.USER_MANAGE, P.CASE_CREATE}]


def who(role: Role) -> Principal:
    return Principal(user_id="u", username="u", role=role)


@pytest.mark.parametrize(("role", "perm"), list(itertools.product(Role, CASE_PERMS)))
def test_members_and_outsiders(role: Role, perm: Perm) -> None:
    member = allowed(principal=who(role), perm=perm, case_role=role)
    assert member == ((role, perm) in MEMBER_MAY)
    assert not allowed(principal=who(role), perm=perm, case_role=None)


@pytest.mark.parametrize("perm", CASE_PERMS)
def test_officers_own_items(perm: Perm) -> None:
    own = allowed(principal=who(R.OFFICER), perm=perm, case_role=R.OFFICER, own_item=True)
    assert own == (
        perm in {P.CASE_READ, P.ITEM_UPLOAD, P.ITEM_READ, P.ITEM_CONTENT, P.ITEM_CUSTODY}
    )


@pytest.mark.parametrize("perm", list(Perm))
def test_defence_sees_only_what_was_disclosed(perm: Perm) -> None:
    defence = who(R.DEFENCE)
    assert not allowed(principal=defence, perm=perm, case_role=R.PROSECUTOR)
    assert allowed(principal=defence, perm=perm, disclosed=True) == (
        perm in {P.ITEM_READ, P.ITEM_CONTENT}
    )


@pytest.mark.parametrize("role", list(Role))
def test_disclosure_grants_nothing_to_other_roles(role: Role) -> None:
    if role is R.DEFENCE:
        return
    assert not allowed(principal=who(role), perm=P.ITEM_CONTENT, disclosed=True)


def test_admin_manages_users_and_reads_no_evidence() -> None:
    admin = who(R.ADMIN)
    assert allowed(principal=admin, perm=P.USER_MANAGE)
    assert not any(allowed(principal=admin, perm=p, case_role=R.PROSECUTOR) for p in CASE_PERMS)
    assert not any(allowed(principal=who(r), perm=P.USER_MANAGE) for r in Role if r is not R.ADMIN)
    creators = {r for r in Role if allowed(principal=who(r), perm=P.CASE_CREATE)}
    assert creators == {R.PROSECUTOR, R.INVESTIGATOR}
