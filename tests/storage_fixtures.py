"""Object-store fixtures: a local folder and a real S3 HTTP endpoint (moto's server)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from evidence.storage import ObjectStore, open_store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's standalone S3 server on 127.0.0.1 (no MinIO binary exists here)."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


def s3_url(endpoint: str) -> str:
    return f"s3://testing:testing@{endpoint}/dalel-{uuid.uuid4().hex[:12]}?secure=false&region=us-east-1"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path) -> ObjectStore:  # type: ignore[no-untyped-def]
    """Each contract test runs against both backends."""
    if request.param == "local":
        return open_store(f"file://{tmp_path / 'objects'}")
    return open_store(s3_url(request.getfixturevalue("s3_endpoint")))
