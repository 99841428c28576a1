"""Stage `unpack` (default queue): archives → child items; chat exports → messages.

Every member keeps its relative path (`original_path`) and parent link; every member
not extracted becomes an `archive_finding` with its reason. A Telegram (`result.json`)
or WhatsApp export found inside (recognised by its dated lines, whatever the file's name)
is parsed, and each attachment is linked to the child item unpacked from the same path.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import delete

from custody.events import utc_now
from evidence import scratch, service
from evidence.models import ItemKind
from ingest.config import IngestSettings
from ingest.errors import ArchiveRejected, ChatExportInvalid
from ingest.media import archive, chats
from ingest.media.detect import Kind, kind_for
from ingest.media.whatsapp import chat_name, parse_whatsapp
from ingest.models import ArchiveFinding, ChatMessage, MediaInfo
from ingest.runtime.stages import Context, Stage
from ingest.search import Entry, replace_entries

TOOL = "dalel-unpack"
TOOL_VERSION = "1"


def fingerprint(settings: IngestSettings) -> dict[str, Any]:
    return {
        "tool": f"{TOOL}/{TOOL_VERSION}",
        "limits": [
            settings.archive_max_entries,
            settings.archive_max_total_size,
            settings.archive_max_member_size,
            settings.archive_max_ratio,
            settings.archive_max_children,
            settings.children_per_user_hour,
        ],
        "utc_offset_hours": settings.chat_utc_offset_hours,
    }


def limits(settings: IngestSettings) -> archive.Limits:
    return archive.Limits(
        max_entries=settings.archive_max_entries,
        max_total_size=settings.archive_max_total_size,
        max_member_size=settings.archive_max_member_size,
        max_ratio=settings.archive_max_ratio,
    )


def _findings(ctx: Context, rejected: list[tuple[str, str, str]]) -> None:
    ctx.session.execute(delete(ArchiveFinding).where(ArchiveFinding.item_id == ctx.item.id))  # type: ignore[arg-type]
    now = utc_now()
    for path, reason, detail in rejected:
        ctx.session.add(
            ArchiveFinding(
                item_id=ctx.item.id, member_path=path, reason=reason, detail=detail, created_at=now
            )
        )
    ctx.session.commit()


def run(ctx: Context) -> dict[str, Any]:
    info = ctx.session.get(MediaInfo, ctx.item.id)
    ctx.session.commit()
    is_archive = info is not None and kind_for(info.media_type) is Kind.ARCHIVE
    offset = timedelta(hours=ctx.settings.chat_utc_offset_hours)
    folder = scratch.mkdtemp(prefix="dalel-unpack-")
    try:
        if is_archive:
            return _unpack(ctx, folder, offset)
        if ctx.item.kind is ItemKind.CHILD:
            # A chat file unpacked from an archive is parsed with its archive.
            return {"skipped": "chat file inside an archive: parsed with the archive"}
        with ctx.materialize() as (item, _blob, path):
            chat_list = _parse_bare(path, item.original_name, offset)
        return {"messages": _store_chats(ctx, chat_list, {})}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _parse_bare(path: Path, name: str, offset: timedelta) -> list[chats.Chat]:
    if name.lower().endswith(".json"):
        return chats.parse_telegram(path=path, utc_offset=offset)
    return [parse_whatsapp(path=path, utc_offset=offset, chat_name=chat_name(name))]


def _unpack(ctx: Context, folder: Path, offset: timedelta) -> dict[str, Any]:
    target = folder / "members"
    with ctx.materialize() as (_item, _blob, path):
        try:
            result = archive.extract_archive(path=path, target=target, limits=limits(ctx.settings))
        except ArchiveRejected as exc:
            _findings(ctx, [("", "archive_rejected", str(exc))])
            service.record_refusal(
                session=ctx.session, item_id=ctx.item.id, stage="unpack",
                reason="archive_rejected", details={"detail": str(exc)[:500]},
            )  # fmt: skip
            raise
    findings = [(r.path, r.reason, r.detail) for r in result.rejected]
    over = _over_quota(ctx, len(result.extracted))
    if over is not None:
        _findings(ctx, [*findings, ("", over[0], over[1])])
        raise ArchiveRejected(
            "%(count)d files: over the %(quota)s quota of %(limit)d; nothing unpacked",
            count=len(result.extracted), limit=over[2], quota=over[0],
        )  # fmt: skip
    _findings(ctx, findings)
    if findings:
        # Members left out are refusals too: in the archive's custody chain, by reason
        # and count only (a member's name is the evidence's content, its findings hold it).
        refused = Counter(reason for _path, reason, _detail in findings)
        service.record_refusal(
            session=ctx.session, item_id=ctx.item.id, stage="unpack", reason="members_refused",
            details={"members": sum(refused.values()), "reasons": dict(sorted(refused.items()))},
        )  # fmt: skip
    children: dict[str, str] = {}
    derivation = {
        "tool": TOOL,
        "version": TOOL_VERSION,
        "parameters": {"format": result.format},
    }
    for n, member in enumerate(result.extracted):
        key = hashlib.sha256(member.path.encode()).hexdigest()[:20]
        child = ctx.derive(
            source=Path(member.local_path),
            name=PurePosixPath(member.path).name,
            derivative_kind="member",
            derivation={**derivation, "member": member.path, "modified": member.modified},
            output=f"m{key}",
            kind=ItemKind.CHILD,
            original_path=member.path,
        )
        children[member.path] = child.id
        ctx.progress((n + 1) / max(1, len(result.extracted)))
    out: dict[str, Any] = {
        "format": result.format,
        "entries": result.entries,
        "children": len(children),
        "rejected": len(result.rejected),
    }
    if _has_chat(target):
        try:
            chat_list = chats.parse_chat_export(folder=target, utc_offset=offset)
        except ChatExportInvalid as exc:
            out["chat_error"] = str(exc)
        else:
            out["messages"] = _store_chats(ctx, chat_list, children)
    return out


def _over_quota(ctx: Context, count: int) -> tuple[str, str, int] | None:
    """(reason, detail, limit) when the archive would become more children than allowed; the
    refusal is then recorded in the archive's custody chain."""
    settings = ctx.settings
    since = utc_now() - timedelta(hours=1)
    used = service.children_since(ctx.session, uploaded_by=ctx.item.uploaded_by, since=since)
    ctx.session.commit()
    if count > settings.archive_max_children:
        reason, limit = "children_per_archive", settings.archive_max_children
    elif used + count > settings.children_per_user_hour:
        reason, limit = "children_per_hour", settings.children_per_user_hour
    else:
        return None
    details = {"members": count, "limit": limit, "used_this_hour": used}
    service.record_refusal(
        session=ctx.session, item_id=ctx.item.id, stage="unpack", reason=reason, details=details
    )
    return reason, f"the archive holds {count} files, over the quota of {limit}", limit


