"""Failures leave nothing half-visible: storage dying mid-upload, database unreachable."""

from __future__ import annotations

import os

from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer

from evidence.app import create_app
from evidence.config import Settings
from evidence.migrations import upgrade
from evidence.models import Role
from tests.app_kit import Api
from tests.storage_fixtures import free_port


def test_storage_failure_mid_upload_then_retry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        storage_url=f"s3://k:s@127.0.0.1:{port}/evidence?secure=false&region=us-east-1",
    )
    app = create_app(settings)
    data = os.urandom(200_000)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client=client, engine=app.state.engine, settings=settings)
        api.user("boss", Role.PROSECUTOR)
        headers = api.token("boss")
        case_id = api.case(headers)

        def body():  # type: ignore[no-untyped-def]
            boundary = b"--xyz"
            yield (
                boundary
                + b'\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n'
            )
            yield data[:100_000]
            server.stop()  # the object store goes away in the middle of the file
            yield data[100_000:] + b"\r\n" + boundary + b"--\r\n"

        failed = client.post(
            f"/api/v1/cases/{case_id}/items",
            content=body(),
            headers={**headers, "Content-Type": "multipart/form-data; boundary=xyz"},
        )
        assert failed.status_code == 503, failed.text
        assert failed.json()["title"] == "Storage unavailable"
        assert api.events("item.created") == []
        assert client.get(f"/api/v1/cases/{case_id}/items", headers=headers).json() == []

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            retry = api.upload(case_id, headers, data)
            assert retry.status_code == 201, retry.text
            got = client.get(f"/api/v1/items/{retry.json()['id']}/content", headers=headers)
            assert got.content == data
        finally:
            server.stop()


def test_database_unreachable_is_503(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.post("/api/v1/auth/token", data={"username": "a", "password": "b"})
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "database" in response.json()["detail"]
        authed = client.get("/api/v1/cases", headers={"Authorization": "Bearer dt_x"})
        assert authed.status_code == 503
