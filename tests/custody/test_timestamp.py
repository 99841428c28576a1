"""RFC 3161 timestamps on checkpoints, against a local TSA made with `openssl ts`."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlmodel import Session, select

from custody import SYSTEM, Action, record
from custody.checkpoint import make_checkpoint
from custody.export import BundleItem, bytes_opener, export_bundle
from custody.keys import load_keys
from custody.models import Checkpoint, CheckpointTimestamp
from custody.timestamp import TimestampError, request_timestamp, verify_timestamp
from custody.verifier import main as verify
from evidence.service.ledger import LedgerConfig, checkpoint, log_signers, timestamp

TS_CONFIG = """
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


SHA = hashlib.sha256(b"a").hexdigest()
TSA_REPLY = ["openssl", "ts", "-reply", "-config", "ts.cnf", "-queryfile", "req.tsq"]
TSA_REPLY += ["-out", "resp.tsr"]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tsa() -> Iterator[tuple[str, x509.Certificate]]:
    """A throwaway CA and TSA, served over HTTP on 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "serial").write_text("01\n")
        (d / "ts.cnf").write_text(TS_CONFIG.format(dir=d))
        (d / "ext.cnf").write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "extendedKeyUsage=critical,timeStamping\n"
            "keyUsage=critical,digitalSignature\n"
        )
        _openssl(
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key"),
            *("-out", "ca.crt", "-subj", "/CN=Test CA", "-days", "2"),
            *("-addext", "basicConstraints=critical,CA:TRUE"),
            *("-addext", "keyUsage=critical,keyCertSign"),
            cwd=d,
        )
        _openssl(
            *("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr"),
            *("-subj", "/CN=Test TSA"),
            cwd=d,
        )
        _openssl(
            *("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key"),
            *("-CAcreateserial", "-out", "tsa.crt", "-days", "2", "-extfile", "ext.cnf"),
            cwd=d,
        )
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    (d / "req.tsq").write_bytes(body)
                    done = subprocess.run(
                        [
                            *("openssl", "ts", "-reply", "-config", "ts.cnf"),
                            *("-queryfile", "req.tsq", "-out", "resp.tsr"),
                        ],
                        cwd=d,
                        capture_output=True,
                    )
                    reply = (d / "resp.tsr").read_bytes() if done.returncode == 0 else b""
                self.send_response(200 if reply else 500)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        root = x509.load_pem_x509_certificate((d / "ca.crt").read_bytes())
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", root
        server.shutdown()
        server.server_close()


def _checkpoint(session: Session, tmp_path: Path) -> Checkpoint:
    record(session=session, action=Action.ITEM_CREATED, actor=SYSTEM, item_id="a")
    keys = load_keys(key_dir=tmp_path / "k", name="ts.test")
    return make_checkpoint(session=session, keys=keys, origin="ts.test")


def test_checkpoint_timestamp_round_trip(
    session: Session, tmp_path: Path, tsa: tuple[str, x509.Certificate]
) -> None:
    url, root = tsa
    cp = _checkpoint(session, tmp_path)
    stamp = request_timestamp(session=session, checkpoint=cp, tsa_url=url)
    assert stamp.id is not None and stamp.checkpoint_id == cp.id
    assert verify_timestamp(token=stamp.token, note=cp.note, roots=[root]) == stamp.gen_time
    with pytest.raises(TimestampError, match="does not verify"):
        verify_timestamp(token=stamp.token, note=cp.note + " ", roots=[root])
    with pytest.raises(TimestampError, match="does not verify"):
        verify_timestamp(token=b"garbage", note=cp.note, roots=[root])


def test_tsa_failures(session: Session, tmp_path: Path) -> None:
    cp = _checkpoint(session, tmp_path)
    with pytest.raises(TimestampError, match="stored"):
        request_timestamp(session=session, checkpoint=Checkpoint(note="x"), tsa_url="http://x")
    with pytest.raises(TimestampError, match="unreachable"):
        request_timestamp(session=session, checkpoint=cp, tsa_url="http://127.0.0.1:9/tsa")

    def answer(status: int, body: bytes) -> httpx.Client:
        return httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(status, content=body))
        )

    with pytest.raises(TimestampError, match="answered 503"):
        request_timestamp(
            session=session, checkpoint=cp, tsa_url="http://t", client=answer(503, b"")
        )
    with pytest.raises(TimestampError, match="unreadable"):
        request_timestamp(
            session=session, checkpoint=cp, tsa_url="http://t", client=answer(200, b"x")
        )
    # A well-formed "rejection" reply: SEQUENCE { PKIStatusInfo { status 2 } }.
    rejection = bytes.fromhex("3005300302 0102".replace(" ", ""))
    with pytest.raises(TimestampError, match=r"refused|unreadable"):
        request_timestamp(
            session=session, checkpoint=cp, tsa_url="http://t", client=answer(200, rejection)
        )


def test_reply_for_another_request_is_refused(
    session: Session, tmp_path: Path, tsa: tuple[str, x509.Certificate]
) -> None:
    url, _ = tsa
    cp = _checkpoint(session, tmp_path)
    other = request_timestamp(session=session, checkpoint=cp, tsa_url=url)
    replay = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=other.token))
    )
    with pytest.raises(TimestampError, match="something else"):
        request_timestamp(session=session, checkpoint=cp, tsa_url="http://t", client=replay)


def _vault_item(session: Session, item_id: str, sha256: str) -> None:
    from custody.events import utc_now
    from evidence.models import Blob, Case, Item, Role, User

    now = utc_now()
    user = User(username="ts", role=Role.ADMIN, password_hash="x", created_at=now)
    session.add(user)
    session.flush()
    case = Case(number="202612010000001", title="t", created_by=user.id, created_at=now)
    blob = Blob(sha256=sha256, size=1, media_type="text/plain", storage_key="k", created_at=now)
    session.add_all([case, blob])
    session.flush()
    session.add(
        Item(id=item_id, case_id=case.id, sha256=sha256, original_name="a", uploaded_by=user.id,
             created_at=now)
    )  # fmt: skip
    session.flush()


def test_new_checkpoints_are_timestamped_and_bundles_carry_the_tokens(
    session: Session, tmp_path: Path, tsa: tuple[str, x509.Certificate], caplog, capsys
) -> None:  # type: ignore[no-untyped-def]
    url, root = tsa
    ledger = LedgerConfig(key_dir=tmp_path / "keys", origin="ts.test", tsa_url=url)
    _vault_item(session, "a", SHA)  # the signer checks that events name real items
    record(session=session, action=Action.ITEM_CREATED, actor=SYSTEM, item_id="a", sha256=SHA)
    signed = checkpoint(session=session, ledger=ledger)
    [stamp] = session.exec(select(CheckpointTimestamp)).all()
    assert stamp.checkpoint_id == signed.id and stamp.tsa_url == url
    assert timestamp(session=session, ledger=ledger, checkpoint=signed) == stamp  # once only

    out = tmp_path / "bundle"
    export_bundle(
        session=session, items=[BundleItem(id="a", sha256=SHA, size=1)],
        open_content=bytes_opener({"a": b"a"}), out=out, signers=log_signers(ledger),
    )  # fmt: skip
    manifest = json.loads((out / "bundle.json").read_text())
    assert [t["note"] for t in manifest["timestamps"]] == [signed.note]
    capsys.readouterr()
    assert verify([str(out)]) == 0
    assert "TSA signature not checked" in capsys.readouterr().out
    pem = tmp_path / "tsa-root.pem"
    pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    assert verify([str(out), "--tsa-root", str(pem)]) == 0
    assert f"checkpoint {signed.size} existed by" in capsys.readouterr().out

    # A token that does not cover this note, or no token at all when a root is pinned: fails.
    token = bytearray(base64.b64decode(manifest["timestamps"][0]["token"]))
    token[-40] ^= 0x01
    manifest["timestamps"][0]["token"] = base64.b64encode(bytes(token)).decode()
    (out / "bundle.json").write_text(json.dumps(manifest))
    assert verify([str(out), "--tsa-root", str(pem)]) == 1
    assert "FAILED: the timestamp of checkpoint" in capsys.readouterr().out
    del manifest["timestamps"]
    (out / "bundle.json").write_text(json.dumps(manifest))
    assert verify([str(out), "--tsa-root", str(pem)]) == 1
    assert "carries no timestamp" in capsys.readouterr().out

    # The TSA down: checkpoints are still signed; the failure is logged, and the explicit
    # call (the CLI's) reports it.
    down = LedgerConfig(
        key_dir=tmp_path / "keys", origin="ts.test", tsa_url="http://127.0.0.1:9/", tsa_interval=0
    )
    record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="a")
    later = checkpoint(session=session, ledger=down)
    assert later.size == signed.size + 1 and "not timestamped" in caplog.text
    with pytest.raises(TimestampError, match="unreachable"):
        timestamp(session=session, ledger=down, checkpoint=later)
