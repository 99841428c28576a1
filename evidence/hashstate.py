"""SHA-256 whose running state can be saved and continued elsewhere.

A resumable upload's chunks may reach any API process on any host, so the hash of the
bytes received so far must live in the database between chunks. `hashlib` cannot hand
out its state, so this module drives OpenSSL's SHA-256 (the same code `hashlib` uses,
SHA-NI included) through `ctypes` on a context it owns, and saves that context in a
portable text form: the eight chaining words, the byte count and the unprocessed tail
(under 64 bytes). A pure-Python implementation of the same algorithm reads and writes
the same form, so a host whose OpenSSL lacks the low-level functions still continues a
hash another host began (slowly: `BACKEND` names which one runs).

ctypes releases the GIL during the OpenSSL call, so hashing a chunk runs beside the
event loop that receives the next bytes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import struct
from typing import Protocol

_IV = (
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
    0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
)  # fmt: skip
_PREFIX = "sha256-v1"


class HashStateError(ValueError):
    """A saved state that is not one this module wrote."""


def _parse(state: str) -> tuple[tuple[int, ...], int, bytes]:
    """(chaining words, bytes hashed, pending tail) of a saved state."""
    try:
        prefix, words, count, tail = state.split(":")
        h = struct.unpack(">8I", bytes.fromhex(words))
        length = int(count)
        pending = bytes.fromhex(tail)
    except (ValueError, struct.error) as exc:
        raise HashStateError("not a saved SHA-256 state") from exc
    if prefix != _PREFIX or length < 0 or len(pending) != length % 64:
        raise HashStateError("not a saved SHA-256 state")
    return h, length, pending


def _format(h: tuple[int, ...] | list[int], length: int, pending: bytes) -> str:
    return f"{_PREFIX}:{struct.pack('>8I', *h).hex()}:{length}:{pending.hex()}"


class Sha256(Protocol):
    """What both implementations offer."""

    @property
    def length(self) -> int:
        """Bytes hashed so far."""

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Hash more bytes."""

    def hexdigest(self) -> str:
        """The digest of everything so far (the state stays usable)."""

    def save(self) -> str:
        """The running state as text, to continue with `resume`."""


# ---- OpenSSL through ctypes ---------------------------------------------------------


class _Ctx(ctypes.Structure):
    # OpenSSL's SHA256_CTX (include/openssl/sha.h), unchanged since 0.9.8.
    _fields_ = [
        ("h", ctypes.c_uint32 * 8),
        ("Nl", ctypes.c_uint32),
        ("Nh", ctypes.c_uint32),
        ("data", ctypes.c_uint8 * 64),
        ("num", ctypes.c_uint),
        ("md_len", ctypes.c_uint),
    ]


def _load_openssl() -> ctypes.CDLL | None:
    import ssl  # noqa: F401  (loads the libcrypto Python itself uses, when shared)

    for name in (ctypes.util.find_library("crypto"), "libcrypto.so.3", "libcrypto.so"):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            init, update, final = lib.SHA256_Init, lib.SHA256_Update, lib.SHA256_Final
        except (OSError, AttributeError):
            continue
        init.argtypes = [ctypes.POINTER(_Ctx)]
        update.argtypes = [ctypes.POINTER(_Ctx), ctypes.c_char_p, ctypes.c_size_t]
        final.argtypes = [ctypes.c_char_p, ctypes.POINTER(_Ctx)]
        for function in (init, update, final):
            function.restype = ctypes.c_int
        if _self_test(lib):
            return lib
    return None


def _self_test(lib: ctypes.CDLL) -> bool:
    """The struct layout is OpenSSL's: a known digest through a saved and restored state."""
    import hashlib

    data = bytes(range(256)) * 3
    ctx = _Ctx()
    lib.SHA256_Init(ctypes.byref(ctx))
    buffer = (ctypes.c_char * 100).from_buffer_copy(data[:100])
    lib.SHA256_Update(ctypes.byref(ctx), buffer, 100)
    if ctx.num != 100 % 64 or ctx.Nl != 800 or ctx.md_len != 32:
        return False
    probe = _OpenSsl.__new__(_OpenSsl)
    probe._ctx = ctx
    again = _OpenSsl.resume_from(probe.save(), lib)
    again.update(data[100:])
    return again.hexdigest() == hashlib.sha256(data).hexdigest()


