"""`dalel`: the command line. Every command exits non-zero with a plain message on failure.

Operator commands (user, case, ledger, fsck, custody export) work on the local database;
`upload` and `witness` speak HTTP to a server; `verify` needs neither.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from custody.errors import CustodyError
from evidence.config import Settings, get_settings
from evidence.errors import EvidenceError
from ingest.errors import IngestError

Handler = Callable[[argparse.Namespace, Settings], int]


class CliError(Exception):
    """A failure to report to the person at the terminal (no traceback)."""


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from evidence.app import load_all_models
    from evidence.db import make_engine
    from evidence.migrations import upgrade

    load_all_models()
    upgrade(settings.database_url or "")
    return make_engine(settings.database_url or "")


def _session(settings: Settings) -> Session:
    return Session(_engine(settings), expire_on_commit=False)


def _principal(session: Session, username: str | None):  # type: ignore[no-untyped-def]
    from evidence.models import User
    from evidence.policy import Principal

    if not username:
        raise CliError("say who acts: --by USERNAME (or set DALEL_USER)")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise CliError(f"no user {username}")
    return Principal(user_id=user.id, username=user.username, role=user.role)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _engine(settings).dispose()
    print("database is up to date")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    settings.check_secrets()
    _engine(settings).dispose()
    print(f"Dalel serving on http://{args.host}:{args.port}/  (API: /api/v1/docs)", flush=True)
    uvicorn.run(
        "evidence.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        timeout_keep_alive=30,
    )
    return 0


def _password() -> str:
    password = os.environ.get("DALEL_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise CliError("set DALEL_PASSWORD or run interactively to be prompted")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CliError("the passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service
    from evidence.models import Role

    with _session(settings) as session:
        user = service.create_user(
            session=session,
            principal=None,
            username=args.name,
            password=_password(),
            role=Role(args.role),
            full_name=args.full_name or "",
        )
    print(f"created {user.role} {user.username} ({user.id})")
    return 0


def cmd_user_unlock(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with _session(settings) as session:
        service.unlock_user(session=session, principal=None, username=args.name)
    print(f"unlocked {args.name}")
    return 0


def cmd_user_reset_totp(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with _session(settings) as session:
        service.reset_totp(session=session, principal=None, username=args.name, reason=args.reason)
    print(f"two-factor sign-in of {args.name} reset; all its sessions ended")
    return 0


def cmd_apikey_add(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with _session(settings) as session:
        admin = _principal(session, args.by)
        secret, _key = service.create_api_key(
            session=session, principal=admin, username=args.user, device=args.device
        )
    print(f"device key for {args.device} (shown once): {secret}")
    return 0


def cmd_case_create(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with _session(settings) as session:
        principal = _principal(session, args.by)
        case = service.create_case(
            session=session, principal=principal, number=args.number, title=args.title
        )
    print(f"case {case.number} created ({case.id})")
    return 0


def cmd_upload(args: argparse.Namespace, settings: Settings) -> int:
    import httpx

    from evidence.uploader import StateFile, Uploader, UploadFailed, default_state_path

    headers: dict[str, str] = {}
    token = os.environ.get("DALEL_TOKEN") or os.environ.get("DALEL_API_KEY")
    with httpx.Client(base_url=args.server, timeout=httpx.Timeout(120.0)) as client:
        if not token:
            user = os.environ.get("DALEL_USER")
            if not user:
                raise CliError("set DALEL_TOKEN, DALEL_API_KEY or DALEL_USER + DALEL_PASSWORD")
            form = {"username": user, "password": _password()}
            if os.environ.get("DALEL_TOTP"):  # the one-time code of an enrolled account
                form["totp"] = os.environ["DALEL_TOTP"]
            try:
                response = client.post("/api/v1/auth/token", data=form)
            except httpx.HTTPError as exc:
                raise CliError(f"cannot reach {args.server}: {exc}") from exc
            if response.status_code != 200:
                raise CliError(f"sign-in failed: {response.json().get('detail')}")
            token = response.json()["access_token"]
        headers["Authorization"] = f"Bearer {token}"
        client.headers.update(headers)
        metadata = {
            key: value
            for key, value in {
                "source_kind": args.source_kind,
                "device": args.device,
                "collected_by": args.collected_by,
                "location": args.location,
                "description": args.description,
            }.items()
            if value
        }
        uploader = Uploader(
            client, state=StateFile(args.state or default_state_path()), metadata=metadata
        )
        try:
            summary = uploader.run(
                number=args.case, paths=args.paths, progress=not args.quiet, jobs=args.jobs
            )
        except (UploadFailed, httpx.HTTPError) as exc:
            raise CliError(str(exc)) from exc
    failed = len(summary.failed)
    print(f"uploaded {summary.uploaded}, already in the case {summary.skipped}, failed {failed}")
    for name, reason in summary.failed:
        print(f"  failed: {name}: {reason}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_uploads_expire(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with _session(settings) as session:
        count = service.expire_uploads(session=session, spool_dir=settings.spool_dir)
    print(f"removed {count} abandoned upload session(s)")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Process media jobs from Redis (DALEL_REDIS_URL); queues split by cost."""
    from ingest.worker import run_worker

    run_worker(args.queues or None, burst=args.burst)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Prepare the embedded default for a first look: schema plus a demo administrator."""
    from evidence import service
    from evidence.models import Role, User

    password = os.environ.get("DALEL_PASSWORD") or secrets.token_urlsafe(12)
    with _session(settings) as session:
        existing = session.exec(select(User).where(User.username == "admin")).first()
        if existing is None:
            service.create_user(
                session=session,
                principal=None,
                username="admin",
                password=password,
                role=Role.ADMIN,
            )
            print(f"demo administrator: admin / {password}")
        else:
            print(
                "demo administrator 'admin' already exists (password unchanged; "
                "`dalel user unlock admin` if locked)"
            )
    print(f"open {settings.base_url}/ once the server is up")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dalel", description="Dalel evidence management")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(
        name: str, handler: Handler, help_text: str, parent: Any = sub
    ) -> argparse.ArgumentParser:
        command = parent.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    serve = add("serve", cmd_serve, "run the web application and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    add("migrate", cmd_migrate, "create or upgrade the database schema")
    worker = add("worker", cmd_worker, "process media jobs from Redis (DALEL_REDIS_URL)")
    worker.add_argument("--queues", nargs="*", choices=["fast", "default", "ocr", "media", "asr"])
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    add("demo", cmd_demo, "prepare a demo: schema and an administrator account")

    users = sub.add_parser("user", help="manage accounts").add_subparsers(dest="sub", required=True)
    user_add = add(
        "add", cmd_user_add, "create an account (password from DALEL_PASSWORD or prompt)", users
    )
    user_add.add_argument("name")
    user_add.add_argument(
        "--role",
        required=True,
        choices=["officer", "investigator", "prosecutor", "defence", "court", "auditor", "admin"],
    )
    user_add.add_argument("--full-name")
    unlock = add("unlock", cmd_user_unlock, "unlock an account after failed sign-ins", users)
    unlock.add_argument("name")
    reset = add(
        "reset-totp", cmd_user_reset_totp, "remove an account's authenticator (lost phone)", users
    )
    reset.add_argument("name")
    reset.add_argument("--reason", required=True, help="recorded in custody, e.g. a ticket")

    keys = sub.add_parser("apikey", help="device keys").add_subparsers(dest="sub", required=True)
    key_add = add("add", cmd_apikey_add, "issue a device API key bound to an officer", keys)
    key_add.add_argument("--user", required=True, help="the officer")
    key_add.add_argument("--device", required=True)
    key_add.add_argument("--by", default=os.environ.get("DALEL_USER"), help="administrator")

    cases = sub.add_parser("case", help="manage cases").add_subparsers(dest="sub", required=True)
    case_create = add("create", cmd_case_create, "open a case by its 15-digit ЕРДР number", cases)
    case_create.add_argument("number")
    case_create.add_argument("--title", required=True)
    case_create.add_argument(
        "--by", default=os.environ.get("DALEL_USER"), help="prosecutor or investigator"
    )

    upload = add("upload", cmd_upload, "upload files and folders into a case over the API")
    upload.add_argument("--case", required=True, help="ЕРДР number")
    upload.add_argument("paths", nargs="+", type=Path)
    upload.add_argument("--server", default=os.environ.get("DALEL_URL", "http://127.0.0.1:8000"))
    upload.add_argument(
        "--source-kind", choices=["bodycam", "phone", "cctv", "document", "photo", "audio", "other"]
    )
    upload.add_argument("--device")
    upload.add_argument("--collected-by")
    upload.add_argument("--location")
    upload.add_argument("--description")
    upload.add_argument("--state", type=Path, help="resume state file")
    upload.add_argument("--quiet", action="store_true", help="no progress bar")
    upload.add_argument("--jobs", type=int, default=4, help="files uploaded at once")

    uploads = sub.add_parser("uploads", help="upload sessions").add_subparsers(
        dest="sub", required=True
    )
    add("expire", cmd_uploads_expire, "remove abandoned resumable upload sessions", uploads)

    from evidence import cli_custody

    cli_custody.register(sub, add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args, get_settings()))
    except (CliError, EvidenceError, CustodyError, IngestError, ValueError) as exc:
        print(f"dalel: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dalel: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
