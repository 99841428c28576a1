"""A raw request body handed to synchronous service code while it still arrives.

A resumable upload's chunk (`PUT /uploads/{id}`) is hashed and written to the object
store by service code in a worker thread. Reading the body on the event loop and the
work in the thread overlap: the loop keeps receiving (up to `_QUEUED` batches ahead)
while the thread hashes and writes the previous batch, so one chunk costs about the
larger of the two, not their sum. A refusal before the body is read whole (a wrong
offset, a busy upload) still reads and drops the rest, so the client gets the answer
instead of a broken connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread
from fastapi import Request
from starlette.requests import ClientDisconnect

from evidence.errors import InvalidInput, TooLarge

T = TypeVar("T")
_BATCH = 1024 * 1024
_QUEUED = 8
_END = object()


async def with_body(request: Request, work: Callable[[Iterator[bytes]], T], *, limit: int) -> T:
    """Run `work(pieces)` in a worker thread, `pieces` being the body as it arrives (in
    batches of about a megabyte); more than `limit` bytes is refused (413)."""
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=_QUEUED)
    dropping = False

    async def offer(item: object) -> None:
        if not dropping:
            await queue.put(item)

    async def produce() -> None:
        buffer, size = bytearray(), 0
        try:
            async for piece in request.stream():
                size += len(piece)
                if size > limit:
                    raise TooLarge("send chunks of at most %(max)s bytes", max=limit)
                buffer += piece
                if len(buffer) >= _BATCH:
                    await offer(bytes(buffer))
                    buffer = bytearray()
            if buffer:
                await offer(bytes(buffer))
            await offer(_END)
        except ClientDisconnect:
            await offer(InvalidInput("the chunk was cut off; ask for the offset and send it again"))
        except (TooLarge, InvalidInput) as exc:
            await offer(exc)
        except Exception as exc:  # the worker must not wait for a body that never comes
            await offer(InvalidInput("the chunk could not be read"))
            raise exc

    def pieces() -> Iterator[bytes]:
        while True:
            item = anyio.from_thread.run(queue.get)
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item

    producer = asyncio.create_task(produce())
    try:
        return await anyio.to_thread.run_sync(lambda: work(pieces()))
    finally:
        # The work is over (done or refused): whatever of the body is still coming is
        # read and dropped, so the client's request ends normally.
        dropping = True
        while not producer.done():
            with contextlib.suppress(asyncio.QueueEmpty):
                while True:
                    queue.get_nowait()
            await asyncio.wait([producer], timeout=0.05)
        with contextlib.suppress(asyncio.CancelledError):
            await producer
