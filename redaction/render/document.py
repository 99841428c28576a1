"""Document renderer: rasterise every page, burn the boxes, rebuild a PDF of images only.

A black rectangle drawn over a PDF that keeps its text layer hides nothing (copy, search
and pdftotext still read the text), so every page becomes pixels (``pdftoppm``, PPM:
PNG output is ~80× slower on noisy scans), boxes are burned in with Pillow, and
``img2pdf`` wraps the lossless images into a new PDF. pikepdf then drops the document
information dictionary and XMP so no metadata (producer, dates) remains.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import img2pdf
import pikepdf
from PIL import Image

from evidence import scratch
from redaction.render.audio import RenderError
from redaction.render.image import burn_boxes, clean_copy

DEFAULT_DPI = 200


def rasterise(*, src: Path, folder: Path, dpi: int) -> list[Path]:
    """One PPM per page, in page order."""
    done = subprocess.run(
        ["pdftoppm", "-r", str(dpi), str(src), str(folder / "page")],
        capture_output=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise RenderError(
            "pdftoppm cannot read the document: %(reason)s", reason=done.stderr.decode()[-300:]
        )
    pages = sorted(folder.glob("page-*.ppm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    if not pages:
        raise RenderError("the document has no pages")
    return pages


def strip_pdf_metadata(path: Path) -> None:
    """Remove the info dictionary and XMP stream; fixed /ID so output is reproducible."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        if "/Metadata" in pdf.Root:
            del pdf.Root["/Metadata"]
        pdf.save(path, deterministic_id=True)


def render_document(
    *,
    src: Path,
    dst: Path,
    boxes: Sequence[dict[str, Any]],
    pages: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Write ``dst`` (image-only PDF) with ``boxes`` burned in.

    ``pages`` gives, per page number, the ``width`` and ``dpi`` at which the boxes were
    measured; boxes are scaled to the raster actually produced.
    """
    geometry = {int(p["page"]): p for p in pages}
    dpi = max([int(p.get("dpi") or DEFAULT_DPI) for p in pages] or [DEFAULT_DPI])
    with tempfile.TemporaryDirectory(prefix="dalel-redact-", dir=scratch.tempdir()) as tmp:
        folder = Path(tmp)
        images: list[bytes] = []
        for number, ppm in enumerate(rasterise(src=src, folder=folder, dpi=dpi), start=1):
            with Image.open(ppm) as raster:
                measured = geometry.get(number, {}).get("width") or raster.width
                scale = raster.width / float(measured)
                mine = [b for b in boxes if int(b["page"]) == number]
                out = clean_copy(burn_boxes(raster, mine, scale=scale))
            png = folder / f"out-{number}.png"
            out.save(png, format="PNG", dpi=(dpi, dpi))
            images.append(png.read_bytes())
        layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
        dst.write_bytes(img2pdf.convert(images, layout_fun=layout, nodate=True))
    strip_pdf_metadata(dst)
    return {"format": "pdf", "pages": len(images), "dpi": dpi, "boxes": len(boxes)}
