"""Metadata: ffprobe for audio/video, exiftool for images, PDF document info.

Every function returns a plain JSON-serialisable dict. Times are UTC ISO 8601
strings ("2024-03-01T09:15:00+00:00"). When a file records only a local wall-clock
time with no offset (common in EXIF), the UTC time is given only if the caller
passes `assume_utc_offset`; the raw local value is always kept under `*_local`
so nothing is invented. The tool's own output is kept under `raw`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ingest.errors import UnsupportedMedia
from ingest.media._run import run, tool_version

PROBE_TIMEOUT = 60.0

# ISO 6709 as written by phones in com.apple.quicktime.location.ISO6709 / location.
_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")
_PDF_DATE = re.compile(
    r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?"
)
_DEVICE_TAGS = (
    "make",
    "model",
    "encoder",
    "handler_name",
    "com.android.manufacturer",
    "com.android.model",
    "com.android.version",
)


def _iso_utc(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


def parse_iso_time(value: str) -> str | None:
    """ffprobe's creation_time ("2024-03-01T09:15:00.000000Z") to UTC ISO, else None."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # QuickTime creation_time is defined as UTC
    return _iso_utc(dt)


def parse_iso6709(value: str) -> dict[str, float] | None:
    """'+43.2383+076.9454+0801.000/' → {'lat': 43.2383, 'lon': 76.9454, 'alt': 801.0}."""
    m = _ISO6709.match(value.strip())
    if not m:
        return None
    out = {"lat": float(m.group(1)), "lon": float(m.group(2))}
    if m.group(3):
        out["alt"] = float(m.group(3))
    return out


def _fps(rate: str | None) -> float | None:
    if not rate or "/" not in rate:
        return None
    num, den = rate.split("/", 1)
    try:
        return round(int(num) / int(den), 3) if int(den) else None
    except ValueError:
        return None


def probe_av(*, path: Path | str) -> dict[str, Any]:
    """Describe an audio or video file with ffprobe.

    Returns duration (s), container, bit_rate, creation_time (UTC ISO), device tags,
    location when the phone recorded one, and per-stream codec, size, fps, rotation,
    sample rate and channels.
    """
    path = Path(path)
    proc = run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "--",
            str(path),
        ],
        timeout=PROBE_TIMEOUT,
    )
    raw = json.loads(proc.stdout or b"{}")
    fmt = raw.get("format") or {}
    streams = raw.get("streams") or []
    if not fmt or not streams:
        raise UnsupportedMedia(f"{path.name}: ffprobe found no audio or video streams")
    tags = {k.lower(): v for k, v in (fmt.get("tags") or {}).items()}

    out_streams: list[dict[str, Any]] = []
    for s in streams:
        st: dict[str, Any] = {
            "index": s.get("index"),
            "type": s.get("codec_type"),
            "codec": s.get("codec_name"),
            "profile": s.get("profile"),
        }
        if s.get("codec_type") == "video":
            st.update(
                width=s.get("width"),
                height=s.get("height"),
                fps=_fps(s.get("avg_frame_rate")) or _fps(s.get("r_frame_rate")),
                pix_fmt=s.get("pix_fmt"),
                rotation=_rotation(s),
                attached_pic=bool((s.get("disposition") or {}).get("attached_pic")),
            )
        elif s.get("codec_type") == "audio":
            st.update(
                sample_rate=int(s["sample_rate"]) if s.get("sample_rate") else None,
                channels=s.get("channels"),
            )
        if s.get("duration"):
            st["duration"] = float(s["duration"])
        out_streams.append(st)

    video = [s for s in out_streams if s["type"] == "video" and not s.get("attached_pic")]
    audio = [s for s in out_streams if s["type"] == "audio"]
    creation = tags.get("com.apple.quicktime.creationdate") or tags.get("creation_time")
    location = tags.get("com.apple.quicktime.location.iso6709") or tags.get("location")
    device = {
        k.removeprefix("com.apple.quicktime.").removeprefix("com.android."): v
        for k, v in tags.items()
        if k in _DEVICE_TAGS
        or (
            k.startswith("com.apple.quicktime.")
            and k.split(".")[-1] in {"make", "model", "software"}
        )
    }
    v0 = video[0] if video else {}
    return {
        "tool": tool_version("ffprobe"),
        "kind": "video" if video else "audio",
        "container": fmt.get("format_name"),
        "duration": float(fmt["duration"]) if fmt.get("duration") else None,
        "size": int(fmt["size"]) if fmt.get("size") else None,
        "bit_rate": int(fmt["bit_rate"]) if fmt.get("bit_rate") else None,
        "video_codec": v0.get("codec"),
        "audio_codec": audio[0]["codec"] if audio else None,
        "width": v0.get("width"),
        "height": v0.get("height"),
        "fps": v0.get("fps"),
        "rotation": v0.get("rotation"),
        # Phones store portrait video as landscape frames plus a rotation; players
        # (and our proxies, which ffmpeg auto-rotates) show the swapped size.
        "display_width": v0.get("height")
        if abs(v0.get("rotation") or 0) % 180 == 90
        else v0.get("width"),
        "display_height": v0.get("width")
        if abs(v0.get("rotation") or 0) % 180 == 90
        else v0.get("height"),
        "creation_time": parse_iso_time(creation) if creation else None,
        "device": device,
        "location": parse_iso6709(location) if location else None,
        "streams": out_streams,
        "tags": tags,
        "raw": raw,
    }


