"""A real Dalel server for the browser tests: `python -m tests.web.server --port N`.

It is `dalel serve` (migrations, then `create_app` under uvicorn) plus the wiring the lead
has not added to `evidence/app.py` yet: the review router, ingest's router, tables and
item-added hook. Once `create_app` includes them, each step here finds them present
and does nothing, and the tests can switch to `python -m evidence.cli serve`.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI
from sqlmodel import SQLModel

from evidence import problems
from evidence.app import API_PREFIX, create_app
from evidence.config import Settings
from evidence.migrations import upgrade


def wire(app: FastAPI, *, with_ingest: bool = False) -> FastAPI:
    """Mount what the app does not have yet (idempotent); with ingest, also its router,
    tables and item-added hook (processing starts on upload)."""
    from evidence.routers import review

    paths = {getattr(r, "path", "") for r in app.routes}
    if f"{API_PREFIX}/items/{{item_id}}/annotations" not in paths:
        app.include_router(review.router, prefix=API_PREFIX)
    if not with_ingest:
        return app
    try:
        import ingest.models  # noqa: F401  (tables on the shared metadata)
        from ingest import pipeline
        from ingest.router import ERROR_STATUS, router
    except ImportError:
        return app
    if f"{API_PREFIX}/items/{{item_id}}/transcript" not in paths:
        app.include_router(router, prefix=API_PREFIX)
        problems.register(app, extra=ERROR_STATUS)
    SQLModel.metadata.create_all(app.state.engine)
    pipeline.install(engine=app.state.engine, store=app.state.store)
    return app


def build() -> FastAPI:
    return wire(create_app(), with_ingest=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    settings = Settings()
    upgrade(settings.database_url or "")
    uvicorn.run("tests.web.server:build", factory=True, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
