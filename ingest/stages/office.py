"""Stage `office` (default queue): the text of Word, Excel, OpenDocument and RTF files.

Like a born-digital PDF's text layer: `text_page` rows (source `document`, one per
page-like unit or sheet, no word boxes), one search entry per unit, and a `text` JSON
derivative with every unit and the derivation. Office formats this stage cannot read
(legacy .doc/.xls, presentations, EPUB) finish with a note and no text.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import select

from custody.events import utc_now
from ingest.config import IngestSettings
from ingest.errors import UnsupportedMedia
from ingest.media import office
from ingest.media.pages import Page
from ingest.models import MediaInfo, TextPage
from ingest.runtime.stages import Context, Stage
from ingest.search import replace_entries


def fingerprint(settings: IngestSettings) -> dict[str, Any]:
    return {"tool": office.tool_version(), "limits": asdict(office.Limits())}


def store_pages(ctx: Context, pages: list[Page]) -> None:
    """Replace the item's text pages and their search entries; no commit."""
    ctx.session.execute(delete(TextPage).where(TextPage.item_id == ctx.item.id))  # type: ignore[arg-type]
    now = utc_now()
    for page in pages:
        ctx.session.add(
            TextPage(
                item_id=ctx.item.id, page=page.number, source=page.source, text=page.text,
                words=[], created_at=now,
            )
        )  # fmt: skip
    replace_entries(
        session=ctx.session,
        case_id=ctx.item.case_id,
        item_id=ctx.item.id,
        source=office.SOURCE,
        entries=[(p.text, {"page": p.number}) for p in pages],
    )


def run(ctx: Context) -> dict[str, Any]:
    info = ctx.session.exec(select(MediaInfo).where(MediaInfo.item_id == ctx.item.id)).first()
    if info is None or info.kind != "document":
        raise UnsupportedMedia("office text extraction needs a document")
    ctx.session.commit()
    fmt = office.format_for(info.media_type)
    if fmt is None:
        return {"skipped": f"no text extraction for {info.media_type}"}
    with ctx.materialize() as (_item, _blob, path):
        result = office.extract_text(path=path, media_type=info.media_type)
    derivation = {
        "tool": office.TOOL,
        "version": office.tool_version(),
        "parameters": {"format": fmt, "limits": asdict(office.Limits())},
        "notes": result.notes,
        "truncated": result.truncated,
    }
    out: dict[str, Any] = {"format": fmt, "pages": len(result.pages)}
    if result.truncated:
        out["truncated"] = True
    if result.pages:
        document = {"pages": [asdict(p) for p in result.pages], "derivation": derivation}
        out["text"] = ctx.derive(
            source=json.dumps(document, ensure_ascii=False).encode(),
            name=f"{Path(ctx.item.original_name).stem or 'item'}.text.json",
            derivative_kind="text",
            derivation=derivation,
        ).id
    store_pages(ctx, result.pages)
    ctx.session.commit()
    return out


STAGES = [Stage(name="office", queue="default", run=run, fingerprint=fingerprint)]
