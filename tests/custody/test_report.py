"""Custody report PDFs in Kazakh, Russian and English."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from custody import SYSTEM, Action, Actor, record
from custody.checkpoint import add_cosignature, make_checkpoint
from custody.keys import load_keys
from custody.note import COSIGNATURE_V1, Signer, cosign, open_note
from custody.report import ReportError, ReportItem, custody_report_pdf
from custody.view import everything, item_custody
from custody.witnesses import register_witness

OFFICER = Actor(id="u1", name="Айгүл Серікқызы", role="officer", device="bodycam-7")


def _text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", ["Дәлелдемелерді сақтау тізбегі", "Нысан қабылданып, сақталды", "Куәгерлер"]),
        ("ru", ["Отчёт о цепочке хранения", "Содержимое просмотрено", "Свидетели"]),
        ("en", ["Chain of custody report", "Content viewed or played", "verifier.py"]),
    ],
)
def test_report_in_three_languages(
    session: Session, tmp_path: Path, language: str, expected: list[str]
) -> None:
    keys = load_keys(key_dir=tmp_path / "k", name="report.test")
    record(
        session=session,
        action=Action.ITEM_CREATED,
        actor=OFFICER,
        item_id="it-1",
        sha256="ab" * 32,
        client="10.1.2.3",
    )
    record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="it-1")
    cp = make_checkpoint(session=session, keys=keys, origin="report.test")
    witness = Signer.generate("court.kz", COSIGNATURE_V1)
    register_witness(session=session, name=witness.name, key=str(witness.verifier), by="test")
    add_cosignature(
        session=session,
        size=cp.size,
        witness_key=str(witness.verifier),
        line=cosign(open_note(cp.note, keys.verifiers), witness, 1_700_000_000),
    )
    record(session=session, action=Action.ITEM_DOWNLOADED, actor=SYSTEM, item_id="it-1")
    item = ReportItem(id="it-1", sha256="ab" * 32, size=1234567, name="видео.mp4", case_number="1")
    pdf = custody_report_pdf(
        items=[(item, item_custody(session=session, item_id="it-1", readable=everything))],
        language=language,
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert pdf.startswith(b"%PDF")
    text = " ".join(_text(pdf, tmp_path).split())
    for phrase in [*expected, "Айгүл Серікқызы", "court.kz", "видео.mp4"]:
        assert phrase in text, phrase


def test_report_without_checkpoint_and_errors(session: Session, tmp_path: Path) -> None:
    record(session=session, action="custom.action", actor=SYSTEM, item_id="x")  # type: ignore[arg-type]
    custody = item_custody(session=session, item_id="x", readable=everything)
    item = ReportItem(id="x", sha256="00" * 32, size=0)
    text = " ".join(_text(custody_report_pdf(items=[(item, custody)]), tmp_path).split())
    assert "No signed checkpoint yet." in text and "custom.action" in text
    with pytest.raises(ReportError, match="language"):
        custody_report_pdf(items=[], language="de")
    with pytest.raises(ReportError, match="font"):
        custody_report_pdf(items=[], font_dir=tmp_path)


def test_every_item_action_has_words_in_three_languages() -> None:
    from custody.report_text import ACTIONS, LANGUAGES

    for action in Action:
        if action.value.startswith(("item.", "redaction.")):
            assert set(ACTIONS[action.value]) == set(LANGUAGES), action
