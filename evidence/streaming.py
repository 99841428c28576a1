"""Streaming multipart parsing: the file part flows straight into `Incoming`.

Starlette's UploadFile would spool the whole body to disk before our code runs, and we
would then read it again to hash it; parsing the raw stream keeps it to one pass.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from streaming_form_data import StreamingFormDataParser
from streaming_form_data.targets import BaseTarget, ValueTarget

from evidence.errors import InvalidInput
from evidence.service import Incoming

FLUSH_BYTES = 4 * 1024 * 1024
METADATA_FIELDS = (
    "source_kind",
    "device",
    "captured_at",
    "collected_at",
    "collected_by",
    "location",
    "description",
    "original_path",
    "sha256",
)


class IncomingTarget(BaseTarget):  # type: ignore[misc]
    """Collects the file part in a few-MB buffer that is handed to `Incoming` off-loop."""

    def __init__(self, incoming: Incoming) -> None:
        super().__init__()
        self.incoming = incoming
        self.buffer = bytearray()
        self.started = False
        self.finished = False

    def on_start(self) -> None:
        if self.started:
            raise InvalidInput("send exactly one `file` part")
        self.started = True

    def on_data_received(self, chunk: bytes) -> None:
        self.buffer += chunk

    def on_finish(self) -> None:
        self.finished = True

    def flush(self) -> None:
        if self.buffer:
            data, self.buffer = bytes(self.buffer), bytearray()
            self.incoming.write(data)


async def parse_upload(
    request: Request, incoming: Incoming, *, extra_fields: tuple[str, ...] = ()
) -> tuple[str, dict[str, str]]:
    """Stream a multipart body into `incoming`; return the file name and the text fields."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidInput("send the file as multipart/form-data with a `file` part")
    parser = StreamingFormDataParser(headers={"Content-Type": content_type})
    target = IncomingTarget(incoming)
    parser.register("file", target)
    values = {name: ValueTarget() for name in (*METADATA_FIELDS, *extra_fields)}
    for name, value_target in values.items():
        parser.register(name, value_target)
    try:
        async for chunk in request.stream():
            try:
                parser.data_received(chunk)
            except InvalidInput:
                raise
            except Exception as exc:  # the parser's own errors: a malformed body
                raise InvalidInput("malformed multipart body: %(reason)s", reason=str(exc)) from exc
            if len(target.buffer) >= FLUSH_BYTES:
                await run_in_threadpool(target.flush)
    except ClientDisconnect as exc:
        raise InvalidInput("the upload was interrupted before the file was complete") from exc
    await run_in_threadpool(target.flush)
    if not target.started:
        raise InvalidInput("the body has no `file` part")
    if not target.finished:
        raise InvalidInput("the upload was truncated: the file part never ended")
    fields = {
        name: value_target.value.decode("utf-8", errors="strict")
        for name, value_target in values.items()
        if value_target.value
    }
    return target.multipart_filename or "", fields
