"""The review workspace in the browser: server-rendered pages in Kazakh, Russian and
English, with a little local JavaScript for the player and transcript.

`create_app` includes `router` and calls `mount_static`; the pages themselves live in
`auth_views` (sign-in, TOTP, language), `case_views` (cases, search, timeline) and
`item_views` (the item page and its annotations). They call the same `evidence.service`
functions as the API, so every page that shows evidence records its custody event.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from evidence.web import auth_views, case_views, item_views
from evidence.web.core import HERE

router = APIRouter(include_in_schema=False)
for _module in (auth_views, case_views, item_views):
    router.include_router(_module.router)


def mount_static(app: FastAPI) -> None:
    """Serve the local assets (no CDN)."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