def _rotation(stream: dict[str, Any]) -> int | None:
    for sd in stream.get("side_data_list") or []:
        if "rotation" in sd:
            return int(sd["rotation"])
    rot = (stream.get("tags") or {}).get("rotate")
    return int(rot) if rot else None


def _exif_time(value: Any, offset: Any) -> tuple[str | None, str | None]:
    """EXIF 'YYYY:MM:DD HH:MM:SS' plus optional offset → (UTC ISO or None, local ISO)."""
    if not isinstance(value, str):
        return None, None
    m = re.match(
        r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?", value
    )
    if not m or m.group(1) == "0000":
        return None, None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        local = datetime(year, month, day, hour, minute, second)  # wall clock, zone unknown
    except ValueError:
        return None, None  # cameras write impossible dates ("2024:13:45"); not a time
    tz_text = m.group(8) or (offset if isinstance(offset, str) else None)
    if tz_text:
        if tz_text == "Z":
            tz = UTC
        else:
            sign = -1 if tz_text[0] == "-" else 1
            hh, mm = tz_text[1:].split(":")
            tz = timezone(sign * timedelta(hours=int(hh), minutes=int(mm)))
        return _iso_utc(local.replace(tzinfo=tz)), local.isoformat()
    return None, local.isoformat()


def probe_image(*, path: Path | str, assume_utc_offset: timedelta | None = None) -> dict[str, Any]:
    """Describe an image with exiftool (`-json -n -G1`): device, GPS, capture time.

    `captured_at` is UTC when the file carries an offset (OffsetTimeOriginal) or a
    GPS timestamp, or when the caller passes `assume_utc_offset` (e.g. the seizure
    location's zone); otherwise only `captured_at_local` is filled.
    """
    path = Path(path)
    proc = run(["exiftool", "-json", "-n", "-G1", "--", str(path)], timeout=PROBE_TIMEOUT)
    try:
        raw = json.loads(proc.stdout)[0]
    except (ValueError, IndexError) as exc:
        raise UnsupportedMedia(f"{path.name}: exiftool returned no metadata") from exc

    def first(*keys: str) -> Any:
        # -G1 prefixes the group ("IFD0:Make"); match on the tag name after the colon.
        for key in keys:
            for k, v in raw.items():
                if k == key or k.split(":", 1)[-1] == key:
                    return v
        return None

    captured, local = _exif_time(
        first("DateTimeOriginal", "CreateDate"), first("OffsetTimeOriginal", "OffsetTime")
    )
    source = "exif" if captured else None
    if captured is None:
        gps_utc, _ = _exif_time(first("GPSDateTime"), "Z")
        if gps_utc:
            captured, source = gps_utc, "gps"
    if captured is None and local and assume_utc_offset is not None:
        dt = datetime.fromisoformat(local).replace(tzinfo=timezone(assume_utc_offset))
        captured, source = _iso_utc(dt), "assumed_offset"
    # Composite values are signed; the raw GPS group needs its N/S, E/W reference.
    lat, lon = first("Composite:GPSLatitude"), first("Composite:GPSLongitude")
    if lat is None or lon is None:
        lat, lon = first("GPSLatitude"), first("GPSLongitude")
        if isinstance(lat, int | float) and str(first("GPSLatitudeRef")).upper() in {"S", "-1"}:
            lat = -abs(lat)
        if isinstance(lon, int | float) and str(first("GPSLongitudeRef")).upper() in {"W", "-1"}:
            lon = -abs(lon)
    gps = None
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        gps = {"lat": float(lat), "lon": float(lon)}
        alt = first("GPSAltitude")
        if isinstance(alt, int | float):
            gps["alt"] = float(alt)
    return {
        "tool": f"exiftool {tool_version('exiftool')}",
        "media_type": first("MIMEType"),
        "width": first("ImageWidth", "ExifImageWidth"),
        "height": first("ImageHeight", "ExifImageHeight"),
        "orientation": first("Orientation"),
        "device": {
            k: v
            for k, v in {
                "make": first("Make"),
                "model": first("Model"),
                "software": first("Software"),
                "lens": first("LensModel"),
                "serial": first("SerialNumber", "InternalSerialNumber"),
            }.items()
            if v is not None
        },
        "captured_at": captured,
        "captured_at_local": local,
        "captured_at_source": source,
        "location": gps,
        "raw": raw,
    }


