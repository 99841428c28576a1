"""PDF helpers for OCR: text layer vs scan per page, rasterising, text-layer overlay."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.errors import ToolFailed, UnsupportedMedia
from ingest.media._run import run
from ingest.media.pages import Page, Word

# A page with fewer visible characters than this in its text layer is treated as a
# scan (scanner stamps such as "Page 1/3" alone do not make a page born-digital).
MIN_TEXT_CHARS = 25
# ...and so is a page mostly covered by images whose text layer is short: a scan
# with a typed header line still needs OCR for its body.
IMAGE_COVER_RATIO = 0.5
SHORT_TEXT_CHARS = 200


def _visible_box(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    """The crop box as pdfium applies it, inherited boxes included.

    `get_cropbox()` reads only the page's own entry and falls back to US Letter when
    the box is inherited from the page tree (fpdf2 and others write it there).
    """
    left, bottom, right, top = page.get_bbox()
    return float(left), float(bottom), float(right), float(top)


def pdfium_version() -> str:
    return f"pypdfium2 {pdfium.PYPDFIUM_INFO} (pdfium {pdfium.PDFIUM_INFO})"


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise UnsupportedMedia(f"{path.name}: the PDF is password-protected") from exc
        raise UnsupportedMedia(f"{path.name}: not a readable PDF ({exc})") from exc


def _image_cover(page: pdfium.PdfPage) -> float:
    """Fraction of the page area covered by image objects (overlaps counted twice)."""
    width, height = page.get_size()
    area = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        area += max(0.0, right - left) * max(0.0, top - bottom)
    return area / (width * height) if width and height else 0.0


def classify_pages(
    *, path: Path, dpi: int, force_ocr: bool = False
) -> tuple[list[Page], list[int], list[str]]:
    """Split pages into text-layer pages (returned with words) and page numbers to OCR."""
    pdf = _open(path)
    layer_pages: list[Page] = []
    scans: list[int] = []
    notes: list[str] = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
                visible = sum(1 for ch in text if not ch.isspace())
                scan = force_ocr or visible < MIN_TEXT_CHARS
                if (
                    not scan
                    and visible < SHORT_TEXT_CHARS
                    and _image_cover(page) > IMAGE_COVER_RATIO
                ):
                    scan = True
                    notes.append(f"page {index + 1}: short text layer over images, OCR'd")
                if scan:
                    scans.append(index + 1)
                else:
                    layer_pages.append(_layer_page(page, textpage, text, index + 1, dpi))
                textpage.close()
            finally:
                page.close()
    finally:
        pdf.close()
    return layer_pages, scans, notes


def extract_text_layer(*, path: Path | str, dpi: int = 200) -> list[Page]:
    """Every page's text layer with word boxes, whatever is under it (no OCR)."""
    pdf = _open(Path(path))
    pages = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            pages.append(_layer_page(page, textpage, text, index + 1, dpi))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return pages


def _layer_page(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, text: str, number: int, dpi: int
) -> Page:
    """Words with boxes from the text layer, converted to top-left pixels at `dpi`.

    Characters are grouped into words at whitespace and at line changes; boxes come
    from pdfium's tight glyph boxes, then turned with the page's /Rotate so they are
    in the displayed frame, like boxes of OCR'd pages.
    """
    scale = dpi / 72.0
    left0, bottom0, right0, top0 = _visible_box(page)
    width, height = right0 - left0, top0 - bottom0
    words: list[Word] = []
    buf: list[str] = []
    box: list[float] = []
    line = 0
    last_top: float | None = None

    def flush() -> None:
        if buf:
            x0, y0, x1, y1 = box
            words.append(
                Word(
                    text="".join(buf),
                    left=round((x0 - left0) * scale),
                    top=round((top0 - y1) * scale),
                    width=max(1, round((x1 - x0) * scale)),
                    height=max(1, round((y1 - y0) * scale)),
                    confidence=100.0,
                    line=line,
                )
            )
            buf.clear()

    for i in range(textpage.count_chars()):
        ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        if ch.isspace() or ch in "\x00\ufffe":
            flush()
            if ch in "\r\n":
                line += 1 if words else 0
                last_top = None
            continue
        cx0, cy0, cx1, cy1 = textpage.get_charbox(i)
        if buf and last_top is not None and abs(cy1 - last_top) > (cy1 - cy0):
            flush()  # same word run but a new line without a newline char
            line += 1
        if not buf:
            box = [cx0, cy0, cx1, cy1]
        else:
            box = [min(box[0], cx0), min(box[1], cy0), max(box[2], cx1), max(box[3], cy1)]
        buf.append(ch)
        last_top = cy1
    flush()
    page_w, page_h = round(width * scale), round(height * scale)
    rotation = page.get_rotation() % 360
    if rotation:
        words = [_rotate_box(w, rotation, page_w, page_h) for w in words]
        if rotation in (90, 270):
            page_w, page_h = page_h, page_w
    return Page(
        number=number,
        source="text_layer",
        text=text.strip(),
        words=words,
        width=page_w,
        height=page_h,
        dpi=dpi,
        mean_confidence=None,
    )


