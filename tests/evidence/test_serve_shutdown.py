"""`dalel serve`'s server (issue 21, operations): on shutdown (SIGTERM) an upload in
flight finishes while new connections are refused; the access log is JSON lines naming
the route template and the request id the custody event carries.

The server runs in this process with `dalel serve`'s own options (`serve_options`): a
new interpreter takes a minute to start on a loaded machine."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlmodel import Session

from evidence import service
from evidence.app import create_app
from evidence.cli import serve_options
from evidence.config import Settings
from evidence.db import make_engine
from evidence.logs import JsonFormatter
from evidence.migrations import upgrade
from evidence.models import Role
from evidence.policy import Principal
from tests.app_kit import PASSWORD
from tests.storage_fixtures import free_port

PIECE = 64 * 1024
PIECES = 12


def _prepare(data_dir: Path) -> tuple[str, str]:
    url = f"sqlite:///{data_dir / 'dalel.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = service.create_user(
                session=session, principal=None, username="prk_drain", password=PASSWORD,
                role=Role.PROSECUTOR,
            )  # fmt: skip
            who = Principal(user_id=user.id, username=user.username, role=user.role)
            case = service.create_case(
                session=session, principal=who, number="202611210000555", title="Drain"
            )
    finally:
        engine.dispose()
    return url, case.id


def test_shutdown_lets_the_upload_in_flight_finish_and_logs_are_json(tmp_path: Path) -> None:
    import uvicorn

    data_dir = tmp_path / "var"
    url, case_id = _prepare(data_dir)
    settings = Settings(data_dir=data_dir, shutdown_grace_seconds=30, checkpoint_interval_seconds=0)
    options = serve_options(settings)
    assert options["timeout_graceful_shutdown"] == 30 and options["access_log"] is False
    assert options["log_config"]["formatters"]["dalel"]["()"] == "evidence.logs.JsonFormatter"
    options["log_config"] = None  # this process's logging stays pytest's; a handler below
    port = free_port()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **options))
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("dalel.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    serving = threading.Thread(target=server.run)  # not the main thread: no signal handlers
    serving.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and serving.is_alive(), "the server did not start"
            time.sleep(0.05)
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "prk_drain", "password": PASSWORD}
        ).json()["access_token"]
        payload = os.urandom(PIECE * PIECES)
        boundary = "dalel-drain-boundary"
        started = threading.Event()

        def body() -> Iterator[bytes]:
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="shift.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            for index in range(PIECES):
                if index == 1:
                    started.set()
                yield payload[index * PIECE : (index + 1) * PIECE]
                time.sleep(0.2)  # a slow link: the upload spans the shutdown
            yield f"\r\n--{boundary}--\r\n".encode()

        result: dict[str, httpx.Response] = {}

        def upload() -> None:
            result["answer"] = httpx.post(
                f"{base}/api/v1/cases/{case_id}/items",
                content=body(),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "X-Request-ID": "drain-0001",
                },
                timeout=60,
            )

        sender = threading.Thread(target=upload)
        sender.start()
        assert started.wait(30)
        time.sleep(0.3)
        server.should_exit = True  # what uvicorn's SIGTERM handler does
        time.sleep(0.5)
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            refused = False
        except httpx.HTTPError:
            refused = True
        assert refused, "a new connection was accepted during the shutdown"
        sender.join(60)
        answer = result["answer"]
        assert answer.status_code == 201, answer.text
        assert answer.json()["sha256"] == hashlib.sha256(payload).hexdigest()
        assert answer.headers["x-request-id"] == "drain-0001"
        serving.join(40)
        assert not serving.is_alive()
    finally:
        server.should_exit = True
        serving.join(40)
        access.removeHandler(handler)
        app.state.engine.dispose()
    logged = [json.loads(line) for line in lines.getvalue().splitlines()]
    (line,) = [entry for entry in logged if entry.get("request_id") == "drain-0001"]
    assert line["route"] == "/api/v1/cases/{case_id}/items" and line["status"] == 201
    assert line["level"] == "info" and line["logger"] == "dalel.access"
    assert not any(case_id in json.dumps(entry) for entry in logged)  # templates, not paths
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            leaves = connection.execute(
                text("SELECT leaf FROM ledger_entry WHERE action = 'item.created'")
            ).all()
    finally:
        engine.dispose()
    assert [json.loads(leaf)["details"]["request_id"] for (leaf,) in leaves] == ["drain-0001"]
