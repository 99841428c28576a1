"""The review workspace in the browser: server-rendered pages in Kazakh, Russian and
English, with a little local JavaScript for the player and transcript.

`create_app` includes `router` and calls `mount_static`; the pages themselves live in
`auth_views` (sign-in, TOTP, language), `case_views` (cases, search, timeline) and
`item_views` (the item page and its annotations). They call the same `evidence.service`
functions as the API, so every page that shows evidence records its custody event.
"""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from evidence.web import (
    admin_views,
    assets,
    auth_views,
    case_setup_views,
    case_views,
    citizen_views,
    custody_views,
    item_views,
    request_views,
    retention_views,
    search_views,
)
from evidence.web.core import HERE

router = APIRouter(include_in_schema=False)
for _module in (  # case_setup_views before case_views: /cases/new is not a case id
    auth_views, case_setup_views, case_views, item_views, search_views, retention_views,
    admin_views, custody_views, request_views, citizen_views,
):  # fmt: skip
    router.include_router(_module.router)


def mount_static(app: FastAPI) -> None:
    """Serve the local assets (no CDN), the npm bundles of `static/dist` among them."""
    # Module workers (pdf.js) must come with a JavaScript type, whatever the host's
    # mime.types says.
    mimetypes.add_type("text/javascript", ".mjs")
    assets.warn_if_missing()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
