"""Audio (espeak-ng speech) and video (a real face moving over a test pattern).

Audio: hidden ranges fall to silence or the pure tone, the rest is bit-identical.
Video: the face detector finds nothing where the face was, container metadata is gone,
the audio is bleeped, and the residual check says so (and blocks the unredacted input).
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from redaction.render.audio import merge_ranges, render_audio
from redaction.residual import Report, check_audio, residual_dbfs
from tests.redaction.kit import make_video, speech

pytestmark = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("espeak-ng")), reason="ffmpeg/espeak-ng missing"
)


def pcm(path: Path) -> tuple[int, np.ndarray]:
    with wave.open(str(path)) as w:
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)


@pytest.mark.parametrize("mode", ["bleep", "mute"])
def test_audio_ranges_hidden_sample_accurately(tmp_path: Path, mode: str) -> None:
    src = speech(tmp_path / "s.wav", "Мой ИИН восемьсот семьдесят, телефон семьсот один")
    ranges = merge_ranges([(0.8, 1.4), (2.0, 2.3)])
    out = tmp_path / "out.wav"
    render_audio(src=src, dst=out, ranges=ranges, mode=mode)
    rate, before = pcm(src)
    _, after = pcm(out)
    assert len(before) == len(after)
    inside = np.zeros(len(before), bool)
    for a, b in ranges:
        inside[int(np.floor(a * rate)) : int(np.ceil(b * rate)) + 1] = True
    assert np.array_equal(before[~inside], after[~inside])  # bit-identical outside
    for a, b in ranges:
        segment = after[int(a * rate) + 1 : int(b * rate)].astype(float) / 32768
        assert residual_dbfs(segment, rate) < -45  # no speech left
        loud = np.sqrt(np.mean(segment**2))
        assert (loud > 0.1) if mode == "bleep" else (loud == 0)
    report = Report()
    check_audio(report, path=out, ranges=ranges)
    assert report.as_dict()["passed"], report.as_dict()
    leaky = Report()
    check_audio(leaky, path=src, ranges=ranges)  # the original still speaks there
    assert not leaky.as_dict()["passed"]


def test_video_faces_masked_audio_bleeped_metadata_gone(tmp_path: Path) -> None:
    import cv2

    from redaction.faces import detect_faces, scan_video
    from redaction.render.video import render_video
    from redaction.residual import check_video

    voice = speech(tmp_path / "v.wav", "Меня зовут Иван, мой телефон семьсот один")
    src = make_video(tmp_path / "in.mp4", size="960x540", seconds=2, audio=voice)
    _, faces, _ = scan_video(path=src)
    assert faces, "the astronaut's face is found"
    track = max(faces, key=lambda t: len(t.boxes))
    assert track.boxes[-1]["left"] > track.boxes[0]["left"]  # it moves right
    out = tmp_path / "out.mp4"
    ranges = merge_ranges([(0.5, 1.2)])
    facts = render_video(src=src, dst=out, tracks=[t.boxes for t in faces], audio_ranges=ranges)
    assert facts["frames"] == 50 and facts["audio"] == "bleeped"

    # Every output frame: no face where the track was; the test pattern elsewhere intact.
    cap_in, cap_out = cv2.VideoCapture(str(src)), cv2.VideoCapture(str(out))
    for index in range(0, 50, 7):
        cap_in.set(cv2.CAP_PROP_POS_FRAMES, index)
        cap_out.set(cv2.CAP_PROP_POS_FRAMES, index)
        (_, a), (_, b) = cap_in.read(), cap_out.read()
        assert not detect_faces(b), f"face visible in frame {index}"
        assert detect_faces(a), f"the input shows the face in frame {index}"
        right = (slice(0, 540), slice(700, 960))  # far from the face's path
        assert np.abs(a[right].astype(int) - b[right].astype(int)).mean() < 3

    tags = subprocess.run(["ffprobe", "-v", "error", "-show_format", str(out)],
                          capture_output=True, text=True).stdout  # fmt: skip
    assert "Иванов" not in tags and "location" not in tags
    report = Report()
    check_video(report, path=out, tracks=[t.boxes for t in faces], ranges=ranges, language="ru")
    assert report.as_dict()["passed"], report.as_dict()
    leaky = Report()
    check_video(leaky, path=src, tracks=[t.boxes for t in faces], ranges=ranges, language="ru")
    assert {b["check"] for b in leaky.as_dict()["blocking"]} >= {"faces", "metadata", "audio"}


def test_video_plate_tracked_and_filled(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from redaction.faces import detect_plates, scan_video
    from redaction.render.video import render_video

    still = Image.new("RGB", (640, 360), (90, 90, 100))
    draw = ImageDraw.Draw(still)
    draw.rectangle((200, 200, 420, 250), fill="white", outline="black", width=3)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 34)
    draw.text((212, 204), "123 ABC 02", fill="black", font=font)
    still.save(tmp_path / "car.png")
    src = tmp_path / "car.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", str(tmp_path / "car.png"), "-t", "1",
         "-r", "25", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(src)],
        check=True,
    )  # fmt: skip
    _, _, plates = scan_video(path=src)
    assert len(plates) == 1 and plates[0].boxes[0]["t"] == 0.0
    out = tmp_path / "out.mp4"
    render_video(src=src, dst=out, tracks=[p.boxes for p in plates])
    frame = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", "0.5", "-i", str(out), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "bgr24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    image = np.frombuffer(frame, np.uint8).reshape(360, 640, 3)
    assert detect_plates(image) == []
    assert image[215:240, 220:400].max() < 20  # the plate is black now


def test_frames_between_samples_get_the_hull_of_both_boxes() -> None:
    from redaction.render.video import Track, rects_at

    track = Track(
        [{"t": 0.0, "left": 0, "top": 0, "width": 10, "height": 10},
         {"t": 0.2, "left": 100, "top": 20, "width": 10, "height": 10}],
        carry=0.24,
    )  # fmt: skip
    # Path from (0,0) to (100,20) covered, padded by 30% of the face, not of the hull.
    assert rects_at(0.1, tracks=[track], boxes=[], size=(640, 360)) == [(0, 0, 114, 34)]
    assert rects_at(0.43, tracks=[track], boxes=[], size=(640, 360)) == [(97, 17, 114, 34)]
    assert rects_at(0.5, tracks=[track], boxes=[], size=(640, 360)) == []
    manual = {"left": 5, "top": 5, "width": 5, "height": 5, "t_start": 1.0, "t_end": 2.0}
    assert rects_at(1.5, tracks=[], boxes=[manual], size=(640, 360)) == [(5, 5, 11, 11)]
    assert rects_at(2.5, tracks=[], boxes=[manual], size=(640, 360)) == []
