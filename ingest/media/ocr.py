"""OCR with tesseract and text extraction from born-digital PDFs.

Pages come back with their text and word boxes (redaction paints over the boxes).
Boxes are pixels at the page's `dpi`, origin top-left, for OCR'd and text-layer
pages alike, so a renderer handles every page the same way.

Why these choices (see FINDINGS): languages default to `eng+rus+kaz` in that order
(`kaz` first turns Latin into Cyrillic look-alikes); `OMP_THREAD_LIMIT=1` makes
tesseract about twice as fast on our 2-core workers; PDFs are rasterised with
`pdftoppm -gray -tiff` (PNG output is 80x slower on noisy scans). One tesseract run
per page writes both the TSV (words, boxes) and, when a searchable PDF is wanted,
a text-only PDF layer that is laid over the original page, so the original's
images and colours are kept and nothing is OCR'd twice.
"""

from __future__ import annotations

import csv
import functools
import io
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evidence import scratch
from ingest.errors import ModelMissing, UnsupportedMedia
from ingest.media import pdftext
from ingest.media._heif import enable_heif
from ingest.media._run import run, tool_version
from ingest.media.pages import Page, Word

DEFAULT_LANGUAGES = "eng+rus+kaz"
DEFAULT_DPI = 200
PAGE_TIMEOUT = 300.0
TESSERACT_ENV = {"OMP_THREAD_LIMIT": "1"}


@dataclass(slots=True)
class OcrResult:
    pages: list[Page]
    tool: str
    version: str
    parameters: dict[str, Any]
    searchable_pdf: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\f".join(p.text for p in self.pages)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.cache
def installed_languages() -> frozenset[str]:
    """Language packs tesseract can load; cached, as `--list-langs` costs ~30 ms a call."""
    proc = run(["tesseract", "--list-langs"], timeout=30)
    lines = proc.stdout.decode().splitlines() or proc.stderr.decode().splitlines()
    return frozenset(ln.strip() for ln in lines[1:] if ln.strip())


def _check_languages(languages: str) -> None:
    wanted = [lang for lang in languages.split("+") if lang]
    missing = [lang for lang in wanted if lang not in installed_languages()]
    if not wanted or missing:
        raise ModelMissing(
            f"tesseract language data missing: {', '.join(missing) or '(none given)'} "
            f"(install tesseract-ocr-<lang> or change the OCR languages setting)"
        )


