"""Redaction plans: analyse an item, approve (keyword-only functions); reviewers' edits
of a draft are in ``redaction.revise``.

Every change writes a new plan version and its custody event in one transaction;
access goes through ``evidence.service.access`` so refusals are recorded too.
Prosecutors and investigators of the case may analyse and edit; only prosecutors
approve. Rendering after approval lives in ``redaction.jobs`` (video: in a ``render``
job, see ``redaction.background``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.models import Case, Item, Role
from evidence.policy import Perm, Principal
from evidence.service import record_view
from evidence.service.access import case_role, deny, load_item, require
from redaction.analysis import in_background
from redaction.errors import RedactionError
from redaction.models import (
    Decision,
    PlanStatus,
    RedactionPlan,
    RedactionProposal,
    RedactionSource,
)


class PlanConflict(RedactionError):
    """The plan is not the latest draft, or cannot be approved yet (HTTP 409)."""


class PlanNotFound(RedactionError):
    """No such redaction plan (HTTP 404)."""


class RedactionPerm(StrEnum):
    ANALYSE = "redaction.analyse"
    APPROVE = "redaction.approve"


ANALYSE_ROLES = frozenset({Role.PROSECUTOR, Role.INVESTIGATOR})
APPROVE_ROLES = frozenset({Role.PROSECUTOR})


def authorise(
    session: Session,
    *,
    principal: Principal,
    item: Item,
    case: Case,
    perm: RedactionPerm,
    client: str | None,
) -> None:
    """Content access first (the policy function), then the case role for redaction."""
    require(
        session, principal=principal, perm=Perm.ITEM_CONTENT, case=case, item=item, client=client
    )
    roles = APPROVE_ROLES if perm is RedactionPerm.APPROVE else ANALYSE_ROLES
    if case_role(session, case_id=case.id, user_id=principal.user_id) not in roles:
        raise deny(
            session,
            principal=principal,
            perm=perm,  # type: ignore[arg-type]  # recorded as its string
            client=client,
            case_id=case.id,
            item_id=item.id,
        )


def proposal_dict(p: RedactionProposal) -> dict[str, Any]:
    """Plain copy of a proposal (for new versions and API answers)."""
    return {
        "number": p.number,
        "entity_type": p.entity_type,
        "score": p.score,
        "source": str(p.source),
        "reason": p.reason,
        "decision": str(p.decision),
        "text": p.text,
        "target": p.target,
        "regions": p.regions,
        "note": p.note,
    }


def load_plan(session: Session, plan_id: str) -> tuple[RedactionPlan, Item, Case]:
    plan = session.get(RedactionPlan, plan_id)
    if plan is None:
        raise PlanNotFound("no such redaction plan")
    item, case = load_item(session, plan.item_id)
    return plan, item, case


def proposals_of(session: Session, plan_id: str) -> list[RedactionProposal]:
    query = select(RedactionProposal).where(RedactionProposal.plan_id == plan_id)
    return list(session.exec(query.order_by(RedactionProposal.number)))  # type: ignore[arg-type]


def latest_version(session: Session, item_id: str) -> int:
    query = select(func.max(RedactionPlan.version)).where(RedactionPlan.item_id == item_id)
    return int(session.exec(query).one() or 0)


def save_version(
    session: Session,
    *,
    item: Item,
    case: Case,
    source: RedactionSource,
    proposals: Iterable[dict[str, Any]],
    principal: Principal,
    action: custody.Action,
    change: str,
    previous: RedactionPlan | None = None,
    entities: list[str] | None = None,
    client: str | None = None,
    status: PlanStatus = PlanStatus.DRAFT,
) -> RedactionPlan:
    """Write a new plan version (superseding the current draft) and its custody event."""
    for draft in session.exec(
        select(RedactionPlan).where(
            RedactionPlan.item_id == item.id, RedactionPlan.status == PlanStatus.DRAFT
        )
    ):
        draft.status = PlanStatus.SUPERSEDED
        session.add(draft)
    plan = RedactionPlan(
        item_id=item.id,
        case_id=case.id,
        source_id=source.id,
        version=latest_version(session, item.id) + 1,
        status=status,
        mode=previous.mode if previous else "placeholder",
        audio=previous.audio if previous else "bleep",
        entities=entities if entities is not None else (previous.entities if previous else []),
        created_by=principal.user_id,
        created_at=utc_now(),
        change=change[:500],
    )
    session.add(plan)
    try:
        session.flush()
    except IntegrityError as exc:
        # Two reviewers saved a version of the same plan at once; the other one won.
        session.rollback()
        raise PlanConflict("another change to this plan was saved first; reload it") from exc
    rows = list(proposals)
    for row in rows:
        session.add(RedactionProposal(plan_id=plan.id, **row))
    decided = Counter(str(r["decision"]) for r in rows)
    custody.record(
        session=session,
        action=action,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        item_id=item.id,
        sha256=item.sha256,
        client=client,
        details={
            "plan_id": plan.id,
            "version": plan.version,
            "previous": previous.id if previous else None,
            "change": plan.change,
            "proposals": len(rows),
            "decisions": dict(sorted(decided.items())),
            **({"status": str(status)} if status is not PlanStatus.DRAFT else {}),
        },
    )
    session.commit()
    return plan


def get_plan(
    *, session: Session, principal: Principal, plan_id: str, client: str | None = None
) -> tuple[RedactionPlan, list[RedactionProposal], RedactionSource]:
    """A plan version with its proposals and source.

    Proposals quote the personal data they found, so reading a plan is a read of the
    item's content: authorised and recorded like a transcript view.
    """
    plan, _, _ = load_plan(session, plan_id)
    record_view(
        session=session, principal=principal, item_id=plan.item_id,
        view=f"redaction.plan:{plan.id}", client=client,
    )  # fmt: skip
    source = session.get(RedactionSource, plan.source_id)
    assert source is not None
    return plan, proposals_of(session, plan.id), source


def list_plans(
    *, session: Session, principal: Principal, item_id: str, client: str | None = None
) -> list[RedactionPlan]:
    """Every plan version of an item, newest first."""
    item, case = load_item(session, item_id)
    require(session, principal=principal, perm=Perm.ITEM_READ, case=case, item=item, client=client)
    query = select(RedactionPlan).where(RedactionPlan.item_id == item.id)
    return list(session.exec(query.order_by(RedactionPlan.version.desc())))  # type: ignore[attr-defined]


def approve(
    *, session: Session, principal: Principal, plan_id: str, client: str | None = None
) -> RedactionPlan:
    """Approve the latest draft (prosecutors only); the approval is a custody event.

    Every proposal must be decided first: approval means someone looked at each one.
    Approving an approved plan whose rendering failed (no residual report) returns it
    unchanged, so the caller can render again. Video plans are rendered by a job: they
    become ``rendering`` (the caller queues the job with ``redaction.background.submit``);
    approving a ``rendering`` plan returns it unchanged, and approving one whose
    rendering failed makes it ``rendering`` again.
    """
    plan, item, case = load_plan(session, plan_id)
    authorise(
        session,
        principal=principal,
        item=item,
        case=case,
        perm=RedactionPerm.APPROVE,
        client=client,
    )
    source = session.get(RedactionSource, plan.source_id)
    slow = source is not None and in_background(str(source.media.get("media_type", "")))
    latest = plan.version == latest_version(session, item.id)
    rendered_later = plan.status is PlanStatus.FAILED and plan.approved_at is not None and latest
    if plan.status is PlanStatus.APPROVED and plan.residual is None and slow:
        rendered_later = True  # approved before rendering moved to a job
    if rendered_later:  # approved, but its rendering failed: approving again retries it
        plan.status, plan.error = PlanStatus.RENDERING, None
        session.add(plan)
        session.commit()
        return plan
    if plan.status is PlanStatus.APPROVED and plan.residual is None:
        return plan  # approved, but its rendering failed: approving again retries it
    if plan.status is PlanStatus.RENDERING:
        return plan
    if plan.status is not PlanStatus.DRAFT or not latest:
        raise PlanConflict(f"only the latest draft can be approved (this one is {plan.status})")
    rows = proposals_of(session, plan.id)
    pending = [p.number for p in rows if p.decision is Decision.PENDING]
    if pending:
        raise PlanConflict(f"decide every proposal first; pending: {pending[:20]}")
    plan.status = PlanStatus.RENDERING if slow else PlanStatus.APPROVED
    plan.approved_by = principal.user_id
    plan.approved_at = utc_now()
    session.add(plan)
    accepted = [p for p in rows if p.decision is Decision.ACCEPTED]
    custody.record(
        session=session,
        action=custody.Action.REDACTION_PLAN_APPROVED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        item_id=item.id,
        sha256=item.sha256,
        client=client,
        details={
            "plan_id": plan.id,
            "version": plan.version,
            "accepted": len(accepted),
            "rejected": len(rows) - len(accepted),
            "reasons": sorted({p.reason for p in accepted}),
            "entity_types": sorted({p.entity_type for p in accepted}),
        },
    )
    session.commit()
    return plan
