"""The log's key in an HSM (issue 21, "Keys in an HSM"): SoftHSM2 through PKCS#11.

Checkpoints are signed on the token (CKM_EDDSA), served and verified as with key files,
bundles verify offline with the existing verifier, rotation keeps old checkpoints
verifiable, no private key is ever written to the data directory, and a missing module,
token, PIN or key stops the start with the setting to fix.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pkcs11
import pytest
from fastapi.testclient import TestClient
from pkcs11 import Attribute, ObjectClass
from pkcs11.exceptions import AttributeSensitive
from sqlmodel import Session

from custody import verifier
from custody.keys import KeyStoreError
from custody.note import Verifier, open_note, verified_signers
from evidence import service
from evidence.app import create_app
from evidence.cli_custody import cmd_rotate
from evidence.config import Settings
from evidence.models import Role
from evidence.service.ledger import LedgerConfig
from tests.softhsm import SoftHsm, new_label
from tests.storage_fixtures import free_port

PASSWORD = "correct horse battery"


def _settings(hsm: SoftHsm, tmp_path: Path, label: str, **extra: object) -> Settings:
    pin_file = tmp_path / "pin"  # as a deployment mounts a secret
    pin_file.write_text(hsm.pin + "\n")
    values: dict[str, object] = {
        "data_dir": tmp_path / "var",
        "key_store": "pkcs11",
        "pkcs11_module": hsm.module,
        "pkcs11_token_label": hsm.token_label,
        "pkcs11_pin_file": pin_file,
        "pkcs11_key_label": label,
        "checkpoint_interval_seconds": 0,
        "login_refusal_delay_seconds": 0,
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


def _served_keys(client: TestClient) -> list[Verifier]:
    response = client.get("/api/v1/ledger/key")
    assert response.status_code == 200, response.text
    return [Verifier.parse(line) for line in response.text.splitlines()]


def _export_and_verify(settings: Settings, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    from evidence.cli_common import open_session
    from evidence.storage import open_store

    with open_session(settings) as session:
        service.export_custody(
            session=session, store=open_store(settings.storage_url or ""), principal=None,
            ledger=LedgerConfig.from_settings(settings), out=out, case_number="202612020000021",
        )  # fmt: skip
        session.get_bind().dispose()  # type: ignore[union-attr]
    capsys.readouterr()
    assert verifier.main([str(out)]) == 0  # the offline verifier of `dalel verify`
    return capsys.readouterr().out


def test_sign_verify_rotate_on_the_token(
    softhsm: SoftHsm,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    label = new_label()
    settings = _settings(softhsm, tmp_path, label)
    # An empty token is not signed with by accident: the operator makes the first key.
    with pytest.raises(KeyStoreError, match=r"DALEL_PKCS11_KEY_LABEL.*rotate-key"):
        create_app(settings)
    cmd_rotate(argparse.Namespace(retire=False), settings)  # `dalel ledger rotate-key`
    first = LedgerConfig.from_settings(settings).keys().ring()
    assert len(first.signers) == 1 and first.verifiers == [first.signers[0].verifier]

    app = create_app(settings)
    with TestClient(app) as client, Session(app.state.engine, expire_on_commit=False) as db:
        service.create_user(
            session=db, principal=None, username="aigerim", password=PASSWORD,
            role=Role.PROSECUTOR,
        )  # fmt: skip
        token = client.post(
            "/api/v1/auth/token", data={"username": "aigerim", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        case = client.post(
            "/api/v1/cases", json={"number": "202612020000021", "title": "HSM"}, headers=headers
        ).json()
        uploaded = client.post(
            f"/api/v1/cases/{case['id']}/items",
            files={"file": ("a.bin", os.urandom(4000), "application/octet-stream")},
            headers=headers,
        )
        assert uploaded.status_code == 201, uploaded.text
        ledger = LedgerConfig.from_settings(settings)
        signed = service.checkpoint(session=db, ledger=ledger)
        served = client.get("/api/v1/ledger/checkpoint").text
        assert served.startswith(signed.note.split("\n\n")[0])
        keys = _served_keys(client)
        assert keys == first.verifiers
        assert open_note(served, keys).startswith(settings.ledger_origin + "\n")
        before = _export_and_verify(settings, tmp_path / "bundle-1", capsys)
        assert "RESULT: VERIFIED" in before

        # Rotation: a new key id signs from now on; the old one is retired on the token.
        new = LedgerConfig.from_settings(settings).keys().rotate(retire=True)
        assert new.key_id != first.verifiers[0].key_id
        rotated = service.checkpoint(session=db, ledger=ledger, force=True)
        ring = ledger.keys().ring()
        assert [s.verifier for s in ring.signers] == [new]
        assert ring.verifiers == [first.verifiers[0], new]
        keys = _served_keys(client)
        assert keys == [first.verifiers[0], new]
        assert verified_signers(rotated.note, keys)[1] == [new]
        assert verified_signers(signed.note, keys)[1] == first.verifiers  # old still verifies
        client.post(
            f"/api/v1/cases/{case['id']}/items",
            files={"file": ("b.bin", os.urandom(4000), "application/octet-stream")},
            headers=headers,
        )
        service.checkpoint(session=db, ledger=ledger)
        assert "RESULT: VERIFIED" in _export_and_verify(settings, tmp_path / "bundle-2", capsys)

    # The private keys exist only on the token: sensitive, never extractable, and no file
    # of the data directory holds a private key (the file backend's key folder is absent).
    data_dir = tmp_path / "var"
    assert not (data_dir / "keys").exists()
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"PRIVATE+KEY" not in path.read_bytes(), path
            assert path.suffix != ".key", path
    lib = pkcs11.lib(str(softhsm.module))
    with lib.get_token(token_label=softhsm.token_label).open() as session:
        private = list(
            session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: label})
        )
        public = list(
            session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.LABEL: label})
        )
        assert len(private) == 1 and len(public) == 2  # the retired key's public half stays
        for key in private:
            assert key[Attribute.SENSITIVE] and not key[Attribute.EXTRACTABLE]
            assert key[Attribute.NEVER_EXTRACTABLE]
            with pytest.raises(AttributeSensitive):
                key[Attribute.VALUE]


def test_missing_settings_name_what_to_set(softhsm: SoftHsm, tmp_path: Path) -> None:
    cases = [
        ({"pkcs11_module": None}, "DALEL_PKCS11_MODULE: set"),
        ({"pkcs11_module": tmp_path / "nothing.so"}, "DALEL_PKCS11_MODULE: cannot load"),
        ({"pkcs11_token_label": ""}, "DALEL_PKCS11_TOKEN_LABEL: set"),
        ({"pkcs11_pin_file": tmp_path / "no-pin"}, "DALEL_PKCS11_PIN_FILE: cannot read"),
        ({"pkcs11_pin_file": None}, r"DALEL_PKCS11_PIN \(or DALEL_PKCS11_PIN_FILE\): set"),
        ({}, "DALEL_PKCS11_KEY_LABEL: token 'dalel-test' holds no Ed25519 signing key"),
    ]
    for extra, message in cases:
        with pytest.raises(KeyStoreError, match=message):
            create_app(_settings(softhsm, tmp_path, new_label(), **extra))


def _serve(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "DALEL_DATA_DIR": str(tmp_path / "var"), **env}
    full.pop("DALEL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "evidence.cli", "serve", "--port", str(free_port())],
        env=full, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_dalel_serve_refuses_to_start_without_its_token(softhsm: SoftHsm, tmp_path: Path) -> None:
    missing = _serve({**softhsm.env(new_label()), "DALEL_PKCS11_TOKEN_LABEL": "evidence-hsm"},
                     tmp_path)  # fmt: skip
    assert missing.returncode != 0, missing.stdout + missing.stderr
    assert "Dalel serving" not in missing.stdout
    assert missing.stderr.strip().splitlines()[-1] == (
        f"dalel: DALEL_PKCS11_TOKEN_LABEL: module {softhsm.module} has no token labelled "
        f"'evidence-hsm' (tokens there: {softhsm.token_label})"
    )
    wrong_pin = _serve({**softhsm.env(new_label()), "DALEL_PKCS11_PIN": "0000"}, tmp_path)
    assert wrong_pin.returncode != 0
    assert "DALEL_PKCS11_PIN (or DALEL_PKCS11_PIN_FILE): token 'dalel-test' refused the PIN" in (
        wrong_pin.stderr
    )
