"""Rotated PDF pages (/Rotate): boxes are in the displayed frame, overlays land right."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps

from ingest.media.ocr import ocr_pdf
from ingest.media.pdftext import extract_text_layer
from tests.ingest.conftest import RenderedPage


def _ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """left, top, right, bottom of everything darker than paper."""
    box = ImageOps.invert(image.convert("L")).point(lambda v: 255 if v > 96 else 0).getbbox()
    assert box is not None
    return box


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_text_layer_boxes_follow_rotation(digital_pdf: Path, tmp_path: Path, rotation: int) -> None:
    src = pdfium.PdfDocument(str(digital_pdf))
    doc = pdfium.PdfDocument.new()
    doc.import_pages(src, [0])
    doc[0].set_rotation(rotation)
    path = tmp_path / f"rot{rotation}.pdf"
    doc.save(str(path))
    doc.close()
    src.close()

    [page] = extract_text_layer(path=path, dpi=100)
    shown = pdfium.PdfDocument(str(path))
    rendered = shown[0].render(scale=100 / 72).to_pil()
    shown.close()
    assert (page.width, page.height) == pytest.approx(rendered.size, abs=1)
    # The union of word boxes is where the ink is on the page as displayed.
    union = (
        min(w.left for w in page.words),
        min(w.top for w in page.words),
        max(w.left + w.width for w in page.words),
        max(w.top + w.height for w in page.words),
    )
    assert union == pytest.approx(_ink_box(rendered), abs=4)


def test_searchable_overlay_on_a_rotated_scan(
    rendered_pages: dict[str, RenderedPage], tmp_path: Path
) -> None:
    """A landscape scan shown upright through /Rotate 90, as flatbed scanners do."""
    with Image.open(rendered_pages["eng"].png) as img:
        sideways = img.rotate(90, expand=True)  # counter-clockwise; /Rotate 90 undoes it
    raw = tmp_path / "sideways.pdf"
    sideways.save(raw, resolution=200.0)
    doc = pdfium.PdfDocument(str(raw))
    doc[0].set_rotation(90)
    scan = tmp_path / "rotated-scan.pdf"
    doc.save(str(scan))
    doc.close()

    out = tmp_path / "searchable.pdf"
    result = ocr_pdf(path=scan, searchable_pdf=out)
    [ocr_page] = result.pages
    assert "Interview record of witness" in ocr_page.text
    [layer_page] = extract_text_layer(path=out, dpi=200)
    assert "Interview" in layer_page.text
    assert (layer_page.width, layer_page.height) == pytest.approx(
        (ocr_page.width, ocr_page.height), abs=2
    )
    ocr_word = next(w for w in ocr_page.words if w.text == "Interview")
    layer_word = next(w for w in layer_page.words if w.text == "Interview")
    # Tesseract's invisible text is sized to its box; a few pixels of slack.
    assert layer_word.left == pytest.approx(ocr_word.left, abs=8)
    assert layer_word.top == pytest.approx(ocr_word.top, abs=12)
