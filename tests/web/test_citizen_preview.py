"""Thumbnails of quarantined files (issue 19): the investigator sees what a person sent
before accepting it, as a picture the server decoded and encoded again, never the file
itself; each look is a custody event, and only case members who review such files see
one."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image
from sqlmodel import select

from custody.events import Action
from custody.models import LedgerEntry
from evidence.citizen_models import Submission
from tests.app_kit import Api
from tests.evidence.citizen_kit import make_request, send
from tests.web.conftest import sign_in


def _photo_with_gps() -> bytes:
    """A JPEG whose EXIF holds a camera and a position (what a re-encode must drop)."""
    image = Image.new("RGB", (1200, 800), "navy")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (43.0, 14.0, 0.0), 3: "E", 4: (76.0, 53.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _video(tmp_path: Path) -> bytes:
    out = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=10",
         "-t", "2", "-pix_fmt", "yuv420p", "-y", str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def _submissions(api: Api) -> dict[str, Submission]:
    with api.session() as session:
        return {s.original_name: s for s in session.exec(select(Submission)).all()}


def _previews_recorded(api: Api) -> int:
    with api.session() as session:
        rows = session.exec(
            select(LedgerEntry).where(LedgerEntry.action == str(Action.SUBMISSION_PREVIEWED))
        )
        return len(rows.all())


def test_quarantined_pictures_and_videos_show_a_reencoded_thumbnail(  # type: ignore[no-untyped-def]
    web: Api, team, tmp_path: Path
) -> None:
    case_id = team["case"]["id"]
    _, token = make_request(web, team)
    photo = _photo_with_gps()
    for name, data in [
        ("threat.jpg", photo),
        ("incident.mp4", _video(tmp_path)),
        ("notes.txt", b"what I saw on the 12th\n" * 20),
    ]:
        assert send(web, token, name, data).status_code == 201
    rows = _submissions(web)

    sign_in(web, "investigator")
    page = web.client.get(f"/cases/{case_id}/requests")
    assert page.status_code == 200
    for name in ("threat.jpg", "incident.mp4"):
        assert f'/cases/{case_id}/submissions/{rows[name].id}/preview"' in page.text
    assert f"/submissions/{rows['notes.txt'].id}/preview" not in page.text  # not a picture

    before = _previews_recorded(web)
    thumb = web.client.get(f"/cases/{case_id}/submissions/{rows['threat.jpg'].id}/preview")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content != photo
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 320 and image.size == (320, 213)
        assert not image.getexif(), "the camera and the position stay in the original"
        assert image.getpixel((160, 100))[2] > 100  # still the navy picture
    poster = web.client.get(f"/cases/{case_id}/submissions/{rows['incident.mp4'].id}/preview")
    assert poster.status_code == 200
    with Image.open(io.BytesIO(poster.content)) as image:
        assert image.format == "JPEG" and image.size == (320, 180)
    text = web.client.get(f"/cases/{case_id}/submissions/{rows['notes.txt'].id}/preview")
    assert text.status_code == 404
    # Two pictures were shown: two reads of quarantined bytes in the ledger (the text
    # file was never read).
    assert _previews_recorded(web) == before + 2


def test_only_reviewers_of_the_case_see_a_thumbnail(web: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    _, token = make_request(web, team)
    assert send(web, token, "threat.jpg", _photo_with_gps()).status_code == 201
    submission = _submissions(web)["threat.jpg"]
    url = f"/cases/{case_id}/submissions/{submission.id}/preview"

    for outsider in ("outsider", "defence"):
        sign_in(web, outsider)
        assert web.client.get(url).status_code in {403, 404}
    assert _previews_recorded(web) == 0
    web.client.cookies.delete("dalel_session")
    assert web.client.get(url, follow_redirects=False).status_code in {303, 307}
    sign_in(web, "investigator")
    assert web.client.get(f"/cases/{case_id}/submissions/no-such-id/preview").status_code == 404
