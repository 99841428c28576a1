"""Office documents written by hand for the ingest tests: a Word package around a given
<w:body>, an OpenDocument package around a given <office:body>, and their media types."""

from __future__ import annotations

import zipfile
from pathlib import Path

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


def docx_from_body(path: Path, body: str, *, prolog: str = "") -> Path:
    """A minimal Word package around a hand-written <w:body>."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{W_NS}" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return path


def odf(path: Path, media_type: str, body: str, *, prolog: str = "") -> Path:
    """An OpenDocument package: `mimetype` first and stored, then content.xml."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), media_type, zipfile.ZIP_STORED)
        zf.writestr(
            "content.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {ODF_NS} '
            f'office:version="1.3"><office:body>{body}</office:body></office:document-content>',
        )
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    return path