class _OpenSsl:
    _lib: ctypes.CDLL

    def __init__(self) -> None:
        self._ctx = _Ctx()
        self._lib.SHA256_Init(ctypes.byref(self._ctx))

    @classmethod
    def resume_from(cls, state: str, lib: ctypes.CDLL | None = None) -> _OpenSsl:
        h, length, pending = _parse(state)
        self = cls.__new__(cls)
        if lib is not None:
            self._lib = lib
        ctx = _Ctx()
        for i, word in enumerate(h):
            ctx.h[i] = word
        bits = length * 8
        ctx.Nl, ctx.Nh = bits & 0xFFFFFFFF, (bits >> 32) & 0xFFFFFFFF
        ctypes.memmove(ctx.data, pending, len(pending))
        ctx.num = len(pending)
        ctx.md_len = 32
        self._ctx = ctx
        return self

    @property
    def length(self) -> int:
        return int((self._ctx.Nh << 32) | self._ctx.Nl) // 8

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if isinstance(data, bytes):
            self._lib.SHA256_Update(ctypes.byref(self._ctx), data, len(data))  # no copy
            return
        view = memoryview(data).cast("B")
        if view.readonly:
            self.update(view.tobytes())
        elif view.nbytes:
            array = (ctypes.c_char * view.nbytes).from_buffer(view)
            self._lib.SHA256_Update(ctypes.byref(self._ctx), array, view.nbytes)

    def hexdigest(self) -> str:
        copy = _Ctx.from_buffer_copy(self._ctx)
        out = ctypes.create_string_buffer(32)
        self._lib.SHA256_Final(out, ctypes.byref(copy))
        return out.raw.hex()

    def save(self) -> str:
        length = self.length
        pending = bytes(self._ctx.data)[: self._ctx.num]
        return _format(list(self._ctx.h), length, pending)


# ---- pure Python (same state format) ------------------------------------------------

_K = (
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4,
    0xAB1C5ED5, 0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE,
    0x9BDC06A7, 0xC19BF174, 0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F,
    0x4A7484AA, 0x5CB0A9DC, 0x76F988DA, 0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7,
    0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967, 0x27B70A85, 0x2E1B2138, 0x4D2C6DFC,
    0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85, 0xA2BFE8A1, 0xA81A664B,
    0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070, 0x19A4C116,
    0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7,
    0xC67178F2,
)  # fmt: skip
_M = 0xFFFFFFFF


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & _M


def _compress(h: list[int], block: bytes) -> None:
    w = list(struct.unpack(">16I", block))
    for i in range(16, 64):
        s0 = _rotr(w[i - 15], 7) ^ _rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
        s1 = _rotr(w[i - 2], 17) ^ _rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
        w.append((w[i - 16] + s0 + w[i - 7] + s1) & _M)
    a, b, c, d, e, f, g, hh = h
    for i in range(64):
        t1 = (hh + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & f) ^ (~e & g))
              + _K[i] + w[i]) & _M  # fmt: skip
        t2 = ((_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & _M
        a, b, c, d, e, f, g, hh = (t1 + t2) & _M, a, b, c, (d + t1) & _M, e, f, g
    for i, v in enumerate((a, b, c, d, e, f, g, hh)):
        h[i] = (h[i] + v) & _M


class _Python:
    def __init__(self) -> None:
        self._h = list(_IV)
        self._length = 0
        self._pending = b""

    @classmethod
    def resume_from(cls, state: str) -> _Python:
        h, length, pending = _parse(state)
        self = cls()
        self._h, self._length, self._pending = list(h), length, pending
        return self

    @property
    def length(self) -> int:
        return self._length

    def update(self, data: bytes | bytearray | memoryview) -> None:
        data = self._pending + bytes(data)
        self._length += len(data) - len(self._pending)
        whole = len(data) - len(data) % 64
        for start in range(0, whole, 64):
            _compress(self._h, data[start : start + 64])
        self._pending = data[whole:]

    def hexdigest(self) -> str:
        h = list(self._h)
        tail = self._pending + b"\x80" + b"\x00" * ((55 - self._length) % 64)
        tail += struct.pack(">Q", self._length * 8)
        for start in range(0, len(tail), 64):
            _compress(h, tail[start : start + 64])
        return struct.pack(">8I", *h).hex()

    def save(self) -> str:
        return _format(self._h, self._length, self._pending)


_LIB = _load_openssl()
if _LIB is not None:
    _OpenSsl._lib = _LIB
BACKEND = "openssl" if _LIB is not None else "python"


def new() -> Sha256:
    """A fresh SHA-256 (OpenSSL when its low-level functions are there)."""
    return _OpenSsl() if _LIB is not None else _Python()


def resume(state: str) -> Sha256:
    """Continue a hash from `save()`'s text, whichever implementation wrote it."""
    if _LIB is not None:
        return _OpenSsl.resume_from(state)
    return _Python.resume_from(state)


def resume_python(state: str) -> Sha256:
    """The pure-Python implementation, for hosts without OpenSSL's low-level SHA-256
    (and for the tests that show both read each other's states)."""
    return _Python.resume_from(state)


EMPTY = _format(_IV, 0, b"")
