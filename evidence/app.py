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
MODEL_MODULES = ("evidence.models", "custody.models")
# Domain routers mounted under /api/v1 when their package provides one.
DOMAIN_ROUTERS = ("custody.router",)


def load_all_models() -> None:
    """Import every package's tables so metadata (create_all, Alembic) sees them all."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def _optional_router(module: str) -> APIRouter | None:
    try:
        return importlib.import_module(module).router  # type: ignore[no-any-return]
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None


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

    assert settings.ledger_key_dir is not None
    ledger = LedgerConfig(key_dir=settings.ledger_key_dir, origin=settings.ledger_origin)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
    problems.register(app)

    api = APIRouter(prefix=API_PREFIX)
    for module in (auth, cases, items, uploads):
        api.include_router(module.router)
    for name in DOMAIN_ROUTERS:
        router = _optional_router(name)
        if router is not None:
            api.include_router(router)
    app.include_router(api)

    from evidence.web import views

    app.include_router(views.router)
    views.mount_static(app)
    return app
