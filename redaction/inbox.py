"""Redactions waiting for me: the draft plans of the cases where the caller may review
redactions (the navigation's count and the `/redactions` page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from evidence.deps import SessionDep
from evidence.models import Case, CaseMember, Item, Role
from evidence.policy import Perm, Principal, allowed
from evidence.web import core
from evidence.web.core import Me, WebRoute
from redaction.models import PlanStatus, RedactionPlan

router = APIRouter(include_in_schema=False, route_class=WebRoute)
_env = core.package_templates("redaction")


def _reviewing_roles(principal: Principal) -> list[Role]:
    perm = Perm.REDACTION_REVIEW
    return [r for r in Role if allowed(principal=principal, perm=perm, case_role=r)]


def _waiting(principal: Principal):  # type: ignore[no-untyped-def]
    return (
        col(RedactionPlan.status) == PlanStatus.DRAFT,
        CaseMember.case_id == RedactionPlan.case_id,
        CaseMember.user_id == principal.user_id,
        col(CaseMember.role).in_(_reviewing_roles(principal)),
    )


def waiting_count(session: Session, principal: Principal) -> int:
    """How many draft plans wait in the caller's cases (the navigation's badge)."""
    if not _reviewing_roles(principal):
        return 0
    query = select(func.count()).select_from(RedactionPlan, CaseMember).where(*_waiting(principal))
    return int(session.exec(query).one())


@dataclass(frozen=True)
class Waiting:
    plan_id: str
    version: int
    item_id: str
    item_name: str
    case_id: str
    case_number: str
    created_at: datetime


def waiting(session: Session, principal: Principal, limit: int = 500) -> list[Waiting]:
    """The draft plans of the caller's cases, oldest first."""
    if not _reviewing_roles(principal):
        return []
    query = (
        select(RedactionPlan, Item.original_name, Case.number)
        .select_from(RedactionPlan, CaseMember)
        .join(Item, col(Item.id) == RedactionPlan.item_id)
        .join(Case, col(Case.id) == RedactionPlan.case_id)
        .where(*_waiting(principal))
        .order_by(col(RedactionPlan.created_at))
        .limit(limit)
    )
    return [
        Waiting(p.id, p.version, p.item_id, name, p.case_id, number, p.created_at)
        for p, name, number in session.exec(query).all()
    ]


@router.get("/redactions")
def inbox(request: Request, me: Me, session: SessionDep) -> Response:
    """Redactions waiting for my review, across my cases."""
    rows = waiting(session, me)
    session.commit()
    return core.page(request, "redaction_inbox.html", me, rows=rows, env=_env)
