"""The recorded response body as text, and which wire format it is.

Foreign cassettes keep compressed bodies as bytes (vcrpy stores `!!binary` gzip when the recorder did not
decode responses), so a body may arrive as bytes: gzip is recognised by its magic bytes even when the
headers were dropped, deflate by the headers; inflating is bounded (replaykit.cassettes.encoding).
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Mapping

from replaykit.cassettes.encoding import decode_body

_GZIP_MAGIC = b"\x1f\x8b"
_SSE_STARTS = ("data:", ":", "event:", "id:", "retry:")


def body_text(body: object, headers: Mapping[str, object] | None = None) -> str | None:
    """The body as text: str as is; bytes inflated when compressed, then decoded as UTF-8."""
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


def sniff(text: str) -> str:
    """`json`, `sse` or `other`, from the body's first characters rather than the headers or the request's
    `stream` flag: a provider may answer a streaming request with a JSON error, or ignore `stream`."""
    head = text.lstrip()[:8]  # lstrip returns the same object when there is nothing to strip
    if head[:1] in ("{", "["):
        return "json"
    if head.startswith(_SSE_STARTS):
        return "sse"
    return "other"
