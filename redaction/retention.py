"""What redaction stored of an item's content goes when the item is purged after its
retention: the analysed text (`redaction_source.text` and its word map) and, in every
version of the item's plans, each proposal's value (`text`), reviewer's note and the
recognizer's explanation, and the residual check's findings. Called by the purge (through
`evidence.hooks`) in the transaction that records `item.purged`, so they go together.

The rows themselves stay, blanked: the exemption log still shows which kinds of data
were proposed, with what score and reason, who decided what and who approved, and the
redacted copies keep their own retention. A derivative that goes with its original is
purged (and blanked) by its own turn of the purge; one kept for its own date (ever
disclosed) keeps its plans as they are, since its bytes still hold what they describe.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from redaction.models import RedactionPlan, RedactionProposal, RedactionSource


def _residual_summary(residual: dict[str, Any] | None) -> dict[str, Any] | None:
    """The check's verdict and the names of its checks, without what it found."""
    if residual is None:
        return None
    checks = [
        {"name": check.get("name"), "passed": check.get("passed")}
        for check in residual.get("checks", [])
        if isinstance(check, dict)
    ]
    return {
        "passed": residual.get("passed"),
        "checked_at": residual.get("checked_at"),
        "checks": checks,
        "blocking": [],
        "warnings": [],
        "purged": True,
    }


def forget_item(session: Session, item_id: str) -> None:
    """Blank every stored value redaction derived from one item's content (no commit)."""
    plans = session.exec(select(RedactionPlan).where(RedactionPlan.item_id == item_id)).all()
    plan_ids = [plan.id for plan in plans]
    if plan_ids:
        session.execute(
            update(RedactionProposal)
            .where(col(RedactionProposal.plan_id).in_(plan_ids))
            .values(text=None, note=None, explanation=None)
        )
    for plan in plans:
        plan.residual = _residual_summary(plan.residual)
        plan.error = None
        session.add(plan)
    session.execute(
        update(RedactionSource)
        .where(col(RedactionSource.item_id) == item_id)
        .values(text="", words=[])
    )
