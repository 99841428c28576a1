"""`dalel ledger|fsck|custody|verify|witness`: the custody commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evidence.cli_common import CliError, open_session
from evidence.config import Settings


def _ledger(settings: Settings):  # type: ignore[no-untyped-def]
    from evidence.service import LedgerConfig

    return LedgerConfig.from_settings(settings)


def cmd_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    ledger = _ledger(settings)
    with open_session(settings) as session:
        signed = service.checkpoint(session=session, ledger=ledger, force=args.force)
        # Periodic checkpoints only log a TSA failure; here the operator sees it (exit 1).
        stamp = service.timestamp(session=session, ledger=ledger, checkpoint=signed)
    print(signed.note, end="")
    if stamp is not None:
        print(f"timestamped by {stamp.tsa_url} at {stamp.gen_time.isoformat()}")
    return 0


def cmd_rotate(args: argparse.Namespace, settings: Settings) -> int:
    """Add a new signing key (the first one, on an empty PKCS#11 token); with --retire,
    stop signing with the old ones. Their verifier keys stay listed."""
    from evidence import service

    ledger = _ledger(settings)
    new = ledger.keys().rotate(retire=args.retire)
    with open_session(settings) as session:
        service.checkpoint(session=session, ledger=ledger, force=True)
    print(f"new log key: {new}")
    return 0


def cmd_ledger_verify(args: argparse.Namespace, settings: Settings) -> int:
    from custody.audit import verify_ledger
    from evidence.service.references import References

    with open_session(settings) as session:
        # Entries no checkpoint signed yet are where a forged row could hide: each must
        # name a real actor and subject.
        report = verify_ledger(session=session, tail=References(session))
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "OK" if report.ok else "DAMAGED"
    print(
        f"ledger {verdict}: {report.size} entries, root {report.root.hex()}, "
        f"{report.checkpoints} checkpoints checked"
    )
    print(_protection(report))
    return 0 if report.ok else 1


def _protection(report: Any) -> str:
    witnessed = (
        f"{report.unwitnessed} beyond the latest witnessed checkpoint (size {report.witnessed})"
        if report.witnessed is not None
        else f"{report.unwitnessed} not witnessed (no checkpoint is cosigned by a registered "
        "witness)"
    )
    return (
        f"{report.unsigned} entries beyond the latest signed checkpoint (size {report.signed}), "
        f"{witnessed}"
    )


def cmd_fsck(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    from evidence import service
    from evidence.service.fsck_repair import repair
    from evidence.storage import open_store

    if args.older_than is not None and not args.repair:
        raise CliError("--older-than goes with --repair")
    store = open_store(settings.storage_url or "")
    with open_session(settings) as session:
        report = service.fsck(session=session, store=store, sample=args.sample)
        done = None
        if args.repair:
            hours = settings.fsck_safety_hours if args.older_than is None else args.older_than
            done = repair(
                session=session, store=store, report=report, older_than=timedelta(hours=hours),
            )  # fmt: skip
    for problem in report.ledger.problems:
        print(f"ledger: {problem}")
    for finding in report.findings:
        print(finding)
    if done is not None:
        for label in done.removed:
            print(f"removed: {label}")
        for label in done.failed:
            print(f"not removed: {label}")
        if done.kept:
            print(f"kept {len(done.kept)} leftover(s) younger than the safety window")
    print(
        f"fsck {'OK' if report.ok else 'FOUND PROBLEMS'}: {report.items_checked} items, "
        f"{report.objects_checked} objects re-hashed, {report.purged} purged after retention "
        f"(not missing), {report.ledger.size} ledger entries checked; "
        f"{_protection(report.ledger)}"
    )
    if done is not None:
        print(
            f"repair: removed {len(done.removed)} ({done.bytes_freed} bytes), recorded in the "
            "ledger; run `dalel fsck` again to check"
        )
        return 1 if done.failed else 0
    return 0 if report.ok else 1


def _release() -> dict[str, str] | None:
    """The release's verifier hashes for the signed statement (the CLI may ask the
    disclosure package, which ships verify.html)."""
    try:
        from disclosure.published import verifier_hashes
    except ImportError:
        return None
    return verifier_hashes()


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service
    from evidence.app import install_domains
    from evidence.storage import open_store

    if not args.case and not args.item:
        raise CliError("name a case (--case NUMBER) or items (--item ID ...)")
    # Redacted items bring their exemption log (the redaction package's hook).
    with open_session(settings, hooks=install_domains()) as session:
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
            release=_release(),
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
    """Without a subcommand: be a witness of a log (cosign its latest checkpoint)."""
    from custody.witness import run_witness

    missing = [f"--{n}" for n in ("server", "state", "name") if not getattr(args, n)]
    if missing:
        raise CliError(
            f"to cosign a log give {', '.join(missing)}; to manage this server's witnesses "
            "use `dalel witness add NAME KEY`, `list` or `remove NAME`"
        )
    result = run_witness(
        server_url=args.server, state_dir=args.state, name=args.name, log_key=args.log_key
    )
    print(f"{result.status}: tree size {result.size}, root {result.root.hex()}")
    if result.cosignature:
        print(result.cosignature, end="" if result.cosignature.endswith("\n") else "\n")
    return 0


def cmd_witness_add(args: argparse.Namespace, settings: Settings) -> int:
    """Register a witness whose cosignatures this server's log accepts."""
    from evidence import service

    with open_session(settings) as session:
        witness = service.add_witness(session=session, principal=None, name=args.name, key=args.key)
    print(f"witness {witness.name} registered: {witness.verifier}")
    return 0


