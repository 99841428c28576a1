"""Every speech engine's real code path on a tiny random model of its own format:
structure, times and derivations, not text (the real-model test is test_asr_real.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ingest.errors import ModelMissing, UnsupportedMedia
from ingest.media.engine_ct2 import Ctranslate2Engine
from ingest.media.engine_onnx import OnnxAsrEngine
from ingest.media.engine_whisper import OpenaiWhisperEngine
from ingest.media.transcribe import Engine, transcribe
from ingest.media.transcript_export import to_srt, to_txt, to_vtt, write_docx, write_pdf
from tests.ingest.conftest import require

require("whisper")

# The random models would use every fallback temperature and decode to the token limit.
FAST: dict[str, Any] = {"temperature": (0.0,), "options": {"sample_len": 8}}
ENGINES = ["ctranslate2", "openai-whisper", "onnx-asr"]


def build(name: str, whisper_dir: Path, onnx_dir: Path, **extra: Any) -> Engine:
    if name == "ctranslate2":
        return Ctranslate2Engine(folder=whisper_dir / "tiny", hint="test", **{**FAST, **extra})
    if name == "openai-whisper":
        return OpenaiWhisperEngine(model="tiny", directories=[whisper_dir], **{**FAST, **extra})
    return OnnxAsrEngine(folder=onnx_dir, model_type="", hint="test", **extra)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, tiny_whisper_dir: Path, tiny_onnx_dir: Path) -> Engine:
    return build(request.param, tiny_whisper_dir, tiny_onnx_dir)


@pytest.fixture(scope="module")
def ct2(tiny_whisper_dir: Path, tiny_onnx_dir: Path) -> Engine:
    return build("ctranslate2", tiny_whisper_dir, tiny_onnx_dir)


def assert_well_formed(transcript: dict[str, Any], duration: float) -> None:
    json.dumps(transcript, ensure_ascii=False)
    assert set(transcript) >= {"language", "segments", "duration", "derivation"}
    last_start = last_end = 0.0
    for seg in transcript["segments"]:
        assert set(seg) == {"start", "end", "text", "words"}
        assert 0.0 <= seg["start"] <= seg["end"] <= duration + 0.01
        assert seg["start"] >= last_start and seg["start"] >= last_end - 1e-9
        last_start, last_end = seg["start"], seg["end"]
        word_start = seg["start"]
        for word in seg["words"]:
            assert set(word) == {"word", "start", "end", "probability"}
            assert seg["start"] <= word["start"] <= word["end"] <= seg["end"]
            assert word["start"] >= word_start
            word_start = word["start"]
            assert 0.0 <= word["probability"] <= 1.0
            assert word["word"] == word["word"].strip() and word["word"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_each_engine_transcribes_each_language(
    engine: Engine, speech: dict[str, Path], language: str
) -> None:
    result = transcribe(audio=speech[language], engine=engine, language=language)
    assert result["language"] == language
    assert result["duration"] == pytest.approx(1.5, abs=0.05)
    assert_well_formed(result, 1.5)
    derivation = result["derivation"]
    assert derivation["engine"] == engine.name and derivation["tool"] == engine.tool
    assert derivation["version"] == engine.version and derivation["version"][0].isdigit()
    assert derivation["model_sha256"] == engine.model.sha256
    assert len(derivation["model_sha256"]) == 64
    parameters = derivation["parameters"]
    assert parameters["language"] == language and parameters["word_timestamps"] is True
    assert {"compute_type", "beam_size", "vad", "windows", "speech_seconds"} <= set(parameters)
    assert parameters["vad"]["enabled"] is True and parameters["vad"]["threshold"] == 0.5
    assert 0 < parameters["speech_seconds"] <= 1.5


def test_each_engine_gives_timed_words(engine: Engine, speech: dict[str, Path]) -> None:
    """Words with times from some language: whether a random model says anything for one
    clip hangs on the last bits of the audio and the libraries (a Debian update of
    espeak-ng or of the decoder turned CTranslate2's Kazakh clip into no words at all),
    so one language each may stay silent; `test_asr_real` checks real text."""
    words = [
        word
        for language in ("kk", "ru", "en")
        for seg in transcribe(audio=speech[language], engine=engine, language=language)["segments"]
        for word in seg["words"]
    ]
    assert words, "the engine gave no words in any language"
    assert all(w["word"] and w["end"] >= w["start"] for w in words)


def test_derivations_name_the_weights_exactly(tiny_whisper_dir: Path, tiny_onnx_dir: Path) -> None:
    import hashlib

    ct2 = build("ctranslate2", tiny_whisper_dir, tiny_onnx_dir)
    whisper = build("openai-whisper", tiny_whisper_dir, tiny_onnx_dir)
    model_bin = (tiny_whisper_dir / "tiny" / "model.bin").read_bytes()
    assert ct2.model.sha256 == hashlib.sha256(model_bin).hexdigest()
    checkpoint = (tiny_whisper_dir / "tiny.pt").read_bytes()
    assert whisper.model.sha256 == hashlib.sha256(checkpoint).hexdigest()
    assert whisper.model.official is False  # not the published weights: default heads
    assert ct2.parameters()["compute_type"] == "int8" and ct2.parameters()["beam_size"] == 1
    beam = build("ctranslate2", tiny_whisper_dir, tiny_onnx_dir, beam_size=5)
    assert beam.parameters()["beam_size"] == 5


def test_auto_language_is_one_of_ours(ct2: Engine, speech: dict[str, Path]) -> None:
    result = transcribe(audio=speech["ru"], engine=ct2, language="auto")
    assert result["language"] in {"kk", "ru", "en"}
    detection = result["derivation"]["language_detection"]
    assert detection["engine"] == "ctranslate2" and detection["candidates"] == ["kk", "ru", "en"]
    assert set(detection["probabilities"]) == {"kk", "ru", "en"}
    assert_well_formed(result, 1.5)


def test_onnx_models_cannot_detect_a_language(tiny_onnx_dir: Path, speech: dict[str, Path]) -> None:
    onnx = OnnxAsrEngine(folder=tiny_onnx_dir, model_type="", hint="test")
    with pytest.raises(UnsupportedMedia, match="cannot detect"):
        transcribe(audio=speech["kk"], engine=onnx, language="auto")


def test_long_recordings_go_in_windows_cut_at_pauses(
    engine: Engine, speech: dict[str, Path], tmp_path: Path
) -> None:
    """kk speech 0-1.5 s, silence 1.5-1.9 s, en speech 1.9-3.4 s; nominal window 1.6 s."""
    joined = tmp_path / "joined.wav"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", speech["kk"], "-i", speech["en"],
         "-f", "lavfi", "-t", "0.4", "-i", "anullsrc=r=22050:cl=mono",
         "-filter_complex", "[0:a][2:a][1:a]concat=n=3:v=0:a=1", joined],
        check=True, timeout=60,
    )  # fmt: skip
    progress: list[float] = []
    result = transcribe(
        audio=joined, engine=engine, language="kk", chunk_seconds=1.6, on_progress=progress.append
    )
    windows = result["derivation"]["parameters"]["windows"]
    assert len(windows) == 2 and windows[0][0] == 0.0
    assert 1.5 <= windows[0][1] <= 1.9, "the cut falls in the pause, not inside a word"
    assert windows[1][0] == windows[0][1] and windows[1][1] == pytest.approx(3.4, abs=0.05)
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert_well_formed(result, 3.4)


def test_quiet_cut_prefers_the_pause_nearest_the_boundary() -> None:
    import numpy as np

    from ingest.media.audio import SAMPLE_RATE, quiet_cut

    rng = np.random.default_rng(0)
    loud = rng.normal(0, 0.3, 6 * SAMPLE_RATE).astype(np.float32)
    loud[int(4.2 * SAMPLE_RATE) : int(4.5 * SAMPLE_RATE)] = 0.0  # a pause after 4 s
    cut = quiet_cut(loud, target=4.0, search=1.0) / SAMPLE_RATE
    assert 4.2 <= cut <= 4.5
    silent = np.zeros(6 * SAMPLE_RATE, dtype=np.float32)
    assert quiet_cut(silent, target=4.0, search=1.0) / SAMPLE_RATE == pytest.approx(4.0, abs=0.1)


def test_video_files_are_transcribed_from_their_audio(ct2: Engine, video_720p: Path) -> None:
    # A 440 Hz tone: VAD may hear no speech at all; either way the times are in range.
    assert_well_formed(transcribe(audio=video_720p, engine=ct2, language="ru"), 2.0)


def test_without_vad_the_whole_recording_is_decoded(ct2: Engine, speech: dict[str, Path]) -> None:
    from ingest.media.vad import VadSettings

    result = transcribe(
        audio=speech["en"], engine=ct2, language="en", vad=VadSettings(enabled=False)
    )
    assert result["derivation"]["parameters"]["vad"]["enabled"] is False
    assert result["derivation"]["parameters"]["speech_seconds"] == pytest.approx(1.5, abs=0.05)
    assert_well_formed(result, 1.5)


def test_missing_models_name_the_settings(tmp_path: Path, tiny_whisper_dir: Path) -> None:
    with pytest.raises(ModelMissing) as info:
        OpenaiWhisperEngine(model="small", directories=[tmp_path])
    message = str(info.value)
    assert "DALEL_WHISPER_MODEL" in message and "DALEL_WHISPER_DIR" in message
    assert str(tmp_path / "small.pt") in message
    with pytest.raises(ModelMissing, match="DALEL_WHISPER_MODEL"):
        OpenaiWhisperEngine(model="", directories=[])
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelMissing, match="cannot be loaded"):
        OpenaiWhisperEngine(model=str(broken), directories=[])
    with pytest.raises(ModelMissing, match="no CTranslate2 Whisper model at"):
        Ctranslate2Engine(folder=tmp_path / "absent", hint="set DALEL_WHISPER_DIR")
    # A folder without tokenizer.json would make faster-whisper fetch one from the hub.
    partial = tmp_path / "partial"
    shutil.copytree(tiny_whisper_dir / "tiny", partial)
    (partial / "tokenizer.json").unlink()
    with pytest.raises(ModelMissing, match=r"tokenizer\.json"):
        Ctranslate2Engine(folder=partial, hint="set DALEL_WHISPER_DIR")
    with pytest.raises(ModelMissing, match="no option beam_width"):
        Ctranslate2Engine(folder=tiny_whisper_dir / "tiny", hint="x", options={"beam_width": 3})
    with pytest.raises(ModelMissing, match=r"onnx-asr model at .* cannot be loaded"):
        OnnxAsrEngine(folder=tmp_path, model_type="", hint="set DALEL_ONNX_ASR_DIR")


def test_bad_inputs(ct2: Engine, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMedia, match="language"):
        transcribe(audio=tmp_path / "x.wav", engine=ct2, language="xx-klingon")
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    with pytest.raises(UnsupportedMedia, match="no audio track"):
        transcribe(audio=text, engine=ct2, language="ru")


def test_silent_video_has_nothing_to_transcribe(ct2: Engine, portrait_video: Path) -> None:
    with pytest.raises(UnsupportedMedia, match="no audio track"):
        transcribe(audio=portrait_video, engine=ct2, language="kk")


SAMPLE = {
    "language": "kk",
    "duration": 3661.5,
    "segments": [
        {"start": 0.0, "end": 1.25, "text": "Сәлеметсіз бе, қалайсыз?", "words": []},
        {"start": 1.25, "end": 3661.5, "text": "Допрос --> начат\n\nсейчас", "words": []},
    ],
    "derivation": {"tool": "openai-whisper", "model": "small"},
}


def test_txt_srt_vtt() -> None:
    assert to_txt(SAMPLE).splitlines()[0] == "[00:00:00] Сәлеметсіз бе, қалайсыз?"
    srt = to_srt(SAMPLE)
    assert srt.startswith("1\n00:00:00,000 --> 00:00:01,250\nСәлеметсіз бе, қалайсыз?\n\n2\n")
    assert "00:00:01,250 --> 01:01:01,500\nДопрос → начат\nсейчас\n" in srt
    vtt = to_vtt(SAMPLE)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.250\n")
    assert vtt.count("-->") == 2  # the arrow inside the text was neutralised


def test_protocol_drafts(tmp_path: Path) -> None:
    import docx

    fields = {"ЕРДР №": "241234567890", "Файл": "допрос.mp4"}
    write_docx(SAMPLE, output=tmp_path / "draft.docx", fields=fields)
    document = docx.Document(str(tmp_path / "draft.docx"))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "[00:00:00] Сәлеметсіз бе, қалайсыз?" in body and "не проверена" in body
    assert document.tables[0].rows[0].cells[1].text == "241234567890"
    write_pdf(SAMPLE, output=tmp_path / "draft.pdf", fields=fields)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", tmp_path / "draft.pdf", "-"], capture_output=True, text=True
        ).stdout
        assert "Сәлеметсіз" in text and "241234567890" in text and "қалайсыз" in text
