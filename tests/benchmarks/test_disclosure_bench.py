"""Disclosure bundle benchmark (`make bench`): 200 items totalling 20 GB, streamed into a
ZIP, as a ratio to `cp` of the same bytes, with the bundle process's peak memory.

Scale with DALEL_BENCH_DISCLOSURE_ITEMS (default 200) and DALEL_BENCH_DISCLOSURE_MB
(total, default 20480). Each phase runs in its own process, so VmHWM is that phase's peak.
Run: pytest -m bench tests/benchmarks/test_disclosure_bench.py -s
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench
ITEMS = int(os.environ.get("DALEL_BENCH_DISCLOSURE_ITEMS", "200"))
TOTAL_MB = int(os.environ.get("DALEL_BENCH_DISCLOSURE_MB", "20480"))
# A folder to keep the generated vault in (reused when it holds the same shape): the
# setup of 20 GB costs several minutes and is not what is measured.
KEEP = os.environ.get("DALEL_BENCH_DISCLOSURE_DIR")
BLOCK = 1 << 20


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _app_parts(root: Path):  # type: ignore[no-untyped-def]
    from sqlmodel import Session, SQLModel

    import disclosure.models  # noqa: F401
    from disclosure.service import is_disclosed
    from evidence.app import load_all_models
    from evidence.db import make_engine
    from evidence.hooks import Hooks
    from evidence.storage import open_store

    load_all_models()
    # The disclosure lookup, as create_app's engine carries it.
    engine = Hooks(disclosure_lookup=is_disclosed).bind(
        make_engine(f"sqlite:///{root / 'db.sqlite3'}")
    )
    SQLModel.metadata.create_all(engine)
    return Session(engine, expire_on_commit=False), open_store(f"file://{root / 'objects'}")


def setup(root: Path, items: int, total_mb: int) -> None:
    """Users, a case, `items` random files (stored through evidence.service), a disclosure."""
    from disclosure.selection import set_flags
    from disclosure.service import create_disclosure
    from evidence import service
    from evidence.models import Role
    from evidence.policy import Principal
    from evidence.schemas import ItemCreate

    session, store = _app_parts(root)
    users = {}
    for name, role in [("aigerim", Role.PROSECUTOR), ("olzhas", Role.OFFICER),
                       ("lawyer", Role.DEFENCE)]:  # fmt: skip
        user = service.create_user(session=session, principal=None, username=name,
                                   password="bench password 1", role=role)  # fmt: skip
        users[name] = Principal(user_id=user.id, username=name, role=role)
    case = service.create_case(session=session, principal=users["aigerim"],
                               number="202611220000001", title="bench")  # fmt: skip
    service.add_member(session=session, principal=users["aigerim"], case_id=case.id,
                       username="olzhas")  # fmt: skip
    per_item = total_mb * BLOCK // items
    block = os.urandom(BLOCK)
    ids = []
    for n in range(items):
        incoming = service.receive(store=store, limit=1 << 62)
        incoming.write(n.to_bytes(8, "big"))  # distinct bytes per item
        left = per_item - 8
        while left > 0:
            incoming.write(block[: min(BLOCK, left)])
            left -= BLOCK
        registered = service.register_item(
            session=session, principal=users["olzhas"], case_id=case.id, incoming=incoming,
            filename=f"cam-{n:03d}.bin", metadata=ItemCreate(),
        )  # fmt: skip
        set_flags(session=session, principal=users["aigerim"], item_id=registered.item.id,
                  disclosable_original=True)  # fmt: skip
        ids.append(registered.item.id)
    disclosure = create_disclosure(session=session, store=store, principal=users["aigerim"],
                                   case_id=case.id, recipient="lawyer", items=ids)  # fmt: skip
    state = {"disclosure": disclosure.id, "lawyer": users["lawyer"].user_id,
             "shape": {"items": items, "total_mb": total_mb}}  # fmt: skip
    (root / "state.json").write_text(json.dumps(state))


def build(root: Path, out: Path) -> dict[str, float]:
    """Prepare and stream the bundle to `out`, as the HTTP response would."""
    from disclosure.bundle import prepare_bundle
    from evidence.models import Role
    from evidence.policy import Principal
    from evidence.service.ledger import LedgerConfig

    state = json.loads((root / "state.json").read_text())
    session, store = _app_parts(root)
    lawyer = Principal(user_id=state["lawyer"], username="lawyer", role=Role.DEFENCE)
    ledger = LedgerConfig(key_dir=root / "keys", origin="bench.local/ledger")
    started = time.perf_counter()
    prepared = prepare_bundle(session=session, store=store, principal=lawyer, ledger=ledger,
                              disclosure_id=state["disclosure"])  # fmt: skip
    with out.open("wb") as handle:
        for chunk in prepared.stream():
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb()}


def _phase(*args: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.test_disclosure_bench", *args],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(7200)
def test_bundle_vs_cp(tmp_path: Path) -> None:
    root, out = Path(KEEP) if KEEP else tmp_path / "vault", tmp_path / "bundle.zip"
    root.mkdir(exist_ok=True)
    shape = {"items": ITEMS, "total_mb": TOTAL_MB}
    started = time.perf_counter()
    state = root / "state.json"
    if not (state.exists() and json.loads(state.read_text()).get("shape") == shape):
        shutil.rmtree(root)
        root.mkdir()
        _phase("setup", str(root), str(ITEMS), str(TOTAL_MB))
    setup_s = time.perf_counter() - started
    blobs = [p for p in (root / "objects").rglob("*") if p.is_file() and p.stat().st_size > BLOCK]
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    subprocess.run(["sync"], check=True)  # setup's dirty pages must not bill the copy
    started = time.perf_counter()
    subprocess.run(["cp", *map(str, blobs), str(copy_dir)], check=True)
    subprocess.run(["sync"], check=True)
    cp_s = time.perf_counter() - started
    shutil.rmtree(copy_dir)
    subprocess.run(["sync"], check=True)
    bundle = _phase("build", str(root), str(out))
    small = _phase("build-empty-baseline")
    total = sum(p.stat().st_size for p in blobs)
    report = {
        "items": ITEMS, "total_gb": round(total / 2**30, 2), "setup_s": round(setup_s, 1),
        "cp_s": round(cp_s, 2), "bundle_s": round(bundle["seconds"], 2),
        "ratio_to_cp": round(bundle["seconds"] / cp_s, 2),
        "bundle_mb_s": round(total / 2**20 / bundle["seconds"], 1),
        "bundle_peak_rss_mb": round(bundle["peak_rss_mb"], 1),
        "import_baseline_rss_mb": round(small["peak_rss_mb"], 1),
        "zip_bytes": out.stat().st_size,
    }  # fmt: skip
    print("\nDISCLOSURE BUNDLE BENCH", json.dumps(report))
    assert out.stat().st_size > total
    # Constant memory: the bundle process stays within ~100 MB of a process that only
    # imported the same modules, whatever the bundle's size.
    assert bundle["peak_rss_mb"] - small["peak_rss_mb"] < 100


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        setup(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        print("{}")
    elif command == "build":
        print(json.dumps(build(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:  # the same imports, no bundle: the memory baseline
        import disclosure.bundle  # noqa: F401
        import evidence.service  # noqa: F401

        print(json.dumps({"peak_rss_mb": _peak_rss_mb()}))
