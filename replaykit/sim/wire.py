"""OpenAI chat-completions and OpenRouter wire formats: JSON bodies, SSE events, error envelopes, listings.

Pure rendering: no timing and no decisions beyond where a stream splits its text (drawn from the rng given).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import orjson

from replaykit.sim.faults import Answer, OutCall
from replaykit.sim.profiles import Profile, ProfileSet

PROCESSING = b": OPENROUTER PROCESSING\n\n"
STREAM_TYPE = b"text/event-stream"
DONE = b"data: [DONE]\n\n"
_MAX_PIECE = 16  # characters per stream delta at most (real providers send 1 to ~4 tokens per chunk)


@dataclass(frozen=True)
class Meta:
    id: str
    created: int
    model: str
    provider: str
    key: bytes = b""  # signs the reasoning of thinking answers (signatures.py)


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def error_body(code: int, message: str, provider: str | None = None, raw: str | None = None) -> bytes:
    """OpenRouter's envelope; `metadata` names the upstream provider when one answered."""
    error: dict[str, Any] = {"code": code, "message": message}
    if provider is not None:
        error["metadata"] = {"provider_name": provider, "raw": raw}
    return dumps({"error": error})


def usage(prompt_tokens: int, completion_tokens: int, cost: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                           "total_tokens": prompt_tokens + completion_tokens}
    if cost is not None:  # OpenRouter adds these with `usage: {include: true}`
        out.update(cost=round(cost, 10), is_byok=False, prompt_tokens_details={"cached_tokens": 0},
                   completion_tokens_details={"reasoning_tokens": 0})
    return out


def _tool_call(call: OutCall, index: int) -> dict[str, Any]:
    return {"index": index, "id": call.id, "type": "function",
            "function": {"name": call.name, "arguments": call.arguments}}


def completion(meta: Meta, answer: Answer, use: dict[str, Any], error: dict[str, Any] | None = None) -> bytes:
    """A whole `chat.completion` body; `error` turns it into a 200 whose generation failed."""
    message: dict[str, Any] = {"role": "assistant", "content": answer.content, "refusal": None,
                               "reasoning": None}
    if answer.thinking and answer.signature == "ok":  # no signature in chat: a broken one is a dropped field
        message["reasoning_content"] = answer.thinking
    if answer.calls is not None:
        message["tool_calls"] = [_tool_call(c, i) for i, c in enumerate(answer.calls)]
    finish = "error" if error else answer.finish_reason
    body: dict[str, Any] = {
        "id": meta.id, "provider": meta.provider, "model": meta.model, "object": "chat.completion",
        "created": meta.created,
        "choices": [{"logprobs": None, "finish_reason": finish, "native_finish_reason": finish, "index": 0,
                     "message": message}],
        "system_fingerprint": None, "usage": use,
    }
    if error:
        body["error"] = error
    return dumps(body)


@dataclass
class SseParts:
    """A stream's events in order; `tokens` carry (characters generated, event bytes) for pacing."""

    role: bytes
    tokens: list[tuple[int, bytes]]
    finish: bytes
    usage: bytes | None


def _chunk(meta: Meta, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
    body = {"id": meta.id, "provider": meta.provider, "model": meta.model, "object": "chat.completion.chunk",
            "created": meta.created,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "native_finish_reason": finish,
                         "logprobs": None}], **extra}
    return b"data: " + dumps(body) + b"\n\n"


def split(text: str, rng: random.Random) -> list[str]:
    """Pieces at pseudo-random points. Python slices whole code points, so unicode stays valid."""
    pieces, i = [], 0
    while i < len(text):
        step = rng.randint(1, _MAX_PIECE)
        pieces.append(text[i:i + step])
        i += step
    return pieces


