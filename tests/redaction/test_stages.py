"""Video redaction on the job queue, through the API: analysis and rendering run as
`redact` and `render` jobs (inline under `sync`, in the thread pool under `thread`).

POST → 202 `analysing` → `draft` with face tracks; approve → 202 `rendering` →
`approved` with a `redacted` derivative and its residual report; a deleted object or a
corrupt video ends in `failed` with the reason, without proposals or derivative.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from evidence.models import Blob, Item
from ingest.config import IngestSettings
from ingest.runtime import jobs
from ingest.runtime.models import Job, JobState
from redaction.models import PlanStatus, RedactionPlan
from tests.app_kit import PASSWORD, Api, running_jobs
from tests.login_form import csrf_of, post_login
from tests.redaction.kit import make_video

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg missing")

DONE = {"draft", "approved", "failed", "superseded"}


@pytest.fixture(
    params=[("sync", "sqlite"), ("thread", "sqlite"), ("sync", "postgresql")],
    ids=["sync-sqlite", "thread-sqlite", "sync-postgresql"],
)
def api(request: pytest.FixtureRequest, make_api: Callable[..., Api]) -> Iterator[Api]:
    """The shared app with jobs on; only redaction queues any (uploads start no media
    processing: these tests time redaction only)."""
    mode, backend = request.param
    api = make_api(backend)
    with running_jobs(api, jobs=mode, job_retries=1):
        yield api


def _upload(api: Api, team: dict, data: bytes, name: str = "bodycam.mp4") -> str:
    r = api.upload(team["case"]["id"], team["prosecutor"], data, name=name)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _wait(api: Api, team: dict, plan_id: str, timeout: float = 120) -> dict[str, Any]:
    """Poll the plan until its job has finished (at once under `sync`)."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.client.get(f"/api/v1/redactions/{plan_id}", headers=team["prosecutor"])
        assert r.status_code == 200, r.text
        plan = dict(r.json())
        if plan["status"] in DONE:
            return plan
        assert plan["status"] in {"analysing", "rendering"}
        assert time.monotonic() < deadline, f"plan still {plan['status']}: {plan['job']}"
        time.sleep(0.2)


def _object_path(api: Api, item_id: str) -> Path:
    with api.session() as session:
        item = session.get(Item, item_id)
        assert item is not None
        blob = session.get(Blob, item.sha256)
        assert blob is not None
        key = blob.storage_key
    path = Path(api.settings.data_dir) / "objects" / key
    assert path.exists(), path
    return path


def _take_away(path: Path, aside: Path) -> None:
    """Move a stored object out of the object folder (its folders are read-only)."""
    for folder in (path.parent, *path.parent.parents):
        if folder == Path(path.anchor) or not os.access(folder, os.F_OK):
            break
        if not os.access(folder, os.W_OK):
            folder.chmod(0o755)
    shutil.move(path, aside)


def _jobs(api: Api, item_id: str) -> dict[str, Job]:
    with Session(api.engine) as session:
        return {j.stage: j for j in session.exec(select(Job).where(Job.item_id == item_id))}


def _job_ends(api: Api, item_id: str, stage: str, state: JobState) -> Job:
    """The job row of a stage once it is `state` (the runner records it just after the
    plan; in the thread pool a poll can fall in between)."""
    deadline = time.monotonic() + 30
    while (job := _jobs(api, item_id)[stage]).state is not state:
        assert time.monotonic() < deadline, (job.state, job.error)
        time.sleep(0.1)
    return job


def _actions(api: Api, team: dict, item_id: str) -> list[str]:
    r = api.client.get(f"/api/v1/items/{item_id}/custody", headers=team["auditor"])
    assert r.status_code == 200, r.text
    body = r.json()
    events = body["events"] if isinstance(body, dict) else body
    return [e["event"]["action"] if "event" in e else e["action"] for e in events]


