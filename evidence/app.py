"""Application assembly: `create_app()` wires settings, database, storage and routers.

This is one of the two places (with the CLI) where `evidence` may import the domain
packages: each contributes its router, its tables and its error statuses here.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from custody.checkpoint import latest_checkpoint
from custody.lease import SignerLease
from custody.tree import current_size
from evidence import health, metrics, openapi, problems, sign_in
from evidence.config import Settings, get_settings
from evidence.csrf import require_csrf
from evidence.db import make_engine
from evidence.headers import SecurityHeaders
from evidence.hooks import Hooks
from evidence.logs import RequestContext
from evidence.routers import (
    auth,
    batch,
    cases,
    citizen,
    citizen_link,
    items,
    operations,
    purges,
    retention,
    uploads,
)
from evidence.routers import ledger as ledger_routes
from evidence.service.ledger import LedgerConfig, checkpoint
from evidence.storage import open_store
from evidence.tables import load_all_models
from evidence.throttle import InFlightLimit

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
# Routers mounted under /api/v1, and the web pages (no prefix).
DOMAIN_ROUTERS = (
    "evidence.routers.review",
    "custody.router",
    "ingest.router",
    "redaction.router",
    "disclosure.router",
)
WEB_ROUTERS = ("evidence.web.views", "redaction.views", "redaction.inbox", "disclosure.views")
# Each package's job stages (`ingest.runtime.stages.Stage` lists), registered with the
# job runtime by `install_domains`: by the app, the worker and the CLI.
STAGE_TABLES = (
    "ingest.stages:STAGES",
    "redaction.stages:STAGES",
    "disclosure.stages:STAGES",
)
# Each domain package's table of error class -> HTTP status, "module:attribute".
ERROR_TABLES = (
    "evidence.routers.citizen_link:ERROR_STATUS",
    "ingest.router:ERROR_STATUS",
    "redaction.router:PROBLEM_STATUSES",
    "disclosure.errors:STATUS",
)


def _attribute(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name or "router")


def install_domains() -> Hooks:
    """Register every package's job stages with the job runtime, and return the hooks
    through which the vault hears the domain packages, for the engine to carry
    (`Hooks.bind`). Every process that runs stages or writes bundles calls it: the app,
    the worker, the CLI; a purge run by a worker must forget the item's text as one run
    by the app does."""
    from disclosure.service import ever_disclosed, is_disclosed
    from ingest import service as ingest_service
    from ingest.retention import forget_item, submit_purge
    from ingest.runtime.stages import register
    from redaction.exemptions import log_files
    from redaction.retention import forget_item as forget_redactions

    for table in _unique(STAGE_TABLES):
        register(_attribute(table))
    hooks = Hooks(
        disclosure_lookup=is_disclosed,
        duration_lookup=ingest_service.media_duration,
        release_lookup=ever_disclosed,
        purge_runner=submit_purge,
        exemption_writer=lambda session, plans: log_files(session=session, plans_by_item=plans),
    )
    hooks.on_item_purged(forget_item)
    hooks.on_item_purged(forget_redactions)
    return hooks


def _unique(names: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(names))


def _install_domains(app: FastAPI) -> None:
    """Let the domain packages hear about the vault: processing starts on new items,
    and the policy learns what was disclosed to whom."""
    from disclosure import listing
    from disclosure.notify import send_mail
    from ingest import pipeline
    from ingest.pages import IngestPages
    from redaction import inbox

    hooks: Hooks = app.state.hooks
    pipeline.install(engine=app.state.engine, store=app.state.store, hooks=hooks)
    app.state.media = IngestPages()
    hooks.mailer = lambda to, subject, body: send_mail(to=to, subject=subject, body=body)
    # The navigation's counts (evidence.web.nav): work waiting, news unread.
    hooks.counters.update(notifications=listing.unread_count, redactions=inbox.waiting_count)


def _checkpoint_once(engine: Engine, ledger: LedgerConfig) -> None:
    with Session(engine, expire_on_commit=False) as session:
        latest = latest_checkpoint(session=session)
        if latest is not None and latest.size >= current_size(session):
            return  # nothing new: no key to load, nothing to sign
        session.rollback()
        checkpoint(session=session, ledger=ledger)


async def _checkpoint_loop(
    engine: Engine, ledger: LedgerConfig, interval: float, lease: SignerLease
) -> None:
    """Sign a checkpoint whenever the log has grown (every second by default: an append
    is unsigned, and a forgery after it undetectable by signature, for at most that long;
    one signature covers all the appends of the interval, as Sunlight sequences).

    Only the process holding the signer's lease signs (custody.lease); rounds fall on
    multiples of `interval` in wall-clock time, so whichever process takes over keeps
    the one-per-interval rhythm."""
    last_error = ""
    while True:
        await asyncio.sleep(interval - time.time() % interval)
        try:
            if await run_in_threadpool(lease.held):
                await run_in_threadpool(_checkpoint_once, engine, ledger)
            last_error = ""
        except Exception as exc:  # the next round tries again; serving must go on
            if str(exc) != last_error:  # once per distinct failure, not every second
                log.exception("periodic checkpoint failed")
            last_error = str(exc)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application for the given (or environment) settings."""
    settings = settings or get_settings()
    load_all_models()
    ledger = LedgerConfig.from_settings(settings)
    ledger.keys().check()  # a missing token or key stops the start, naming the setting
    # The domain packages' hooks travel with the engine: every session finds them.
    hooks = install_domains()
    engine = hooks.bind(make_engine(settings.database_url or "", timeouts=settings.db_timeouts))
    store = open_store(settings.storage_url or "", timeouts=settings.storage_timeouts)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ingest import pipeline

        # Jobs interrupted by a restart go back to the in-process pool (RQ keeps its own).
        await run_in_threadpool(pipeline.resume_pending)
        task = None
        lease = SignerLease(engine)
        if settings.checkpoint_interval_seconds > 0:
            task = asyncio.create_task(
                _checkpoint_loop(engine, ledger, settings.checkpoint_interval_seconds, lease)
            )
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await run_in_threadpool(lease.release)
        await run_in_threadpool(pipeline.shutdown)
        engine.dispose()

    app = FastAPI(
        title="Dalel",
        version="0.1.0",
        summary="Digital evidence with a chain of custody anyone can verify",
        description=(
            "Evidence vault, custody ledger, media processing, redaction and disclosure. "
            "Errors are RFC 9457 problem JSON. Sign in with `POST /api/v1/auth/token` "
            "(OAuth2 password form) and send `Authorization: Bearer <token>`; devices send "
            "`X-API-Key`."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by openapi.install_docs from the local swagger-ui-dist
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.store = store
    app.state.hooks = hooks
    sign_in.install(app.state, settings)
    extra: list[tuple[type[Exception], int]] = []
    for table in ERROR_TABLES:
        extra.extend(_attribute(table))
    problems.register(app, extra=extra)

    # CSRF is one dependency for every route: it passes requests authenticated by a
    # header and refuses forgeable cookie-authenticated ones before the body is read.
    csrf = [Depends(require_csrf)]
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        auth,
        cases,
        batch,
        items,
        uploads,
        citizen,
        citizen_link,
        ledger_routes,
        retention,
        purges,
    ):
        api.include_router(module.router)
    for name in _unique(DOMAIN_ROUTERS):
        api.include_router(_attribute(name))
    app.include_router(api, dependencies=csrf)
    for name in _unique(WEB_ROUTERS):
        app.include_router(_attribute(name), dependencies=csrf)

    from evidence.web import views

    views.mount_static(app)
    openapi.install(app)
    openapi.install_docs(app, path=f"{API_PREFIX}/docs", openapi_url=f"{API_PREFIX}/openapi.json")
    # Outermost last: every answer, the in-flight limit's 503 included, gets the headers,
    # is counted and carries the request id.
    app.add_middleware(InFlightLimit, limit=settings.max_in_flight)
    app.add_middleware(SecurityHeaders, own_csp=(f"{API_PREFIX}/docs",))
    app.add_middleware(metrics.RequestMetrics, routes=lambda: app.router.routes)
    app.add_middleware(RequestContext)
    _install_operations(app)
    _install_domains(app)
    return app


def _install_operations(app: FastAPI) -> None:
    """/healthz, /readyz and /metrics, with the probes and scrape-time collectors of
    this application's database (README "Operations")."""
    from custody.metrics import LedgerCollector
    from ingest.metrics import JobCollector

    state = app.state
    keys = LedgerConfig.from_settings(state.settings).keys()
    state.readiness = health.default_probes(
        settings=state.settings, engine=state.engine, store=state.store, key_check=keys.check
    )
    state.metrics_registry = metrics.app_registry(
        LedgerCollector(state.engine), JobCollector(state.engine)
    )
    app.include_router(operations.router)
