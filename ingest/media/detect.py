"""Type detection by content, not by name; the name only serves to flag mismatches.

libmagic (python-magic, else the `file` CLI) decides the media type from the bytes.
The kind is what later stages dispatch on. A file whose extension promises another
type than its content (a `.jpg` that is a PDF, a `.docx` that is an executable) is
flagged, because in evidence a renamed file is itself a fact worth recording.
"""

from __future__ import annotations

import json
import mimetypes
import zipfile
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ingest.errors import UnsupportedMedia
from ingest.media import whatsapp
from ingest.media._run import run


class Kind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    IMAGE = "image"
    PDF = "pdf"
    DOCUMENT = "document"
    ARCHIVE = "archive"
    CHAT_EXPORT = "chat_export"
    TEXT = "text"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Detection:
    """What a file is. `mismatch` is True when the name's extension disagrees."""

    media_type: str
    kind: Kind
    extension: str
    extension_media_type: str | None
    mismatch: bool
    reason: str | None
    detector: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = str(self.kind)
        return data


_DOCUMENT_TYPES = {
    "application/msword",
    "application/rtf",
    "text/rtf",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/epub+zip",
}
# ZIP-based office formats, recognised by their parts: OOXML by its main part (next to
# [Content_Types].xml), ODF and EPUB by their `mimetype` member. libmagic only reads the
# first members, so a package that starts with, say, a large thumbnail is "a ZIP" to it.
_OOXML_MAIN_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
_PACKAGE_TYPES = {
    *_OOXML_MAIN_PARTS.values(),
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/epub+zip",
}
_MAYBE_PACKAGE = {"application/zip", "application/octet-stream"}
_ARCHIVE_TYPES = {
    "application/zip",
    "application/x-tar",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-7z-compressed",
    "application/vnd.rar",
    "application/x-rar",
    "application/zstd",
}
_AUDIO_AS_VIDEO_CONTAINERS = {"video/mp4", "video/quicktime", "video/webm", "video/x-matroska"}

# Types libmagic and mimetypes spell differently for the same format.
_ALIASES = {
    "audio/x-wav": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "audio/x-flac": "audio/flac",
    "application/x-gzip": "application/gzip",
    "application/x-zip-compressed": "application/zip",
    "image/jpg": "image/jpeg",
    "image/x-ms-bmp": "image/bmp",
    "video/x-msvideo": "video/avi",
    "video/x-m4v": "video/mp4",
    "text/xml": "application/xml",
    "application/x-rar": "application/vnd.rar",
    "application/x-rar-compressed": "application/vnd.rar",
    "application/x-pdf": "application/pdf",
}
# Kinds whose exact type must match the extension; the others compare by family.
_STRICT_KINDS = {Kind.IMAGE, Kind.PDF, Kind.ARCHIVE}


def _family(kind: Kind) -> str:
    """Kinds that one extension may legitimately hold (an .mp4 with only audio)."""
    if kind in {Kind.AUDIO, Kind.VIDEO}:
        return "av"
    return str(kind)


def normalise_media_type(media_type: str) -> str:
    """Lower-case, drop parameters, fold known aliases."""
    base = media_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def kind_for(media_type: str) -> Kind:
    """Map a media type to the kind later stages dispatch on."""
    mt = normalise_media_type(media_type)
    top = mt.split("/", 1)[0]
    if mt == "application/pdf":
        return Kind.PDF
    if mt in _DOCUMENT_TYPES:
        return Kind.DOCUMENT
    if mt in _ARCHIVE_TYPES:
        return Kind.ARCHIVE
    if top in {"video", "audio", "image"}:
        return Kind(top)
    if top == "text" or mt in {"application/json", "application/xml", "application/csv"}:
        return Kind.TEXT
    if mt == "application/ogg":
        return Kind.AUDIO
    return Kind.OTHER


def _libmagic(path: Path) -> tuple[str, str]:
    try:
        import magic  # python-magic: binds the same libmagic as `file`, no process spawn
    except ImportError:
        proc = run(["file", "--brief", "--mime-type", "--", str(path)], timeout=30)
        return proc.stdout.decode().strip(), "file"
    try:
        return magic.from_file(str(path), mime=True), "python-magic"
    except (OSError, magic.MagicException) as exc:
        raise UnsupportedMedia(f"cannot read {path.name}: {exc}") from exc


