"""Stage `clip` (media queue): export a reviewer's bookmarked time range as a derivative.

One job per clip (`Job.subject` is the clip id). The cut is made from the original,
not the proxy, so the clip keeps the source's resolution; it is registered through
`Context.derive`, with the clip's id, title and range in its derivation record.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

from evidence import scratch
from evidence.errors import NotFound
from evidence.review_models import Clip
from ingest.config import IngestSettings
from ingest.errors import UnsupportedMedia
from ingest.media import clip as cutter
from ingest.media import proxy
from ingest.media._run import tool_version
from ingest.runtime.stages import Context, Stage
from ingest.stages.media import media_info, output_stem

CRF = 18


def clip_fingerprint(settings: IngestSettings) -> dict[str, Any]:
    return {"ffmpeg": tool_version("ffmpeg"), "preset": settings.proxy_preset, "crf": CRF}


def _label(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}{whole % 3600 // 60:02d}{whole % 60:02d}"


def run_clip(ctx: Context) -> dict[str, Any]:
    clip = ctx.session.get(Clip, ctx.job.subject or "")
    if clip is None or clip.item_id != ctx.item.id:
        raise NotFound("the clip was deleted before it could be exported")
    info = media_info(ctx)
    start, end, title = clip.start, clip.end, clip.title
    duration = float((info.probe or {}).get("duration") or 0)
    if duration and start >= duration:
        raise UnsupportedMedia(
            "the clip starts at %(start)s s, after the end (%(end)s s)", start=start, end=duration
        )
    end = min(end, duration) if duration else end
    if info.kind not in {"video", "audio"}:
        raise UnsupportedMedia("only audio and video can be clipped, not %(kind)s", kind=info.kind)
    audio_only = info.kind == "audio" or (info.probe or {}).get("kind") == "audio"
    ctx.session.commit()
    folder = scratch.mkdtemp(prefix="dalel-clip-")
    suffix = ".m4a" if audio_only else ".mp4"
    output = folder / f"clip{suffix}"
    try:
        with ctx.materialize() as (_item, _blob, path):
            if audio_only:
                made = cutter.audio_clip(
                    source=path, output=output, start=start, end=end,
                    on_progress=ctx.progress, timeout=ctx.settings.timeout_clip,
                )  # fmt: skip
            else:
                made = cutter.video_clip(
                    source=path, output=output, start=start, end=end, crf=CRF,
                    preset=ctx.settings.proxy_preset,
                    deinterlace=proxy.is_interlaced(path=path),
                    on_progress=ctx.progress, timeout=ctx.settings.timeout_clip,
                )  # fmt: skip
            slug = re.sub(r"[^\w-]+", "-", title, flags=re.UNICODE).strip("-")[:40]
            suffix = f"-{slug}" if slug else ""
            name = f"{output_stem(ctx)}.clip-{_label(start)}-{_label(end)}{suffix}"
            parameters = {**made.parameters, "clip": clip.id, "title": title}
            derived = ctx.derive(
                source=output,
                name=name + suffix,
                derivative_kind="clip",
                derivation={
                    "tool": made.tool,
                    "version": made.version,
                    "parameters": parameters,
                    "command": made.command,
                },
                output=f"clip:{clip.id}",
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"clip": clip.id, "derivative": derived.id, "seconds": made.seconds}


STAGES = [
    Stage(name="clip", queue="media", run=run_clip, fingerprint=clip_fingerprint, per_subject=True),
]
