"""HSM signing (`make bench`, issue 21): checkpoints per second with the log's key on a
SoftHSM2 token (PKCS#11, CKM_EDDSA) against the key file, in the same run, alternating
rounds so both see the same load. Each checkpoint is what the periodic signer does: load
the key ring from its store, sign the checkpoint note, insert it, commit (SQLite file).
Beside it, bare note signatures per second (no database) and CPU seconds per checkpoint
(SoftHSM runs inside the process, so its work is in the process's CPU time).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel

import custody
from custody import Actor
from custody.checkpoint import CheckpointBody, make_checkpoint
from custody.keys import FileKeyStore, KeyStore
from custody.note import sign_note
from custody.pkcs11 import Pkcs11Config, Pkcs11KeyStore
from evidence.app import load_all_models
from evidence.db import make_engine
from tests.softhsm import SoftHsm, new_label

pytestmark = pytest.mark.bench

ORIGIN = "bench.local/ledger"
ROUNDS = 5
SECONDS = 1.5  # per backend per round
ACTOR = Actor(id="00000000-0000-4000-8000-0000000000be", name="bench", role="officer")


def _rate(work: Callable[[], None]) -> tuple[float, float]:
    """(operations per wall second, CPU seconds per operation) over SECONDS."""
    done, wall, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < SECONDS:
        work()
        done += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return done / wall, cpu / done


def test_checkpoints_per_second_hsm_vs_file(softhsm: SoftHsm, tmp_path: Path) -> None:
    load_all_models()
    engine = make_engine(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    hsm = Pkcs11KeyStore(
        Pkcs11Config(module=softhsm.module, token_label=softhsm.token_label, pin=softhsm.pin,
                     key_label=new_label(), name=ORIGIN)
    )  # fmt: skip
    hsm.rotate()
    stores: dict[str, KeyStore] = {"file": FileKeyStore(key_dir=tmp_path / "keys", name=ORIGIN),
                                   "hsm": hsm}  # fmt: skip
    try:
        with Session(engine, expire_on_commit=False) as session:
            for i in range(100):  # a log to sign: 100 entries
                custody.record(
                    session=session, action=custody.Action.ITEM_CREATED, actor=ACTOR,
                    case_id="case", item_id=f"item-{i}", sha256="0" * 64,
                )  # fmt: skip
            session.commit()
            text = CheckpointBody(origin=ORIGIN, size=100, root=b"\x00" * 32).text()

            def checkpoint(store: KeyStore) -> Callable[[], None]:
                def once() -> None:
                    make_checkpoint(session=session, keys=store.ring(), origin=ORIGIN, force=True)
                    session.commit()

                return once

            def signature(store: KeyStore) -> Callable[[], None]:
                signers = store.ring().signers

                def once() -> None:
                    sign_note(text, signers)

                return once

            results: dict[str, dict[str, list[tuple[float, float]]]] = {
                name: {"checkpoint": [], "signature": []} for name in stores
            }
            for _ in range(ROUNDS):  # alternate, so a load spike hits both alike
                for name, store in stores.items():
                    results[name]["checkpoint"].append(_rate(checkpoint(store)))
                    results[name]["signature"].append(_rate(signature(store)))
    finally:
        engine.dispose()

    def median(name: str, kind: str) -> tuple[float, float]:
        runs = results[name][kind]
        return statistics.median(r for r, _ in runs), statistics.median(c for _, c in runs)

    (file_cp, file_cpu), (hsm_cp, hsm_cpu) = (
        median("file", "checkpoint"),
        median("hsm", "checkpoint"),
    )
    (file_sig, file_sig_cpu), (hsm_sig, hsm_sig_cpu) = (
        median("file", "signature"), median("hsm", "signature"),
    )  # fmt: skip
    print(
        f"\ncheckpoints/s (SQLite, ring loaded each time, median of {ROUNDS} x {SECONDS} s): "
        f"file {file_cp:.0f} ({file_cpu * 1e3:.2f} ms CPU each), "
        f"SoftHSM2 {hsm_cp:.0f} ({hsm_cpu * 1e3:.2f} ms CPU each); "
        f"HSM/file {hsm_cp / file_cp:.2f}, CPU per checkpoint HSM/file {hsm_cpu / file_cpu:.2f}"
        f"\nnote signatures/s (no database): file {file_sig:.0f} "
        f"({file_sig_cpu * 1e6:.0f} us CPU), SoftHSM2 {hsm_sig:.0f} ({hsm_sig_cpu * 1e6:.0f} us "
        f"CPU); HSM/file {hsm_sig / file_sig:.2f}"
    )
    # The periodic signer needs one checkpoint a second (even at load 25 on 2 cores both
    # make ~30): a token that cannot keep up would show here before production.
    assert hsm_cp > 2 and file_cp > 2
