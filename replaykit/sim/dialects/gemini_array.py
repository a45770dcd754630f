"""Gemini's `:streamGenerateContent` without `alt=sse`: the same chunks as one JSON array streamed as it is
written (`application/json`), each element pretty-printed, `\\n,\\r\\n` between elements and `\\n]` at the end,
as Google's REST endpoint frames it. Requests, errors and whole answers are Gemini's (gemini.py)."""

from __future__ import annotations

import random
from typing import Any

import orjson

from replaykit.sim.dialects import gemini
from replaykit.sim.dialects.gemini import completion, error_body, signature_problem, to_chat
from replaykit.sim.faults import Answer
from replaykit.sim.wire import Meta, SseParts, split

__all__ = ["PROCESSING", "STREAM_TYPE", "closing", "completion", "error_body", "signature_problem",
           "sse_parts", "stream_error_chunk", "to_chat"]
PROCESSING = b"["  # the array opens at once; every element then ends with its separator or the closing bracket
STREAM_TYPE = b"application/json"
_NEXT, _END = b"\n,\r\n", b"\n]"


def _element(chunk: dict[str, Any]) -> bytes:
    return orjson.dumps(chunk, option=orjson.OPT_INDENT_2)


def sse_parts(meta: Meta, answer: Answer, use: dict[str, Any] | None, rng: random.Random) -> SseParts:
    """Text in pieces, each call whole, as for SSE; an element is followed by the separator, since the closing
    chunk always comes after it."""
    tokens = [(len(p), _element(gemini.chunk(meta, [{"text": p}])) + _NEXT) for p in split(answer.content or "", rng)]
    tokens += [(len(c.name) + len(c.arguments), _element(gemini.chunk(meta, [part])) + _NEXT)
               for c, part in zip(answer.calls or [], gemini.call_parts(meta, answer), strict=True)]
    if not tokens:
        tokens = [(0, _element(gemini.chunk(meta, [{"text": ""}])) + _NEXT)]
    return SseParts(role=b"", tokens=tokens, finish=b"", usage=None)


def closing(meta: Meta, answer: Answer, use: dict[str, Any]) -> bytes:
    return _element(gemini.chunk(meta, [], gemini.finish_reason(answer), use)) + _END


def stream_error_chunk(meta: Meta, code: int, message: str) -> bytes:
    return _element({"error": {"code": 503, "message": message, "status": "UNAVAILABLE"}}) + _END
