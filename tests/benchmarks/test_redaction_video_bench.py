"""720p video redaction speed vs real time (``make bench``; run with ``-s`` for numbers).

Measures the two passes a plan takes — analysis (decode every 5th frame at 640 px,
CenterFace faces + plate cascade, tracks) and rendering (decode → fill → x264 veryfast,
audio bleeped) — in wall-clock time and in CPU seconds. On a shared, busy machine the
wall clock says more about the neighbours than about us, so CPU seconds per video second
are reported too: on an idle 2-core machine wall time ≈ CPU / 2 for these
two-process pipelines.
"""

from __future__ import annotations

import os
import resource
import shutil
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg missing"),
]
SECONDS = 20


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def test_720p_video_redaction_speed(tmp_path: Path) -> None:
    from redaction.faces import face_detector_name, scan_video
    from redaction.render.audio import merge_ranges
    from redaction.render.video import render_video
    from tests.redaction.kit import make_video, speech

    voice = speech(tmp_path / "v.wav", "Меня зовут Иван Петров, мой телефон семьсот один")
    src = make_video(tmp_path / "in.mp4", size="1280x720", seconds=SECONDS, audio=voice)
    load = os.getloadavg()[0]

    wall, cpu = time.perf_counter(), _cpu()
    info, faces, plates = scan_video(path=src)
    scan_wall, scan_cpu = time.perf_counter() - wall, _cpu() - cpu
    assert faces

    wall, cpu = time.perf_counter(), _cpu()
    render_video(
        src=src,
        dst=tmp_path / "out.mp4",
        tracks=[t.boxes for t in faces + plates],
        audio_ranges=merge_ranges([(0.5, 1.5)]),
    )
    render_wall, render_cpu = time.perf_counter() - wall, _cpu() - cpu

    total = scan_wall + render_wall
    print(
        f"\n720p {info.duration:.0f} s at {info.fps:.0f} fps, detector {face_detector_name()}, "
        f"load average {load:.1f} on {os.cpu_count()} cores\n"
        f"  analysis: {scan_wall:.1f} s wall ({info.duration / scan_wall:.2f}x real time), "
        f"{scan_cpu / info.duration:.2f} CPU-s per video-s\n"
        f"  render:   {render_wall:.1f} s wall ({info.duration / render_wall:.2f}x real time), "
        f"{render_cpu / info.duration:.2f} CPU-s per video-s\n"
        f"  both:     {info.duration / total:.2f}x real time wall; "
        f"{2 * info.duration / (scan_cpu + render_cpu):.2f}x on two idle cores (CPU estimate)"
    )
    # Loose floor: catches a collapse, not a noisy neighbour.
    assert info.duration / total > 0.1
