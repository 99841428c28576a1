"""What the redaction tests share: a protocol with planted personal data and its upload,
and media made on the spot (espeak-ng speech, an ffmpeg video with a face)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any

from redaction import numbers as n
from tests.app_kit import Api

IIN = n.make_iin(rng=random.Random(7))
TEXT = (
    f"Допрошенный Иванов Пётр Сергеевич, ИИН {IIN}, тел. +7 (701) 123-45-67, "
    "проживающий по адресу ул. Абая, д. 15, кв. 27. Иванов П.С. показал, что 3 мая видел "
    "автомобиль у дома."
)


def upload_text(api: Api, team: dict[str, Any], text: str = TEXT) -> str:
    """The prosecutor uploads `text` as protocol.txt; returns the item's id."""
    response = api.upload(
        team["case"]["id"], team["prosecutor"], text.encode(), name="protocol.txt"
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def speech(path: Path, text: str, voice: str = "ru") -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
    return path


def make_video(
    path: Path, *, size: str = "1280x720", seconds: int = 4, audio: Path | None = None
) -> Path:
    """scikit-image's astronaut photo moving across an ffmpeg test pattern (with a title tag)."""
    from PIL import Image
    from skimage import data

    face = path.parent / "astronaut.png"
    Image.fromarray(data.astronaut()).resize((300, 300)).save(face)
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}",
              "-loop", "1", "-i", str(face)]  # fmt: skip
    graph = "[0:v][1:v]overlay=x='40+t*60':y=60:shortest=1[v]"
    maps = ["-map", "[v]"]
    if audio is not None:
        inputs += ["-i", str(audio)]
        graph += ";[2:a]apad[a]"
        maps += ["-map", "[a]", "-c:a", "aac"]
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", graph, *maps,
         "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
         "-metadata", "title=Иванов bodycam", "-metadata", "location=+43.2+076.9/", str(path)],
        check=True,
    )  # fmt: skip
    return path