def _package_type(path: Path) -> str | None:
    """The office type of a ZIP judged by its parts, "application/zip" for a ZIP that is
    no office package, None when it is not a readable ZIP."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and zf.getinfo("mimetype").file_size <= 100:
                declared = zf.read("mimetype").decode("ascii", "replace").strip().lower()
                if declared in _PACKAGE_TYPES:
                    return declared
            if "[Content_Types].xml" in names:
                for part, media_type in _OOXML_MAIN_PARTS.items():
                    if part in names:
                        return media_type
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, ValueError):
        return None  # RuntimeError: an encrypted member
    return "application/zip"


def _zip_holds_chat(path: Path) -> bool:
    """A ZIP with a Telegram result.json, or a text member that reads as a WhatsApp
    export (by content: «WhatsApp Chat with ….txt», «Чат WhatsApp с ….txt», _chat.txt)."""
    with zipfile.ZipFile(path) as zf:
        members = zf.infolist()[:10_000]
        if any(Path(m.filename).name == "result.json" for m in members):
            return True
        texts = [m for m in members if m.filename.lower().endswith(".txt") and not m.is_dir()]
        for member in texts[:50]:
            try:
                with zf.open(member) as fh:
                    head = fh.read(whatsapp.SNIFF_BYTES).decode("utf-8", "replace")
            except (RuntimeError, zipfile.BadZipFile, NotImplementedError, OSError):
                continue  # encrypted or unsupported member: not readable here
            if whatsapp.looks_like_whatsapp(head):
                return True
    return False


def _looks_like_chat_export(path: Path, media_type: str) -> bool:
    """Recognise Telegram result.json and WhatsApp exports by content (alone or zipped)."""
    name = path.name.lower()
    try:
        if media_type == "application/json" or name.endswith(".json"):
            if path.stat().st_size > 2_000_000_000:
                return False
            with path.open("rb") as fh:
                head = fh.read(4096).decode("utf-8", "replace")
            # One chat: "name", "type", "id", "messages" at the top. A full export
            # starts with "about" (Telegram's notice) and lists chats much later.
            single = all(f'"{key}"' in head for key in ("name", "type", "id", "messages"))
            return single or (name == "result.json" and '"about"' in head and "Telegram" in head)
        if media_type.startswith("text/"):
            return whatsapp.sniff(path)
        if media_type == "application/zip":
            return _zip_holds_chat(path)
    except (OSError, zipfile.BadZipFile, json.JSONDecodeError):
        return False
    return False


def _expected_type(extension: str) -> str | None:
    if not extension:
        return None
    guessed, _ = mimetypes.guess_type("x" + extension, strict=False)
    extra = {
        ".m4a": "audio/mp4",
        ".opus": "audio/ogg",
        ".heic": "image/heic",
        ".mkv": "video/x-matroska",
    }
    guessed = extra.get(extension, guessed)
    return normalise_media_type(guessed) if guessed else None


def detect(*, path: Path | str, original_name: str | None = None) -> Detection:
    """Detect the media type and kind of a local file from its bytes.

    `original_name` is the name the uploader gave (the local path is often a temp
    name); its extension is compared with the content to flag mismatches.
    """
    path = Path(path)
    if not path.is_file():
        raise UnsupportedMedia(f"not a regular file: {path}")
    raw, detector = _libmagic(path)
    media_type = normalise_media_type(raw)
    if media_type in _PACKAGE_TYPES or media_type in _MAYBE_PACKAGE:
        # By the parts, not the first bytes: a .docx is a Word document only with its
        # main part, and a Word document whose parts libmagic did not reach is one still.
        package = _package_type(path)
        plain_zip = package == "application/zip" and media_type not in _PACKAGE_TYPES
        if package is not None and package != media_type and not plain_zip:
            media_type, detector = package, f"{detector}+zip-parts"
    kind = kind_for(media_type)
    name = original_name or path.name
    extension = Path(name).suffix.lower()

    # An MP4/WebM/Matroska holding only audio is audio; libmagic cannot see streams.
    if (
        kind is Kind.VIDEO
        and extension in {".m4a", ".weba", ".mka"}
        and (media_type in _AUDIO_AS_VIDEO_CONTAINERS)
    ):
        kind = Kind.AUDIO
    if kind in {Kind.TEXT, Kind.ARCHIVE} and _looks_like_chat_export(path, media_type):
        kind = Kind.CHAT_EXPORT

    expected = _expected_type(extension)
    mismatch, reason = False, None
    if expected is not None and expected != media_type:
        expected_kind = kind_for(expected)
        # Office packages are recognised by their parts above: a .docx that is a plain
        # ZIP is a rename like any other.
        same_family = _family(expected_kind) == _family(kind_for(media_type))
        # Within image/pdf/archive a different type is a rename (.jpg holding a PNG);
        # audio, video, text and office containers vary legitimately.
        mismatch = not same_family or kind_for(media_type) in _STRICT_KINDS
        if mismatch:
            reason = f"extension {extension} suggests {expected}, content is {media_type}"
    return Detection(
        media_type=media_type,
        kind=kind,
        extension=extension,
        extension_media_type=expected,
        mismatch=mismatch,
        reason=reason,
        detector=detector,
    )
