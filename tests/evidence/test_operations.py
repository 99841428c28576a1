"""Operations (issue 21): /healthz, /readyz naming what is down, /metrics behind a token or
the policy, the request id in and out and in custody events, JSON logs."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from custody.context import REQUEST_ID
from custody.events import utc_now
from evidence import service
from evidence.app import create_app
from evidence.config import Settings
from evidence.logs import JsonFormatter
from evidence.models import Role
from evidence.service.ledger import LedgerConfig
from ingest.runtime.models import Job, JobState
from tests.app_kit import Api
from tests.storage_fixtures import s3_url
from tests.tcp_proxy import TcpProxy

TOKEN = "scrape-1b6f0c2e9a"


def test_healthz_and_readyz_when_everything_answers(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "up", "object_store": "up", "key_store": "up"},
    }


@pytest.fixture()
def proxied(tmp_path, pg_url, pg_engine, s3_endpoint) -> Iterator[tuple[TestClient, dict]]:  # type: ignore[no-untyped-def]
    """The app on PostgreSQL, Redis and moto S3, each through a proxy that can go down."""
    host, port = s3_endpoint.split(":")
    proxies = {
        "database": TcpProxy(("127.0.0.1", 5432)),
        "redis": TcpProxy(("127.0.0.1", 6379)),
        "object_store": TcpProxy((host, int(port))),
    }
    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxies['database'].port}"),
        storage_url=s3_url(f"127.0.0.1:{proxies['object_store'].port}"),
        redis_url=f"redis://127.0.0.1:{proxies['redis'].port}/15",
        db_connect_timeout_seconds=1,
        storage_connect_timeout_seconds=1,
        readiness_timeout_seconds=2,
        checkpoint_interval_seconds=0,
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            yield client, proxies
    finally:
        for proxy in proxies.values():
            proxy.close()
        app.state.engine.dispose()


def _ready_again(client: TestClient) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 10  # a pooled connection the cut left behind is replaced
    while True:
        answer = client.get("/readyz")
        if answer.status_code == 200 or time.monotonic() > deadline:
            assert answer.status_code == 200, answer.text
            return answer.json()  # type: ignore[no-any-return]
        time.sleep(0.2)


@pytest.mark.parametrize("component", ["database", "redis", "object_store"])
def test_readyz_names_the_component_that_is_down_and_recovers(
    proxied: tuple[TestClient, dict],
    component: str,  # type: ignore[type-arg]
) -> None:
    client, proxies = proxied
    assert _ready_again(client)["checks"] == {
        "database": "up", "object_store": "up", "redis": "up", "key_store": "up",
    }  # fmt: skip
    proxies[component].down()
    started = time.monotonic()
    answer = client.get("/readyz")
    assert time.monotonic() - started < 5
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"]
    body = answer.json()
    assert body["down"] == [component]
    assert body["detail"] == f"not ready: {component} down"
    assert body["checks"][component] == "down"
    # Names only: no host, port, driver message or bucket.
    raw = answer.text
    assert "127.0.0.1" not in raw and str(proxies[component].port) not in raw
    assert "dalel-" not in raw and "psycopg" not in raw.lower()
    proxies[component].up()
    assert _ready_again(client)["status"] == "ready"


def test_readyz_answers_within_its_timeout_when_a_backend_hangs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proxy = TcpProxy(("127.0.0.1", 6379))
    proxy.stall()
    settings = Settings(
        data_dir=tmp_path, redis_url=f"redis://127.0.0.1:{proxy.port}/15",
        readiness_timeout_seconds=1, checkpoint_interval_seconds=0,
    )  # fmt: skip
    from evidence.migrations import upgrade

    upgrade(settings.database_url or "")
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            client.get("/healthz")  # the first request builds the middleware stack
            started = time.monotonic()
            answer = client.get("/readyz")
            assert time.monotonic() - started < 3
            assert answer.status_code == 503 and answer.json()["down"] == ["redis"]
    finally:
        proxy.close()
        app.state.engine.dispose()


def _metrics(api: Api, headers: dict[str, str]) -> str:
    answer = api.client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def _value(body: str, name: str, **labels: str) -> float:
    """The sample `name` with exactly `labels` (any order) from a text exposition."""
    for row in body.splitlines():
        found = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", row)
        if found and dict(re.findall(r'(\w+)="([^"]*)"', found.group(1) or "")) == labels:
            return float(found.group(2))
    raise AssertionError(f"{name} {labels} not in metrics")


def test_metrics_need_the_scraper_token_or_an_auditor(api: Api) -> None:
    api.client.app.state.settings.metrics_token = TOKEN  # type: ignore[attr-defined]
    for name, role in [("aud", Role.AUDITOR), ("pro", Role.PROSECUTOR), ("adm", Role.ADMIN)]:
        api.user(name, role)
    auditor, prosecutor, admin = api.token("aud"), api.token("pro"), api.token("adm")
    assert api.client.get("/metrics").status_code == 401
    assert api.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert api.client.get("/metrics", headers=prosecutor).status_code == 403
    with api.session() as session:
        denied = session.execute(
            text("SELECT leaf FROM ledger_entry WHERE action = 'access.denied'")
        ).all()
    assert [json.loads(row[0])["details"]["permission"] for row in denied] == ["system.metrics"]
    for headers in ({"Authorization": f"Bearer {TOKEN}"}, auditor, admin):
        assert "dalel_http_requests_total" in _metrics(api, headers)


def test_metrics_count_by_route_template_and_read_the_ledger_and_jobs(api: Api) -> None:
    api.client.app.state.settings.metrics_token = TOKEN  # type: ignore[attr-defined]
    api.user("pro", Role.PROSECUTOR)
    prosecutor = api.token("pro")
    case_id = api.case(prosecutor)
    data = b"evidence bytes " * 1000
    scrape = {"Authorization": f"Bearer {TOKEN}"}
    template = "/api/v1/cases/{case_id}/items"
    before = _metrics(api, scrape)
    try:
        uploaded_before = _value(before, "dalel_upload_bytes_total", route=template)
    except AssertionError:  # no upload yet in this process
        uploaded_before = 0.0
    item = api.upload(case_id, prosecutor, data).json()
    assert api.client.get(f"/api/v1/items/{item['id']}", headers=prosecutor).status_code == 200
    with api.session() as session:
        service.checkpoint(
            session=session, ledger=LedgerConfig.from_settings(api.settings), force=True
        )
        now = utc_now()
        session.add(
            Job(
                id="job-metrics-1", key="k", item_id=item["id"], stage="thumbnail",
                queue="fast", state=JobState.DONE, started_at=now - timedelta(seconds=2),
                finished_at=now, created_at=now, updated_at=now,
            )
        )  # fmt: skip
        session.add(
            Job(
                id="job-metrics-2", key="k2", item_id=item["id"], stage="proxy", queue="media",
                state=JobState.QUEUED, created_at=now, updated_at=now,
            )
        )  # fmt: skip
        session.commit()
        size = int(session.execute(text("SELECT count(*) FROM ledger_entry")).scalar_one())
    body = _metrics(api, scrape)
    assert _value(body, "dalel_http_requests_total", method="GET",
                  route="/api/v1/items/{item_id}", status="200") >= 1  # fmt: skip
    assert _value(body, "dalel_upload_bytes_total", route=template) - uploaded_before >= len(data)
    assert _value(body, "dalel_ledger_entries") == size
    assert 0 <= _value(body, "dalel_checkpoint_age_seconds") < 60
    assert _value(body, "dalel_ledger_append_seconds_count") >= 1
    assert _value(body, "dalel_jobs", queue="media", stage="proxy", state="queued") >= 1
    done = {"stage": "thumbnail", "outcome": "done"}
    assert _value(body, "dalel_job_duration_seconds_bucket", **done, le="1.0") == 0
    assert _value(body, "dalel_job_duration_seconds_bucket", **done, le="5.0") == 1
    assert abs(_value(body, "dalel_job_duration_seconds_sum", **done) - 2) < 0.01
    # Templates only: no id, number, name or path of the scenario.
    for secret in (case_id, item["id"], "202611210000001", "pro", "clip.mp4"):
        assert not re.search(rf"\b{re.escape(secret)}\b", body), secret


def test_the_request_id_goes_in_and_out_and_into_custody_events(api: Api) -> None:
    api.user("pro", Role.PROSECUTOR)
    prosecutor = api.token("pro")
    case_id = api.case(prosecutor)
    answer = api.client.post(
        f"/api/v1/cases/{case_id}/items",
        files={"file": ("a.txt", b"hello", "text/plain")},
        headers={**prosecutor, "X-Request-ID": "lb-7f3a.0001"},
    )
    assert answer.status_code == 201 and answer.headers["x-request-id"] == "lb-7f3a.0001"
    with api.session() as session:
        leaves = session.execute(
            text("SELECT leaf FROM ledger_entry WHERE item_id = :id ORDER BY idx"),
            {"id": answer.json()["id"]},
        ).all()
    assert leaves
    for (leaf,) in leaves:
        assert json.loads(leaf)["details"]["request_id"] == "lb-7f3a.0001"
    # A value that is not a plain token never reaches the ledger: a fresh id replaces it.
    odd = api.client.get("/healthz", headers={"X-Request-ID": "two words" + "x" * 80})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])
    fresh = api.client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh) and fresh != odd.headers["x-request-id"]


def test_json_log_lines_carry_the_request_id_and_extras() -> None:
    record = logging.LogRecord("dalel.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.route = "/api/v1/items/{item_id}"
    token = REQUEST_ID.set("abc123")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "abc123" and line["message"] == "GET /x"
    assert line["level"] == "info" and line["route"] == "/api/v1/items/{item_id}"
    assert "request_id" not in json.loads(JsonFormatter().format(record))
