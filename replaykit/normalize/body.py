"""The recorded response body as text, and which wire format it is.

Foreign cassettes keep compressed bodies as bytes (vcrpy stores `!!binary` gzip when the recorder did not
decode responses), so a body may arrive as bytes: gzip is recognised by its magic bytes even when the
headers were dropped, deflate by the headers; inflating is bounded (`body_text` lives with the cassette
reader in replaykit.cassettes.encoding, which decodes every body once).
"""

from __future__ import annotations

from replaykit.cassettes.encoding import body_text

__all__ = ["body_text", "sniff"]

_SSE_STARTS = ("data:", ":", "event:", "id:", "retry:")


def sniff(text: str) -> str:
    """`json`, `sse` or `other`, from the body's first characters rather than the headers or the request's
    `stream` flag: a provider may answer a streaming request with a JSON error, or ignore `stream`."""
    head = text.lstrip()[:8]  # lstrip returns the same object when there is nothing to strip
    if head[:1] in ("{", "["):
        return "json"
    if head.startswith(_SSE_STARTS):
        return "sse"
    return "other"