def cmd_witness_list(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with open_session(settings) as session:
        rows = service.list_witnesses(session=session, principal=None, include_removed=args.removed)
    for row in rows:
        line = f"{row.name}  {row.verifier}  added {row.added_at:%Y-%m-%d %H:%M} by {row.added_by}"
        if row.removed_at:
            line += f"  removed {row.removed_at:%Y-%m-%d %H:%M} by {row.removed_by}"
        print(line)
    if not rows:
        print("no witnesses registered: `dalel witness add NAME KEY`")
    return 0


def cmd_witness_remove(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with open_session(settings) as session:
        witness = service.remove_witness(session=session, principal=None, name=args.name)
    print(f"witness {witness.name} removed: its cosignatures are no longer accepted or served")
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

    fsck = add("fsck", cmd_fsck, "check the ledger, items, blobs and stored objects together")
    fsck.add_argument(
        "--sample", type=int, help="re-hash only N random objects (0: none; all are still listed)"
    )
    fsck.add_argument(
        "--repair",
        action="store_true",
        help="remove staging leftovers, incomplete uploads and orphan objects older than the "
        "safety window (never an item or a ledger row); recorded in the ledger",
    )
    fsck.add_argument(
        "--older-than",
        type=float,
        metavar="HOURS",
        help="safety window for --repair (default DALEL_FSCK_SAFETY_HOURS; 0 only while no "
        "server or worker runs)",
    )

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

    witness = add(
        "witness",
        cmd_witness,
        "cosign a log's latest checkpoint if consistent (--server --state --name), or manage "
        "this server's registered witnesses (add, list, remove)",
    )
    witness.add_argument("--server", help="the log to witness, e.g. https://dalel.example.kz")
    witness.add_argument("--state", type=Path, help="witness state directory")
    witness.add_argument("--name", help="witness name, e.g. court.almaty.kz")
    witness.add_argument("--log-key", help="the log's verifier key to trust")
    registry = witness.add_subparsers(dest="sub", required=False)
    witness_add = add("add", cmd_witness_add, "accept cosignatures from a witness", registry)
    witness_add.add_argument("name", help="the witness's name, e.g. court.almaty.kz")
    witness_add.add_argument("key", help="its verifier key name+hash+base64 (type 0x04)")
    listing = add("list", cmd_witness_list, "the registered witnesses", registry)
    listing.add_argument("--removed", action="store_true", help="also those removed")
    witness_remove = add("remove", cmd_witness_remove, "stop accepting a witness", registry)
    witness_remove.add_argument("name")
