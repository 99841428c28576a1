"""Whisper's real code path on a tiny random checkpoint: structure and times, not text."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ingest.errors import ModelMissing, UnsupportedMedia
from ingest.media.transcribe import LoadedModel, load_model, transcribe
from ingest.media.transcript_export import to_srt, to_txt, to_vtt, write_docx, write_pdf
from tests.ingest.conftest import require

require("whisper")

# The random model would use every fallback temperature; one thread because the test
# machines' two cores are shared (torch's two threads then spin-wait, ~10x slower).
FAST: dict[str, Any] = {"temperature": (0.0,), "sample_len": 8, "threads": 1}


@pytest.fixture(scope="module")
def tiny(tiny_whisper_dir: Path) -> LoadedModel:
    return load_model(model=str(tiny_whisper_dir / "tiny.pt"), directory=None)


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
def test_transcribe_each_language(
    tiny: LoadedModel, speech: dict[str, Path], language: str
) -> None:
    result = transcribe(audio=speech[language], model=tiny, language=language, **FAST)
    assert result["language"] == language
    assert result["duration"] == pytest.approx(1.5, abs=0.05)
    assert_well_formed(result, 1.5)
    derivation = result["derivation"]
    assert derivation["tool"] == "openai-whisper" and derivation["model"] == "tiny"
    assert derivation["official_weights"] is False and len(derivation["model_sha256"]) == 64
    assert derivation["parameters"]["word_timestamps"] is True


def test_auto_language_with_the_default_fallback_temperatures(
    tiny: LoadedModel, speech: dict[str, Path], tmp_path: Path
) -> None:
    # Shorter still: with every fallback temperature the random model is slow.
    clip = tmp_path / "short.wav"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", speech["ru"], "-t", "1.0", clip],
        check=True, timeout=60,
    )  # fmt: skip
    import torch

    before = torch.get_num_threads()
    result = transcribe(audio=clip, model=tiny, language="auto", sample_len=8, threads=1)
    assert torch.get_num_threads() == before  # the caller's setting is restored
    assert isinstance(result["language"], str) and result["language"]
    assert result["derivation"]["parameters"]["temperature"] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert_well_formed(result, 1.0)


def test_long_recordings_go_in_windows_cut_at_pauses(
    tiny: LoadedModel, speech: dict[str, Path], tmp_path: Path
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
        audio=joined,
        model=tiny,
        language="kk",
        chunk_seconds=1.6,
        on_progress=progress.append,
        **FAST,
    )
    windows = result["derivation"]["parameters"]["windows"]
    assert len(windows) == 2 and windows[0][0] == 0.0
    assert 1.5 <= windows[0][1] <= 1.9, "the cut falls in the pause, not inside a word"
    assert windows[1][0] == windows[0][1] and windows[1][1] == pytest.approx(3.4, abs=0.05)
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert_well_formed(result, 3.4)


def test_quiet_cut_prefers_the_pause_nearest_the_boundary() -> None:
    import numpy as np

    from ingest.media.transcribe import SAMPLE_RATE, quiet_cut

    rng = np.random.default_rng(0)
    loud = rng.normal(0, 0.3, 6 * SAMPLE_RATE).astype(np.float32)
    loud[int(4.2 * SAMPLE_RATE) : int(4.5 * SAMPLE_RATE)] = 0.0  # a pause after 4 s
    cut = quiet_cut(loud, target=4.0, search=1.0) / SAMPLE_RATE
    assert 4.2 <= cut <= 4.5
    silent = np.zeros(6 * SAMPLE_RATE, dtype=np.float32)
    assert quiet_cut(silent, target=4.0, search=1.0) / SAMPLE_RATE == pytest.approx(4.0, abs=0.1)


def test_video_files_are_transcribed_from_their_audio(tiny: LoadedModel, video_720p: Path) -> None:
    assert_well_formed(transcribe(audio=video_720p, model=tiny, language="ru", **FAST), 2.0)


def test_model_by_name_from_the_directory(tiny_whisper_dir: Path) -> None:
    loaded = load_model(model="tiny", directory=tiny_whisper_dir)
    assert loaded.name == "tiny" and loaded.path.endswith("tiny.pt")
    # Not the published weights: the official alignment heads are not applied.
    assert loaded.official is False


def test_missing_model_names_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing) as info:
        load_model(model="small", directory=tmp_path)
    message = str(info.value)
    assert "DALEL_WHISPER_MODEL" in message and "DALEL_WHISPER_DIR" in message
    assert str(tmp_path / "small.pt") in message
    with pytest.raises(ModelMissing, match="DALEL_WHISPER_MODEL"):
        load_model(model="", directory=None)
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelMissing, match="cannot be loaded"):
        load_model(model=str(broken), directory=None)


def test_bad_inputs(tiny: LoadedModel, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMedia, match="language"):
        transcribe(audio=tmp_path / "x.wav", model=tiny, language="xx-klingon")
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    with pytest.raises(UnsupportedMedia, match="no audio track"):
        transcribe(audio=text, model=tiny, language="ru", **FAST)


def test_silent_video_has_nothing_to_transcribe(tiny: LoadedModel, portrait_video: Path) -> None:
    with pytest.raises(UnsupportedMedia, match="no audio track"):
        transcribe(audio=portrait_video, model=tiny, language="kk", **FAST)


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
