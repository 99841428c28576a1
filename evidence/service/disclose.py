"""Evidence-side functions for the disclosure package (defence portal, bundles, court).

`disclosure/` never opens evidence bytes itself: every read of a disclosed file, every
watermark rendering and every bundle member goes through these functions, which check
the access policy and commit the custody event before the first byte is handed out.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlmodel import Session, col, select

import custody
from custody import Actor
from custody.export import BundleItem, ExportResult, export_bundle
from evidence.models import Blob, Case, Item, Role
from evidence.policy import Perm, Principal
from evidence.service.access import case_role, deny, load_case, load_item, require
from evidence.service.derive import WORKER, materialize, register_derivative
from evidence.service.items import Content, open_content
from evidence.service.ledger import LedgerConfig, _ChunkReader, checkpoint, log_signers
from evidence.storage import ObjectStore

# Renders a watermark: (input path, media type, output folder) -> output path, or None
# when the media type takes no watermark. Supplied by disclosure.watermark.
Renderer = Callable[[Path, str, Path], Path | None]


def authorize_case_role(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    roles: frozenset[Role],
    perm: Perm = Perm.CASE_MANAGE,
    client: str | None = None,
) -> Case:
    """The case, if the caller holds one of `roles` in it; else a recorded denial."""
    case = load_case(session, case_id)
    role = case_role(session, case_id=case.id, user_id=principal.user_id)
    if principal.role not in roles or role not in roles:
        raise deny(session, principal=principal, perm=perm, client=client, case_id=case.id)
    return case


def items_with_blobs(*, session: Session, item_ids: list[str]) -> dict[str, tuple[Item, Blob]]:
    """Metadata (no bytes) of several items at once."""
    rows = session.exec(
        select(Item, Blob)
        .join(Blob, Blob.sha256 == Item.sha256)  # type: ignore[arg-type]
        .where(col(Item.id).in_(item_ids))
    ).all()
    return {item.id: (item, blob) for item, blob in rows}


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
        tempfile.TemporaryDirectory(prefix="dalel-wm-") as folder,
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
        download=download,
        client=client,
        context={"disclosure": disclosure_id},
    )


@dataclass(frozen=True, slots=True)
class BundleFiles:
    """Disclosed files whose download is already recorded; `chunks` streams one."""

    items: dict[str, tuple[Item, Blob]]
    store: ObjectStore

    def chunks(self, item_id: str) -> Iterator[bytes]:
        return self.store.get(self.items[item_id][1].storage_key)


def open_bundle_files(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    disclosure_id: str,
    item_ids: list[str],
    client: str | None = None,
) -> BundleFiles:
    """Authorise and record the download of every file of a disclosure bundle at once.

    All events are committed before the bundle's first byte, so the bundle's own
    checkpoint (signed by the caller afterwards) includes these downloads.
    """
    found = items_with_blobs(session=session, item_ids=item_ids)
    for item_id in item_ids:
        item, case = load_item(session, item_id)
        require(
            session,
            principal=principal,
            perm=Perm.ITEM_CONTENT,
            case=case,
            item=item,
            client=client,
        )
    custody.record_many(
        session=session,
        events=[
            custody.NewEvent(
                action=custody.Action.ITEM_DOWNLOADED,
                actor=principal.actor(),
                case_id=found[item_id][0].case_id,
                item_id=item_id,
                sha256=found[item_id][0].sha256,
                client=client,
                details={"disclosure": disclosure_id, "purpose": "disclosure-bundle"},
            )
            for item_id in item_ids
        ],
    )
    session.commit()
    return BundleFiles(items={i: found[i] for i in item_ids}, store=store)


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


def record_bundle_stopped(
    *,
    session: Session,
    principal: Principal,
    disclosure_id: str,
    item_ids: list[str],
    reason: str,
    client: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """`record_stream_stopped` for a bundle: the file cut and those never started."""
    record_stream_stopped(
        session=session, principal=principal, disclosure_id=disclosure_id, item_ids=item_ids,
        reason=reason, purpose="disclosure-bundle", client=client,
        details={"bundle": "stopped", **(details or {})},
    )  # fmt: skip


def export_case_for_court(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    ledger: LedgerConfig,
    case_id: str,
    out: Path,
    client: str | None = None,
) -> ExportResult:
    """Write a custody bundle of a whole case for a court member (or its prosecutor).

    Like `export_custody`, but every download is attributed to the person exporting
    (with the export's purpose), and derivation inputs are named by item id, the way
    the offline verifier looks them up.
    """
    case = load_case(session, case_id)
    items = list(session.exec(select(Item).where(Item.case_id == case.id)).all())
    found = items_with_blobs(session=session, item_ids=[item.id for item in items])
    for item in items:
        require(
            session,
            principal=principal,
            perm=Perm.ITEM_CONTENT,
            case=case,
            item=item,
            client=client,
        )
    custody.record_many(
        session=session,
        events=[
            custody.NewEvent(
                action=custody.Action.ITEM_DOWNLOADED,
                actor=principal.actor(),
                case_id=case.id,
                item_id=item.id,
                sha256=item.sha256,
                client=client,
                details={"purpose": "court-export"},
            )
            for item in items
        ],
    )
    session.commit()
    checkpoint(session=session, ledger=ledger)
    ids = {item.id for item in items}
    bundle_items = [
        BundleItem(
            id=item.id,
            sha256=item.sha256,
            size=found[item.id][1].size,
            name=item.original_name,
            kind=str(item.kind),
            inputs=(item.parent_id,) if item.parent_id in ids else (),
        )
        for item in items
    ]

    def open_content(item_id: str) -> BinaryIO:
        chunks = store.get(found[item_id][1].storage_key)
        return io.BufferedReader(_ChunkReader(chunks), 1 << 20)

    return export_bundle(
        session=session,
        items=bundle_items,
        open_content=open_content,
        out=out,
        signers=log_signers(ledger),
    )