def parse_pdf_date(value: str) -> str | None:
    """PDF date 'D:20240301091500+06'00'' → UTC ISO; no zone is read as UTC."""
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (
        int(g) if g else default
        for g, default in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True)
    )
    tz = UTC
    if m.group(8):
        sign = -1 if m.group(8) == "-" else 1
        tz = timezone(sign * timedelta(hours=int(m.group(9)), minutes=int(m.group(10) or 0)))
    try:
        return _iso_utc(datetime(y, mo, d, h, mi, s, tzinfo=tz))
    except ValueError:
        return None


def probe_pdf(*, path: Path | str) -> dict[str, Any]:
    """PDF document info (title, author, producer, dates) and page count via pypdfium2."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from ingest.media.pdftext import pdfium_version

    path = Path(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            # Password-protected: a fact to record on the item, not a failure.
            return {"tool": pdfium_version(), "encrypted": True, "pages": None, "raw": {}}
        raise UnsupportedMedia(f"{path.name}: not a readable PDF ({exc})") from exc
    try:
        info = {k: v for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
        pages = len(pdf)
        first_size = pdf.get_page_size(0) if pages else None
        version = pdf.get_version()
    finally:
        pdf.close()
    return {
        "tool": pdfium_version(),
        "encrypted": False,
        "pages": pages,
        "pdf_version": version / 10 if version else None,
        "page_size_pt": list(first_size) if first_size else None,
        "title": info.get("Title"),
        "author": info.get("Author"),
        "creator": info.get("Creator"),
        "producer": info.get("Producer"),
        "created_at": parse_pdf_date(info["CreationDate"]) if info.get("CreationDate") else None,
        "modified_at": parse_pdf_date(info["ModDate"]) if info.get("ModDate") else None,
        "raw": info,
    }


def probe(
    *, path: Path | str, kind: str, assume_utc_offset: timedelta | None = None
) -> dict[str, Any]:
    """Dispatch on a kind from `detect` ("video", "audio", "image", "pdf")."""
    if kind in {"video", "audio"}:
        return probe_av(path=path)
    if kind == "image":
        return probe_image(path=path, assume_utc_offset=assume_utc_offset)
    if kind == "pdf":
        return probe_pdf(path=path)
    raise UnsupportedMedia(f"no metadata probe for kind {kind!r}")
