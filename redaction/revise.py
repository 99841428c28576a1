"""Reviewing a draft plan: decisions, reviewer-drawn targets, "redact every occurrence".

Each change writes the plan's next version and its custody event (``save_version``);
only the latest draft, or an approved plan whose rendering failed or was blocked, may
be revised.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

import custody
from evidence import hooks
from evidence.policy import Perm, Principal
from redaction.models import Decision, PlanStatus, RedactionPlan, RedactionSource
from redaction.plans import (
    PlanError,
    add_occurrences,
    apply_decisions,
    check_box,
    frames_of,
    manual_row,
)
from redaction.service import (
    PlanConflict,
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
        perm=Perm.REDACTION_REVIEW,
        client=client,
    )
    # An approved plan whose rendering failed or was blocked may be revised into a new draft.
    blocked = (plan.status is PlanStatus.APPROVED and not plan.releasable) or (
        plan.status is PlanStatus.FAILED and plan.approved_at is not None
    )
    if plan.status is not PlanStatus.DRAFT and not blocked:
        raise PlanConflict(
            "plan version %(version)s is %(status)s; edit the latest draft",
            version=plan.version,
            status=plan.status,
        )
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
    bases: dict[int, str] | None = None,
    notes: dict[int, str | None] | None = None,
    client: str | None = None,
) -> RedactionPlan:
    """Accept or reject proposals by number (``default`` applies to all pending others);
    ``bases`` and ``notes`` set the legal basis and note of proposals by number."""
    if mode is not None and mode not in ("placeholder", "mask"):
        raise PlanError("mode is placeholder or mask")
    # The change notes are translated for the review page by redaction.labels.change.
    counts = Counter(str(d) for d in decisions.values())
    change = "decisions " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    if default is not None:
        change += f"; pending → {default}"
    if bases or notes:
        change += f"; bases: {len(bases or {})}, notes: {len(notes or {})}"
    return _revise(
        session=session,
        principal=principal,
        plan_id=plan_id,
        change=change,
        mutate=lambda rows, _: apply_decisions(
            rows, decisions=decisions, default=default, bases=bases, notes=notes
        ),
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
        # Times are checked against the recording, as clip and note times are.
        duration = _duration(session, source)
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
                    duration=duration,
                    frames=frames_of(source.media),
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


def _duration(session: Session, source: RedactionSource) -> float | None:
    """Seconds of the analysed recording (what the analysis noted, else the probe)."""
    noted = (source.media or {}).get("duration")
    try:
        seconds = float(noted) if noted is not None else None
    except (TypeError, ValueError):
        seconds = None
    if seconds and math.isfinite(seconds) and seconds > 0:
        return seconds
    return hooks.media_duration(session, source.item_id)


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


def add_rows(
    *,
    session: Session,
    principal: Principal,
    plan_id: str,
    rows: list[dict[str, Any]],
    change: str,
    accept: set[int] | frozenset[int] = frozenset(),
    client: str | None = None,
) -> RedactionPlan:
    """Add prepared proposal rows (numbered after the plan's own) as a new version;
    ``accept`` hides existing proposals by number in the same version."""

    def mutate(existing: list[dict[str, Any]], _: RedactionSource) -> list[dict[str, Any]]:
        last = max((r["number"] for r in existing), default=0)
        if any(r["number"] <= last for r in rows):
            raise PlanConflict("the plan changed meanwhile; search again")
        for row in existing:
            if row["number"] in accept:
                row["decision"] = "accepted"
        return existing + rows

    return _revise(
        session=session, principal=principal, plan_id=plan_id, change=change, mutate=mutate,
        client=client,
    )  # fmt: skip


def set_boxes(
    *,
    session: Session,
    principal: Principal,
    plan_id: str,
    number: int,
    boxes: list[dict[str, Any]],
    client: str | None = None,
) -> RedactionPlan:
    """Move or resize a proposal's boxes (page pixels): a new version.

    A box proposal takes exactly one box (its video time range, if any, is kept); a span
    proposal on a page takes the boxes that replace its word boxes, burned as given
    (``exact``: the reviewer saw them, so no padding is added). Each box must lie on a
    page of the item (``plans.check_box``); anything else is a ``PlanError``.
    """
    if not boxes:
        raise PlanError("give at least one box")
    if len(boxes) > 100:
        raise PlanError("at most 100 boxes per proposal")

    def mutate(rows: list[dict[str, Any]], source: RedactionSource) -> list[dict[str, Any]]:
        frames = frames_of(source.media)
        row = next((r for r in rows if r["number"] == number), None)
        if row is None:
            raise PlanError("no proposals numbered %(numbers)s in this plan", numbers=number)
        checked = [check_box(b, frames=frames) for b in boxes]
        kind = (row["target"] or {}).get("kind")
        if kind == "box":
            if len(checked) != 1:
                raise PlanError("a box proposal has exactly one box")
            times = {k: v for k, v in row["target"].items() if k in ("t_start", "t_end")}
            row["target"] = {"kind": "box", **checked[0], **times}
        elif kind == "span" and any(r.get("kind") == "box" for r in row["regions"] or []):
            row["regions"] = [{"kind": "box", **b, "exact": True} for b in checked]
        else:
            raise PlanError("proposal %(number)s has no boxes to move", number=number)
        return rows

    return _revise(
        session=session,
        principal=principal,
        plan_id=plan_id,
        change=f"boxes moved: {number}",
        mutate=mutate,
        client=client,
    )


def undo(
    *, session: Session, principal: Principal, plan_id: str, client: str | None = None
) -> RedactionPlan:
    """Undo the latest change: a new version with the proposals of the version before.

    Versioning keeps every step, so an undo is itself a version (and can be undone).
    Only a change made on the same analysis can be undone; the first version cannot.
    """
    plan, item, _ = load_plan(session, plan_id)
    before = session.exec(
        select(RedactionPlan).where(
            RedactionPlan.item_id == item.id, RedactionPlan.version == plan.version - 1
        )
    ).first()
    if before is None or before.source_id != plan.source_id:
        raise PlanConflict("nothing to undo: this version starts from an analysis")
    earlier = [proposal_dict(p) for p in proposals_of(session, before.id)]
    return _revise(
        session=session,
        principal=principal,
        plan_id=plan_id,
        change=f"undo: back to version {before.version}",
        mutate=lambda _rows, _source: earlier,
        client=client,
    )
