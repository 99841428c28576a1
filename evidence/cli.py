"""`dalel`: the command line. Every command exits non-zero with a plain message on failure.

Operator commands (user, case, ledger, fsck, custody export) work on the local database;
`upload` and `witness` speak HTTP to a server; `verify` needs neither.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlmodel import select

from custody.errors import CustodyError
from evidence.cli_common import CliError, migrated_engine, open_session, password, principal_named
from evidence.config import Settings, get_settings
from evidence.errors import EvidenceError
from ingest.errors import IngestError

Handler = Callable[[argparse.Namespace, Settings], int]


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from evidence.cli_retention import load_table_file

    migrated_engine(settings).dispose()
    print("database is up to date")
    loaded = load_table_file(settings)
    if loaded:
        print(loaded)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from evidence.cli_retention import load_table_file
    from evidence.service.ledger import LedgerConfig

    settings.check_secrets()
    # A missing token, module, PIN or key stops the start with the setting to fix.
    LedgerConfig.from_settings(settings).keys().check()
    engine = migrated_engine(settings)
    loaded = load_table_file(settings)
    if loaded:
        print(loaded, flush=True)
    # With RQ: queue what Redis lost or never got, hand back jobs of dead workers.
    from ingest.config import get_ingest_settings
    from ingest.runtime import sweeper

    ingest = get_ingest_settings()
    if sweeper.start(engine=engine, settings=ingest) is None:
        engine.dispose()
    elif (problem := sweeper.redis_problem(ingest)) is not None:
        # Serving goes on: uploads keep their jobs in the database until Redis is back.
        print(f"dalel: {unreachable(problem, settings)}; jobs wait until it is back", flush=True)
    print(f"Dalel serving on http://{args.host}:{args.port}/  (API: /api/v1/docs)", flush=True)
    uvicorn.run(
        "evidence.app:create_app", factory=True, host=args.host, port=args.port,
        workers=args.workers, **serve_options(settings),
    )  # fmt: skip
    return 0


def serve_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for `dalel serve` (also what tests run the server with)."""
    from evidence.logs import logging_config

    return {
        "log_level": "info",
        # JSON lines with request ids; the access line is ours (route templates: a path
        # can hold a citizen link's token, which uvicorn's access log would print).
        "log_config": logging_config(settings.log_format),
        "access_log": False,
        "timeout_keep_alive": 30,
        # SIGTERM: stop accepting, let requests in flight (an upload's current chunk)
        # finish for this long, then exit (README "Operations").
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
        # h11 bounds the request line plus headers (httptools does not): a 64 MiB header
        # is refused with 400 before it is held in memory.
        "http": "h11",
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }


