"""Walk every GET route: wherever evidence bytes leave, a custody event must precede them."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from starlette.routing import Route

from tests.evidence.conftest import Api

READ_ACTIONS = {"item.content.read", "item.downloaded"}


def _walk(routes: list, prefix: str = "") -> Iterator[Route]:  # type: ignore[type-arg]
    """Every route, including those inside included routers (FastAPI keeps those nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _walk(nested.routes, prefix + (route.include_context.prefix or ""))
        elif isinstance(route, Route):
            yield Route(prefix + route.path, route.endpoint, methods=route.methods)


def _get_routes(api: Api) -> list[str]:
    paths = set(api.client.app.openapi()["paths"])  # type: ignore[attr-defined]
    for route in _walk(api.client.app.router.routes):  # type: ignore[attr-defined]
        if "GET" in (route.methods or set()):
            paths.add(route.path)
    assert "/items/{item_id}" in paths and "/cases/{case_id}" in paths  # pages are walked too
    return sorted(paths)


def test_no_bytes_leave_without_a_custody_event(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    marker = b"EVIDENCE-MARKER-" + os.urandom(16).hex().encode()
    case_id = team["case"]["id"]
    item = api.upload(case_id, team["officer"], marker * 4, name="marker.txt").json()
    values = {"item_id": item["id"], "case_id": case_id, "index": "0", "username": "officer"}
    leaked: list[str] = []
    served: list[str] = []
    for path in _get_routes(api):
        if "{" not in path and path != "/":
            candidates = [path]
        else:
            try:
                candidates = [re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)]
            except KeyError:
                continue  # a route about other objects (upload sessions): no item bytes
        for url in candidates:
            for who in ["prosecutor", "officer", "auditor", "outsider"]:
                before = api.events()
                response = api.client.get(url, headers=team[who])
                if marker not in response.content:
                    continue
                served.append(url)
                new = api.events()[len(before) :]
                if not any(
                    action in READ_ACTIONS and item_id == item["id"] for _, action, item_id in new
                ):
                    leaked.append(f"{url} as {who}")
    assert served, "the walk never reached the content route: the test would prove nothing"
    assert not leaked, f"evidence bytes left without a custody event: {leaked}"
