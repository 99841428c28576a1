"""Stage `detect`: type by content, metadata (ffprobe / exiftool / PDF info), C2PA.

Its result decides which stages follow; an item that only fails the metadata probe
still gets its other stages (the probe error is recorded on `media_info`).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from custody.events import utc_now
from evidence.models import Item, ItemKind
from ingest.config import IngestSettings
from ingest.errors import IngestError, ToolMissing
from ingest.media import detect as detect_mod
from ingest.media import probe as probe_mod
from ingest.media._run import tool_version
from ingest.media.credentials import read_content_credentials
from ingest.models import ArchiveFinding, MediaInfo
from ingest.runtime.stages import Context, Stage

_PROBED = {"video", "audio", "image", "pdf"}
_C2PA_KINDS = _PROBED  # the formats C2PA defines manifests for


def fingerprint(settings: IngestSettings) -> dict[str, Any]:
    return {
        "ffprobe": tool_version("ffprobe"),
        "exiftool": tool_version("exiftool"),
        "utc_offset_hours": settings.chat_utc_offset_hours,
        "c2pa_anchors": str(settings.c2pa_trust_anchors or ""),
    }


def read_c2pa(path: Path, settings: IngestSettings) -> dict[str, Any]:
    """C2PA content credentials, validated offline; a failed validation is a finding."""
    anchors = settings.c2pa_trust_anchors
    try:
        result = read_content_credentials(
            path=path, trust_anchors_pem=anchors.read_text() if anchors else None
        )
    except ToolMissing as exc:  # optional package: say so on the item
        return {"state": "not_checked", "reason": str(exc)}
    return result or {"state": "absent"}


def follow_ups(kind: str, probe: dict[str, Any] | None, *, depth: int, max_depth: int) -> list[str]:
    """Stages an item of this kind goes through after detection."""
    if kind == "video":
        if probe and probe.get("kind") == "audio":  # an MP4 holding only sound
            return ["proxy", "transcribe"]
        has_audio = not probe or probe.get("audio_codec") is not None
        return ["thumbnail", "proxy", *(["transcribe"] if has_audio else [])]
    if kind == "audio":
        return ["proxy", "transcribe"]
    if kind == "image":
        return ["thumbnail", "ocr"]
    if kind in {"pdf", "text"}:
        return ["ocr"]  # text files: their own text, indexed for search
    if kind == "document":
        return ["office"]  # Word, Excel, OpenDocument, RTF: their text, like a PDF's
    if kind in {"archive", "chat_export"}:
        return ["unpack"] if depth < max_depth else []
    return []


def container_depth(ctx: Context) -> int:
    """How many archives this item sits inside (children of children...)."""
    depth, item = 0, ctx.item
    while item.kind is ItemKind.CHILD and item.parent_id:
        depth += 1
        parent = ctx.session.get(Item, item.parent_id)
        if parent is None:
            break
        item = parent
    return depth


def run(ctx: Context) -> dict[str, Any]:
    offset = timedelta(hours=ctx.settings.chat_utc_offset_hours)
    with ctx.materialize() as (item, _blob, path):
        found = detect_mod.detect(path=path, original_name=item.original_name)
        probe: dict[str, Any] | None = None
        probe_error = None
        if str(found.kind) in _PROBED:
            try:
                probe = probe_mod.probe(path=path, kind=str(found.kind), assume_utc_offset=offset)
            except IngestError as exc:
                probe_error = str(exc)
        c2pa = read_c2pa(path, ctx.settings) if str(found.kind) in _C2PA_KINDS else None
    info = ctx.session.exec(select(MediaInfo).where(MediaInfo.item_id == ctx.item.id)).first()
    info = info or MediaInfo(item_id=ctx.item.id, media_type="", kind="", created_at=utc_now())
    info.media_type, info.kind = found.media_type, str(found.kind)
    info.extension, info.extension_mismatch = found.extension, found.mismatch
    info.mismatch_reason, info.detection = found.reason, found.as_dict()
    info.probe, info.probe_error, info.c2pa = probe, probe_error, c2pa
    ctx.session.add(info)
    ctx.session.commit()
    depth = container_depth(ctx)
    nxt = follow_ups(str(found.kind), probe, depth=depth, max_depth=ctx.settings.archive_max_depth)
    result: dict[str, Any] = {"media_type": found.media_type, "kind": str(found.kind), "next": nxt}
    if found.mismatch:
        result["mismatch"] = found.reason
    if str(found.kind) in {"archive", "chat_export"} and not nxt:
        # Not unpacked, but never silently: the finding shows on the item.
        reason = f"nested deeper than {ctx.settings.archive_max_depth} archives; not unpacked"
        ctx.session.add(
            ArchiveFinding(
                item_id=ctx.item.id,
                member_path=ctx.item.original_path or ctx.item.original_name,
                reason="nesting_too_deep",
                detail=reason,
                created_at=utc_now(),
            )
        )
        ctx.session.commit()
        result["skipped"] = reason
    return result


STAGES = [Stage(name="detect", queue="fast", run=run, fingerprint=fingerprint)]
