"""Pages and images in the review: the picture itself at screen width, and its boxes.

A reviewer approves what they saw, so the review shows the page or image, not its OCR
text. Pages are rendered on the server from the original (pdfium for PDFs, Pillow for
images, EXIF orientation applied as the OCR and the renderer do), lazily, one page at
a time, at one of a few widths, and cached as ``review_page`` derivatives of the item
(``job_key`` per page and width), so the second view of a page reads the cache. Every
view is a recorded read: a cached page through ``evidence.service.open_content``, a
first rendering through ``materialize`` (the original's read) and ``register_derivative``.

Boxes are in the page's own pixels (``RedactionSource.media["pages"]``: the raster the
OCR measured, the upright image); the browser draws them in an SVG whose viewBox is
that page, so a box drawn with the mouse is saved in the same pixels the renderer
burns. What the overlay draws for a span's word box is the padded box the renderer
burns (``render.image.pad_box``), and what it draws for a reviewer's box is that box.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from evidence.models import Item
from evidence.policy import Perm, Principal
from evidence.service import materialize, open_content, register_derivative
from evidence.service.access import require
from evidence.storage import ObjectStore
from redaction.models import RedactionProposal, RedactionSource
from redaction.plans import PlanError, frames_of
from redaction.render.image import burn_boxes, pad_box
from redaction.service import PlanNotFound, load_plan, proposals_of

KIND = "review_page"
VERSION = "1"
# Screen widths a page is rendered at: a thumbnail, the review, a zoomed-in scan.
WIDTHS = (240, 1200, 2400)
DEFAULT_WIDTH = 1200
JPEG_QUALITY = 85


@dataclass(frozen=True, slots=True)
class PageImage:
    """A rendered page: JPEG bytes, their size, and the page's own size in box pixels."""

    data: bytes
    width: int
    height: int
    page_width: int
    page_height: int


def pages(source: RedactionSource) -> list[dict[str, Any]]:
    """The pages boxes may be drawn on: number, width and height (box pixels), dpi."""
    dpi = {int(p["page"]): p.get("dpi") for p in source.media.get("pages") or []}
    return [
        {"page": n, "width": w, "height": h, "dpi": dpi.get(n)}
        for n, (w, h) in sorted(frames_of(source.media).items())
    ]


def _drawn(box: dict[str, Any], size: tuple[int, int]) -> dict[str, int]:
    """The rectangle the renderer fills for ``box`` (page pixels)."""
    if box.get("exact"):
        left, top = int(box["left"]), int(box["top"])
        return {"left": left, "top": top, "width": int(box["width"]), "height": int(box["height"])}
    x0, y0, x1, y1 = pad_box(box, size=size)
    return {"left": x0, "top": y0, "width": x1 - x0, "height": y1 - y0}


def boxes(source: RedactionSource, proposals: list[RedactionProposal]) -> list[dict[str, Any]]:
    """Every box of every proposal as the overlay draws it, with what the hover and the
    list show (number, type, score, explanation, decision, basis).

    ``part`` numbers the boxes of one proposal (a span over two lines has two); a
    reviewer's move or resize replaces that part.
    """
    sizes = frames_of(source.media)
    out: list[dict[str, Any]] = []
    for p in proposals:
        target = p.target or {}
        parts: list[dict[str, Any]] = []
        if target.get("kind") == "box":
            parts = [{**target, "exact": True}]
        elif target.get("kind") == "span":
            parts = [r for r in p.regions or [] if r.get("kind") == "box"]
        for i, part in enumerate(parts):
            page = int(part["page"])
            if page not in sizes:
                continue
            out.append(
                {"number": p.number, "part": i, "page": page, "entity_type": p.entity_type,
                 "score": round(float(p.score), 2), "source": str(p.source),
                 "decision": str(p.decision), "reason": p.reason,
                 "explanation": p.explanation, "text": p.text,
                 "kind": target.get("kind"), **_drawn(part, sizes[page])}
            )  # fmt: skip
    return out


def open_counts(listed: list[dict[str, Any]]) -> dict[int, int]:
    """Per page, how many proposals on it are still undecided."""
    seen: dict[int, set[int]] = {}
    for b in listed:
        if b["decision"] == "pending":
            seen.setdefault(b["page"], set()).add(b["number"])
    return {page: len(numbers) for page, numbers in seen.items()}


def _render(path: Path, media_type: str, page: int, width: int) -> tuple[bytes, int, int]:
    from PIL import Image, ImageOps

    if media_type == "application/pdf":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(path))
        try:
            if not 1 <= page <= len(pdf):
                raise PlanError("page %(page)s is not in this document", page=page)
            sheet = pdf[page - 1]
            scale = width / sheet.get_width() if sheet.get_width() else 1.0
            # Rotation as pdftoppm (and so the OCR's boxes) applies it.
            image = sheet.render(scale=scale, grayscale=False).to_pil().convert("RGB")
            sheet.close()
        finally:
            pdf.close()
    else:
        with Image.open(path) as original:
            upright = ImageOps.exif_transpose(original).convert("RGB")
        if upright.width > width:
            height = max(1, round(upright.height * width / upright.width))
            upright = upright.resize((width, height), Image.Resampling.LANCZOS)
        image = upright
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue(), image.width, image.height


