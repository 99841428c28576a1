"""Silence skipping: only speech is decoded, times stay in the original timeline, long
speech is decoded in pieces on both cores, and a host runs one transcription at a time."""

from __future__ import annotations

import itertools
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import asr
from ingest.config import IngestSettings
from ingest.media import vad as vad_module
from ingest.media.audio import SAMPLE_RATE
from ingest.media.engine_ct2 import Ctranslate2Engine
from ingest.media.engine_onnx import OnnxAsrEngine
from ingest.media.transcribe import transcribe
from ingest.media.vad import Joined, Region, VadSettings, pieces, speech_regions

SENTENCE = "The officer stopped the grey car near the market at seven."


@pytest.fixture(scope="module")
def speech_in_silence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of silence, 5 s of English speech (espeak-ng, padded to 5 s), 20 s of silence."""
    folder = tmp_path_factory.mktemp("vad")
    raw, out = folder / "sentence.wav", folder / "silence-speech-silence.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-w", raw, SENTENCE], check=True, timeout=60)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y",
         "-f", "lavfi", "-t", "20", "-i", "anullsrc=r=22050:cl=mono", "-i", raw,
         "-f", "lavfi", "-t", "20", "-i", "anullsrc=r=22050:cl=mono",
         "-filter_complex", "[1:a]apad=whole_dur=5,atrim=0:5[s];[0:a][s][2:a]concat=n=3:v=0:a=1",
         out],
        check=True, timeout=60,
    )  # fmt: skip
    return out


def _words(result: dict) -> list[dict]:
    return [w for seg in result["segments"] for w in seg["words"]]


def test_only_the_speech_is_decoded(
    tiny_whisper_dir: Path, tiny_onnx_dir: Path, speech_in_silence: Path
) -> None:
    whisper = Ctranslate2Engine(
        folder=tiny_whisper_dir / "tiny", hint="test", temperature=(0.0,),
        options={"sample_len": 8},
    )  # fmt: skip
    onnx = OnnxAsrEngine(folder=tiny_onnx_dir, model_type="", hint="test")
    for engine, limit in ((whisper, 120.0), (onnx, 20.0)):
        result = transcribe(audio=speech_in_silence, engine=engine, language="en")
        parameters = result["derivation"]["parameters"]
        assert result["duration"] == pytest.approx(45.0, abs=0.05)
        # The engine decoded the speech (under 5 s) plus the 0.4 s pads, not 45 s.
        assert 2.0 <= parameters["speech_seconds"] <= 5.0 + 0.8
        assert parameters["vad"] == {
            "enabled": True, "model": "silero-vad-v6 (faster-whisper)", "threshold": 0.5,
            "min_silence_ms": 2000, "speech_pad_ms": 400, "max_speech_s": limit,
        }  # fmt: skip
        assert all(20.0 <= w["start"] <= w["end"] <= 25.0 for w in _words(result))
    assert _words(result), "the random CTC model spelled something"

    whole = transcribe(
        audio=speech_in_silence, engine=whisper, language="en", vad=VadSettings(enabled=False)
    )
    assert whole["derivation"]["parameters"]["speech_seconds"] == pytest.approx(45.0, abs=0.05)


def test_the_base_model_places_the_words_in_the_original_timeline(
    default_model_dir: Path, speech_in_silence: Path
) -> None:
    engine = Ctranslate2Engine(folder=default_model_dir, hint="test")
    result = transcribe(audio=speech_in_silence, engine=engine, language="en")
    assert result["derivation"]["parameters"]["speech_seconds"] <= 5.8
    words = _words(result)
    text = " ".join(w["word"] for w in words).lower()
    assert "market" in text and len(words) >= 8
    assert all(20.0 <= w["start"] <= w["end"] <= 25.0 for w in words), words


def test_speech_regions_are_padded_without_overlapping(speech: dict[str, Path]) -> None:
    from ingest.media.audio import load_audio_window

    window = np.zeros(30 * SAMPLE_RATE, np.float32)
    # Two clips 0.5 s apart (less than twice the pad) and one far away.
    for lang, start in (("kk", 5.0), ("ru", 7.0), ("en", 20.0)):
        clip = load_audio_window(speech[lang], start=0.0, length=None)
        a = int(start * SAMPLE_RATE)
        window[a : a + clip.size] = clip
    regions = speech_regions(window, VadSettings(min_silence_ms=100))
    assert len(regions) >= 2
    for before, after in itertools.pairwise(regions):
        assert before.end <= after.start
    for region in regions:
        assert region.start <= region.speech_start < region.speech_end <= region.end
        assert region.speech_start - region.start <= int(0.4 * SAMPLE_RATE)
        assert region.end - region.speech_end <= int(0.4 * SAMPLE_RATE) + 1
    assert 4.5 * SAMPLE_RATE <= regions[0].speech_start <= 5.2 * SAMPLE_RATE
    assert regions[-1].speech_end <= 21.6 * SAMPLE_RATE
    # Merged half way across the short pause: the padded regions meet, never overlap.
    close = [r for r in regions if r.speech_start < 10 * SAMPLE_RATE]
    if len(close) == 2:
        assert close[0].end == close[1].start


region_lists = st.lists(
    st.tuples(st.integers(1, 5 * SAMPLE_RATE), st.integers(1, 5 * SAMPLE_RATE)),
    min_size=1, max_size=8,
).map(
    lambda pairs: [
        Region(a, a + n, a, a + n)
        for a, n in (
            (sum(g + m for g, m in pairs[:i]) + pairs[i][0], pairs[i][1]) for i in range(len(pairs))
        )
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(regions=region_lists, offset=st.floats(0, 10_000), t=st.floats(0, 1))
def test_joined_times_map_back_into_their_region(
    regions: list[Region], offset: float, t: float
) -> None:
    joined = Joined(regions, offset=offset)
    total = sum(r.size for r in regions) / SAMPLE_RATE
    at = t * total
    mapped = joined.original(at)
    assert any(
        offset + r.start / SAMPLE_RATE - 1e-6 <= mapped <= offset + r.end / SAMPLE_RATE + 1e-6
        for r in regions
    )
    # Later in the joined audio is never earlier in the file.
    assert joined.original(min(total, at + 0.01)) >= mapped - 1e-6
    word = {"word": "x", "start": at, "end": at, "probability": 1}
    seg = joined.segment({"start": 0.0, "end": total, "text": "x", "words": [word]})
    word = seg["words"][0]
    assert seg["start"] <= seg["end"] and word["start"] <= word["end"]


def test_pieces_split_at_region_boundaries_in_order() -> None:
    minute = 60 * SAMPLE_RATE
    regions = [Region(i * minute, (i + 1) * minute - SAMPLE_RATE, 0, 0) for i in range(10)]
    groups = pieces(regions, workers=2)
    assert [r for g in groups for r in g] == regions  # all of them, in order
    assert len(groups) == 4  # two per worker
    assert pieces(regions, workers=1) == [regions]
    assert len(pieces(regions[:1], workers=2)) == 1  # under a minute: one piece


def test_pieces_run_on_both_cores_and_stay_in_order(
    tiny_whisper_dir: Path, speech: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six clips with 3-s pauses; pieces of one clip each, two decoded at a time."""
    monkeypatch.setattr(vad_module, "MIN_PIECE_SECONDS", 1.0)
    gap = tmp_path / "gap.wav"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-t", "3", "-i", "anullsrc=r=22050:cl=mono",
         gap], check=True, timeout=60,
    )  # fmt: skip
    clips = [speech[lang] for lang in ("en", "ru", "kk", "en", "ru", "kk")]
    inputs = [x for clip in clips for x in ("-i", str(clip), "-i", str(gap))]
    joined = tmp_path / "six.wav"
    labels = "".join(f"[{i}:a]" for i in range(len(inputs) // 2))
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", *inputs, "-filter_complex",
         f"{labels}concat=n={len(inputs) // 2}:v=0:a=1", joined],
        check=True, timeout=60,
    )  # fmt: skip
    engine = Ctranslate2Engine(
        folder=tiny_whisper_dir / "tiny", hint="test", workers=2, temperature=(0.0,),
        options={"sample_len": 8},
    )  # fmt: skip
    seen: list[float] = []
    result = transcribe(audio=joined, engine=engine, language="en", on_progress=seen.append)
    parameters = result["derivation"]["parameters"]
    assert parameters["workers"] == 2 and parameters["pieces"] >= 2
    assert seen == sorted(seen) and seen[-1] == 1.0
    starts = [seg["start"] for seg in result["segments"]]
    assert starts == sorted(starts)
    # Every word lies in one of the six clips (4.5 s apart), never in a pause.
    for word in _words(result):
        clip, into = divmod(word["start"], 4.5)
        assert into <= 1.6 and clip < 6, word


def test_one_transcription_at_a_time_per_host(tmp_path: Path) -> None:
    settings_ = IngestSettings(data_dir=tmp_path, asr_concurrency=1)
    order: list[str] = []
    waited = threading.Event()
    with asr.host_slot(settings_):
        order.append("first in")

        def second() -> None:
            with asr.host_slot(settings_, waiting=waited.set):
                order.append("second in")

        thread = threading.Thread(target=second)
        thread.start()
        assert waited.wait(5), "the second transcription waits for the slot"
        time.sleep(0.2)
        order.append("first out")
    thread.join(10)
    assert order == ["first in", "first out", "second in"]
    # Two slots on a 4-core host: both at once.
    wide = IngestSettings(data_dir=tmp_path, asr_concurrency=2)
    with asr.host_slot(wide) as first, asr.host_slot(wide) as second_slot:
        assert {first, second_slot} == {0, 1}
