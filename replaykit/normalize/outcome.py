"""What one attempt came to, whatever the wire format: the normalizer's output, the scorer's input."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The attempt failed (SPEC §6): no usable answer came back.
ERROR_CLASSES = ("rate_limited", "server_error", "client_error", "timeout", "connection", "stream_cut",
                 "stream_error", "malformed_body", "harness", "reasoning_signature")
# A 400 refusing the reasoning signature that an earlier answer carried: charged to that answer's provider.
REASONING_SIGNATURE = "reasoning_signature"
# The request failed on this machine's side (DNS, no route, refused on loopback, proxy/TLS set-up, client
# overload): reported, never counted against the provider.
HARNESS = "harness"
# Faults visible without the scenario.
ANSWER_FAULTS = ("text_tool_call", "invalid_json_args", "empty_tool_calls")


@dataclass(slots=True)
class Call:
    """One returned tool call. `arguments`: the parsed object, None when the raw text is not a JSON object."""

    name: str
    raw_arguments: str
    arguments: dict[str, Any] | None
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "arguments": self.arguments, "raw_arguments": self.raw_arguments}


@dataclass(slots=True)
class Outcome:
    status: int | None = None
    error_class: str | None = None
    error_message: str | None = None
    calls: list[Call] = field(default_factory=list)
    text_calls: list[Call] = field(default_factory=list)  # calls written as text in the content
    text: str = ""
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    provider: str | None = None
    model: str | None = None
    usage: dict[str, Any] | None = None
    cost: float | None = None
    faults: list[str] = field(default_factory=list)
    # the assistant turn in its dialect's own form (Anthropic content blocks, Responses output items, a Gemini
    # content), sent back as received on the next turn: thinking signatures must survive (docs/dialects.md)
    native_turn: Any = None

    @property
    def ok(self) -> bool:
        return self.error_class is None

    def effective_calls(self, mode: str) -> list[Call]:
        """The calls an agent would act on: structured ones natively; text ones in prompt mode."""
        return self.text_calls if mode == "prompt" else self.calls

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["calls"] = [c.to_json() for c in self.calls]
        data["text_calls"] = [c.to_json() for c in self.text_calls]
        del data["native_turn"]  # wire data for the recorder, not part of what an attempt came to
        return data
