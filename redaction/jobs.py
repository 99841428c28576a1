"""The work of redaction's jobs: fill in an analysed plan, render an approved one.

``finish_analysis`` is the ``redact`` job (a video plan written as ``analysing`` by
``redaction.service.analyse_item``: scan the frames, fill the plan in); ``render_plan``
renders an approved plan and runs the residual check — in the request for text,
documents, images and audio, in a ``render`` job for video (``redaction.stages`` queues
both and records their failures). Both take a plan id, reload everything and are safe
to run twice: the derivative is registered under a job key derived from the plan, and a
plan that already carries its residual report is returned as it is.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlmodel import Session

import custody
from custody.events import utc_now
from evidence import scratch
from evidence.models import Blob
from evidence.service import WORKER, materialize, record_item_event, register_derivative
from evidence.service.access import load_item
from evidence.storage import ObjectStore
from redaction import analysis, residual
from redaction.models import (
    Decision,
    PlanStatus,
    RedactionPlan,
    RedactionProposal,
    RedactionSource,
    SourceKind,
)
from redaction.render import dispatch
from redaction.render.text import render_transcript
from redaction.service import (
    PlanConflict,
    PlanNotFound,
    latest_version,
    proposal_dict,
    proposals_of,
)


def finish_analysis(*, session: Session, store: ObjectStore, plan_id: str) -> RedactionPlan:
    """The ``redact`` job: analyse the item of an ``analysing`` plan and fill the plan in.

    Everything is written in one transaction (source, proposals, status, custody event),
    so a failure leaves the plan analysing, never half-filled. Safe to run twice: a plan
    that is no longer analysing is returned as it is. A plan that a newer analysis
    overtook in the meantime is filled in as ``superseded``.
    """
    plan = session.get(RedactionPlan, plan_id)
    if plan is None:
        raise residual_error(plan)
    if plan.status is not PlanStatus.ANALYSING:
        return plan
    item, case = load_item(session, plan.item_id)
    placeholder = session.get(RedactionSource, plan.source_id)
    blob = session.get(Blob, item.sha256)
    assert placeholder is not None and blob is not None
    source, rows = analysis.build_source(
        session=session, store=store, item=item, blob=blob, language=placeholder.language,
        actor=WORKER,
    )  # fmt: skip
    rows = analysis.proposals(source=source, rows=rows, entities=plan.entities or None)
    session.refresh(plan)  # materialize committed its read event; another run may have too
    if plan.status is not PlanStatus.ANALYSING:  # another run finished first
        return plan
    for name in ("kind", "language", "text", "words", "media"):
        setattr(placeholder, name, getattr(source, name))
    session.add(placeholder)
    for row in rows:
        session.add(RedactionProposal(plan_id=plan.id, **row))
    latest = plan.version == latest_version(session, item.id)
    plan.status = PlanStatus.DRAFT if latest else PlanStatus.SUPERSEDED
    plan.change = f"analysis: {len(rows)} proposals"
    session.add(plan)
    decided = Counter(str(r["decision"]) for r in rows)
    record_item_event(
        session=session,
        action=custody.Action.REDACTION_PLAN_REVISED,
        actor=WORKER,
        item=item,
        case=case,
        details={
            "plan_id": plan.id,
            "version": plan.version,
            "previous": None,
            "change": plan.change,
            "proposals": len(rows),
            "decisions": dict(sorted(decided.items())),
            "status": str(plan.status),
        },
    )
    session.commit()
    return plan


def render_plan(*, session: Session, store: ObjectStore, plan_id: str) -> RedactionPlan:
    """Render an approved plan, check the output, register it if it passes.

    A ``rendering`` plan (video, in a ``render`` job) becomes ``approved`` together with
    its residual report and derivative, in one transaction.
    """
    plan = session.get(RedactionPlan, plan_id)
    if plan is None or plan.status not in (PlanStatus.APPROVED, PlanStatus.RENDERING):
        raise residual_error(plan)
    override = (plan.residual or {}).get("override")
    if plan.residual is not None and (override is None or plan.derivative_id is not None):
        return plan
    item, case = load_item(session, plan.item_id)
    source = session.get(RedactionSource, plan.source_id)
    assert source is not None
    accepted = [
        proposal_dict(p) for p in proposals_of(session, plan.id) if p.decision is Decision.ACCEPTED
    ]
    targets = dispatch.collect(accepted)
    media_type = str(source.media.get("media_type", ""))
    with (
        tempfile.TemporaryDirectory(prefix="dalel-redacted-", dir=scratch.tempdir()) as tmp,
        materialize(
            session=session, store=store, item_id=item.id, purpose=f"redaction.render:{plan.id}",
            suffix=analysis.suffix(item.original_name),
        ) as (_, _, src),
    ):  # fmt: skip
        out = dispatch.render(
            kind=str(source.kind), media_type=media_type, src=src, folder=Path(tmp),
            original_name=item.original_name, targets=targets, media=source.media,
            language=source.language, mode=plan.mode, audio_mode=plan.audio,
        )  # fmt: skip
        report = check_output(
            out=out, kind=str(source.kind), media_type=media_type, targets=targets,
            language=source.language,
        )  # fmt: skip
        transcript = None
        if source.kind is SourceKind.TRANSCRIPT:
            transcript = _transcript_output(Path(tmp), plan, source, targets, report)
        derivative_id = transcript_id = None
        # Released: passed, or blocked and overridden by a prosecutor for a recorded reason.
        checked = "passed" if report["passed"] else "overridden"
        if report["passed"] or override is not None:
            derived = register_derivative(
                session=session, store=store, parent_id=item.id, source=out.path, name=out.name,
                derivative_kind="redacted", job_key=f"redaction:{plan.id}",
                derivation={
                    "tool": dispatch.TOOL, "version": dispatch.VERSION, "plan_id": plan.id,
                    "plan_version": plan.version, "approved_by": plan.approved_by,
                    "parameters": {"mode": plan.mode, "audio": plan.audio, **out.facts},
                    "residual": checked,
                },
            )  # fmt: skip
            derivative_id = derived.id
            if transcript is not None:
                transcript_id = register_derivative(
                    session=session, store=store, parent_id=item.id, source=transcript,
                    name=dispatch.output_name(item.original_name, ".transcript.json"),
                    derivative_kind="redacted", job_key=f"redaction:{plan.id}:transcript",
                    derivation={
                        "tool": dispatch.TOOL, "version": dispatch.VERSION, "plan_id": plan.id,
                        "plan_version": plan.version, "approved_by": plan.approved_by,
                        "output": "transcript", "parameters": {"mode": plan.mode},
                        "residual": checked,
                    },
                ).id  # fmt: skip
    plan = session.get(RedactionPlan, plan_id) or plan
    plan.status = PlanStatus.APPROVED
    plan.error = None
    plan.residual = {**report, "checked_at": utc_now().isoformat()}
    if override is not None:
        plan.residual["override"] = override
    plan.releasable = bool(report["passed"]) or override is not None
    plan.derivative_id = derivative_id
    plan.transcript_id = transcript_id
    session.add(plan)
    record_item_event(
        session=session,
        action=custody.Action.REDACTION_RESIDUAL_CHECKED,
        actor=WORKER,
        item=item,
        case=case,
        details={
            "plan_id": plan.id,
            "version": plan.version,
            "passed": bool(report["passed"]),
            "blocking": len(report["blocking"]),
            "derivative": derivative_id,
            **({"overridden": True} if override is not None else {}),
            "transcript": transcript_id,
        },
    )
    session.commit()
    return plan


def _transcript_output(
    folder: Path, plan: RedactionPlan, source: RedactionSource, targets: dispatch.Targets,
    report: dict[str, Any],
) -> Path:  # fmt: skip
    """Render the redacted transcript, check it and add the result to ``report``."""
    body, text = render_transcript(
        text=source.text, words=source.words, spans=targets.spans, language=source.language,
        mode=plan.mode,
    )  # fmt: skip
    extra = residual.Report()
    residual.check_text(
        extra, text=text, values=targets.values, language=source.language, name="transcript"
    )
    result = extra.as_dict()
    report["checks"] += result["checks"]
    report["blocking"] += result["blocking"]
    report["warnings"] += result["warnings"]
    report["passed"] = report["passed"] and result["passed"]
    path = folder / "transcript.json"
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def check_output(
    *, out: dispatch.Rendered, kind: str, media_type: str, targets: dispatch.Targets, language: str
) -> dict[str, Any]:
    """The residual report for one rendered output."""
    report = residual.Report()
    if kind == "text" and out.text is not None:
        residual.check_text(report, text=out.text, values=targets.values, language=language)
    elif media_type == "application/pdf" or media_type.startswith("image/"):
        residual.check_pages(
            report, path=out.path, pdf=out.path.suffix == ".pdf", values=targets.values,
            language=language,
        )  # fmt: skip
    elif media_type.startswith("video/"):
        residual.check_video(
            report, path=out.path, tracks=targets.tracks, ranges=out.ranges, language=language
        )
    elif out.ranges:
        residual.check_audio(report, path=out.path, ranges=out.ranges)
    return report.as_dict()


def residual_error(plan: RedactionPlan | None) -> Exception:
    if plan is None:
        return PlanNotFound("no such redaction plan")
    return PlanConflict(
        "only an approved plan renders (this one is %(status)s)", status=plan.status
    )
