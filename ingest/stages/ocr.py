"""Stage `ocr` (ocr queue): text with word boxes for images and PDFs.

Born-digital PDF pages give their text layer directly; scanned pages and images go
through tesseract (`DALEL_OCR_LANGUAGES`, default eng+rus+kaz). Outputs: `text_page`
rows, an `ocr` (or `text`) JSON derivative with every page and word box, a
`searchable_pdf` derivative when any page was OCR'd, and one search entry per page.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import select

from custody.events import utc_now
from evidence import scratch
from ingest.config import IngestSettings
from ingest.errors import UnsupportedMedia
from ingest.media import ocr
from ingest.media._run import tool_version
from ingest.media.pages import Page
from ingest.models import MediaInfo, TextPage
from ingest.runtime.stages import Context, Stage
from ingest.search import replace_entries

_SOURCE = {"ocr": "ocr", "text_layer": "pdf-text", "text": "text"}
MAX_TEXT_BYTES = 64 * 2**20  # a text file larger than this is indexed in part


def fingerprint(settings: IngestSettings) -> dict[str, Any]:
    from ingest.media import pdftext

    return {
        "tesseract": tool_version("tesseract"),
        "pdfium": pdftext.pdfium_version(),
        "languages": settings.ocr_languages,
        "dpi": settings.ocr_dpi,
    }


def page_source(page: Page) -> str:
    return _SOURCE.get(page.source, page.source)


def store_pages(ctx: Context, pages: list[Page]) -> None:
    """Replace the item's text pages and their search entries; no commit."""
    ctx.session.execute(delete(TextPage).where(TextPage.item_id == ctx.item.id))  # type: ignore[arg-type]
    now = utc_now()
    for page in pages:
        ctx.session.add(
            TextPage(
                item_id=ctx.item.id,
                page=page.number,
                source=page_source(page),
                text=page.text,
                words=[asdict(w) for w in page.words],
                width=page.width,
                height=page.height,
                dpi=page.dpi,
                mean_confidence=page.mean_confidence,
                created_at=now,
            )
        )
    for source in ("ocr", "pdf-text", "text"):
        replace_entries(
            session=ctx.session,
            case_id=ctx.item.case_id,
            item_id=ctx.item.id,
            source=source,
            entries=[(p.text, {"page": p.number}) for p in pages if page_source(p) == source],
        )


def _plain_text(path: Path) -> str:
    """A text file's content: UTF-8, else Windows-1251 (common in Kazakhstan's archives)."""
    raw = path.read_bytes()[:MAX_TEXT_BYTES]
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251", errors="replace")


def run(ctx: Context) -> dict[str, Any]:
    info = ctx.session.exec(select(MediaInfo).where(MediaInfo.item_id == ctx.item.id)).first()
    if info is None or info.kind not in {"image", "pdf", "text"}:
        raise UnsupportedMedia("text extraction needs an image, a PDF or a text file")
    if "svg" in info.media_type:
        # A drawing made of text: never OCR'd (tesseract would read it as a file list).
        raise UnsupportedMedia("SVG drawings are not OCR'd")
    ctx.session.commit()
    if info.kind == "text":
        # The file is its own text: no derivative, only the page and its search entry.
        with ctx.materialize() as (_item, _blob, path):
            body = _plain_text(path)
        page = Page(number=1, source="text", text=body, words=[], width=0, height=0, dpi=0)
        store_pages(ctx, [page])
        ctx.session.commit()
        return {"pages": 1, "characters": len(body)}
    settings = ctx.settings
    folder = scratch.mkdtemp(prefix="dalel-ocrjob-")
    searchable = folder / "searchable.pdf"
    try:
        with ctx.materialize() as (_item, _blob, path):
            if info.kind == "image":
                result = ocr.ocr_image(
                    path=path, languages=settings.ocr_languages, searchable_pdf=searchable,
                    timeout=settings.timeout_ocr,
                )  # fmt: skip
            else:
                result = ocr.ocr_pdf(
                    path=path, languages=settings.ocr_languages, dpi=settings.ocr_dpi,
                    searchable_pdf=searchable,
                    on_progress=lambda done, total: ctx.progress(done / max(total, 1)),
                )  # fmt: skip
        ocr_pages = [p.number for p in result.pages if p.source == "ocr"]
        derivation = {
            "tool": result.tool,
            "version": result.version,
            "parameters": result.parameters,
            "notes": result.notes,
        }
        stem = Path(ctx.item.original_name).stem or "item"
        kind = "ocr" if ocr_pages else "text"
        document = {
            "pages": [{**asdict(p), "source": page_source(p)} for p in result.pages],
            "derivation": derivation,
        }
        out: dict[str, Any] = {"pages": len(result.pages), "ocr_pages": ocr_pages}
        out[kind] = ctx.derive(
            source=json.dumps(document, ensure_ascii=False).encode(),
            name=f"{stem}.{kind}.json",
            derivative_kind=kind,
            derivation=derivation,
        ).id
        # A born-digital PDF is already searchable: a copy would add nothing.
        if ocr_pages and searchable.is_file():
            out["searchable_pdf"] = ctx.derive(
                source=searchable,
                name=f"{stem}.searchable.pdf",
                derivative_kind="searchable_pdf",
                derivation=derivation,
            ).id
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    store_pages(ctx, result.pages)
    ctx.session.commit()
    return out


STAGES = [Stage(name="ocr", queue="ocr", run=run, fingerprint=fingerprint)]
