"""The recorded response body as text, and which wire format it is.

Foreign cassettes keep compressed bodies as bytes (vcrpy stores `!!binary` gzip when the recorder did not
decode responses), so a body may arrive as bytes; it is inflated here, bounded against decompression bombs.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

MAX_INFLATED = 64 * 1024 * 1024  # a chat answer is far smaller; past this the body is cut, not inflated
_GZIP_MAGIC = b"\x1f\x8b"
_SSE_STARTS = ("data:", ":", "event:", "id:", "retry:")


def body_text(body: object, headers: Mapping[str, object] | None = None) -> str | None:
    """The body as text: str as is; bytes inflated (gzip, or deflate when the headers say so) and decoded."""
    if body is None or isinstance(body, str):
        return body
    if isinstance(body, bytearray | memoryview):
        body = bytes(body)
    if not isinstance(body, bytes):
        return None
    if body[:2] == _GZIP_MAGIC:
        body = _inflate(body, 16 + zlib.MAX_WBITS)
    elif headers and _encoding(headers) == "deflate":
        body = _inflate(body, zlib.MAX_WBITS)
    return body.decode("utf-8", "replace")


def _encoding(headers: Mapping[str, object]) -> str:
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == "content-encoding":
            last = value[-1] if isinstance(value, list) and value else value
            return str(last).strip().lower()
    return ""


def _inflate(data: bytes, wbits: int) -> bytes:
    """Inflate what can be inflated; a damaged or truncated stream keeps its good prefix."""
    try:
        inflater = zlib.decompressobj(wbits)
        return inflater.decompress(data, MAX_INFLATED)
    except zlib.error:
        return data


def sniff(text: str, stream_hint: bool) -> str:
    """`json`, `sse` or `other`, from the body's first characters (the request's `stream` flag only breaks
    ties: a provider may answer a streaming request with a JSON error, or ignore `stream`)."""
    head = text.lstrip()[:8]  # lstrip returns the same object when there is nothing to strip
    if head[:1] in ("{", "["):
        return "json"
    if head.startswith(_SSE_STARTS):
        return "sse"
    return "sse" if stream_hint and "data:" in text else "other"