def cmd_case_create(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service

    with open_session(settings) as session:
        principal = principal_named(session, args.by)
        case = service.create_case(
            session=session, principal=principal, number=args.number, title=args.title
        )
    print(f"case {case.number} created ({case.id})")
    return 0


def cmd_withheld_reveal(args: argparse.Namespace, settings: Settings) -> int:
    """On a court order: the salt of a withheld input's commitment (recorded)."""
    from disclosure import blinding

    with open_session(settings) as session:
        principal = principal_named(session, args.by) if args.by else None
        revealed = blinding.reveal(
            session=session, principal=principal, disclosure_id=args.disclosure,
            item_id=args.item, order=args.order,
        )  # fmt: skip
    for key in ("disclosure_id", "item_id", "sha256", "salt", "commitment"):
        print(f"{key}: {revealed[key]}")
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
            form = {"username": user, "password": password()}
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
        paths = list(args.paths)
        if args.from_extraction:
            paths.append(args.from_extraction)
        if not paths:
            raise CliError("name the files or folders to upload (or --from-extraction DIR)")
        if args.from_extraction and args.paths:
            raise CliError("--from-extraction takes the one folder of the extraction, no PATH")
        if args.from_extraction and not args.from_extraction.is_dir():
            raise CliError(f"{args.from_extraction} is not a folder")
        try:
            summary = uploader.run(
                number=args.case, paths=paths, progress=not args.quiet, jobs=args.jobs,
                extraction=args.from_extraction is not None,
            )  # fmt: skip
        except (UploadFailed, httpx.HTTPError) as exc:
            raise CliError(str(exc)) from exc
    failed = len(summary.failed)
    print(f"uploaded {summary.uploaded}, already in the case {summary.skipped}, failed {failed}")
    for name, reason in summary.failed:
        print(f"  failed: {name}: {reason}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_uploads_expire(args: argparse.Namespace, settings: Settings) -> int:
    from evidence import service
    from evidence.storage import open_store

    store = open_store(settings.storage_url or "", timeouts=settings.storage_timeouts)
    with open_session(settings) as session:
        count = service.expire_uploads(session=session, store=store)
    print(f"removed {count} abandoned upload session(s)")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Process media jobs from Redis (DALEL_REDIS_URL); queues split by cost."""
    from evidence import logs
    from evidence.app import install_domains
    from ingest.runtime.worker import run_worker

    logs.configure(settings.log_format)
    run_worker(args.queues or None, burst=args.burst, hooks=install_domains())
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Prepare the embedded default for a first look: schema plus a demo administrator."""
    from evidence import service
    from evidence.models import Role, User

    password = os.environ.get("DALEL_PASSWORD") or secrets.token_urlsafe(12)
    with open_session(settings) as session:
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

    cases = sub.add_parser("case", help="manage cases").add_subparsers(dest="sub", required=True)
    case_create = add("create", cmd_case_create, "open a case by its 15-digit ЕРДР number", cases)
    case_create.add_argument("number")
    case_create.add_argument("--title", required=True)
    case_create.add_argument(
        "--by", default=os.environ.get("DALEL_USER"), help="prosecutor or investigator"
    )

    disclosures = sub.add_parser("disclosure", help="disclosures").add_subparsers(
        dest="sub", required=True
    )
    reveal = add(
        "reveal", cmd_withheld_reveal,
        "on a court order, reveal the salt of a withheld input's commitment (recorded)",
        disclosures,
    )  # fmt: skip
    reveal.add_argument("disclosure", help="disclosure id")
    reveal.add_argument("item", help="id of the withheld item")
    reveal.add_argument("--order", required=True, help="the court order's reference")
    reveal.add_argument("--by", help="a court member of the case (default: the operator)")

    upload = add("upload", cmd_upload, "upload files and folders into a case over the API")
    upload.add_argument("--case", required=True, help="ЕРДР number")
    upload.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    upload.add_argument(
        "--from-extraction",
        type=Path,
        metavar="DIR",
        help="a device extraction's folder: files keep their path inside it and their "
        "modification times (as source_modified_at)",
    )
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
    upload.add_argument(
        "--jobs", type=int, default=4, help="requests at once (a batch of small files or a file)"
    )

    uploads = sub.add_parser("uploads", help="upload sessions").add_subparsers(
        dest="sub", required=True
    )
    add("expire", cmd_uploads_expire, "remove abandoned resumable upload sessions", uploads)

    from evidence import cli_accounts, cli_custody, cli_ops, cli_retention

    cli_accounts.register(sub, add)
    cli_custody.register(sub, add)
    cli_ops.register(sub, add)
    cli_retention.register(sub, add)
    from ingest import cli_models, cli_search

    cli_search.register(sub, add)
    cli_models.register(sub, add)
    return parser


def unreachable(exc: BaseException, settings: Settings) -> str | None:
    """One line naming the dependency a failure could not reach (None: not that kind)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeout
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    def hidden(url: str) -> str:
        try:
            return make_url(url).render_as_string(hide_password=True)
        except Exception:  # not a URL sqlalchemy knows: name the scheme only
            return url.split(":", 1)[0]

    def reason(error: BaseException) -> str:
        text = str(error).strip().splitlines()
        return text[0] if text else type(error).__name__

    if isinstance(exc, OperationalError):
        url = hidden(settings.database_url or "")
        return f"cannot reach the database {url}: {reason(exc.orig or exc)}"
    if isinstance(exc, RedisConnectionError | RedisTimeout):
        return f"cannot reach Redis {hidden(settings.redis_url or '')}: {reason(exc)}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        return int(args.handler(args, settings))
    except (CliError, EvidenceError, CustodyError, IngestError, ValueError) as exc:
        cause = exc.__cause__
        line = unreachable(cause, settings) if cause is not None else None
        print(f"dalel: {line or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dalel: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        line = unreachable(exc, settings)
        if line is None:
            raise
        print(f"dalel: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
