"""Plans for media items over HTTP (SQLite): a PDF (OCR word boxes) and an audio item
with an ingest transcript, both analysed and rendered in the request. Video (face
tracks, a manual box over a time range) is analysed and rendered by jobs: see
test_stages.py."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session

from redaction import numbers as n
from redaction.residual import is_releasable
from tests.app_kit import Api
from tests.redaction.kit import speech

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
IIN = n.make_iin(rng=random.Random(11))
sqlite_only = pytest.mark.parametrize("api", ["sqlite"], indirect=True)


def _upload(api: Api, team, data: bytes, name: str) -> str:  # type: ignore[no-untyped-def]
    r = api.upload(team["case"]["id"], team["prosecutor"], data, name=name)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _accept_all_and_approve(api: Api, team, plan_id: str) -> dict:  # type: ignore[no-untyped-def]
    r = api.client.patch(
        f"/api/v1/redactions/{plan_id}/proposals",
        json={"default": "accepted"},
        headers=team["prosecutor"],
    )
    assert r.status_code == 200, r.text
    r = api.client.post(f"/api/v1/redactions/{r.json()['id']}/approve", headers=team["prosecutor"])
    assert r.status_code == 200, r.text
    return dict(r.json())


@sqlite_only
def test_pdf_plan_boxes_and_clean_output(api: Api, team, tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_author("Следователь Ахметов")
    pdf.add_font("dejavu", fname=FONT)
    pdf.set_font("dejavu", size=16)
    pdf.add_page()
    for line in ("Протокол осмотра", "Свидетель Иванов Пётр Сергеевич", f"ИИН {IIN}"):
        pdf.cell(0, 14, line, new_x="LMARGIN", new_y="NEXT")
    item_id = _upload(api, team, bytes(pdf.output()), "protocol.pdf")
    r = api.client.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["source_kind"] == "pages"
    iin = next(p for p in plan["proposals"] if p["entity_type"] == "KZ_IIN")
    assert iin["regions"] and iin["regions"][0]["kind"] == "box" and iin["regions"][0]["page"] == 1
    done = _accept_all_and_approve(api, team, plan["id"])
    assert done["releasable"], done["residual"]
    out = api.client.get(
        f"/api/v1/items/{done['derivative_id']}/content", headers=team["prosecutor"]
    )
    path = tmp_path / "out.pdf"
    path.write_bytes(out.content)
    assert subprocess.run(["pdftotext", str(path), "-"], capture_output=True).stdout.strip() == b""
    assert b"Ahmetov" not in out.content and "Ахметов".encode() not in out.content


@sqlite_only
def test_audio_plan_from_transcript_bleeps_word_ranges(api: Api, team, tmp_path: Path) -> None:
    pytest.importorskip("ingest.models")
    from custody.events import utc_now
    from ingest.models import Transcript, TranscriptOrigin

    wav = speech(tmp_path / "s.wav", "Свидетель Иванов Пётр видел машину")
    item_id = _upload(api, team, wav.read_bytes(), "statement.wav")
    words = [("Свидетель", 0.0, 0.6), ("Иванов", 0.7, 1.2), ("Пётр", 1.25, 1.6),
             ("видел", 1.7, 2.0), ("машину", 2.05, 2.5)]  # fmt: skip
    with Session(api.engine) as session:
        session.add(
            Transcript(
                item_id=item_id,
                version=1,
                origin=TranscriptOrigin.MACHINE,
                language="ru",
                created_at=utc_now(),
                segments=[
                    {
                        "start": 0.0,
                        "end": 2.5,
                        "text": " ".join(w for w, _, _ in words),
                        "words": [
                            {"word": f" {w}", "start": a, "end": b, "probability": 0.9}
                            for w, a, b in words
                        ],
                    }
                ],
            )
        )
        session.commit()
    r = api.client.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["source_kind"] == "transcript" and plan["language"] == "ru"
    person = next(p for p in plan["proposals"] if p["entity_type"] == "PERSON")
    assert person["regions"] == [{"kind": "time", "start": 0.7, "end": 1.6}]
    done = _accept_all_and_approve(api, team, plan["id"])
    assert done["releasable"], done["residual"]
    audio = next(c for c in done["residual"]["checks"] if c["name"] == "audio")
    assert audio["passed"] and audio["worst_dbfs"] < -45
    r = api.client.get(f"/api/v1/items/{done['transcript_id']}/content", headers=team["prosecutor"])
    transcript = r.json()
    assert transcript["segments"][0]["text"] == "Свидетель [ЛИЦО 1] видел машину"
    assert transcript["segments"][0]["start"] == 0.0 and "Иванов" not in r.text
    with Session(api.engine) as session:
        assert is_releasable(session=session, item_id=done["transcript_id"])
