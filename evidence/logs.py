"""Structured logs and the request id.

Every log line of `dalel serve` and `dalel worker` is one JSON object (`JsonFormatter`;
`DALEL_LOG_FORMAT=text` for people at a terminal) carrying the request id of the request
it was written for. `RequestContext` takes the id from the caller's `X-Request-ID` (a
proxy's, when it is a plain token of up to 64 characters) or makes one, answers it in
`X-Request-ID`, and sets it for the request (`custody.context.REQUEST_ID`), so each
custody event the request appends carries it in `details.request_id`.

The access line names the route template, never the path: paths hold citizen-link
tokens and ids, and uvicorn's own access log (which prints them) is turned off.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from custody.context import REQUEST_ID
from evidence.metrics import route_template

HEADER = "X-Request-ID"
_HEADER_KEY = HEADER.lower().encode()
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")
access_log = logging.getLogger("dalel.access")
_OWN_LOGGERS = ("dalel", "evidence", "custody", "ingest", "redaction", "disclosure", "rq.worker")
# Attributes every LogRecord has: the rest came in through `extra=` and are logged.
_STANDARD = frozenset(
    set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_id(value: str | None) -> str | None:
    """A caller's request id when it is a plain token (it lands in the ledger)."""
    return value if value is not None and _ACCEPTED.fullmatch(value) else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain format, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = REQUEST_ID.get()
        return f"{line} [{request_id}]" if request_id else line


def logging_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` (also uvicorn's `log_config`): one handler on stderr
    with the chosen formatter, uvicorn's loggers through it."""
    formatter = f"evidence.logs.{'Json' if log_format == 'json' else 'Text'}Formatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"dalel": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "dalel",
                "stream": "ext://sys.stderr",
            }
        },
        # Libraries say only what matters (pikepdf greets at INFO); ours say what they do.
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            **{name: {"level": level} for name in _OWN_LOGGERS},
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def configure(log_format: str, level: str = "INFO") -> None:
    """Install the configuration in this process (workers; `dalel serve` hands it to uvicorn)."""
    import logging.config

    logging.config.dictConfig(logging_config(log_format, level))


class RequestContext:
    """ASGI middleware: the request id in and out, set for the request, and one access
    line per request (method, route template, status, milliseconds)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", ()) if k == _HEADER_KEY), None)
        request_id = accepted_id(given.decode("latin-1") if given else None) or new_request_id()
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", ()) if k != _HEADER_KEY]
                message = {**message, "headers": [*headers, (_HEADER_KEY, request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = route_template(scope)
            access_log.info(
                "%s %s %s",
                scope.get("method"),
                route,
                status,
                extra={
                    "method": scope.get("method"),
                    "route": route,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            REQUEST_ID.reset(token)