def parse_tsv(tsv: str) -> dict[int, tuple[list[Word], str, tuple[int, int]]]:
    """Tesseract TSV → {page_num: (words, text, (width, height))}.

    Text is rebuilt from the words: words on one line joined by spaces, lines by
    newlines, paragraphs by a blank line, like tesseract's own txt output.
    """
    pages: dict[int, tuple[list[Word], list[str], tuple[int, int]]] = {}
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    line_no = 0
    current: tuple[int, int, int, int] | None = None
    para: tuple[int, int, int] | None = None
    for row in reader:
        try:
            level, page_num = int(row["level"]), int(row["page_num"])
        except (TypeError, ValueError):
            continue
        if level == 1:
            pages[page_num] = ([], [], (int(row["width"]), int(row["height"])))
            line_no, current, para = 0, None, None
            continue
        text = (row.get("text") or "").strip()
        if level != 5 or not text:
            continue
        words, lines, _ = pages.setdefault(page_num, ([], [], (0, 0)))
        key = (page_num, int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        if key != current:
            if current is not None and key[:3] != para:
                lines.append("")  # paragraph break
            line_no += 1 if current is not None else 0
            current, para = key, key[:3]
            lines.append(text)
        else:
            lines[-1] += " " + text
        words.append(
            Word(
                text=text,
                left=int(row["left"]),
                top=int(row["top"]),
                width=int(row["width"]),
                height=int(row["height"]),
                confidence=round(float(row["conf"]), 2),
                line=line_no,
            )
        )
    return {n: (w, "\n".join(lines), size) for n, (w, lines, size) in pages.items()}


def _tesseract(
    image: Path,
    out_base: Path,
    *,
    languages: str,
    psm: int,
    dpi: int | None,
    textonly_pdf: bool,
    full_pdf: bool,
    timeout: float,
) -> list[str]:
    cmd = ["tesseract", str(image), str(out_base), "-l", languages, "--psm", str(psm)]
    if dpi:
        cmd += ["--dpi", str(dpi)]
    if textonly_pdf:
        cmd += ["-c", "textonly_pdf=1"]
    cmd += ["tsv"] + (["pdf"] if textonly_pdf or full_pdf else [])
    run(cmd, timeout=timeout, env=TESSERACT_ENV)
    return cmd


def _pages_from_tsv(tsv_path: Path, dpi: int, numbers: list[int] | None = None) -> list[Page]:
    parsed = parse_tsv(tsv_path.read_text(encoding="utf-8"))
    pages = []
    for i, (n, (words, text, (w, h))) in enumerate(sorted(parsed.items())):
        confs = [wd.confidence for wd in words if wd.confidence >= 0]
        pages.append(
            Page(
                number=numbers[i] if numbers else n,
                source="ocr",
                text=text,
                words=words,
                width=w,
                height=h,
                dpi=dpi,
                mean_confidence=round(sum(confs) / len(confs), 2) if confs else None,
            )
        )
    return pages


def ocr_image(
    *,
    path: Path | str,
    languages: str = DEFAULT_LANGUAGES,
    psm: int = 3,
    dpi: int | None = None,
    searchable_pdf: Path | str | None = None,
    timeout: float = PAGE_TIMEOUT,
) -> OcrResult:
    """OCR an image (multi-page TIFF gives several pages) with word boxes.

    `dpi` overrides a missing or wrong resolution in the file (phone photos say 72).
    With `searchable_pdf`, tesseract writes image + invisible text layer there in
    the same run.
    """
    path = Path(path)
    _check_languages(languages)
    with tempfile.TemporaryDirectory(prefix="dalel-ocr-", dir=scratch.tempdir()) as tmp:
        base = Path(tmp) / "page"
        image, prepared = _prepare_image(path, Path(tmp))
        cmd = _tesseract(
            image,
            base,
            languages=languages,
            psm=psm,
            dpi=dpi,
            textonly_pdf=False,
            full_pdf=searchable_pdf is not None,
            timeout=timeout,
        )
        if not (base.with_suffix(".tsv")).is_file():
            raise UnsupportedMedia(f"{path.name}: tesseract could not read the image")
        pages = _pages_from_tsv(base.with_suffix(".tsv"), dpi or _image_dpi(path))
        if searchable_pdf is not None:
            Path(searchable_pdf).write_bytes(base.with_suffix(".pdf").read_bytes())
    return OcrResult(
        pages=pages,
        tool="tesseract",
        version=tool_version("tesseract"),
        parameters={
            "languages": languages,
            "psm": psm,
            "dpi": dpi,
            "prepared": prepared,
            "command": cmd[3:],
        },
        searchable_pdf=str(searchable_pdf) if searchable_pdf else None,
    )


_EXIF_IN_HEADER = {"JPEG", "MPO", "TIFF", "WEBP", "HEIF"}
# What Debian's leptonica reads directly; anything else goes through Pillow first.
_TESSERACT_FORMATS = {"PNG", "JPEG", "TIFF", "BMP", "PPM", "GIF", "WEBP", "JPEG2000"}


def _prepare_image(path: Path, tmp: Path) -> tuple[Path, str | None]:
    """Give tesseract an upright image it can read → (path to OCR, what was done).

    Phone photos of documents are often stored sideways with an EXIF Orientation
    tag, which leptonica ignores: OCR would read rotated text (garbage) and boxes
    would not match the image as displayed. Such images, and formats leptonica
    cannot read, are rewritten as PNG with the orientation applied; boxes are then
    in the displayed frame, like the web proxy.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    enable_heif()
    try:
        with Image.open(path) as img:
            # Only where EXIF sits in the header: for PNG, getexif() decodes every
            # pixel to look for a trailing chunk (~50 ms a page, 5-10% of the OCR).
            orientation = img.getexif().get(0x0112, 1) if img.format in _EXIF_IN_HEADER else 1
            frames = getattr(img, "n_frames", 1)
            if frames > 1 or (img.format in _TESSERACT_FORMATS and orientation in (0, 1)):
                return path, None
            upright = ImageOps.exif_transpose(img)
            dpi = img.info.get("dpi")
            out = tmp / "prepared.png"
            upright.save(out, **({"dpi": dpi} if dpi else {}))
            what = "exif_transpose" if orientation not in (0, 1) else f"converted from {img.format}"
            return out, what
    except (UnidentifiedImageError, OSError) as exc:
        # Never hand tesseract a file Pillow cannot decode: given text (an SVG, a
        # renamed document) it reads each line as the path of an image to open, and its
        # errors would quote the evidence.
        raise UnsupportedMedia("not a raster image that OCR can read") from exc


def _image_dpi(path: Path) -> int:
    from PIL import Image

    try:
        with Image.open(path) as img:
            dpi = img.info.get("dpi", (0, 0))[0]
    except OSError:
        return 0
    return round(float(dpi)) if dpi else 0


def ocr_pdf(
    *,
    path: Path | str,
    languages: str = DEFAULT_LANGUAGES,
    dpi: int = DEFAULT_DPI,
    psm: int = 3,
    force_ocr: bool = False,
    searchable_pdf: Path | str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    page_timeout: float = PAGE_TIMEOUT,
) -> OcrResult:
    """Text of every page: the text layer where there is one, OCR where the page is a scan.

    `pdftext.classify_pages` decides per page. OCR'd pages are rasterised one at a
    time (the next page renders while tesseract reads the current one). With
    `searchable_pdf`, a copy of the original with invisible OCR text on the scanned
    pages is written there. `on_progress(done, total)` is called after each page.
    """
    path = Path(path)
    _check_languages(languages)
    layer_pages, scan_numbers, notes = pdftext.classify_pages(
        path=path, dpi=dpi, force_ocr=force_ocr
    )
    total = len(layer_pages) + len(scan_numbers)
    done = len(layer_pages)
    if on_progress and done:
        on_progress(done, total)
    ocr_pages: list[Page] = []
    layers: dict[int, Path] = {}
    with (
        tempfile.TemporaryDirectory(prefix="dalel-ocr-", dir=scratch.tempdir()) as tmp,
        ThreadPoolExecutor(1) as pool,
    ):
        tmpdir = Path(tmp)
        render = lambda n: pdftext.rasterise_page(  # noqa: E731
            path=path, number=n, dpi=dpi, out_dir=tmpdir, timeout=page_timeout
        )
        pending = pool.submit(render, scan_numbers[0]) if scan_numbers else None
        for i, number in enumerate(scan_numbers):
            assert pending is not None
            image = pending.result()
            if i + 1 < len(scan_numbers):
                pending = pool.submit(render, scan_numbers[i + 1])
            base = tmpdir / f"ocr-{number}"
            _tesseract(
                image,
                base,
                languages=languages,
                psm=psm,
                dpi=dpi,
                textonly_pdf=searchable_pdf is not None,
                full_pdf=False,
                timeout=page_timeout,
            )
            image.unlink()
            parsed = _pages_from_tsv(base.with_suffix(".tsv"), dpi, [number])
            # A blank page still is a page: keep it, with no text, so numbering holds.
            ocr_pages += parsed or [Page(number, "ocr", "", [], 0, 0, dpi)]
            if searchable_pdf is not None:
                layers[number] = base.with_suffix(".pdf")
            done += 1
            if on_progress:
                on_progress(done, total)
        if searchable_pdf is not None:
            pdftext.overlay_text_layers(source=path, layers=layers, output=Path(searchable_pdf))
    pages = sorted([*layer_pages, *ocr_pages], key=lambda p: p.number)
    return OcrResult(
        pages=pages,
        tool="tesseract" if scan_numbers else "pdfium",
        version=tool_version("tesseract") if scan_numbers else pdftext.pdfium_version(),
        parameters={
            "languages": languages,
            "psm": psm,
            "dpi": dpi,
            "force_ocr": force_ocr,
            "rasteriser": "pdftoppm -gray -tiff",
            "text_layer": "pypdfium2",
            "ocr_pages": scan_numbers,
        },
        searchable_pdf=str(searchable_pdf) if searchable_pdf else None,
        notes=notes,
    )
