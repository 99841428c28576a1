"""Streaming uploads: the multipart file part flows straight into `Incoming`, and one
orchestration (`upload_from_request`) serves the API and the web form alike.

Starlette's UploadFile would spool the whole body to disk before our code runs, and we
would then read it again to hash it; parsing the raw stream keeps it to one pass.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from streaming_form_data import StreamingFormDataParser
from streaming_form_data.targets import BaseTarget, ValueTarget

from evidence import service
from evidence.config import Settings
from evidence.errors import InvalidInput, TooLarge
from evidence.policy import Principal
from evidence.schemas import ItemCreate
from evidence.service import Incoming, Registered
from evidence.storage import ObjectStore
from evidence.validation import check_sha256

# Room for the multipart framing and the metadata fields around the file.
MULTIPART_OVERHEAD = 64 * 1024

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
    "source_modified_at",
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
    if not content_type.startswith("multipart/form-data") or "boundary=" not in content_type:
        raise InvalidInput("send the file as multipart/form-data (with its boundary)")
    try:
        parser = StreamingFormDataParser(headers={"Content-Type": content_type})
    except Exception as exc:  # the parser refuses a malformed boundary at construction
        raise InvalidInput("malformed multipart body: %(reason)s", reason=str(exc)) from exc
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
    try:
        fields = {
            name: value_target.value.decode("utf-8", errors="strict")
            for name, value_target in values.items()
            if value_target.value
        }
    except UnicodeDecodeError as exc:
        raise InvalidInput("form fields must be UTF-8 text") from exc
    return target.multipart_filename or "", fields


def item_metadata(fields: dict[str, str]) -> tuple[ItemCreate, str | None]:
    """The metadata fields of an upload, validated, and the expected SHA-256 if given."""
    fields = dict(fields)
    expected = fields.pop("sha256", None)
    try:
        metadata = ItemCreate.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(
            "%(field)s: %(problem)s", field=".".join(map(str, first["loc"])), problem=first["msg"]
        ) from exc
    return metadata, check_sha256(expected) if expected else None


def declared_length(request: Request) -> int:
    """The Content-Length the client announced (0 when absent); garbage is refused."""
    raw = request.headers.get("content-length") or "0"
    if not raw.isdigit() or len(raw) > 19:
        raise InvalidInput("Content-Length must be a byte count")
    return int(raw)


async def upload_from_request(
    request: Request,
    *,
    session: Session,
    store: ObjectStore,
    settings: Settings,
    principal: Principal,
    case_id: str,
    client: str | None,
    form_fields: tuple[str, ...] = (),
    adjust: Callable[[dict[str, str]], dict[str, str]] | None = None,
) -> Registered:
    """Authorise, stream, validate and register one multipart upload.

    `form_fields` are further text fields to read (a page's form), which `adjust` turns
    into the metadata fields before they are validated.

    The caller has passed the CSRF check (a router dependency) before any of the body
    was read. Whatever goes wrong after the first byte was staged — a malformed body,
    invalid metadata, a refused registration, a cancelled request — the staged bytes
    are discarded, so a refusal leaves nothing behind.
    """
    if declared_length(request) > settings.max_upload_bytes + MULTIPART_OVERHEAD:
        raise TooLarge(
            "the file exceeds the upload limit of %(limit)d bytes", limit=settings.max_upload_bytes
        )
    await run_in_threadpool(
        service.authorize_upload,
        session=session,
        principal=principal,
        case_id=case_id,
        client=client,
    )
    incoming = await run_in_threadpool(
        service.receive, store=store, limit=settings.max_upload_bytes
    )
    try:
        filename, fields = await parse_upload(request, incoming, extra_fields=form_fields)
        metadata, expected = item_metadata(adjust(fields) if adjust else fields)
        return await run_in_threadpool(
            service.register_item,
            session=session,
            principal=principal,
            case_id=case_id,
            incoming=incoming,
            filename=filename,
            metadata=metadata,
            expected_sha256=expected,
            client=client,
        )
    except BaseException:
        await run_in_threadpool(incoming.abort)  # a no-op once the blob was committed
        raise
