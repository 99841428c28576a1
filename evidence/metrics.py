"""Prometheus metrics: requests by route template and status, upload bytes, and the
collectors the packages contribute (job queue depth and durations, ledger size, append
latency, checkpoint age).

Labels never carry a path, an id or a name: a request is counted under its route's
template (`/api/v1/items/{item_id}`), an unmatched one under `unmatched`. Counters of
this process live in prometheus-client's default registry; figures read from the
database at scrape time (the same on every process) in a registry per application.
Each API process is scraped on its own (`dalel serve --workers 1` per replica, as in
deploy/compose.yaml).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# `_created` series double the output and tell nothing a scraper lacks.
disable_created_metrics()
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"
# Request bodies that carry evidence into the vault: chunks, whole files, batches.
_UPLOAD_METHODS = frozenset({"POST", "PUT", "PATCH"})
_UPLOAD_MARKERS = ("upload", "/items", "/batch", "/bulk")

REQUESTS = Counter(
    "dalel_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
DURATION = Histogram(
    "dalel_http_request_duration_seconds",
    "Time from request to the end of the response",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0),
)
IN_FLIGHT = Gauge("dalel_http_requests_in_flight", "HTTP requests being served")
UPLOAD_BYTES = Counter(
    "dalel_upload_bytes_total", "Request body bytes received by upload routes", ["route"]
)


ROUTE_KEY = "dalel.route"  # where the template is left in the scope for the access log


def route_templates(routes: list[Any], prefix: str = "") -> dict[int, str]:
    """Each route's full template by the route object's id: FastAPI keeps included routers
    nested, and the route it leaves in the scope knows only its own router's part."""
    found: dict[int, str] = {}
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            context = getattr(route, "include_context", None)
            found |= route_templates(nested.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif isinstance(getattr(route, "path", None), str):
            found[id(route)] = prefix + route.path
    return found


def route_template(scope: Scope, templates: dict[int, str] | None = None) -> str:
    """The matched route's template (routing leaves the route in the scope)."""
    if ROUTE_KEY in scope:
        return str(scope[ROUTE_KEY])
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    if templates and id(route) in templates:
        return templates[id(route)]
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def is_upload(method: str, template: str) -> bool:
    """Whether a request's body is evidence on its way in."""
    return method in _UPLOAD_METHODS and any(mark in template for mark in _UPLOAD_MARKERS)


class RequestMetrics:
    """ASGI middleware counting every HTTP request by method, route template and status
    (pure ASGI: streamed bodies pass through unbuffered)."""

    def __init__(self, app: ASGIApp, *, routes: Callable[[], list[Any]]) -> None:
        self.app = app
        self._routes = routes  # the application's routes, read once all are included
        self._templates: dict[int, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._templates is None:
            self._templates = route_templates(self._routes())
        method = str(scope.get("method", "GET"))
        IN_FLIGHT.inc()
        started = time.perf_counter()
        status = 500  # an exception that escapes every handler ends as a 500
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        finally:
            IN_FLIGHT.dec()
            template = route_template(scope, self._templates)
            scope[ROUTE_KEY] = template
            REQUESTS.labels(method, template, str(status)).inc()
            DURATION.labels(method, template).observe(time.perf_counter() - started)
            if received and is_upload(method, template):
                UPLOAD_BYTES.labels(template).inc(received)


def app_registry(*collectors: Collector) -> CollectorRegistry:
    """A registry of one application's scrape-time collectors."""
    registry = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        registry.register(collector)
    return registry


def exposition(registry: CollectorRegistry | None) -> bytes:
    """The text exposition: this process's counters, then the application's collectors."""
    body = generate_latest(REGISTRY)
    if registry is not None:
        body += generate_latest(registry)
    return body
