"""C2PA content credentials, signed in a fixture with a throw-away CA, validated offline."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from ingest.media.credentials import read_content_credentials
from tests.ingest.conftest import require

c2pa = require("c2pa")


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(unsigned JPEG, signed JPEG, CA PEM): a 'camera' certificate under a test CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from PIL import Image

    folder = tmp_path_factory.mktemp("c2pa")
    now = datetime.datetime.now(datetime.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Dalel Test"),
            ]
        )

    def usage(*, sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=not sign, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=sign, crl_sign=sign,
            encipher_only=False, decipher_only=False,
        )  # fmt: skip

    Key = ec.EllipticCurvePrivateKey

    def cert(
        subject: str, key: Key, issuer: x509.Name, issuer_key: Key, *, ca: bool
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage(sign=ca), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        if not ca:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            ).add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = cert("Test CA", ca_key, name("Test CA"), ca_key, ca=True)
    camera = cert("Test Camera", key, ca.subject, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    chain = camera.public_bytes(pem) + ca.public_bytes(pem)
    private = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    plain, out = folder / "plain.jpg", folder / "signed.jpg"
    Image.new("RGB", (64, 48), (10, 120, 200)).save(plain)
    manifest = {
        "claim_generator_info": [{"name": "bodycam-firmware", "version": "1.0"}],
        "title": "plain.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": "http://cv.iptc.org/newscodes/"
                            "digitalsourcetype/digitalCapture",
                        }
                    ]
                },
            }
        ],
    }
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, private, None)
    )
    c2pa.Builder(json.dumps(manifest)).sign_file(str(plain), str(out), signer)
    return plain, out, ca.public_bytes(pem).decode()


def test_signed_photo_is_valid_and_trusted_only_with_anchors(
    signed: tuple[Path, Path, str],
) -> None:
    _plain, photo, ca_pem = signed
    result = read_content_credentials(path=photo)
    assert result is not None
    json.dumps(result)
    assert result["state"] == "Valid"  # intact, signer not in any trust list given
    assert result["failures"] == []
    assert result["claim_generator"] == "bodycam-firmware"
    assert result["signer"]["common_name"] == "Test Camera"
    assert [a["action"] for a in result["actions"]] == ["c2pa.created"]
    assert result["actions"][0]["digital_source_type"].endswith("digitalCapture")
    assert result["embedded"] is True and result["tool"].startswith("c2pa-python")
    trusted = read_content_credentials(path=photo, trust_anchors_pem=ca_pem)
    assert trusted is not None and trusted["state"] == "Trusted"


def test_tampered_pixels_are_invalid(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    _plain, photo, ca_pem = signed
    data = bytearray(photo.read_bytes())
    data[-10] ^= 0xFF  # inside the JPEG scan data, after the manifest
    tampered = tmp_path / "tampered.jpg"
    tampered.write_bytes(bytes(data))
    result = read_content_credentials(path=tampered, trust_anchors_pem=ca_pem)
    assert result is not None and result["state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in {f["code"] for f in result["failures"]}


def test_files_without_credentials(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    plain, _photo, _ca = signed
    assert read_content_credentials(path=plain) is None
    text = tmp_path / "notes.txt"
    text.write_text("no credentials here")
    assert read_content_credentials(path=text) is None