def _args_delta(meta: Meta, index: int, fragment: str) -> bytes:
    return _chunk(meta, {"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})


def sse_parts(meta: Meta, answer: Answer, use: dict[str, Any] | None, rng: random.Random) -> SseParts:
    tokens = [(len(p), _chunk(meta, {"content": p})) for p in split(answer.content or "", rng)]
    for index, call in enumerate(answer.calls or []):
        first = {"index": index, "id": call.id, "type": "function",
                 "function": {"name": call.name, "arguments": ""}}
        tokens.append((len(call.name), _chunk(meta, {"content": None, "tool_calls": [first]})))
        tokens.extend((len(frag), _args_delta(meta, index, frag))
                      for frag in split(call.arguments, rng))
    usage_chunk = None
    if use is not None:
        usage_chunk = b"data: " + dumps({"id": meta.id, "provider": meta.provider, "model": meta.model,
                                         "object": "chat.completion.chunk", "created": meta.created,
                                         "choices": [], "usage": use}) + b"\n\n"
    role = _chunk(meta, {"role": "assistant", "content": ""})
    if answer.thinking and answer.signature == "ok":
        role += b"".join(_chunk(meta, {"reasoning_content": p}) for p in split(answer.thinking, rng))
    return SseParts(role=role, tokens=tokens, finish=_chunk(meta, {}, answer.finish_reason), usage=usage_chunk)


def closing(meta: Meta, answer: Answer, use: dict[str, Any]) -> bytes:
    """What ends a whole stream (a cut stream never has it)."""
    return DONE


def stream_error_chunk(meta: Meta, code: int, message: str) -> bytes:
    """OpenRouter's mid-stream failure: a `data:` event with `error` and finish_reason "error"."""
    return _chunk(meta, {"content": ""}, "error", error={"code": code, "message": message})


def models_list(profiles: ProfileSet) -> bytes:
    data = [_model_entry(m, profiles) for m in profiles.models]
    return dumps({"data": data})


def _pricing(p: Profile) -> dict[str, str]:
    # OpenRouter quotes USD per token as decimal strings.
    return {"prompt": f"{p.input_per_mtok / 1e6:.10f}".rstrip("0").rstrip(".") or "0",
            "completion": f"{p.output_per_mtok / 1e6:.10f}".rstrip("0").rstrip(".") or "0",
            "request": "0", "image": "0"}


def _model_entry(model: str, profiles: ProfileSet) -> dict[str, Any]:
    cheapest = min(profiles, key=lambda p: p.input_per_mtok + p.output_per_mtok)
    return {"id": model, "canonical_slug": model, "name": f"{model} (simulated)", "created": 1753228800,
            "description": "A model served by replaykit's provider simulator.",
            "context_length": max(p.context_length for p in profiles),
            "architecture": {"modality": "text->text", "input_modalities": ["text"],
                             "output_modalities": ["text"], "tokenizer": "Other"},
            "pricing": _pricing(cheapest), "top_provider": {"context_length": cheapest.context_length,
                                                            "max_completion_tokens": None,
                                                            "is_moderated": False},
            "supported_parameters": _SUPPORTED}


_SUPPORTED = ["tools", "tool_choice", "max_tokens", "temperature", "top_p", "stop", "seed",
              "response_format", "stream_options"]


def endpoints(model: str, profiles: ProfileSet) -> bytes:
    """`GET /api/v1/models/{author}/{slug}/endpoints`: one entry per simulated provider."""
    entries = [{
        "name": f"{p.display_name} | {model}", "model_name": model, "context_length": p.context_length,
        "pricing": _pricing(p), "provider_name": p.display_name, "tag": p.name,
        "quantization": p.quantization, "max_completion_tokens": None, "max_prompt_tokens": None,
        "supported_parameters": _SUPPORTED, "status": 0,
        "uptime_last_30m": round(100.0 * p.expected_uptime(), 2),
    } for p in profiles]
    entry = _model_entry(model, profiles)
    return dumps({"data": {"id": model, "name": entry["name"], "created": entry["created"],
                           "description": entry["description"], "architecture": entry["architecture"],
                           "endpoints": entries}})


def to_chat(body: Any, model: str | None, stream: bool | None) -> Any:
    """A chat request is already what the engine decides on."""
    return body


def signature_problem(body: Any, key: bytes) -> str | None:
    """Chat completions' `reasoning_content` carries no signature, but a thinking model (DeepSeek's thinking
    mode) refuses a tool-call turn of the current user turn sent back without it."""
    messages = body.get("messages") if isinstance(body, dict) else None
    messages = messages if isinstance(messages, list) else []
    last_user = max((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "user"), default=-1)
    for i, message in enumerate(messages[last_user + 1:], start=last_user + 1):
        if (isinstance(message, dict) and message.get("role") == "assistant" and message.get("tool_calls")
                and not message.get("reasoning_content")):
            return f"Missing `reasoning_content` field in the assistant message at message index {i}"
    return None
