"""The API docs work with the network cable pulled (issue 20, part 4): Chromium loads
`/api/v1/docs` from `dalel serve` with every request to anything but the loopback server
blocked, and Swagger UI renders the Dalel API (its title and operations) from the
server's own copy of swagger-ui-dist; no request even tries to leave."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.browser_kit import Server, open_page, shot

pytestmark = pytest.mark.browser


@pytest.fixture()
def srv(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_swagger_ui_renders_offline(srv: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, srv.base)
    blocked: list[str] = []
    loaded: list[str] = []

    def only_loopback(route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith("data:") or host == "127.0.0.1":
            loaded.append(url)
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.context.route("**/*", only_loopback)
    answer = page.goto(f"{srv.base}/api/v1/docs")
    assert answer is not None and answer.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Dalel")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/auth/token")).to_have_count(1)
    assert page.locator(".opblock").count() > 50
    assert blocked == [], blocked
    assert any(u.endswith("/static/dist/swagger-ui/swagger-ui-bundle.js") for u in loaded)
    shot(page, "api-docs")
