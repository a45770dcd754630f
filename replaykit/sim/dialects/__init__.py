"""The simulator's wire dialects: one module per dialect, each turning its request into the chat-completions
body the engine decides on (`to_chat`) and rendering the decided answer, errors and streams in its own
format. The same profiles, faults and timing serve every dialect (docs/simulator.md)."""

from __future__ import annotations

import random
from types import ModuleType
from typing import Any, Protocol, cast

from replaykit.sim import wire
from replaykit.sim.dialects import anthropic, gemini, gemini_array, responses
from replaykit.sim.faults import Answer


class WireDialect(Protocol):
    PROCESSING: bytes
    STREAM_TYPE: bytes  # a stream's content type: SSE, or JSON for Gemini's streamed array

    def to_chat(self, body: Any, model: str | None, stream: bool | None) -> Any: ...

    def signature_problem(self, body: Any, key: bytes) -> str | None: ...

    def error_body(self, code: int, message: str, provider: str | None = None, raw: str | None = None) -> bytes: ...

    def completion(self, meta: wire.Meta, answer: Answer, use: dict[str, Any],
                   error: dict[str, Any] | None = None) -> bytes: ...

    def sse_parts(self, meta: wire.Meta, answer: Answer, use: dict[str, Any] | None,
                  rng: random.Random) -> wire.SseParts: ...

    def stream_error_chunk(self, meta: wire.Meta, code: int, message: str) -> bytes: ...

    def closing(self, meta: wire.Meta, answer: Answer, use: dict[str, Any]) -> bytes: ...


_MODULES: dict[str, ModuleType] = {
    "openai-chat": wire, "anthropic-messages": anthropic, "openai-responses": responses, "gemini": gemini,
    "gemini-array": gemini_array,  # `:streamGenerateContent` without `alt=sse`
}


def wire_dialect(api: str) -> WireDialect:
    return cast(WireDialect, _MODULES[api])