def _cached(session: Session, key: str) -> Item | None:
    return session.exec(select(Item).where(Item.job_key == key)).first()


def page_image(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    plan_id: str,
    page: int,
    width: int = DEFAULT_WIDTH,
    client: str | None = None,
) -> PageImage:
    """Page ``page`` of a plan's item as a JPEG ``width`` pixels wide (a recorded read).

    Rendered from the original the first time and kept as a ``review_page`` derivative;
    later views read that derivative. A width not in ``WIDTHS`` or a page the item does
    not have is a ``PlanError``; only readers of the item's content see it.
    """
    plan, item, case = load_plan(session, plan_id)
    require(
        session, principal=principal, perm=Perm.ITEM_CONTENT, case=case, item=item, client=client
    )
    source = session.get(RedactionSource, plan.source_id)
    if source is None:
        raise PlanNotFound("no such redaction plan")
    sizes = frames_of(source.media)
    media_type = str(source.media.get("media_type", ""))
    if width not in WIDTHS:
        raise PlanError(
            "width is one of %(widths)s", widths=", ".join(map(str, WIDTHS))
        )  # fmt: skip
    pictured = media_type == "application/pdf" or media_type.startswith("image/")
    if page not in sizes or not pictured:
        raise PlanError("page %(page)s has no picture in this item", page=page)
    page_width, page_height = sizes[page]
    cached = _cached(session, _key(item.id, page, width))
    if cached is not None:
        content = open_content(
            session=session, store=store, principal=principal, item_id=cached.id, client=client,
            context={"view": f"redaction.page:{plan.id}:{page}"},
        )  # fmt: skip
        data = b"".join(content.chunks)
        from PIL import Image

        with Image.open(io.BytesIO(data)) as shown:
            size = shown.size
        return PageImage(data, size[0], size[1], page_width, page_height)
    data, shown_w, shown_h = _render_and_cache(
        session=session, store=store, item=item, media_type=media_type, page=page,
        width=width, actor=principal.actor(),
    )  # fmt: skip
    return PageImage(data, shown_w, shown_h, page_width, page_height)


def _render_and_cache(
    *, session: Session, store: ObjectStore, item: Item, media_type: str, page: int,
    width: int, actor: Any,
) -> tuple[bytes, int, int]:  # fmt: skip
    """Render a page from the original (a recorded read) and keep it as a derivative."""
    stem = Path(item.original_name).stem or "item"
    suffix = Path(item.original_name).suffix.lower()
    with materialize(
        session=session, store=store, item_id=item.id, purpose=f"redaction.page:{page}",
        actor=actor, suffix=suffix,
    ) as (_, _, path):  # fmt: skip
        data, shown_w, shown_h = _render(path, media_type, page, width)
    register_derivative(
        session=session, store=store, parent_id=item.id, source=data,
        name=f"{stem}.page-{page}.w{width}.jpg", derivative_kind=KIND,
        derivation={"tool": "dalel-review-page", "version": VERSION,
                    "parameters": {"page": page, "width": width, "quality": JPEG_QUALITY}},
        job_key=_key(item.id, page, width), actor=actor,
    )  # fmt: skip
    return data, shown_w, shown_h


def _key(item_id: str, page: int, width: int) -> str:
    return f"redaction-page:{item_id}:{page}:{width}:v{VERSION}"


def prerender(*, session: Session, store: ObjectStore, item: Item, source: RedactionSource,
              actor: Any) -> None:  # fmt: skip
    """Render the first page at the review's width right after an analysis, so the
    reviewer's first view reads the cache (the analysis already took tens of seconds;
    one page more costs a fraction of a second). Later pages render on first view."""
    media_type = str(source.media.get("media_type", ""))
    sizes = frames_of(source.media)
    pictured = media_type == "application/pdf" or media_type.startswith("image/")
    if not pictured or 1 not in sizes or _cached(session, _key(item.id, 1, DEFAULT_WIDTH)):
        return
    _render_and_cache(
        session=session, store=store, item=item, media_type=media_type, page=1,
        width=DEFAULT_WIDTH, actor=actor,
    )  # fmt: skip


def preview_image(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    plan_id: str,
    page: int,
    width: int = DEFAULT_WIDTH,
    client: str | None = None,
) -> bytes:
    """The page as the plan will render it: every hidden box burned black, by the
    renderer's own function and padding, scaled to the screen image (PNG)."""
    shown = page_image(
        session=session, store=store, principal=principal, plan_id=plan_id, page=page,
        width=width, client=client,
    )  # fmt: skip
    from PIL import Image

    from redaction.render.dispatch import collect
    from redaction.service import proposal_dict

    accepted = [
        proposal_dict(p) for p in proposals_of(session, plan_id) if str(p.decision) == "accepted"
    ]
    mine = [b for b in collect(accepted).boxes if int(b.get("page", 1)) == page]
    with Image.open(io.BytesIO(shown.data)) as raster:
        out = burn_boxes(raster, mine, scale=shown.width / float(shown.page_width))
    buffer = io.BytesIO()
    out.save(buffer, "PNG")
    return buffer.getvalue()
