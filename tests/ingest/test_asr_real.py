"""Real models on real (synthetic) speech: the installed default model on an English
paragraph with names and numbers, and an operator's onnx-asr model when one is given
(DALEL_TEST_ASR_MODEL_DIR, optionally DALEL_TEST_ASR_MODEL and _LANGUAGE)."""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path

import pytest

from ingest.media.engine_ct2 import Ctranslate2Engine
from ingest.media.engine_onnx import OnnxAsrEngine
from ingest.media.transcribe import transcribe
from tests.ingest.asr_kit import PARAGRAPH, wer
from tests.ingest.conftest import require

SENTENCES = {
    "ru": "Свидетель показал, что третьего марта около центрального рынка автомобиль уехал "
    "на большой скорости.",
    "kk": "Куәгер наурыздың үшінші күні орталық базардың жанында көлік жылдам кетіп қалғанын "
    "айтты.",
}


def _speak(text: str, voice: str, out: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-w", out, text], check=True, timeout=120)
    return out


def test_english_paragraph_with_names_and_numbers(default_model_dir: Path, tmp_path: Path) -> None:
    require("whisper")
    from whisper.normalizers import EnglishTextNormalizer  # Whisper's own WER normalizer

    audio = _speak(PARAGRAPH, "en", tmp_path / "paragraph.wav")
    engine = Ctranslate2Engine(folder=default_model_dir, hint="test")
    result = transcribe(audio=audio, engine=engine, language="en")
    normal = EnglishTextNormalizer()
    hypothesis = " ".join(seg["text"] for seg in result["segments"])
    score = wer(normal(PARAGRAPH).split(), normal(hypothesis).split())
    assert score <= 0.15, f"WER {score:.1%}: {hypothesis}"
    words = [w for seg in result["segments"] for w in seg["words"]]
    assert len(words) >= 60
    assert all(0 <= a["start"] <= b["start"] for a, b in itertools.pairwise(words))
    assert words[-1]["end"] <= result["duration"]


@pytest.mark.skipif(
    not os.environ.get("DALEL_TEST_ASR_MODEL_DIR"),
    reason="set DALEL_TEST_ASR_MODEL_DIR to an onnx-asr model folder (e.g. GigaAM)",
)
def test_an_operators_onnx_model(tmp_path: Path) -> None:
    folder = Path(os.environ["DALEL_TEST_ASR_MODEL_DIR"])
    language = os.environ.get("DALEL_TEST_ASR_LANGUAGE", "ru")
    engine = OnnxAsrEngine(
        folder=folder, model_type=os.environ.get("DALEL_TEST_ASR_MODEL", ""), hint="test"
    )
    audio = _speak(SENTENCES[language], language, tmp_path / "sentence.wav")
    result = transcribe(audio=audio, engine=engine, language=language)
    words = [w for seg in result["segments"] for w in seg["words"]]
    assert words and all(0 <= w["start"] <= w["end"] <= result["duration"] for w in words)

    def plain(text: str) -> list[str]:
        return "".join(c for c in text.lower() if c.isalpha() or c.isspace()).split()

    hypothesis = " ".join(seg["text"] for seg in result["segments"])
    # Synthetic speech is far from what these models learnt from: a smoke level only.
    assert wer(plain(SENTENCES[language]), plain(hypothesis)) <= 0.5, hypothesis
