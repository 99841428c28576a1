"""The `dalel` command line against a real server process on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.app_kit import PASSWORD
from tests.evidence.conftest import dalel
from tests.storage_fixtures import free_port


def test_upload_folder_skips_known_files_and_adds_new(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, env = server
    folder = tmp_path / "phone"
    (folder / "DCIM").mkdir(parents=True)
    files = {folder / "DCIM" / f"IMG_{i}.jpg": os.urandom(2000 + i) for i in range(5)}
    for path, data in files.items():
        path.write_bytes(data)
    # The prosecutor adds the officer to the case so they may upload.
    env = {**env, "DALEL_USER": "olzhas"}
    token = httpx.post(
        f"{url}/api/v1/auth/token", data={"username": "aigerim", "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    case = httpx.get(
        f"{url}/api/v1/cases", params={"number": "202611210000777"}, headers=headers
    ).json()[0]
    httpx.post(
        f"{url}/api/v1/cases/{case['id']}/members", json={"username": "olzhas"}, headers=headers
    )

    first = dalel(
        env,
        "upload",
        "--case",
        "202611210000777",
        "--server",
        url,
        "--quiet",
        "--source-kind",
        "phone",
        "--state",
        str(tmp_path / "state.json"),
        str(folder),
    )
    assert "uploaded 5, already in the case 0, failed 0" in first.stdout
    (folder / "DCIM" / "new.jpg").write_bytes(b"new photo")
    second = dalel(
        env,
        "upload",
        "--case",
        "202611210000777",
        "--server",
        url,
        "--quiet",
        "--state",
        str(tmp_path / "state.json"),
        str(folder),
    )
    assert "uploaded 1, already in the case 5, failed 0" in second.stdout
    items = httpx.get(f"{url}/api/v1/cases/{case['id']}/items", headers=headers).json()
    by_path = {item["original_path"]: item for item in items}
    assert (
        by_path["phone/DCIM/IMG_0.jpg"]["sha256"]
        == hashlib.sha256(files[folder / "DCIM" / "IMG_0.jpg"]).hexdigest()
    )
    assert by_path["phone/DCIM/IMG_0.jpg"]["source_kind"] == "phone"


def test_resumable_upload_resumes_after_interruption(server, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import evidence.uploader as uploader_module
    from evidence.uploader import StateFile, Uploader

    url, _ = server
    token = httpx.post(
        f"{url}/api/v1/auth/token", data={"username": "aigerim", "password": PASSWORD}
    ).json()
    client = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    monkeypatch.setattr(uploader_module, "RESUMABLE_FROM", 1000)
    monkeypatch.setattr(uploader_module, "CHUNK", 4096)
    big = tmp_path / "shift.mp4"
    data = os.urandom(50_000)
    big.write_bytes(data)
    state = StateFile(tmp_path / "resume.json")
    uploader = Uploader(client, state=state, metadata={"source_kind": "bodycam"})
    case_id = uploader.case_id("202611210000777")
    real_put = client.put
    calls = {"n": 0}

    def flaky_put(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:
            raise httpx.ConnectError("cable pulled")
        return real_put(*args, **kwargs)

    monkeypatch.setattr(client, "put", flaky_put)
    summary = uploader.run(number="202611210000777", paths=[big], progress=False)
    assert len(summary.failed) == 1 and "cable pulled" in summary.failed[0][1]
    upload_id = next(iter(StateFile(tmp_path / "resume.json").data.values()))
    offset = client.get(f"/api/v1/uploads/{upload_id}").json()["offset"]
    assert offset == 4 * 4096
    monkeypatch.setattr(client, "put", real_put)
    again = Uploader(client, state=StateFile(tmp_path / "resume.json"), metadata={})
    summary = again.run(number="202611210000777", paths=[big], progress=False)
    assert summary.uploaded == 1 and not summary.failed
    items = client.get(f"/api/v1/cases/{case_id}/items").json()
    assert [i["sha256"] for i in items] == [hashlib.sha256(data).hexdigest()]
    assert StateFile(tmp_path / "resume.json").data == {}


def test_cli_errors_are_plain_messages(server) -> None:  # type: ignore[no-untyped-def]
    _, env = server
    bad = dalel(env, "case", "create", "123", "--title", "x", "--by", "aigerim", check=False)
    assert bad.returncode != 0 and "15 digits" in bad.stderr and "Traceback" not in bad.stderr
    nobody = dalel(
        env, "case", "create", "202611210000999", "--title", "x", "--by", "ghost", check=False
    )
    assert nobody.returncode != 0 and "no user ghost" in nobody.stderr
    offline = dalel(
        {**env, "DALEL_TOKEN": "dt_x"},
        "upload",
        "--case",
        "202611210000777",
        "--server",
        f"http://127.0.0.1:{free_port()}",
        "--quiet",
        "/nonexistent",
        check=False,
    )
    assert offline.returncode != 0 and "Traceback" not in offline.stderr


def test_slow_upload_does_not_block_other_writers(server) -> None:  # type: ignore[no-untyped-def]
    import threading

    url, _ = server
    token = httpx.post(
        f"{url}/api/v1/auth/token", data={"username": "aigerim", "password": PASSWORD}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    case = httpx.get(f"{url}/api/v1/cases", params={"number": "202611210000777"}, headers=headers)
    gate = threading.Event()
    results: list[httpx.Response] = []

    def body():  # type: ignore[no-untyped-def]
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="slow.mp4"\r\n\r\n'
        yield b"first half "
        gate.wait(20)  # the officer's connection stalls mid-file
        yield b"second half\r\n--b--\r\n"

    def slow() -> None:
        results.append(
            httpx.post(
                f"{url}/api/v1/cases/{case.json()[0]['id']}/items",
                content=body(),
                headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
                timeout=60,
            )
        )

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(1.0)
    started = time.perf_counter()
    other = httpx.post(
        f"{url}/api/v1/cases",
        json={"number": "202611210000888", "title": "parallel"},
        headers=headers,
        timeout=30,
    )
    waited = time.perf_counter() - started
    gate.set()
    thread.join(timeout=30)
    assert other.status_code == 201, other.text
    assert waited < 5, f"a stalled upload held the database for {waited:.1f}s"
    assert results and results[0].status_code == 201, results[0].text if results else "no reply"


def test_serve_refuses_development_secret_in_production(tmp_path: Path) -> None:
    env = {**os.environ, "DALEL_DATA_DIR": str(tmp_path), "DALEL_ENV": "production"}
    env.pop("DALEL_SECRET_KEY", None)
    refused = dalel(env, "serve", "--port", str(free_port()), check=False)
    assert refused.returncode != 0
    assert "DALEL_SECRET_KEY" in refused.stderr and "Traceback" not in refused.stderr


def test_user_add_without_a_password_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "DALEL_DATA_DIR": str(tmp_path / "var"), "DALEL_PASSWORD": ""}
    env.pop("DALEL_DATABASE_URL", None)
    code = "import sys; from evidence.cli import main; sys.exit(main(sys.argv[1:]))"
    refused = subprocess.run(
        [sys.executable, "-c", code, "user", "add", "x", "--role", "officer"],
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert refused.returncode != 0 and "DALEL_PASSWORD" in refused.stderr
