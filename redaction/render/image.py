"""Image renderer: opaque boxes burned into the pixels; the output carries no metadata.

The output is a new PNG built from the pixel data alone (no EXIF, XMP, ICC text or
comments survive), lossless so that everything outside the boxes is pixel-identical to
the upright original. Boxes are the OCR word boxes (pixels, origin top-left, on the
upright image: the OCR stage applies the EXIF orientation first, and so do we).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageOps

FILL = (0, 0, 0)


def pad_box(
    box: dict[str, Any], *, scale: float = 1.0, size: tuple[int, int] | None = None
) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of a word box scaled to the raster and grown a little.

    Glyph edges are anti-aliased past the tight OCR box, and ascenders/descenders of
    neighbouring lines overlap it: grow by 15% of the height (at least 2 px). A box a
    person drew or placed (``exact``) is burned as drawn: what was approved is what was
    seen.
    """
    pad = 0.0 if box.get("exact") else max(2.0, 0.15 * box["height"] * scale)
    x0 = box["left"] * scale - pad
    y0 = box["top"] * scale - pad
    x1 = (box["left"] + box["width"]) * scale + pad
    y1 = (box["top"] + box["height"]) * scale + pad
    if size is not None:
        x0, y0 = max(0.0, x0), max(0.0, y0)
        x1, y1 = min(float(size[0]), x1), min(float(size[1]), y1)
    return int(x0), int(y0), int(x1 + 0.999), int(y1 + 0.999)


def burn_boxes(
    image: Image.Image, boxes: Iterable[dict[str, Any]], *, scale: float = 1.0
) -> Image.Image:
    """Return an RGB copy of ``image`` with every box filled opaque black."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out)
    for box in boxes:
        x0, y0, x1, y1 = pad_box(box, scale=scale, size=out.size)
        if x1 > x0 and y1 > y0:
            draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=FILL)
    return out


def clean_copy(image: Image.Image) -> Image.Image:
    """A fresh image holding only the pixels: no info dict, EXIF or ICC profile."""
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    return fresh


def render_image(*, src: Path, dst: Path, boxes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Write ``dst`` (PNG) with ``boxes`` (page 1) burned in; returns render facts."""
    with Image.open(src) as original:
        upright = ImageOps.exif_transpose(original)
        out = clean_copy(burn_boxes(upright, boxes))
    out.save(dst, format="PNG", optimize=False)
    return {"format": "png", "width": out.width, "height": out.height, "boxes": len(boxes)}