def _rotate_box(word: Word, rotation: int, w: int, h: int) -> Word:
    """Move a box from the unrotated page to the page as displayed (/Rotate, clockwise).

    OCR'd pages are rasterised as displayed, so this puts every page's boxes in the
    same frame: what a viewer (and the redaction renderer) sees.
    """
    left, top, bw, bh = word.left, word.top, word.width, word.height
    if rotation == 90:
        left, top, bw, bh = h - top - bh, left, bh, bw
    elif rotation == 180:
        left, top = w - left - bw, h - top - bh
    elif rotation == 270:
        left, top, bw, bh = top, w - left - bw, bh, bw
    return Word(word.text, left, top, bw, bh, word.confidence, word.line)


def rasterise_page(*, path: Path, number: int, dpi: int, out_dir: Path, timeout: float) -> Path:
    """Render one page to a grayscale TIFF with pdftoppm (fast path, see FINDINGS)."""
    prefix = out_dir / f"raster-{number}"
    cmd = ["pdftoppm", "-r", str(dpi), "-gray", "-tiff", "-tiffcompression", "none"]
    cmd += ["-f", str(number), "-l", str(number), "-singlefile", str(path), str(prefix)]
    run(cmd, timeout=timeout)
    image = prefix.with_suffix(".tif")
    if not image.is_file():
        raise ToolFailed(f"pdftoppm produced no image for page {number}", tool="pdftoppm")
    return image


def _placement(page: pdfium.PdfPage, layer_w: float, layer_h: float) -> pdfium.PdfMatrix:
    """Matrix taking the text layer (drawn upright, as displayed) onto the page.

    pdftoppm renders the crop box with /Rotate applied, so tesseract's layer is in
    display orientation; undo the rotation and move to the crop box origin.
    """
    left, bottom, right, top = _visible_box(page)
    w, h = right - left, top - bottom
    rotation = page.get_rotation() % 360
    disp_w, disp_h = (h, w) if rotation in (90, 270) else (w, h)
    sx, sy = disp_w / layer_w, disp_h / layer_h
    # Display → user space for each clockwise rotation: x = a X + c Y + e, y = b X + d Y + f.
    a, b, c, d, e, f = {
        0: (1, 0, 0, 1, 0, 0),
        90: (0, 1, -1, 0, w, 0),
        180: (-1, 0, 0, -1, w, h),
        270: (0, -1, 1, 0, 0, h),
    }[rotation]
    return pdfium.PdfMatrix(a * sx, b * sx, c * sy, d * sy, e + left, f + bottom)


def overlay_text_layers(*, source: Path, layers: dict[int, Path], output: Path) -> None:
    """Write a copy of `source` with each text-only OCR layer laid over its page."""
    if not layers:
        shutil.copyfile(source, output)
        return
    pdf = _open(source)
    try:
        for number, layer_path in sorted(layers.items()):
            layer = pdfium.PdfDocument(str(layer_path))
            try:
                layer_w, layer_h = layer.get_page_size(0)
                xobject = layer.page_as_xobject(0, pdf)
                page = pdf[number - 1]
                obj = xobject.as_pageobject()
                obj.set_matrix(_placement(page, layer_w, layer_h))
                page.insert_obj(obj)
                page.gen_content()
                page.close()
            finally:
                layer.close()
        pdf.save(str(output))
    finally:
        pdf.close()
