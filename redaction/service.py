"""Redaction plans: analyse an item, approve (keyword-only functions); reviewers' edits
of a draft are in ``redaction.revise``.

Every change writes a new plan version and its custody event in one transaction;
access goes through ``evidence.service.access`` so refusals are recorded too.
Who may analyse, review and approve is the policy table's (`redaction.*` rows of
`evidence.policy`). Rendering after approval lives in ``redaction.jobs``; video is analysed and
rendered by jobs (``redaction.stages`` queues them and records their failures).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.models import Blob, Case, Item
from evidence.policy import Perm, Principal
from evidence.service import record_item_event, record_view
from evidence.service.access import load_item, require
from evidence.storage import ObjectStore
from redaction import analysis
from redaction.analysis import in_background
from redaction.errors import RedactionError
from redaction.models import (
    Decision,
    PlanStatus,
    RedactionPlan,
    RedactionProposal,
    RedactionSource,
    SourceKind,
)


class PlanConflict(RedactionError):
    """The plan is not the latest draft, or cannot be approved yet (HTTP 409)."""


class PlanNotFound(RedactionError):
    """No such redaction plan (HTTP 404)."""


def authorise(
    session: Session,
    *,
    principal: Principal,
    item: Item,
    case: Case,
    perm: Perm,
    client: str | None,
) -> None:
    """Content access first, then the redaction permission (both from the policy table;
    refusals recorded)."""
    for needed in (Perm.ITEM_CONTENT, perm):
        require(session, principal=principal, perm=needed, case=case, item=item, client=client)


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
        "explanation": p.explanation,
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
    record_item_event(
        session=session,
        action=action,
        actor=principal.actor(),
        item=item,
        case=case,
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


def analyse_item(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    item_id: str,
    language: str = "auto",
    entities: list[str] | None = None,
    client: str | None = None,
) -> RedactionPlan:
    """Analyse an item and write a new draft plan with every proposal pending.

    Video is not analysed here: the plan is written as ``analysing``, without proposals,
    and committed with its custody event; the caller then queues the ``redact`` job
    (``redaction.stages.submit``) whose ``finish_analysis`` fills it in.
    """
    item, case = load_item(session, item_id)
    authorise(
        session,
        principal=principal,
        item=item,
        case=case,
        perm=Perm.REDACTION_ANALYSE,
        client=client,
    )
    blob = session.get(Blob, item.sha256)
    assert blob is not None
    media_type = analysis.media_type_of(session, item, blob)
    analysis.check_request(media_type=media_type, language=language)
    if analysis.in_background(media_type):
        source = RedactionSource(
            item_id=item.id, kind=SourceKind.MEDIA, language=language,
            media={"media_type": media_type}, created_at=utc_now(),
        )  # fmt: skip
        session.add(source)
        session.flush()
        plan = save_version(
            session, item=item, case=case, source=source, proposals=[], principal=principal,
            action=custody.Action.REDACTION_PLAN_CREATED, change="analysis queued",
            entities=list(entities or []), client=client, status=PlanStatus.ANALYSING,
        )  # fmt: skip
        return plan
    source, rows = analysis.build_source(
        session=session,
        store=store,
        item=item,
        blob=blob,
        language=language,
        actor=principal.actor(),
    )
    rows = analysis.proposals(source=source, rows=rows, entities=entities)
    session.add(source)
    session.flush()
    plan = save_version(
        session, item=item, case=case, source=source, proposals=rows, principal=principal,
        action=custody.Action.REDACTION_PLAN_CREATED, change="analysis",
        entities=list(entities or []), client=client,
    )  # fmt: skip
    from redaction.review_pages import prerender  # it reads plans: imported late

    prerender(session=session, store=store, item=item, source=source, actor=principal.actor())
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


def override_residual(
    *, session: Session, principal: Principal, plan_id: str, reason: str,
    client: str | None = None,
) -> RedactionPlan:  # fmt: skip
    """Release a plan whose residual check blocked it, for a recorded reason.

    The alternative to adding a box: a prosecutor states why what the check still reads
    may go out (an officer's name read back in a stamp, a value the check mistook).
    The reason is a custody event and stays on the plan's report; the caller renders
    again (``redaction.jobs.render_plan``), which now registers the derivative.
    """
    plan, item, case = load_plan(session, plan_id)
    authorise(
        session, principal=principal, item=item, case=case, perm=Perm.REDACTION_APPROVE,
        client=client,
    )  # fmt: skip
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise PlanConflict("an override needs a reason of at least 10 characters")
    report = plan.residual or {}
    if (
        plan.status is not PlanStatus.APPROVED
        or not report
        or report.get("passed")
        or plan.releasable
        or plan.version != latest_version(session, item.id)
    ):
        raise PlanConflict(
            "only the latest approved plan whose residual check blocked it can be overridden"
        )
    if report.get("override"):
        raise PlanConflict("this plan's residual check was already overridden")
    source = session.get(RedactionSource, plan.source_id)
    if source is not None and in_background(str(source.media.get("media_type", ""))):
        # Its render job is done and is not run twice: revise the plan instead.
        raise PlanConflict("a video's block is lifted by revising the plan (add a box)")
    override = {"by": principal.user_id, "at": utc_now().isoformat(), "reason": reason[:1000],
                "blocking": len(report.get("blocking") or [])}  # fmt: skip
    plan.residual = {**report, "override": override}
    session.add(plan)
    record_item_event(
        session=session,
        action=custody.Action.REDACTION_RESIDUAL_OVERRIDDEN,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details={
            "plan_id": plan.id,
            "version": plan.version,
            "reason": override["reason"],
            "blocking": override["blocking"],
            "entity_types": sorted(
                {
                    str(b.get("entity_type"))
                    for b in report.get("blocking") or []
                    if b.get("entity_type")
                }
            ),
        },
    )
    session.commit()
    return plan


def approve(
    *, session: Session, principal: Principal, plan_id: str, client: str | None = None
) -> RedactionPlan:
    """Approve the latest draft (prosecutors only); the approval is a custody event.

    Every proposal must be decided first: approval means someone looked at each one.
    Approving an approved plan whose rendering failed (no residual report) returns it
    unchanged, so the caller can render again. Video plans are rendered by a job: they
    become ``rendering`` (the caller queues the job with ``redaction.stages.submit``);
    approving a ``rendering`` plan returns it unchanged, and approving one whose
    rendering failed makes it ``rendering`` again.
    """
    plan, item, case = load_plan(session, plan_id)
    authorise(
        session,
        principal=principal,
        item=item,
        case=case,
        perm=Perm.REDACTION_APPROVE,
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
        raise PlanConflict(
            "only the latest draft can be approved (this one is %(status)s)", status=plan.status
        )
    rows = proposals_of(session, plan.id)
    pending = [p.number for p in rows if p.decision is Decision.PENDING]
    if pending:
        raise PlanConflict(
            "decide every proposal first; pending: %(numbers)s",
            numbers=", ".join(map(str, pending[:20])),
        )
    from redaction.exemptions import without_basis

    if missing := without_basis(rows):
        raise PlanConflict(
            "give every hidden region a legal basis from the list first; missing: %(numbers)s",
            numbers=", ".join(map(str, missing[:20])),
        )
    plan.status = PlanStatus.RENDERING if slow else PlanStatus.APPROVED
    plan.approved_by = principal.user_id
    plan.approved_at = utc_now()
    session.add(plan)
    accepted = [p for p in rows if p.decision is Decision.ACCEPTED]
    record_item_event(
        session=session,
        action=custody.Action.REDACTION_PLAN_APPROVED,
        actor=principal.actor(),
        item=item,
        case=case,
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
