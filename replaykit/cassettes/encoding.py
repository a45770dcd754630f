"""Response bodies stored compressed (foreign cassettes keep gzip bytes): decoded with a size bound."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Mapping

from replaykit.cassettes.limits import MAX_CASSETTE_BYTES

MAX_DECODED_BYTES = MAX_CASSETTE_BYTES  # a decoded body is at most a cassette
_GZIP_MAGIC = b"\x1f\x8b"


def decode_body(data: bytes, content_encoding: str) -> bytes:
    """Undo gzip/deflate; refuse to inflate past the bound (a decompression bomb stays a short error)."""
    encoding = content_encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return _inflate(data, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        try:
            return _inflate(data, zlib.MAX_WBITS)
        except zlib.error:
            return _inflate(data, -zlib.MAX_WBITS)
    return data


def _inflate(data: bytes, wbits: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(data, MAX_DECODED_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError(f"body inflates past {MAX_DECODED_BYTES} bytes")
    return out


def body_text(body: object, headers: Mapping[str, object] | None = None) -> str | None:
    """The body as text: str as is; bytes inflated when compressed (gzip is recognised by its magic bytes
    even when the headers were dropped, deflate by the headers), then decoded as UTF-8."""
    if body is None or isinstance(body, str):
        return body
    if isinstance(body, bytearray | memoryview):
        body = bytes(body)
    if not isinstance(body, bytes):
        return None
    encoding = "gzip" if body[:2] == _GZIP_MAGIC else _encoding(headers) if headers else ""
    if encoding:
        # damaged or a bomb: the raw bytes stay, and read as a malformed body
        with contextlib.suppress(zlib.error, ValueError):
            body = decode_body(body, encoding)
    return body.decode("utf-8", "replace")


def _encoding(headers: Mapping[str, object]) -> str:
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == "content-encoding":
            last = value[-1] if isinstance(value, list) and value else value
            return str(last)
    return ""
