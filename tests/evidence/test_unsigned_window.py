"""The unsigned window (issue 13, finding 2): a well-formed forged event appended after
the newest checkpoint — an `item.downloaded` by a user who does not exist, with the right
`prev`, leaf hash and tree nodes — is named by `ledger verify` and fsck, no checkpoint is
signed over it (not by the periodic signer, `ledger checkpoint`, nor an export), and an
honest append is signed within about a second.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

import custody
from custody import Actor
from custody.checkpoint import latest_checkpoint
from custody.errors import UnverifiedTail
from custody.models import Checkpoint
from evidence import service
from tests.app_kit import Api
from tests.evidence.conftest import dalel

GHOST = Actor(id="0b1e5c1e-0000-4000-8000-000000000000", name="ghost", role="prosecutor")


def _forge(api: Api, item: dict) -> int:  # type: ignore[type-arg]
    with api.session() as session:
        entry = custody.record(
            session=session, action=custody.Action.ITEM_DOWNLOADED, actor=GHOST,
            case_id=item["case_id"], item_id=item["id"], sha256=item["sha256"],
        )  # fmt: skip
        session.commit()
    return entry.idx


def _env(api: Api) -> dict[str, str]:
    return {
        **os.environ,
        "DALEL_DATA_DIR": str(api.settings.data_dir),
        "DALEL_DATABASE_URL": str(api.settings.database_url),
        "DALEL_STORAGE_URL": str(api.settings.storage_url),
    }


def test_a_forged_tail_is_never_signed(api: Api, team, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    item = api.upload(team["case"]["id"], team["officer"], os.urandom(400)).json()
    ledger = service.LedgerConfig.from_settings(api.settings)
    with api.session() as session:
        before = service.checkpoint(session=session, ledger=ledger)
    forged = _forge(api, item)
    honest = api.client.get(f"/api/v1/items/{item['id']}", headers=team["officer"])
    assert honest.status_code == 200
    with api.session() as session, pytest.raises(UnverifiedTail) as refused:
        service.checkpoint(session=session, ledger=ledger)
    assert f"entry {forged}: actor 'ghost'" in str(refused.value)
    if api.settings.database_url.startswith("sqlite"):  # type: ignore[union-attr]
        _by_the_cli(api, item, forged, before.size, tmp_path)
    else:  # the PostgreSQL fixture's schema is not Alembic's: the same services directly
        _by_the_services(api, item, forged, before.size, tmp_path)
    with api.session() as session:
        sizes = [c.size for c in session.exec(select(Checkpoint)).all()]
        assert max(sizes) == before.size <= forged  # nothing ever covered it
        # The item's custody page keeps working, its proofs anchored before the forgery.
    custody_page = api.client.get(f"/api/v1/items/{item['id']}/custody", headers=team["officer"])
    assert custody_page.status_code == 200, custody_page.text


def _by_the_cli(api: Api, item: dict, forged: int, size: int, tmp_path: Path) -> None:  # type: ignore[type-arg]
    env = _env(api)
    verify = dalel(env, "ledger", "verify", check=False)
    assert verify.returncode == 1, verify.stdout
    assert f"entry {forged}, item {item['id']}: not yet signed: actor 'ghost'" in verify.stdout
    assert f"beyond the latest signed checkpoint (size {size})" in verify.stdout, verify.stdout
    fsck = dalel(env, "fsck", check=False)
    assert fsck.returncode == 1 and "is not a user of this system" in fsck.stdout
    signing = dalel(env, "ledger", "checkpoint", check=False)
    assert signing.returncode != 0 and "refusing to sign" in signing.stderr
    # A custody export still works, anchored before the forgery, which it leaves out.
    out = tmp_path / "bundle.zip"
    result = dalel(env, "custody", "export", "--item", item["id"], "--out", str(out))
    assert f"anchored at tree size {size}" in result.stdout
    with zipfile.ZipFile(out) as bundle:
        assert b"ghost" not in bundle.read("bundle.json")
    assert dalel(env, "verify", str(out)).returncode == 0


def _by_the_services(api: Api, item: dict, forged: int, size: int, tmp_path: Path) -> None:  # type: ignore[type-arg]
    from custody.audit import verify_ledger
    from custody.verifier import main as verify_bundle
    from evidence.service.references import References

    with api.session() as session:
        report = verify_ledger(session=session, tail=References(session))
        assert [p.index for p in report.problems] == [forged] and report.signed == size
        assert "not yet signed: actor 'ghost'" in str(report.problems[0])
        assert not service.fsck(session=session, store=api.client.app.state.store).ok  # type: ignore[attr-defined]
        out = tmp_path / "bundle.zip"
        result = service.export_custody(
            session=session, store=api.client.app.state.store,  # type: ignore[attr-defined]
            principal=None, ledger=service.LedgerConfig.from_settings(api.settings), out=out,
            item_ids=[item["id"]],
        )  # fmt: skip
    assert result.anchor_size == size
    with zipfile.ZipFile(out) as bundle:
        assert b"ghost" not in bundle.read("bundle.json")
    assert verify_bundle([str(out)]) == 0


def test_an_append_is_signed_within_a_second(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    # The api fixture's app runs the default periodic signer (DALEL_CHECKPOINT_INTERVAL_SECONDS=1).
    assert api.settings.checkpoint_interval_seconds == 1
    api.upload(team["case"]["id"], team["officer"], os.urandom(300))
    appended = len(api.events())
    start = time.monotonic()
    while time.monotonic() - start < 10:
        with api.session() as session:
            latest = latest_checkpoint(session=session)
        if latest is not None and latest.size >= appended:
            break
        time.sleep(0.1)
    assert latest is not None and latest.size >= appended
    # About a second; the bound leaves room for a loaded two-core machine.
    assert time.monotonic() - start < 4
