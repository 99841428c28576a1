"""The facts of a case's retention report (members who may see retention), as PDF."""

from __future__ import annotations

from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence.models import Blob, Item
from evidence.policy import Principal
from evidence.retention.report import (
    HoldLine,
    PurgeBlock,
    PurgedLine,
    RetentionFacts,
    retention_report_pdf,
)
from evidence.retention_models import LegalHold, PurgeItem, PurgeRequest
from evidence.service.retention import usernames
from evidence.service.retention_info import Coded, case_retention


def _named(value: Coded, language: str) -> str:
    parts = [value.names.get(language) or value.code or "", value.text or ""]
    return " — ".join(p for p in parts if p)


def retention_report(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    language: str = "en",
    client: str | None = None,
) -> bytes:
    """The case's retention report as PDF; producing it is recorded on the case chain."""
    info = case_retention(session=session, principal=principal, case_id=case_id, client=client)
    case = info.case
    holds = list(
        session.exec(
            select(LegalHold).where(LegalHold.case_id == case.id).order_by(col(LegalHold.placed_at))
        )
    )
    requests = list(
        session.exec(
            select(PurgeRequest)
            .where(PurgeRequest.case_id == case.id)
            .order_by(col(PurgeRequest.proposed_at))
        )
    )
    lines = session.exec(
        select(PurgeItem, Item, Blob)
        .join(Item, col(Item.id) == col(PurgeItem.item_id))
        .join(Blob, col(Blob.sha256) == col(Item.sha256))
        .where(col(PurgeItem.purge_id).in_([r.id for r in requests]))
    ).all()
    item_names = dict(
        session.exec(
            select(Item.id, Item.original_name).where(
                col(Item.id).in_([h.item_id for h in holds if h.item_id])
            )
        ).all()
    )
    names = usernames(
        session,
        [h.placed_by for h in holds]
        + [h.released_by for h in holds]
        + [r.proposed_by for r in requests]
        + [r.decided_by for r in requests],
    )
    by_request: dict[str, list[PurgedLine]] = {}
    for row, item, blob in lines:
        by_request.setdefault(row.purge_id, []).append(
            PurgedLine(item.original_name, item.sha256, blob.size, row.outcome, row.done_at)
        )
    facts = RetentionFacts(
        case_number=case.number,
        case_title=case.title,
        category=_named(info.category, language),
        legal_basis=_named(info.legal_basis, language),
        purpose=_named(info.purpose, language),
        dates={
            "closed_at": info.settings.closed_at,
            "verdict_at": info.settings.verdict_at,
            "appeal_ended_at": info.settings.appeal_ended_at,
        },
        counts=info.counts,
        next_date=info.next_date,
        holds=[
            HoldLine(
                scope=item_names.get(h.item_id, h.item_id) if h.item_id else "",
                reason=h.reason,
                placed_by=names.get(h.placed_by, h.placed_by),
                placed_at=h.placed_at,
                released_by=names.get(h.released_by or "", h.released_by),
                released_at=h.released_at,
                release_reason=h.release_reason,
            )
            for h in holds
        ],
        purges=[
            PurgeBlock(
                state=str(r.state),
                reason=r.reason,
                proposed_by=names.get(r.proposed_by, r.proposed_by),
                proposed_at=r.proposed_at,
                decided_by=names.get(r.decided_by or "", r.decided_by),
                decided_at=r.decided_at,
                decision_reason=r.decision_reason,
                items=sorted(by_request.get(r.id, []), key=lambda line: line.name),
            )
            for r in requests
        ],
        generated_at=utc_now(),
    )
    pdf = retention_report_pdf(facts, language=language)
    custody.record(
        session=session,
        action=custody.Action.CASE_TIMELINE_READ,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"view": "retention-report", "language": language},
    )
    session.commit()
    return pdf