def test_video_analysed_and_rendered_by_jobs(api: Api, team, tmp_path: Path) -> None:
    item_id = _upload(
        api, team, make_video(tmp_path / "clip.mp4", size="640x360", seconds=2).read_bytes()
    )
    c = api.client
    r = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["status"] == "analysing" and queued["proposals"] == []
    assert queued["version"] == 1 and queued["error"] is None
    assert r.headers["location"] == f"/api/v1/redactions/{queued['id']}"

    plan = _wait(api, team, queued["id"])
    assert plan["status"] == "draft", plan
    assert plan["id"] == queued["id"] and plan["version"] == 1 and plan["job"] is None
    faces = [p for p in plan["proposals"] if p["source"] == "face"]
    assert faces and faces[0]["target"]["kind"] == "track" and faces[0]["entity_type"] == "FACE"
    assert {p["decision"] for p in plan["proposals"]} == {"pending"}
    assert _job_ends(api, item_id, "redact", JobState.DONE).queue == "media"

    # Reviewing works on the filled-in plan as on any draft: a manual box, then decisions.
    box = {"kind": "box", "page": 1, "left": 500, "top": 250, "width": 100, "height": 80,
           "t_start": 0.5, "t_end": 1.5}  # fmt: skip
    r = c.post(
        f"/api/v1/redactions/{plan['id']}/proposals",
        json={"items": [{"target": box, "entity_type": "SCREEN", "note": "phone screen"}]},
        headers=team["investigator"],
    )
    assert r.status_code == 201, r.text
    r = c.patch(
        f"/api/v1/redactions/{r.json()['id']}/proposals",
        json={"default": "accepted"},
        headers=team["prosecutor"],
    )
    assert r.status_code == 200, r.text
    draft = r.json()
    # Only prosecutors approve; the refusal changes nothing.
    r = c.post(f"/api/v1/redactions/{draft['id']}/approve", headers=team["investigator"])
    assert r.status_code == 403
    r = c.post(f"/api/v1/redactions/{draft['id']}/approve", headers=team["prosecutor"])
    assert r.status_code == 202, r.text
    rendering = r.json()
    assert rendering["status"] == "rendering" and rendering["approved_by"]
    assert rendering["derivative_id"] is None and rendering["residual"] is None

    done = _wait(api, team, draft["id"])
    assert done["status"] == "approved", done
    assert done["releasable"], done["residual"]
    assert {ch["name"] for ch in done["residual"]["checks"]} >= {"faces", "metadata"}
    derived = c.get(f"/api/v1/items/{done['derivative_id']}", headers=team["prosecutor"]).json()
    assert derived["derivative_kind"] == "redacted"
    assert derived["derivation"]["parameters"]["format"] == "mp4"
    assert derived["derivation"]["plan_id"] == done["id"]
    assert _job_ends(api, item_id, "render", JobState.DONE).queue == "media"

    # Approving again changes nothing and renders nothing twice.
    again = c.post(f"/api/v1/redactions/{done['id']}/approve", headers=team["prosecutor"])
    assert again.status_code == 409
    kinds = [d["derivative_kind"] for d in c.get(
        f"/api/v1/items/{item_id}/derivatives", headers=team["prosecutor"]).json()]  # fmt: skip
    assert kinds.count("redacted") == 1
    actions = _actions(api, team, item_id)
    for action in ("redaction.plan.created", "redaction.plan.revised",
                   "redaction.plan.approved", "redaction.residual.checked"):  # fmt: skip
        assert action in actions, actions


@pytest.mark.parametrize("api", [("sync", "sqlite")], ids=["sync-sqlite"], indirect=True)
def test_bad_requests_change_nothing(api: Api, team, tmp_path: Path) -> None:
    item_id = _upload(
        api, team, make_video(tmp_path / "clip.mp4", size="320x240", seconds=1).read_bytes()
    )
    c = api.client
    before = _actions(api, team, item_id)
    r = c.post(
        f"/api/v1/items/{item_id}/redactions", json={"language": "xx"}, headers=team["prosecutor"]
    )
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    for who in ("officer", "outsider", "defence"):
        r = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team[who])
        assert r.status_code in (403, 404), (who, r.text)
    assert c.get(f"/api/v1/items/{item_id}/redactions", headers=team["prosecutor"]).json() == []
    assert "redact" not in _jobs(api, item_id)
    after = _actions(api, team, item_id)
    assert "redaction.plan.created" not in after
    assert set(after[len(before) :]) <= {"access.denied", "item.custody.read"}


def test_missing_object_fails_the_analysis(api: Api, team, tmp_path: Path) -> None:
    item_id = _upload(
        api, team, make_video(tmp_path / "clip.mp4", size="320x240", seconds=1).read_bytes()
    )
    _take_away(_object_path(api, item_id), tmp_path / "aside")
    r = api.client.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    assert r.status_code == 202, r.text
    plan = _wait(api, team, r.json()["id"])
    assert plan["status"] == "failed" and plan["proposals"] == []
    assert "ObjectMissing" in plan["error"], plan["error"]
    assert "ObjectMissing" in str(_job_ends(api, item_id, "redact", JobState.FAILED).error)
    r = api.client.post(f"/api/v1/redactions/{plan['id']}/approve", headers=team["prosecutor"])
    assert r.status_code == 409  # nothing to approve
    derived = api.client.get(f"/api/v1/items/{item_id}/derivatives", headers=team["prosecutor"])
    assert derived.json() == []


