"""Reviewing a draft plan: decisions, reviewer-drawn targets, "redact every occurrence".

Each change writes the plan's next version and its custody event (``save_version``);
only the latest draft, or an approved plan whose rendering failed or was blocked, may
be revised.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

import custody
from evidence.policy import Principal
from redaction.models import Decision, PlanStatus, RedactionPlan, RedactionSource
from redaction.plans import PlanError, add_occurrences, apply_decisions, manual_row
from redaction.service import (
    PlanConflict,
    RedactionPerm,
    authorise,
    latest_version,
    load_plan,
    proposal_dict,
    proposals_of,
    save_version,
)


def _revise(
    *,
    session: Session,
    principal: Principal,
    plan_id: str,
    change: str,
    mutate: Callable[[list[dict[str, Any]], RedactionSource], list[dict[str, Any]]],
    client: str | None,
    mode: str | None = None,
) -> RedactionPlan:
    plan, item, case = load_plan(session, plan_id)
    authorise(
        session,
        principal=principal,
        item=item,
        case=case,
        perm=RedactionPerm.ANALYSE,
        client=client,
    )
    # An approved plan whose rendering failed or was blocked may be revised into a new draft.
    blocked = (plan.status is PlanStatus.APPROVED and not plan.releasable) or (
        plan.status is PlanStatus.FAILED and plan.approved_at is not None
    )
    if plan.status is not PlanStatus.DRAFT and not blocked:
        raise PlanConflict(f"plan version {plan.version} is {plan.status}; edit the latest draft")
    if plan.version != latest_version(session, item.id):
        raise PlanConflict("a newer version of this plan exists; reload it")
    source = session.get(RedactionSource, plan.source_id)
    assert source is not None
    rows = mutate([proposal_dict(p) for p in proposals_of(session, plan.id)], source)
    new = save_version(
        session,
        item=item,
        case=case,
        source=source,
        proposals=rows,
        principal=principal,
        action=custody.Action.REDACTION_PLAN_REVISED,
        change=change,
        previous=plan,
        client=client,
    )
    if mode is not None:
        new.mode = mode
        session.add(new)
        session.commit()
    return new


def decide(
    *,
    session: Session,
    principal: Principal,
    plan_id: str,
    decisions: dict[int, Decision],
    default: Decision | None = None,
    mode: str | None = None,
    client: str | None = None,
) -> RedactionPlan:
    """Accept or reject proposals by number (``default`` applies to all pending others)."""
    if mode is not None and mode not in ("placeholder", "mask"):
        raise PlanError("mode is placeholder or mask")
    counts = Counter(str(d) for d in decisions.values())
    change = "decisions " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    if default is not None:
        change += f"; pending → {default}"
    return _revise(
        session=session,
        principal=principal,
        plan_id=plan_id,
        change=change,
        mutate=lambda rows, _: apply_decisions(rows, decisions=decisions, default=default),
        client=client,
        mode=mode,
    )


def add_manual(
    *,
    session: Session,
    principal: Principal,
    plan_id: str,
    targets: list[dict[str, Any]],
    client: str | None = None,
) -> RedactionPlan:
    """Add reviewer-drawn spans, boxes or time ranges (accepted on creation).

    Each entry: ``{"target": {...}, "entity_type": "PERSON", "reason": optional,
    "note": optional}``.
    """
    if not targets:
        raise PlanError("nothing to add")

    def mutate(rows: list[dict[str, Any]], source: RedactionSource) -> list[dict[str, Any]]:
        for entry in targets:
            rows.append(
                manual_row(
                    number=max((r["number"] for r in rows), default=0) + 1,
                    target=dict(entry.get("target") or {}),
                    entity_type=str(entry.get("entity_type") or "MANUAL"),
                    reason=entry.get("reason") or None,
                    text=source.text,
                    words=source.words,
                    note=entry.get("note"),
                )
            )
        return rows

    return _revise(
        session=session,
        principal=principal,
        plan_id=plan_id,
        change=f"manual: {len(targets)} added",
        mutate=mutate,
        client=client,
    )


def redact_all(
    *,
    session: Session,
    principal: Principal,
    plan_id: str,
    text: str,
    entity_type: str = "MANUAL",
    reason: str | None = None,
    client: str | None = None,
) -> RedactionPlan:
    """Hide every occurrence of ``text`` in the analysed text (new accepted spans)."""
    return _revise(
        session=session,
        principal=principal,
        plan_id=plan_id,
        change=f"redact all occurrences ({len(text)} characters)",
        mutate=lambda rows, source: add_occurrences(
            rows,
            text=source.text,
            words=source.words,
            needle=text,
            entity_type=entity_type,
            reason=reason,
        ),
        client=client,
    )
