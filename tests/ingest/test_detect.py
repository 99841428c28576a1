"""Type detection by content, kinds, and extension mismatches."""

from __future__ import annotations

import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from ingest.errors import UnsupportedMedia
from ingest.media.detect import Kind, detect, kind_for


def test_kinds_of_generated_media(
    video_720p: Path, tone_wav: Path, photo_jpeg: Path, digital_pdf: Path, tmp_path: Path
) -> None:
    assert detect(path=video_720p).kind is Kind.VIDEO
    assert detect(path=tone_wav).kind is Kind.AUDIO
    assert detect(path=photo_jpeg).media_type == "image/jpeg"
    pdf = detect(path=digital_pdf)
    assert (pdf.kind, pdf.mismatch) == (Kind.PDF, False)
    text = tmp_path / "notes.txt"
    text.write_text("Протокол осмотра места происшествия\n", encoding="utf-8")
    assert detect(path=text).kind is Kind.TEXT


def test_archives_and_documents(tmp_path: Path) -> None:
    import docx

    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("x.txt", "x")
    t = tmp_path / "a.tar.gz"
    with tarfile.open(t, "w:gz") as tf:
        tf.add(z, arcname="a.zip")
    d = tmp_path / "report.docx"
    docx.Document().save(str(d))
    assert detect(path=z).kind is Kind.ARCHIVE
    assert detect(path=t).kind is Kind.ARCHIVE
    found = detect(path=d)
    assert (found.kind, found.mismatch) == (Kind.DOCUMENT, False)


def test_renamed_file_is_flagged(digital_pdf: Path, photo_jpeg: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "holiday.jpg"
    shutil.copy(digital_pdf, disguised)
    found = detect(path=disguised)
    assert found.kind is Kind.PDF  # content wins
    assert found.mismatch and "application/pdf" in (found.reason or "")
    # Same family, different format: a JPEG named .png is a rename too.
    renamed = detect(path=photo_jpeg, original_name="IMG_0001.png")
    assert renamed.mismatch and renamed.extension == ".png"


def test_original_name_is_used_for_temp_files(tone_wav: Path, tmp_path: Path) -> None:
    temp = tmp_path / "upload-7f3a.part"
    shutil.copy(tone_wav, temp)
    assert not detect(path=temp, original_name="call.wav").mismatch
    assert detect(path=temp, original_name="call.exe").mismatch


def test_chat_exports_are_recognised(tmp_path: Path) -> None:
    tg = tmp_path / "result.json"
    tg.write_text(json.dumps({"name": "A", "type": "personal_chat", "id": 1, "messages": []}))
    wa = tmp_path / "_chat.txt"
    wa.write_text("[02.01.23, 10:11:12] Иван: Привет\n", encoding="utf-8")
    wz = tmp_path / "WhatsApp Chat.zip"
    with zipfile.ZipFile(wz, "w") as zf:
        zf.write(wa, "_chat.txt")
    for path in (tg, wa, wz):
        found = detect(path=path)
        assert found.kind is Kind.CHAT_EXPORT, path
        assert not found.mismatch
    assert detect(path=tmp_path / "result.json").as_dict()["kind"] == "chat_export"


def test_kind_for_aliases() -> None:
    assert kind_for("audio/x-wav") is Kind.AUDIO
    assert kind_for("application/x-zip-compressed") is Kind.ARCHIVE
    assert kind_for("application/x-executable") is Kind.OTHER


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMedia):
        detect(path=tmp_path / "nope.bin")


def test_full_telegram_export_is_recognised(tmp_path: Path) -> None:
    full = tmp_path / "result.json"
    about = "Here is the data you requested. Remember: Telegram is ad free..."
    contacts = [{"first_name": f"n{i}", "phone_number": "+7700"} for i in range(300)]
    full.write_text(json.dumps({"about": about, "contacts": {"list": contacts}, "chats": {}}))
    assert detect(path=full).kind is Kind.CHAT_EXPORT


def test_other_json_is_just_text(tmp_path: Path) -> None:
    api_dump = tmp_path / "errors.json"
    api_dump.write_text(json.dumps({"messages": ["disk full"], "level": "warning"}))
    assert detect(path=api_dump).kind is Kind.TEXT
