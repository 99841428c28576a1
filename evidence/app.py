"""Application assembly: `create_app()` wires settings, database, storage and routers.

This is one of the two places (with the CLI) where `evidence` may import the domain
packages: each contributes its router, its tables and its error statuses here.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from evidence import problems
from evidence.config import Settings, get_settings
from evidence.db import make_engine
from evidence.routers import auth, cases, items, uploads
from evidence.service.ledger import LedgerConfig, checkpoint
from evidence.storage import open_store

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
# Modules whose import registers tables on the shared metadata (order is irrelevant).
MODEL_MODULES = (
    "evidence.models",
    "evidence.review_models",
    "custody.models",
    "ingest.models",
    "redaction.models",
    "disclosure.models",
)
# Routers mounted under /api/v1, and the web pages (no prefix).
DOMAIN_ROUTERS = (
    "evidence.routers.review",
    "custody.router",
    "ingest.router",
    "redaction.router",
    "disclosure.router",
)
WEB_ROUTERS = ("evidence.web.views", "redaction.views", "disclosure.views")
# Each domain package's table of error class -> HTTP status, "module:attribute".
ERROR_TABLES = (
    "ingest.router:ERROR_STATUS",
    "redaction.router:PROBLEM_STATUSES",
    "disclosure.errors:STATUS",
)


def load_all_models() -> None:
    """Import every package's tables so metadata (create_all, Alembic) sees them all."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def _attribute(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name or "router")


def _unique(names: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(names))


def _install_domains(app: FastAPI) -> None:
    """Let the domain packages hear about the vault: processing starts on new items,
    and the policy learns what was disclosed to whom."""
    from disclosure.service import is_disclosed
    from evidence import hooks
    from ingest import pipeline

    pipeline.install(engine=app.state.engine, store=app.state.store)
    hooks.set_disclosure_lookup(is_disclosed)


def _checkpoint_once(engine: Engine, ledger: LedgerConfig) -> None:
    with Session(engine, expire_on_commit=False) as session:
        checkpoint(session=session, ledger=ledger)


async def _checkpoint_loop(engine: Engine, ledger: LedgerConfig, interval: int) -> None:
    """Sign a checkpoint whenever the log has grown, so proofs anchor to recent state."""
    while True:
        await asyncio.sleep(interval)
        try:
            await run_in_threadpool(_checkpoint_once, engine, ledger)
        except Exception:  # the next round tries again; serving must go on
            log.exception("periodic checkpoint failed")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application for the given (or environment) settings."""
    settings = settings or get_settings()
    load_all_models()
    engine = make_engine(settings.database_url or "")
    store = open_store(settings.storage_url or "")

    ledger = LedgerConfig.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from ingest import pipeline

        # Jobs interrupted by a restart go back to the in-process pool (RQ keeps its own).
        await run_in_threadpool(pipeline.resume_pending)
        task = None
        if settings.checkpoint_interval_seconds > 0:
            task = asyncio.create_task(
                _checkpoint_loop(engine, ledger, settings.checkpoint_interval_seconds)
            )
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
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
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.store = store
    extra: list[tuple[type[Exception], int]] = []
    for table in ERROR_TABLES:
        extra.extend(_attribute(table))
    problems.register(app, extra=extra)

    api = APIRouter(prefix=API_PREFIX)
    for module in (auth, cases, items, uploads):
        api.include_router(module.router)
    for name in _unique(DOMAIN_ROUTERS):
        api.include_router(_attribute(name))
    app.include_router(api)
    for name in _unique(WEB_ROUTERS):
        app.include_router(_attribute(name))

    from evidence.web import views

    views.mount_static(app)
    _install_domains(app)
    return app