def test_corrupt_video_fails_the_analysis(api: Api, team, tmp_path: Path) -> None:
    whole = make_video(tmp_path / "clip.mp4", size="320x240", seconds=1).read_bytes()
    item_id = _upload(api, team, whole[:2000], name="broken.mp4")  # no moov atom
    r = api.client.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    assert r.status_code == 202, r.text
    plan = _wait(api, team, r.json()["id"])
    assert plan["status"] == "failed" and plan["proposals"] == []
    assert "MediaProbeError" in plan["error"], plan["error"]
    # A new analysis is a new version; the failed one stays as it was.
    r = api.client.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    assert r.status_code == 202 and r.json()["version"] == 2
    assert _wait(api, team, r.json()["id"])["status"] == "failed"
    versions = api.client.get(f"/api/v1/items/{item_id}/redactions", headers=team["prosecutor"])
    assert [p["status"] for p in versions.json()] == ["failed", "failed"]


@pytest.mark.parametrize(
    "api", [("sync", "sqlite"), ("thread", "sqlite")], ids=["sync", "thread"], indirect=True
)
def test_render_failure_is_visible_and_retried(api: Api, team, tmp_path: Path) -> None:
    item_id = _upload(
        api, team, make_video(tmp_path / "clip.mp4", size="320x240", seconds=1).read_bytes()
    )
    c = api.client
    r = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=team["prosecutor"])
    plan = _wait(api, team, r.json()["id"])
    assert plan["status"] == "draft"
    r = c.patch(
        f"/api/v1/redactions/{plan['id']}/proposals",
        json={"default": "accepted"},
        headers=team["prosecutor"],
    )
    plan_id = r.json()["id"]
    stored, aside = _object_path(api, item_id), tmp_path / "aside"
    _take_away(stored, aside)
    r = c.post(f"/api/v1/redactions/{plan_id}/approve", headers=team["prosecutor"])
    assert r.status_code == 202 and r.json()["status"] == "rendering"
    failed = _wait(api, team, plan_id)
    assert failed["status"] == "failed" and "ObjectMissing" in failed["error"]
    assert failed["approved_at"] and failed["derivative_id"] is None
    assert failed["residual"] is None and not failed["releasable"]
    assert c.get(f"/api/v1/items/{item_id}/derivatives", headers=team["prosecutor"]).json() == []

    _job_ends(api, item_id, "render", JobState.FAILED)
    shutil.move(aside, stored)  # the object is back: approving again renders
    r = c.post(f"/api/v1/redactions/{plan_id}/approve", headers=team["prosecutor"])
    assert r.status_code == 202 and r.json()["status"] == "rendering"
    done = _wait(api, team, plan_id)
    assert done["status"] == "approved" and done["error"] is None
    assert done["releasable"] and done["derivative_id"]
    with Session(api.engine) as session:
        row = session.get(RedactionPlan, plan_id)
        assert row is not None and row.status is PlanStatus.APPROVED


@pytest.mark.parametrize("api", [("sync", "sqlite")], ids=["sync-sqlite"], indirect=True)
def test_review_page_shows_the_states(api: Api, team, tmp_path: Path) -> None:
    web = api.client
    web.cookies.clear()
    web.get("/lang/ru")
    assert post_login(web, {"username": "prosecutor", "password": PASSWORD}).status_code == 200
    item_id = _upload(
        api, team, make_video(tmp_path / "clip.mp4", size="320x240", seconds=1).read_bytes()
    )
    start = web.get(f"/items/{item_id}/redaction")
    assert "Видео анализируется в фоновом режиме" in start.text
    # No worker picks the job up: the page shows the plan waiting for it.
    jobs.configure(engine=api.engine, store=api.client.app.state.store,  # type: ignore[attr-defined]
                   settings=IngestSettings(jobs="off", redis_url=None))  # fmt: skip
    r = web.post(
        f"/items/{item_id}/redaction", data={"csrf": csrf_of(start.text), "language": "ru"}
    )
    assert r.status_code == 200 and "/review" in str(r.url), r.text[:300]
    assert "Идёт анализ" in r.text and "анализируется" in r.text and "Обновить" in r.text
    assert r.headers["refresh"] == "10"
    assert "Сохранить решения" not in r.text  # nothing to decide yet
    # The worker died on it and ingest recorded the failure: the plan shows it.
    with Session(api.engine) as session:
        job = session.exec(select(Job).where(Job.item_id == item_id)).one()
        job.state, job.error = JobState.FAILED, "JobTimeoutException: killed after 86400 s"
        session.add(job)
        session.commit()
    web.get("/lang/kk")
    page = web.get(str(r.url))
    assert "Талдау сәтсіз аяқталды" in page.text and "killed after 86400 s" in page.text
    assert "Қайта талдау" in page.text and "refresh" not in page.headers
    plan_id = str(r.url).split("/redactions/")[1].split("/")[0]
    api_plan = web.get(f"/api/v1/redactions/{plan_id}", headers=team["prosecutor"]).json()
    assert api_plan["status"] == "failed" and "JobTimeoutException" in api_plan["error"]
