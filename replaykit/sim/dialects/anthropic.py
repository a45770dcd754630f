"""Anthropic Messages on the simulator's wire: `message` bodies, named-event streams, `{type: error}` errors."""

from __future__ import annotations

import random
from typing import Any

from replaykit.sim.dialects.history import args_text, call_input, chat_body, text_of, tool
from replaykit.sim.faults import Answer
from replaykit.sim.signatures import signature, verifies
from replaykit.sim.wire import Meta, SseParts, dumps, split

STREAM_TYPE = b"text/event-stream"
PROCESSING = b""  # Anthropic sends no comment first: `message_start` goes with the first token
_STOP = {"tool_calls": "tool_use", "stop": "end_turn", "length": "max_tokens"}
_ERROR_TYPE = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 408: "timeout_error", 413: "request_too_large", 429: "rate_limit_error",
               500: "api_error", 503: "overloaded_error", 529: "overloaded_error"}


def to_chat(body: Any, model: str | None, stream: bool | None) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return None
    messages: list[dict[str, Any]] = []
    if body.get("system"):
        messages.append({"role": "system", "content": text_of(body["system"])})
    for m in body["messages"]:
        if isinstance(m, dict):
            messages.extend(_turn(m))
    tools = [tool(t.get("name"), t.get("description"), t.get("input_schema"))
             for t in body.get("tools") or () if isinstance(t, dict)]
    return chat_body(body.get("model"), messages, tools, bool(body.get("stream")), body)


def _turn(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    if message.get("role") == "assistant":
        blocks = content if isinstance(content, list) else []
        calls = [{"id": b.get("id"), "type": "function",
                  "function": {"name": b.get("name"), "arguments": args_text(b.get("input"))}}
                 for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"]
        turn: dict[str, Any] = {"role": "assistant", "content": text_of(content) or None}
        if calls:
            turn["tool_calls"] = calls
        return [turn]
    if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content):
        return [{"role": "tool", "tool_call_id": b.get("tool_use_id"), "content": text_of(b.get("content"))}
                for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
    return [{"role": "user", "content": text_of(content) if not isinstance(content, str) else content}]


def error_body(code: int, message: str, provider: str | None = None, raw: str | None = None) -> bytes:
    return dumps({"type": "error", "error": {"type": _ERROR_TYPE.get(code, "api_error"), "message": message}})


def _usage(use: dict[str, Any]) -> dict[str, Any]:
    return {"input_tokens": use["prompt_tokens"], "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "output_tokens": use["completion_tokens"]}


def _message(meta: Meta, content: list[dict[str, Any]], stop: str | None, usage: dict[str, Any]) -> dict[str, Any]:
    return {"id": "msg_" + meta.id.removeprefix("gen-"), "type": "message", "role": "assistant",
            "model": meta.model, "content": content, "stop_reason": stop, "stop_sequence": None, "usage": usage}


def completion(meta: Meta, answer: Answer, use: dict[str, Any], error: dict[str, Any] | None = None) -> bytes:
    if error:  # a 200 whose generation failed: the error envelope, as a stream's error event carries it
        return dumps({"type": "error", "error": {"type": "api_error", "message": error.get("message", "")}})
    content: list[dict[str, Any]] = [_thinking(meta, answer)] if answer.thinking else []
    if answer.content:
        content.append({"type": "text", "text": answer.content})
    for call in answer.calls or []:
        content.append({"type": "tool_use", "id": _tool_id(call.id), "name": call.name,
                        "input": call_input(call.arguments)})
    return dumps(_message(meta, content, _STOP.get(answer.finish_reason, answer.finish_reason), _usage(use)))


def _thinking(meta: Meta, answer: Answer) -> dict[str, Any]:
    """A thinking block with its signature (none when the fault omits it)."""
    text = answer.thinking or ""
    block = {"type": "thinking", "thinking": text}
    sig = signature(meta.key, text, answer.signature)
    return block if sig is None else {**block, "signature": sig}


def _thinking_events(meta: Meta, answer: Answer, rng: random.Random) -> bytes:
    """Block 0 streamed: its start (no signature yet), thinking deltas, the signature's delta, its stop."""
    block = _thinking(meta, answer)
    out = _event("content_block_start", {"index": 0, "content_block": {"type": "thinking", "thinking": ""}})
    out += b"".join(_event("content_block_delta", {"index": 0, "delta": {"type": "thinking_delta", "thinking": p}})
                    for p in split(block["thinking"], rng))
    if "signature" in block:
        out += _event("content_block_delta", {"index": 0, "delta": {"type": "signature_delta",
                                                                    "signature": block["signature"]}})
    return out + _event("content_block_stop", {"index": 0})


def _tool_id(call_id: str) -> str:
    return "toolu_" + call_id.removeprefix("call_")


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + dumps({"type": kind, **data}) + b"\n\n"


def sse_parts(meta: Meta, answer: Answer, use: dict[str, Any] | None, rng: random.Random) -> SseParts:
    usage = _usage(use) if use is not None else {"input_tokens": 0, "output_tokens": 0}
    start = _event("message_start", {"message": _message(meta, [], None, {**usage, "output_tokens": 1})})
    thought = 1 if answer.thinking else 0  # the thinking block is closed before the answer's first block
    if thought:
        start += _thinking_events(meta, answer, rng)
    tokens: list[tuple[int, bytes]] = []
    index = thought
    if answer.content:
        opening = _event("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}})
        for k, piece in enumerate(split(answer.content, rng)):
            delta = _event("content_block_delta", {"index": index, "delta": {"type": "text_delta", "text": piece}})
            tokens.append((len(piece), (opening if k == 0 else b"") + delta))
        index += 1
    for call in answer.calls or []:
        block = {"type": "tool_use", "id": _tool_id(call.id), "name": call.name, "input": {}}
        stop = _event("content_block_stop", {"index": index - 1}) if index > thought else b""
        tokens.append((len(call.name), stop + _event("content_block_start", {"index": index, "content_block": block})))
        tokens.extend((len(frag), _event("content_block_delta", {
            "index": index, "delta": {"type": "input_json_delta", "partial_json": frag}}))
            for frag in split(call.arguments, rng))
        index += 1
    finish = _event("content_block_stop", {"index": index - 1}) if index > thought else b""
    finish += _event("message_delta", {"delta": {"stop_reason": _STOP.get(answer.finish_reason, answer.finish_reason),
                                                 "stop_sequence": None},
                                       "usage": {"output_tokens": usage["output_tokens"]}})
    return SseParts(role=start, tokens=tokens, finish=finish, usage=None)


def closing(meta: Meta, answer: Answer, use: dict[str, Any]) -> bytes:
    return _event("message_stop", {})


def stream_error_chunk(meta: Meta, code: int, message: str) -> bytes:
    return _event("error", {"error": {"type": "overloaded_error", "message": message}})


def signature_problem(body: Any, key: bytes) -> str | None:
    """Why the thinking blocks sent back do not verify (Anthropic's own 400 messages), or None."""
    messages = body.get("messages") if isinstance(body, dict) else None
    for i, message in enumerate(messages if isinstance(messages, list) else ()):
        content = message.get("content") if isinstance(message, dict) and message.get("role") == "assistant" else None
        for j, block in enumerate(content if isinstance(content, list) else ()):
            if not isinstance(block, dict) or block.get("type") != "thinking":
                continue
            if "signature" not in block:
                return f"messages.{i}.content.{j}.thinking.signature: Field required"
            if not verifies(key, str(block.get("thinking") or ""), block["signature"]):
                return f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
    return None
