"""Analysis and rendering: the work behind ``POST /items/{id}/redactions`` and approval.

``analyse_item`` builds the analysed source (transcript, OCR pages or plain text, plus
face and plate tracks for video) and writes plan version 1 (or the next version).
``render_plan`` takes a plan id, reloads everything and is safe to run twice: the
derivative is registered under a job key derived from the plan, and a plan that
already carries its residual report is returned as it is. Worker processes call
``render_plan_job(plan_id)``, which builds the same adapters from settings.
"""

from __future__ import annotations

import json
import mimetypes
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.models import Blob, Item
from evidence.policy import Principal
from evidence.service import WORKER, materialize, register_derivative
from evidence.service.access import load_item
from evidence.storage import ObjectStore
from redaction import residual
from redaction.models import (
    Decision,
    PlanStatus,
    RedactionPlan,
    RedactionSource,
    SourceKind,
)
from redaction.plans import IndexedText, pages_text, regions_for_span, transcript_text
from redaction.render import dispatch
from redaction.render.audio import RenderError
from redaction.render.text import decode_text, render_transcript
from redaction.service import RedactionPerm, authorise, proposal_dict, proposals_of, save_version

LANGUAGES = ("kk", "ru", "en")


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[1].lower() if "." in name else ""


def _ingest_rows(session: Session, table: str, item_id: str) -> list[Any]:
    """Transcript (latest version) or text pages of an item, when ingest has made them."""
    try:
        from ingest.models import MediaInfo, TextPage, Transcript
    except ImportError:
        return []
    if not inspect(session.connection()).has_table(table):
        return []
    if table == "media_info":
        return [r for r in [session.get(MediaInfo, item_id)] if r is not None]
    if table == "transcript":
        query = select(Transcript).where(Transcript.item_id == item_id)
        row = session.exec(query.order_by(Transcript.version.desc())).first()  # type: ignore[attr-defined]
        return [row] if row is not None else []
    pages = select(TextPage).where(TextPage.item_id == item_id).order_by(TextPage.page)  # type: ignore[arg-type]
    return list(session.exec(pages))


def media_type_of(session: Session, item: Item, blob: Blob) -> str:
    """Media type by content (ingest's detection when present), else by the file name.

    The vault sniffs magic bytes only, so plain text arrives as octet-stream.
    """
    rows = _ingest_rows(session, "media_info", item.id)
    if rows and rows[0].media_type:
        return str(rows[0].media_type)
    if blob.media_type != "application/octet-stream":
        return blob.media_type
    guessed, _ = mimetypes.guess_type(item.original_name)
    return guessed or blob.media_type


def _ocr(path: Path, media_type: str) -> tuple[IndexedText, list[dict[str, Any]]]:
    from ingest.media.ocr import ocr_image, ocr_pdf

    result = ocr_pdf(path=path) if media_type == "application/pdf" else ocr_image(path=path)
    pages = [
        {
            "page": p.number,
            "words": [_word(w) for w in p.words],
        }
        for p in result.pages
    ]
    geometry = [
        {"page": p.number, "width": p.width, "height": p.height, "dpi": p.dpi} for p in result.pages
    ]
    return pages_text(pages), geometry


def _word(word: Any) -> dict[str, Any]:
    keys = ("text", "left", "top", "width", "height", "line")
    return {k: getattr(word, k) for k in keys}


def build_source(
    *, session: Session, store: ObjectStore, item: Item, blob: Blob, language: str, actor: Any
) -> tuple[RedactionSource, list[dict[str, Any]]]:
    """The analysed text and geometry of an item, and the face/plate proposals."""
    media_type = media_type_of(session, item, blob)
    if not dispatch.supported(media_type):
        # Refuse before anyone reviews a plan that could never be rendered.
        raise RenderError(f"no redaction renderer for {media_type}; convert it to PDF first")
    media: dict[str, Any] = {"media_type": media_type}
    kind = SourceKind.MEDIA
    indexed = IndexedText("", [])
    tracks: list[dict[str, Any]] = []
    transcript = _ingest_rows(session, "transcript", item.id)
    pages = [] if transcript else _ingest_rows(session, "text_page", item.id)
    if transcript:
        kind, indexed = SourceKind.TRANSCRIPT, transcript_text(transcript[0].segments)
        if language == "auto" and transcript[0].language in LANGUAGES:
            language = transcript[0].language
    elif pages:
        kind = SourceKind.PAGES
        indexed = pages_text({"page": p.page, "words": p.words} for p in pages)
        media["pages"] = [
            {"page": p.page, "width": p.width, "height": p.height, "dpi": p.dpi} for p in pages
        ]
    needs_bytes = media_type.startswith(("text/", "video/")) or (
        kind is SourceKind.MEDIA
        and (media_type.startswith("image/") or media_type == "application/pdf")
    )
    if needs_bytes:
        with materialize(
            session=session, store=store, item_id=item.id, purpose="redaction.analyse",
            actor=actor, suffix=_suffix(item.original_name),
        ) as (_, _, path):  # fmt: skip
            if media_type.startswith("text/"):
                kind, indexed = SourceKind.TEXT, IndexedText(decode_text(path.read_bytes()), [])
            elif media_type.startswith("video/"):
                tracks = _scan(path, media)
            else:
                kind = SourceKind.PAGES
                indexed, media["pages"] = _ocr(path, media_type)
    source = RedactionSource(
        item_id=item.id, kind=kind, language=language, text=indexed.text, words=indexed.words,
        media=media, created_at=utc_now(),
    )  # fmt: skip
    return source, tracks


