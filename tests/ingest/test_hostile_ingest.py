"""Issue 12, processing: the trial's uploads through the real pipeline (SQLite, jobs
inline) — an SVG never reaches Tesseract and no job error quotes evidence; archive
members obey the upload name rule; children are bounded per archive and per hour,
with the refusal in the archive's custody chain."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from ingest.config import IngestSettings
from ingest.runtime import jobs
from tests.app_kit import Api, make_team

pytest_plugins = ["tests.ingest.conftest_integration"]

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
    b'<text x="5" y="30">IIN 900101300123 witness Serik</text></svg>\n'
    b"/home/suspect/secret-notes.txt\n"
)


def _upload(api: Api, team: dict[str, Any], data: bytes, name: str) -> str:
    response = api.upload(team["case"]["id"], team["prosecutor"], data, name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _get(api: Api, team: dict[str, Any], path: str) -> Any:
    response = api.client.get(f"/api/v1{path}", headers=team["prosecutor"])
    assert response.status_code == 200, response.text
    return response.json()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_svg_is_not_ocred_and_no_job_error_quotes_it(sqlite_api: Api) -> None:
    api = sqlite_api
    team = make_team(api)
    item = _upload(api, team, SVG, "drawing.svg")
    for job in _get(api, team, f"/items/{item}/jobs"):
        error = job["error"] or ""
        assert "secret-notes" not in error and "900101300123" not in error, job
        if job["stage"] == "ocr":
            assert job["state"] == "failed" and "SVG" in error
    # What the administrator sees of the jobs (they may not read the item) is clean too.
    seen = api.client.get(f"/api/v1/items/{item}/jobs", headers=team["admin"])
    assert "secret-notes" not in seen.text


def _workbook(body: str) -> bytes:
    """An .xlsx package whose workbook part is `body`."""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    parts = {"[Content_Types].xml": types, "_rels/.rels": rels, "xl/workbook.xml": body}
    return _zip({name: text.encode() for name, text in parts.items()})


def test_a_job_error_quoting_evidence_reaches_only_its_readers(sqlite_api: Api) -> None:
    """A parser's message can quote the file (lxml names the tag it choked on): the
    administrator, who may see jobs but not the item, sees only the kind of failure."""
    api = sqlite_api
    team = make_team(api)
    item = _upload(api, team, _workbook("<workbook><IIN900101300123></workbook>"), "a.xlsx")
    failed = [j for j in _get(api, team, f"/items/{item}/jobs") if j["state"] == "failed"]
    assert failed and "900101300123" in failed[0]["error"], failed  # the reader's view
    seen = api.client.get(f"/api/v1/items/{item}/jobs", headers=team["admin"])
    assert seen.status_code == 200 and "900101300123" not in seen.text
    stage = failed[0]["stage"]
    (job,) = [j for j in seen.json() if j["stage"] == stage]
    assert job["error"].startswith("UnsupportedMedia (") and job["state"] == "failed"
    # What the administrator saw was not written back.
    again = [j for j in _get(api, team, f"/items/{item}/jobs") if j["stage"] == stage]
    assert "900101300123" in again[0]["error"]


def test_archive_member_with_a_bidi_override_is_a_finding(sqlite_api: Api) -> None:
    """The trial: `a\\u202egnp.exe` became a child item; uploads refuse that name."""
    api = sqlite_api
    team = make_team(api)
    refused = api.upload(team["case"]["id"], team["prosecutor"], b"x", name="a\u202egnp.exe")
    assert refused.status_code == 400
    archive = _upload(
        api, team, _zip({"a\u202egnp.exe": b"MZ evil", "ok.txt": b"fine"}), "member.zip"
    )
    children = _get(api, team, f"/items/{archive}/derivatives")
    assert [c["original_name"] for c in children if c["kind"] == "child"] == ["ok.txt"]
    findings = _get(api, team, f"/items/{archive}/metadata")["archive_findings"]
    assert {f["reason"] for f in findings} == {"invalid_name"}


def test_child_quotas_refuse_the_archive_and_record_it(sqlite_api: Api) -> None:
    """The trial: a ZIP of 3,000 one-byte files became 3,000 child items."""
    api = sqlite_api
    team = make_team(api)
    settings: IngestSettings = jobs.runtime().settings
    per_archive, per_hour = settings.archive_max_children, settings.children_per_user_hour
    settings.archive_max_children, settings.children_per_user_hour = 30, 50
    try:
        big = _upload(api, team, _zip({f"f{n}.txt": b"x" for n in range(31)}), "big.zip")
        assert not [c for c in _get(api, team, f"/items/{big}/derivatives") if c["kind"] == "child"]
        unpack = next(j for j in _get(api, team, f"/items/{big}/jobs") if j["stage"] == "unpack")
        assert unpack["state"] == "failed" and "quota" in unpack["error"]
        custody = _get(api, team, f"/items/{big}/custody")["events"]
        refusals = [
            e["event"] for e in custody if e["event"]["action"] == "item.processing.refused"
        ]
        assert refusals and refusals[0]["details"]["reason"] == "children_per_archive"
        # Per hour: two archives of 30 pass the per-archive quota, not the hourly one.
        first = _upload(api, team, _zip({f"a{n}.txt": b"a" for n in range(30)}), "a.zip")
        second = _upload(api, team, _zip({f"b{n}.txt": b"b" for n in range(30)}), "b.zip")
        assert len(_get(api, team, f"/items/{first}/derivatives")) >= 30
        custody = _get(api, team, f"/items/{second}/custody")["events"]
        reasons = [
            e["event"]["details"]["reason"]
            for e in custody
            if e["event"]["action"] == "item.processing.refused"
        ]
        assert reasons == ["children_per_hour"]
    finally:
        settings.archive_max_children, settings.children_per_user_hour = per_archive, per_hour


def test_clip_and_note_times_are_checked_against_the_duration(
    sqlite_api: Api, video_720p: Path
) -> None:
    """The trial: a clip with `end: 1e308` was accepted."""
    api = sqlite_api
    team = make_team(api)
    item = _upload(api, team, video_720p.read_bytes(), "clip.mp4")  # 2 s
    post = api.client.post
    headers = team["investigator"]
    huge = post(f"/api/v1/items/{item}/clips", json={"start": 0, "end": 1e308}, headers=headers)
    assert huge.status_code == 422
    past = post(f"/api/v1/items/{item}/clips", json={"start": 0, "end": 5.0}, headers=headers)
    assert past.status_code == 400 and "past the end" in past.json()["detail"]
    assert past.headers["content-type"] == "application/problem+json"
    # Nothing changed: no clip, no custody event.
    assert api.events("item.clip.added") == []
    assert _get(api, team, f"/items/{item}/annotations")["clips"] == []
    fits = post(f"/api/v1/items/{item}/clips", json={"start": 0.5, "end": 1.5}, headers=headers)
    assert fits.status_code == 201
    note = {"body": "look here", "start": 10.0}
    assert post(f"/api/v1/items/{item}/notes", json=note, headers=headers).status_code == 400
    ranged = {"body": "look here", "start": 1.0, "end": 30.0}
    assert post(f"/api/v1/items/{item}/notes", json=ranged, headers=headers).status_code == 400
    assert api.events("item.note.added") == []
    note["start"] = 1.0
    assert post(f"/api/v1/items/{item}/notes", json=note, headers=headers).status_code == 201


def test_cancelling_a_retry_shows_no_evidence_to_the_administrator(sqlite_api: Api) -> None:
    """A job that failed on its last attempt but one waits, queued, with that attempt's
    error, which can quote the file. An administrator (who may run jobs, never read
    evidence) cancels it: the answer carries only the kind of failure, as the job list
    does, and nothing is written back."""
    from sqlmodel import Session, select

    from ingest.runtime.models import Job, JobState

    api = sqlite_api
    team = make_team(api)
    item = _upload(api, team, _workbook("<workbook><IIN900101300123></workbook>"), "b.xlsx")
    (failed,) = [j for j in _get(api, team, f"/items/{item}/jobs") if j["state"] == "failed"]
    with Session(api.engine) as session:  # the retry waiting in the queue
        job = session.exec(select(Job).where(Job.id == failed["id"])).one()
        job.state = JobState.QUEUED
        session.add(job)
        session.commit()
    url = f"/api/v1/items/{item}/jobs/{failed['stage']}/cancel"
    cancelled = api.client.post(url, headers=team["admin"])
    assert cancelled.status_code == 202, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert "900101300123" not in cancelled.text
    assert cancelled.json()["error"].startswith("UnsupportedMedia (")
    again = [j for j in _get(api, team, f"/items/{item}/jobs") if j["id"] == failed["id"]]
    assert "900101300123" in again[0]["error"]  # the reader's view is unchanged


def test_members_left_out_are_refusals_in_custody(sqlite_api: Api) -> None:
    """Every refusal is recorded in custody, not only in `/metadata`: members an archive
    keeps out (a bidi name, a path escaping the folder) appear in the archive's chain by
    reason and count, without their names."""
    api = sqlite_api
    team = make_team(api)
    members = {"a\u202egnp.exe": b"MZ evil", "../../etc/cron.d/x": b"* * * * *", "ok.txt": b"ok"}
    archive = _upload(api, team, _zip(members), "mixed.zip")
    findings = _get(api, team, f"/items/{archive}/metadata")["archive_findings"]
    assert len(findings) == 2, findings
    custody = _get(api, team, f"/items/{archive}/custody")["events"]
    (refusal,) = [
        e["event"]["details"] for e in custody if e["event"]["action"] == "item.processing.refused"
    ]
    assert refusal["reason"] == "members_refused" and refusal["members"] == 2
    assert sum(refusal["reasons"].values()) == 2
    assert set(refusal["reasons"]) == {f["reason"] for f in findings}
    assert "gnp" not in str(refusal) and "cron" not in str(refusal)
