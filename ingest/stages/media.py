"""Stages `thumbnail` (fast queue) and `proxy` (media queue): browser-viewable copies.

Video: poster frame + thumbnail, then an H.264/AAC MP4 proxy; audio: AAC (M4A);
image: web JPEG + thumbnail. The original is only read, never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlmodel import select

from evidence import scratch
from ingest.config import IngestSettings
from ingest.errors import UnsupportedMedia
from ingest.media import proxy
from ingest.media._run import tool_version
from ingest.models import MediaInfo
from ingest.runtime.stages import Context, Stage


def media_info(ctx: Context) -> MediaInfo:
    """The item's probed media facts (detection writes them); clips read them too."""
    info = ctx.session.exec(select(MediaInfo).where(MediaInfo.item_id == ctx.item.id)).first()
    if info is None:
        raise UnsupportedMedia("the item has not been through detection yet")
    return info


def output_stem(ctx: Context) -> str:
    """The stem that names the item's outputs (`<stem>.proxy.mp4`, `<stem>.clip-…`)."""
    return Path(ctx.item.original_name).stem or "item"


def _record(ctx: Context, made: proxy.Derivation, *, source: Path, name: str, kind: str) -> str:
    derivation = {"tool": made.tool, "version": made.version, "parameters": made.parameters}
    derivation["command"] = made.command
    item = ctx.derive(source=source, name=name, derivative_kind=kind, derivation=derivation)
    return item.id


def thumbnail_fingerprint(settings: IngestSettings) -> dict[str, Any]:
    import PIL

    return {
        "ffmpeg": tool_version("ffmpeg"),
        "pillow": PIL.__version__,
        "image_max_side": settings.image_max_side,
        "thumbnail_side": settings.thumbnail_side,
    }


def run_thumbnail(ctx: Context) -> dict[str, Any]:
    info = media_info(ctx)
    ctx.session.commit()
    out: dict[str, Any] = {}
    stem, side = output_stem(ctx), ctx.settings.thumbnail_side
    folder = scratch.mkdtemp(prefix="dalel-thumb-")
    try:
        with ctx.materialize() as (_item, _blob, path):
            if info.kind == "video":
                duration = (info.probe or {}).get("duration") or 0
                poster = folder / "poster.jpg"
                made = proxy.poster_frame(
                    source=path, output=poster, at=min(1.0, float(duration) / 2)
                )
                out["poster"] = _record(
                    ctx, made, source=poster, name=f"{stem}.poster.jpg", kind="poster"
                )
                thumb_source = poster
            elif info.kind == "image":
                web = folder / "web.jpg"
                made = proxy.image_proxy(
                    source=path, output=web, max_side=ctx.settings.image_max_side
                )
                out["proxy"] = _record(ctx, made, source=web, name=f"{stem}.web.jpg", kind="proxy")
                thumb_source = path
            else:
                return {"skipped": f"no thumbnail for {info.kind}"}
            thumb = folder / "thumb.jpg"
            made = proxy.image_thumbnail(source=thumb_source, output=thumb, max_side=side)
            out["thumbnail"] = _record(
                ctx, made, source=thumb, name=f"{stem}.thumb.jpg", kind="thumbnail"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def proxy_fingerprint(settings: IngestSettings) -> dict[str, Any]:
    return {
        "ffmpeg": tool_version("ffmpeg"),
        "height": settings.proxy_height,
        "preset": settings.proxy_preset,
    }


def run_proxy(ctx: Context) -> dict[str, Any]:
    info = media_info(ctx)
    ctx.session.commit()
    probe = info.probe or {}
    duration = probe.get("duration")
    audio_only = info.kind == "audio" or probe.get("kind") == "audio"
    folder = scratch.mkdtemp(prefix="dalel-proxy-")
    try:
        with ctx.materialize() as (_item, _blob, path):
            if audio_only:
                output = folder / "proxy.m4a"
                made = proxy.audio_proxy(
                    source=path, output=output, duration=duration, on_progress=ctx.progress,
                    timeout=ctx.settings.timeout_proxy,
                )  # fmt: skip
                name = f"{output_stem(ctx)}.proxy.m4a"
            elif info.kind == "video":
                output = folder / "proxy.mp4"
                made = proxy.video_proxy(
                    source=path, output=output, height=ctx.settings.proxy_height,
                    preset=ctx.settings.proxy_preset, duration=duration,
                    on_progress=ctx.progress, timeout=ctx.settings.timeout_proxy,
                )  # fmt: skip
                name = f"{output_stem(ctx)}.proxy.mp4"
            else:
                return {"skipped": f"no proxy for {info.kind}"}
            item_id = _record(ctx, made, source=output, name=name, kind="proxy")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"proxy": item_id, "seconds": made.seconds}


STAGES = [
    Stage(name="thumbnail", queue="fast", run=run_thumbnail, fingerprint=thumbnail_fingerprint),
    Stage(name="proxy", queue="media", run=run_proxy, fingerprint=proxy_fingerprint),
]
