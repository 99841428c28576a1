"""Watermarked copies prepared ahead by `wmark` jobs: queued on disclosure and tranche,
served without re-rendering, a clear 409 while not ready (real ffmpeg, real jobs)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlmodel import col, select, text

from custody.models import LedgerEntry
from disclosure.models import DisclosureEntry
from evidence.models import Item
from ingest.runtime import jobs
from ingest.runtime.models import Job, JobState
from tests.app_kit import Api, job_settings
from tests.disclosure.conftest import disclose
from tests.login_form import session_cookie

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg not installed")


def make_video(path: Path, seconds: int = 2, size: str = "320x240") -> bytes:
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=s={size}:d={seconds}:r=25", "-f", "lavfi", "-i", f"sine=f=440:d={seconds}",
         "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
         "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


@pytest.fixture()
def video(api: Api, team, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """An original video the prosecutor may disclose as it is (flagged disclosable)."""
    data = make_video(tmp_path / "bodycam.mp4")
    item = api.upload(team["case"]["id"], team["officer"], data, name="bodycam.mp4").json()
    flagged = api.client.post(
        f"/api/v1/items/{item['id']}/disclosure-flags",
        json={"disclosable_original": True},
        headers=team["prosecutor"],
    )
    assert flagged.status_code == 200, flagged.text
    return str(item["id"])


def _watermarked(api: Api, parent: str) -> list[Item]:
    with api.session() as session:
        return list(
            session.exec(
                select(Item).where(Item.parent_id == parent, Item.derivative_kind == "watermarked")
            ).all()
        )


def _wmark_jobs(api: Api) -> list[Job]:
    with api.session() as session:
        return list(session.exec(select(Job).where(Job.stage == "wmark")).all())


def _events(api: Api, item_id: str) -> list[dict]:  # type: ignore[type-arg]
    with api.session() as session:
        rows = session.exec(
            select(LedgerEntry).where(LedgerEntry.item_id == item_id).order_by(col(LedgerEntry.idx))
        ).all()
        return [json.loads(row.leaf) for row in rows]


def test_video_watermark_is_a_job_and_is_served_without_rendering_again(
    api: Api, team, video: str
) -> None:  # type: ignore[no-untyped-def]
    created = disclose(api, team, [video])
    assert created.status_code == 201, created.text
    did = created.json()["id"]
    (entry,) = created.json()["items"]
    # Jobs run inline in these fixtures: the copy is ready when the answer comes.
    assert entry["state"] == "ready" and entry["watermarked"], entry
    (job,) = _wmark_jobs(api)
    assert job.state is JobState.DONE and job.queue == "media"
    assert job.item_id == video and job.subject == entry["entry_id"]
    assert job.result == {"entry": entry["entry_id"], "served": entry["served_id"]}
    (copy,) = _watermarked(api, video)
    assert copy.id == entry["served_id"]
    # Custody: made by the worker, for the recipient, at the prosecutor's disclosure.
    made = _events(api, copy.id)
    assert [e["action"] for e in made] == ["item.derived", "item.disclosed"]
    parameters = made[0]["details"]["parameters"]
    assert made[0]["actor"]["id"] == "worker" and parameters["recipient"] == "defence"
    assert parameters["disclosure"] == did and parameters["entry"] == entry["entry_id"]
    prosecutor = api.client.get("/api/v1/users/me", headers=team["prosecutor"]).json()["id"]
    assert parameters["disclosed_by"] == prosecutor
    assert made[1]["actor"]["id"] == "worker" and made[1]["details"]["disclosed_by"] == prosecutor
    # The defence reads it (by served id or entry id), downloads the bundle: no re-render.
    for name in (entry["served_id"], entry["entry_id"]):
        url = f"/api/v1/disclosures/{did}/items/{name}/content"
        read = api.client.get(url, headers=team["defence"])
        assert read.status_code == 200 and read.headers["ETag"] == f'"{copy.sha256}"'
    assert api.client.get(f"/api/v1/disclosures/{did}/bundle", headers=team["defence"]).is_success
    # A worker running the same job again (a retry) finds the copy made before.
    jobs.run_job(job.id)
    assert [c.id for c in _watermarked(api, video)] == [copy.id]
    with api.session() as session:
        assert session.get(Job, job.id).attempts == 1  # type: ignore[union-attr]
    # The source was read once, by the worker, for this disclosure's watermark.
    reads = [e for e in _events(api, video) if e["action"] == "item.content.read"]
    assert [(e["actor"]["id"], e["details"]["purpose"]) for e in reads] == [
        ("worker", f"watermark:{did}")
    ]


def test_tranche_queues_watermarks_in_background_threads(
    api: Api, team, video: str, material
) -> None:  # type: ignore[no-untyped-def]
    """Thread mode (what `make run` uses): the answer never waits for the rendering."""
    jobs.configure(engine=api.engine, store=api.client.app.state.store,  # type: ignore[attr-defined]
                   settings=job_settings("thread"))  # fmt: skip
    did = disclose(api, team, [material.original]).json()["id"]
    added = api.client.post(
        f"/api/v1/disclosures/{did}/tranches", json={"add": [video]}, headers=team["prosecutor"]
    )
    assert added.status_code == 201, added.text
    deadline = time.monotonic() + 60
    while True:
        view = api.client.get(f"/api/v1/disclosures/{did}", headers=team["defence"]).json()
        if all(i["state"] == "ready" for i in view["items"]) or time.monotonic() > deadline:
            break
        assert {i["state"] for i in view["items"]} <= {"ready", "preparing"}
        time.sleep(0.2)
    assert [i["state"] for i in view["items"]] == ["ready", "ready"] and view["preparing"] == 0
    assert {j.state for j in _wmark_jobs(api)} == {JobState.DONE} and len(_wmark_jobs(api)) == 2
    history = {h["number"]: h["added"] for h in view["history"]}
    assert history[2] == [view["items"][1]["served_id"]]  # the tranche lists its served copy
    (copy,) = _watermarked(api, video)
    assert copy.id == view["items"][1]["served_id"]


def test_not_ready_is_answered_at_once_and_served_when_the_job_ran(
    api: Api, team, video: str
) -> None:  # type: ignore[no-untyped-def]
    # Jobs recorded but not run (no worker yet): the file is "being prepared".
    jobs.configure(engine=api.engine, store=api.client.app.state.store,  # type: ignore[attr-defined]
                   settings=job_settings("off"))  # fmt: skip
    body = disclose(api, team, [video]).json()
    did, (entry,) = body["id"], body["items"]
    assert entry["state"] == "preparing" and entry["served_id"] is None and entry["sha256"] is None
    mine = api.client.get(f"/api/v1/disclosures/{did}", headers=team["defence"]).json()
    assert mine["preparing"] == 1 and mine["items"][0]["item_id"] is None
    url = f"/api/v1/disclosures/{did}/items/{entry['entry_id']}/content"
    started = time.monotonic()
    refused = api.client.get(url, headers=team["defence"])
    assert time.monotonic() - started < 5
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    problem = refused.json()
    assert problem["title"] == "Being prepared" and "being prepared" in problem["detail"]
    assert problem["preparing"] == [
        {"entry_id": entry["entry_id"], "name": "bodycam.mp4", "state": "preparing"}
    ]
    bundle = api.client.get(f"/api/v1/disclosures/{did}/bundle", headers=team["defence"])
    assert bundle.status_code == 409 and bundle.headers["Retry-After"]
    assert bundle.json()["preparing"][0]["entry_id"] == entry["entry_id"]
    # Nothing was read or recorded as downloaded, and the un-stamped file stays closed.
    assert not [e for e in _events(api, video) if e["action"] == "item.downloaded"]
    assert (
        api.client.get(f"/api/v1/items/{video}/content", headers=team["defence"]).status_code == 403
    )
    # The portal says so plainly, in each language, with no bundle link yet.
    api.client.cookies.set("dalel_session", session_cookie(api.client, "defence"))
    for lang, words in [("ru", "готовится"), ("kk", "дайындалуда"), ("en", "being prepared")]:
        page = api.client.get(f"/portal/disclosures/{did}?lang={lang}", headers=team["defence"])
        assert page.status_code == 200 and words in page.text, lang
        assert 'id="bundle-wait"' in page.text and 'id="bundle"' not in page.text
        assert 'http-equiv="refresh"' in page.text
    # A worker picks the job up: now it is served, under the same entry id.
    (job,) = _wmark_jobs(api)
    assert job.state is JobState.QUEUED
    jobs.run_job(job.id)
    served = api.client.get(url, headers=team["defence"])
    assert served.status_code == 200 and served.content[4:8] == b"ftyp"
    assert api.client.get(f"/api/v1/disclosures/{did}/bundle", headers=team["defence"]).is_success
    page = api.client.get(f"/portal/disclosures/{did}?lang=en", headers=team["defence"])
    assert 'id="bundle"' in page.text and "being prepared" not in page.text


def test_failed_preparation_is_reported_and_can_be_queued_again(
    api: Api, team, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    broken = make_video(tmp_path / "whole.mp4")[:3000]  # still an MP4 by its bytes
    item = api.upload(team["case"]["id"], team["officer"], broken, name="cut.mp4").json()
    api.client.post(
        f"/api/v1/items/{item['id']}/disclosure-flags",
        json={"disclosable_original": True},
        headers=team["prosecutor"],
    )
    body = disclose(api, team, [item["id"]]).json()
    did, (entry,) = body["id"], body["items"]
    assert entry["state"] == "failed" and "ffmpeg" in entry["error"]
    refused = api.client.get(
        f"/api/v1/disclosures/{did}/items/{entry['entry_id']}/content", headers=team["defence"]
    )
    assert refused.status_code == 409 and "Retry-After" not in refused.headers
    assert "could not be prepared" in refused.json()["detail"]
    mine = api.client.get(f"/api/v1/disclosures/{did}", headers=team["defence"]).json()
    assert mine["items"][0]["state"] == "failed" and mine["items"][0]["error"] is None
    # The prosecution queues it again (202); it fails again, once more recorded.
    again = api.client.post(f"/api/v1/disclosures/{did}/prepare", headers=team["prosecutor"])
    assert again.status_code == 202 and again.json()["items"][0]["state"] == "failed"
    (job,) = _wmark_jobs(api)
    assert job.attempts == 2
    # The prosecution's page shows the failure and offers the same, as a form.
    api.client.cookies.set("dalel_session", session_cookie(api.client, "prosecutor"))
    page = api.client.get(f"/portal/disclosures/{did}?lang=en", headers=team["prosecutor"])
    assert "could not be prepared" in page.text and 'id="prepare"' in page.text
    csrf = re.search(r'id="prepare">\s*<input type="hidden" name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    sent = api.client.post(
        f"/portal/disclosures/{did}/prepare", data={"csrf": csrf[1]},
        headers=team["prosecutor"], follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303
    assert _wmark_jobs(api)[0].attempts == 3
    assert api.client.post(
        f"/api/v1/disclosures/{did}/prepare", headers=team["defence"]
    ).status_code in {403, 404}


def test_images_are_prepared_too_and_the_entry_only_serves_its_copy(
    api: Api, team, material
) -> None:  # type: ignore[no-untyped-def]
    jobs.configure(engine=api.engine, store=api.client.app.state.store,  # type: ignore[attr-defined]
                   settings=job_settings("off"))  # fmt: skip
    body = disclose(api, team, [material.original]).json()
    (entry,) = body["items"]
    assert entry["state"] == "preparing"
    with api.session() as session:
        row = session.get(DisclosureEntry, entry["entry_id"])
        assert row is not None and row.served_id is None and row.item_id == material.redacted
    # The redaction itself is never readable by the defence, pending or not.
    for item_id in (material.redacted, material.original):
        url = f"/api/v1/disclosures/{body['id']}/items/{item_id}/content"
        assert api.client.get(url, headers=team["defence"]).status_code == 404
    with api.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM job WHERE stage = 'wmark'")).scalar()
    assert count == 1