def _has_chat(folder: Path) -> bool:
    """A Telegram export, or a WhatsApp one by content (any name, any language)."""
    return any(folder.rglob("result.json")) or bool(chats.whatsapp_files(folder))


def _child_for(path: str, children: dict[str, str]) -> str | None:
    """The child item unpacked from an attachment path (relative to the chat file)."""
    if not path:
        return None
    if path in children:
        return children[path]
    matches = [cid for member, cid in children.items() if member.endswith("/" + path)]
    return matches[0] if len(matches) == 1 else None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _store_chats(ctx: Context, chat_list: list[chats.Chat], children: dict[str, str]) -> int:
    ctx.session.execute(delete(ChatMessage).where(ChatMessage.item_id == ctx.item.id))  # type: ignore[arg-type]
    entries: list[Entry] = []
    position = 0
    for chat in chat_list:
        for msg in chat.messages:
            attachments = [
                {"path": a.path, "kind": a.kind, "present": a.present, "problem": a.problem}
                for a in msg.attachments
            ]
            linked = [cid for a in msg.attachments if (cid := _child_for(a.path, children))]
            ctx.session.add(
                ChatMessage(
                    item_id=ctx.item.id,
                    platform=chat.platform,
                    chat_name=(chat.name or "")[:300] or None,
                    position=position,
                    message_id=str(msg.id)[:64],
                    sender=(msg.sender or "")[:300] or None,
                    sent_at=_when(msg.sent_at),
                    text=msg.text,
                    system=msg.system,
                    reply_to=msg.reply_to,
                    attachments=attachments,
                    attachment_item_ids=linked,
                )
            )
            # Every message is found by its sender's name and number, media ones too
            # (by their file names).
            body = msg.text or " ".join(a.path for a in msg.attachments if a.path)
            if body:
                locator = {"message": str(msg.id), "position": position, "sent_at": msg.sent_at}
                entries.append(
                    Entry(text=body, locator=locator, sender=msg.sender, sent_at=_when(msg.sent_at))
                )
            position += 1
    replace_entries(
        session=ctx.session,
        case_id=ctx.item.case_id,
        item_id=ctx.item.id,
        source="chat",
        entries=entries,
    )
    ctx.session.commit()
    return position


STAGES = [Stage(name="unpack", queue="default", run=run, fingerprint=fingerprint)]
