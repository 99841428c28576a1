"""`dalel ledger|fsck|custody|verify|witness`: the custody commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evidence.config import Settings


def _ledger(settings: Settings):  # type: ignore[no-untyped-def]
    from evidence.service import LedgerConfig

    return LedgerConfig.from_settings(settings)


def cmd_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service
    from evidence.cli import _session

    ledger = _ledger(settings)
    with _session(settings) as session:
        signed = service.checkpoint(session=session, ledger=ledger, force=args.force)
        # Periodic checkpoints only log a TSA failure; here the operator sees it (exit 1).
        stamp = service.timestamp(session=session, ledger=ledger, checkpoint=signed)
    print(signed.note, end="")
    if stamp is not None:
        print(f"timestamped by {stamp.tsa_url} at {stamp.gen_time.isoformat()}")
    return 0


def cmd_rotate(args: argparse.Namespace, settings: Settings) -> int:
    """Add a new signing key; with --retire, stop signing with the old ones."""
    from custody.keys import create_key, load_keys, retire_key
    from evidence import service
    from evidence.cli import _session

    ledger = _ledger(settings)
    old = load_keys(key_dir=ledger.key_dir, name=ledger.origin).signers
    new = create_key(key_dir=ledger.key_dir, name=ledger.origin)
    if args.retire:
        for signer in old:
            retire_key(key_dir=ledger.key_dir, key_id=signer.verifier.key_id.hex())
    with _session(settings) as session:
        service.checkpoint(session=session, ledger=ledger, force=True)
    print(f"new log key: {new.verifier}")
    return 0


def cmd_ledger_verify(args: argparse.Namespace, settings: Settings) -> int:
    from custody.audit import verify_ledger
    from evidence.cli import _session

    with _session(settings) as session:
        report = verify_ledger(session=session)
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "OK" if report.ok else "DAMAGED"
    print(
        f"ledger {verdict}: {report.size} entries, root {report.root.hex()}, "
        f"{report.checkpoints} checkpoints checked"
    )
    return 0 if report.ok else 1


def cmd_fsck(args: argparse.Namespace, settings: Settings) -> int:
    from custody.audit import verify_ledger
    from evidence import service
    from evidence.cli import _session
    from evidence.storage import open_store

    store = open_store(settings.storage_url or "")
    with _session(settings) as session:
        ledger = verify_ledger(session=session)
        report = service.fsck(session=session, store=store, sample=args.sample)
    for problem in ledger.problems:
        print(f"ledger: {problem}")
    for finding in report.findings:
        print(finding)
    ok = ledger.ok and report.ok
    print(
        f"fsck {'OK' if ok else 'FOUND PROBLEMS'}: {report.objects_checked} objects re-hashed, "
        f"{ledger.size} ledger entries checked"
    )
    return 0 if ok else 1


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service
    from evidence.cli import CliError, _session
    from evidence.storage import open_store

    if not args.case and not args.item:
        raise CliError("name a case (--case NUMBER) or items (--item ID ...)")
    with _session(settings) as session:
        result = service.export_custody(
            session=session,
            store=open_store(settings.storage_url or ""),
            principal=None,
            ledger=_ledger(settings),
            out=args.out,
            case_number=args.case,
            item_ids=args.item,
            witness_keys=tuple(args.witness_key or ()),
            witnesses_required=args.witnesses_required,
        )
    print(
        f"wrote {result.path}: {result.events} events anchored at tree size "
        f"{result.anchor_size}; verify with `dalel verify {result.path}`"
    )
    return 0


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Offline: needs no server and no database, only the bundle."""
    from custody import verifier

    argv = [str(args.path)]
    for key in args.log_key or ():
        argv += ["--log-key", key]
    for key in args.witness_key or ():
        argv += ["--witness-key", key]
    if args.witnesses_required is not None:
        argv += ["--witnesses-required", str(args.witnesses_required)]
    for root in args.tsa_root or ():
        argv += ["--tsa-root", str(root)]
    argv += ["--no-files"] if args.no_files else []
    argv += ["--allow-unattested"] if args.allow_unattested else []
    return verifier.main(argv)


def cmd_witness(args: argparse.Namespace, settings: Settings) -> int:
    from custody.witness import run_witness

    result = run_witness(
        server_url=args.server, state_dir=args.state, name=args.name, log_key=args.log_key
    )
    print(f"{result.status}: tree size {result.size}, root {result.root.hex()}")
    if result.cosignature:
        print(result.cosignature, end="" if result.cosignature.endswith("\n") else "\n")
    return 0


def register(sub: Any, add: Any) -> None:
    """Add the custody commands to the `dalel` parser."""
    ledger = sub.add_parser("ledger", help="the custody ledger").add_subparsers(
        dest="sub", required=True
    )
    checkpoint = add("checkpoint", cmd_checkpoint, "sign a checkpoint of the ledger now", ledger)
    checkpoint.add_argument("--force", action="store_true", help="sign even if unchanged")
    add("verify", cmd_ledger_verify, "recompute the tree and check every checkpoint", ledger)
    rotate = add("rotate-key", cmd_rotate, "add a new log signing key", ledger)
    rotate.add_argument("--retire", action="store_true", help="stop signing with old keys")

    fsck = add("fsck", cmd_fsck, "re-hash stored objects and check rows and the ledger")
    fsck.add_argument("--sample", type=int, help="re-hash only N random objects")

    custody = sub.add_parser("custody", help="custody bundles").add_subparsers(
        dest="sub", required=True
    )
    export = add("export", cmd_export, "write a verifiable custody bundle", custody)
    export.add_argument("--case", help="ЕРДР number")
    export.add_argument("--item", action="append", help="item id (repeatable)")
    export.add_argument("--out", type=Path, required=True, help="folder, or a path ending .zip")
    export.add_argument("--witness-key", action="append", help="witness key to trust")
    export.add_argument("--witnesses-required", type=int, default=0)

    verify = add("verify", cmd_verify, "verify a custody bundle offline (no server, no database)")
    verify.add_argument("path", type=Path)
    verify.add_argument("--log-key", action="append", help="pin a log key obtained independently")
    verify.add_argument("--witness-key", action="append")
    verify.add_argument("--witnesses-required", type=int)
    verify.add_argument("--no-files", action="store_true")
    verify.add_argument("--tsa-root", action="append", type=Path, help="PEM of a trusted TSA root")
    verify.add_argument(
        "--allow-unattested", action="store_true", help="accept a bundle without signed heads"
    )

    witness = add("witness", cmd_witness, "cosign the log's latest checkpoint if consistent")
    witness.add_argument("--server", required=True)
    witness.add_argument("--state", type=Path, required=True, help="witness state directory")
    witness.add_argument("--name", required=True, help="witness name, e.g. court.almaty.kz")
    witness.add_argument("--log-key", help="the log's verifier key to trust")
