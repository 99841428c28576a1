"""Disclosed content: the evidence side of the disclosure package (portal reads, watermarks).

Disclosures themselves (create, tranches, revoke, who may see what) are
`disclosure.service`; `disclosure/` never opens evidence bytes itself: every read of a
disclosed file and every watermark rendering goes through these functions (bundles and
court exports through `evidence.service.export`), which check the access policy and
commit the custody event before the first byte is handed out.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

import custody
from custody import Actor
from evidence import scratch
from evidence.models import Blob, Item
from evidence.policy import Perm, Principal
from evidence.ranges import ByteRange
from evidence.service.access import load_item
from evidence.service.derive import WORKER, materialize, register_derivative
from evidence.service.export import items_with_blobs
from evidence.service.items import Content, open_content
from evidence.storage import ObjectStore

__all__ = [
    "Renderer",
    "items_with_blobs",
    "needs_watermark",
    "open_disclosed",
    "record_stream_stopped",
    "watermark_item",
]

# Renders a watermark: (input path, media type, output folder) -> output path, or None
# when the media type takes no watermark. Supplied by disclosure.watermark.
Renderer = Callable[[Path, str, Path], Path | None]


def watermark_item(
    *,
    session: Session,
    store: ObjectStore,
    item_id: str,
    render: Renderer,
    job_key: str,
    parameters: dict[str, Any],
    tool_version: str,
    actor: Actor = WORKER,
    purpose: str = "watermark",
) -> Item | None:
    """Render a per-recipient watermarked copy of an item as a `watermarked` derivative.

    The source is read through `materialize` (recorded, re-hashed, `purpose` in the
    event); `job_key` makes a repeat return the first copy. None when the media type
    takes no watermark. Slow (an hour of video is re-encoded): the disclosure package
    calls it from its `wmark` job, never inside a request.
    """
    existing = session.exec(select(Item).where(Item.job_key == job_key)).first()
    if existing is not None:
        return existing
    item, _ = load_item(session, item_id)
    blob = session.get(Blob, item.sha256)
    assert blob is not None
    if not needs_watermark(blob.media_type):
        return None
    with (
        materialize(
            session=session, store=store, item_id=item.id, purpose=purpose, actor=actor
        ) as (_, blob, path),
        tempfile.TemporaryDirectory(prefix="dalel-wm-", dir=scratch.tempdir()) as folder,
    ):
        out = render(path, blob.media_type, Path(folder))
        if out is None:
            return None
        return register_derivative(
            session=session,
            store=store,
            parent_id=item.id,
            source=out,
            name=f"watermarked-{item.original_name}",
            derivative_kind="watermarked",
            derivation={
                "tool": "dalel-watermark",
                "version": tool_version,
                "parameters": parameters,
            },
            job_key=job_key,
            actor=actor,
        )


def needs_watermark(media_type: str) -> bool:
    """Whether files of this type are stamped per recipient (images, video, PDF)."""
    return media_type.startswith(("image/", "video/")) or media_type == "application/pdf"


def open_disclosed(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    item_id: str,
    disclosure_id: str,
    client: str | None = None,
    download: bool = False,
    start: int = 0,
    end: int | None = None,
    byte_range: ByteRange | None = None,
) -> Content:
    """Open a disclosed file for its recipient; the view or download is recorded first.

    The policy decides through the disclosure lookup (defence reads exactly what is
    disclosed to them); the event names the disclosure it was read under.
    """
    return open_content(
        session=session,
        store=store,
        principal=principal,
        item_id=item_id,
        start=start,
        end=end,
        byte_range=byte_range,
        download=download,
        client=client,
        context={"disclosure": disclosure_id},
    )


def record_stream_stopped(
    *,
    session: Session,
    principal: Principal,
    disclosure_id: str,
    item_ids: list[str],
    reason: str,
    purpose: str,
    client: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record that disclosed files stopped streaming because access ended mid-way.

    One `access.denied` event per file whose delivery had been recorded but was not
    completed, with the purpose of the read and the reason, on the files' own chains —
    the counterpart of the read events recorded before the first byte. Committed at once.
    """
    found = items_with_blobs(session=session, item_ids=item_ids)
    custody.record_many(
        session=session,
        events=[
            custody.NewEvent(
                action=custody.Action.ACCESS_DENIED,
                actor=principal.actor(),
                case_id=found[item_id][0].case_id,
                item_id=item_id,
                sha256=found[item_id][0].sha256,
                client=client,
                details={
                    "permission": str(Perm.ITEM_CONTENT),
                    "disclosure": disclosure_id,
                    "purpose": purpose,
                    "reason": reason,
                    **(details or {}),
                },
            )
            for item_id in item_ids
            if item_id in found
        ],
    )
    session.commit()
