"""A TCP proxy a test can stall: while stalled it accepts connections and keeps the open
ones, but forwards nothing either way — a hung database, object store or Redis as the
client sees it (no reset, no answer)."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time


class StallingProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.stalled = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._closed = False
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        while self.stalled.is_set() and not self._closed:
            time.sleep(0.05)  # a stalled server does not even start the conversation
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        self._sockets += [client, upstream]
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while not self._closed:
                if self.stalled.is_set():
                    time.sleep(0.05)
                    continue
                for key, _ in selector.select(timeout=0.05):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.close()

    def stall(self) -> None:
        self.stalled.set()

    def resume(self) -> None:
        self.stalled.clear()

    def close(self) -> None:
        self._closed = True
        self._server.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
