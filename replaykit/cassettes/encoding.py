"""Response bodies stored compressed (foreign cassettes keep gzip bytes): decoded with a size bound."""

from __future__ import annotations

import contextlib
import zlib

MAX_DECODED_BYTES = 64 * 1024 * 1024


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


def body_to_text(raw: object, content_encoding: str) -> str | None:
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, bytes):
        return None
    with contextlib.suppress(zlib.error, ValueError):
        raw = decode_body(raw, content_encoding)
    return raw.decode("utf-8", "replace")