def _scan(path: Path, media: dict[str, Any]) -> list[dict[str, Any]]:
    from redaction.faces import face_detector_name, scan_video

    info, faces, plates = scan_video(path=path)
    media["video"] = {
        "width": info.width,
        "height": info.height,
        "fps": info.fps,
        "duration": info.duration,
    }
    media["detector"] = face_detector_name()
    from redaction import analyzer  # Presidio pulls spaCy and torch: load on first use

    rows = []
    for entity, source, found in (("FACE", "face", faces), ("KZ_VEHICLE_PLATE", "plate", plates)):
        for track in found:
            rows.append(
                {"entity_type": entity, "score": round(track.score, 3), "source": source,
                 "reason": analyzer.reason_code(entity_type=entity),
                 "decision": str(Decision.PENDING),
                 "text": None, "target": track.as_target(), "regions": [], "note": None}
            )  # fmt: skip
    return rows


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
    """Analyse an item and write a new draft plan with every proposal pending."""
    item, case = load_item(session, item_id)
    authorise(
        session,
        principal=principal,
        item=item,
        case=case,
        perm=RedactionPerm.ANALYSE,
        client=client,
    )
    blob = session.get(Blob, item.sha256)
    assert blob is not None
    source, rows = build_source(
        session=session,
        store=store,
        item=item,
        blob=blob,
        language=language,
        actor=principal.actor(),
    )
    if source.text:
        from redaction import analyzer  # Presidio pulls spaCy and torch: load on first use

        found = analyzer.analyze_text(text=source.text, language=source.language, entities=entities)
        for f in found:
            rows.append(
                {"entity_type": f.entity_type, "score": f.score, "source": "analyzer",
                 "reason": f.reason, "decision": str(Decision.PENDING), "text": f.text,
                 "target": {"kind": "span", "start": f.start, "end": f.end},
                 "regions": regions_for_span(words=source.words, start=f.start, end=f.end),
                 "note": None}
            )  # fmt: skip
    rows.sort(key=lambda r: (r["target"].get("start", 0), r["target"].get("t_start", 0)))
    for number, row in enumerate(rows, start=1):
        row["number"] = number
    session.add(source)
    session.flush()
    return save_version(
        session, item=item, case=case, source=source, proposals=rows, principal=principal,
        action=custody.Action.REDACTION_PLAN_CREATED, change="analysis",
        entities=list(entities or []), client=client,
    )  # fmt: skip


def render_plan(*, session: Session, store: ObjectStore, plan_id: str) -> RedactionPlan:
    """Render an approved plan, check the output, register it if it passes."""
    plan = session.get(RedactionPlan, plan_id)
    if plan is None or plan.status is not PlanStatus.APPROVED:
        raise residual_error(plan)
    if plan.residual is not None:
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
        tempfile.TemporaryDirectory(prefix="dalel-redacted-") as tmp,
        materialize(
            session=session, store=store, item_id=item.id, purpose=f"redaction.render:{plan.id}",
            suffix=_suffix(item.original_name),
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
        if report["passed"]:
            derived = register_derivative(
                session=session, store=store, parent_id=item.id, source=out.path, name=out.name,
                derivative_kind="redacted", job_key=f"redaction:{plan.id}",
                derivation={
                    "tool": dispatch.TOOL, "version": dispatch.VERSION, "plan_id": plan.id,
                    "plan_version": plan.version, "approved_by": plan.approved_by,
                    "parameters": {"mode": plan.mode, "audio": plan.audio, **out.facts},
                    "residual": "passed",
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
                        "residual": "passed",
                    },
                ).id  # fmt: skip
    plan = session.get(RedactionPlan, plan_id) or plan
    plan.residual = {**report, "checked_at": utc_now().isoformat()}
    plan.releasable = bool(report["passed"])
    plan.derivative_id = derivative_id
    plan.transcript_id = transcript_id
    session.add(plan)
    custody.record(
        session=session, action=custody.Action.REDACTION_RESIDUAL_CHECKED, actor=WORKER,
        case_id=case.id, case_number=case.number, item_id=item.id, sha256=item.sha256,
        details={"plan_id": plan.id, "version": plan.version, "passed": bool(report["passed"]),
                 "blocking": len(report["blocking"]), "derivative": derivative_id,
                 "transcript": transcript_id},
    )  # fmt: skip
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
    from redaction.service import PlanConflict, PlanNotFound

    if plan is None:
        return PlanNotFound("no such redaction plan")
    return PlanConflict(f"only an approved plan renders (this one is {plan.status})")


def render_plan_job(plan_id: str) -> str | None:
    """Queue entry point: render with adapters built from settings; returns the item id."""
    from evidence.config import get_settings
    from evidence.db import make_engine
    from evidence.storage import open_store

    settings = get_settings()
    engine = make_engine(settings.database_url or "")
    try:
        with Session(engine, expire_on_commit=False) as session:
            plan = render_plan(
                session=session, store=open_store(settings.storage_url or ""), plan_id=plan_id
            )
            return plan.derivative_id
    finally:
        engine.dispose()
