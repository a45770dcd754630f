"""OpenAI Responses on the simulator's wire: `response` bodies, typed-event streams ending in
`response.completed` (no [DONE]), OpenAI error envelopes, `response.failed` for a failed generation."""

from __future__ import annotations

import random
from typing import Any

import orjson

from replaykit.sim.dialects.history import chat_body, text_of, tool
from replaykit.sim.faults import Answer
from replaykit.sim.signatures import signature, verifies
from replaykit.sim.wire import Meta, SseParts, dumps, split

PROCESSING = b""
STREAM_TYPE = b"text/event-stream"


def to_chat(body: Any, model: str | None, stream: bool | None) -> Any:
    if not isinstance(body, dict):
        return None
    items = body.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    if not isinstance(items, list):
        return None
    messages: list[dict[str, Any]] = []
    if body.get("instructions"):
        messages.append({"role": "system", "content": text_of(body["instructions"])})
    for item in items:
        if isinstance(item, dict):
            _item(item, messages)
    tools = [tool(t.get("name"), t.get("description"), t.get("parameters"))
             for t in body.get("tools") or () if isinstance(t, dict) and t.get("type") == "function"]
    return chat_body(body.get("model"), messages, tools, bool(body.get("stream")), body)


def _assistant(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The assistant turn that items of one model answer join (a new one after any other message)."""
    if not messages or messages[-1]["role"] != "assistant":
        messages.append({"role": "assistant", "content": None})
    return messages[-1]


def _item(item: dict[str, Any], messages: list[dict[str, Any]]) -> None:
    kind, role = item.get("type"), item.get("role")
    if kind == "function_call":
        turn = _assistant(messages)
        turn.setdefault("tool_calls", []).append({"id": item.get("call_id"), "type": "function", "function": {
            "name": item.get("name"), "arguments": str(item.get("arguments") or "")}})
    elif kind == "function_call_output":
        output = item.get("output")
        messages.append({"role": "tool", "tool_call_id": item.get("call_id"),
                         "content": output if isinstance(output, str) else text_of(output)})
    elif kind == "reasoning":
        _assistant(messages)
    elif role == "assistant":
        turn = _assistant(messages)
        turn["content"] = (turn["content"] or "") + text_of(item.get("content")) or None
    elif role in ("user", "system", "developer"):
        content = item.get("content")
        messages.append({"role": role, "content": content if isinstance(content, str) else text_of(content)})


def error_body(code: int, message: str, provider: str | None = None, raw: str | None = None) -> bytes:
    kind = {429: "rate_limit_exceeded"}.get(code, "server_error" if code >= 500 else "invalid_request_error")
    return dumps({"error": {"message": message, "type": kind, "param": None, "code": kind}})


def _usage(use: dict[str, Any]) -> dict[str, Any]:
    return {"input_tokens": use["prompt_tokens"], "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": use["completion_tokens"], "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": use["prompt_tokens"] + use["completion_tokens"]}


def _reasoning(meta: Meta, answer: Answer) -> dict[str, Any]:
    """A reasoning item; `encrypted_content` (its signature here) is missing when the fault omits it."""
    item_id = "rs_" + meta.id.removeprefix("gen-")
    summary = [{"type": "summary_text", "text": answer.thinking or ""}]
    item: dict[str, Any] = {"id": item_id, "type": "reasoning", "summary": summary}
    sealed = signature(meta.key, _sealed(item_id, summary), answer.signature)
    return item if sealed is None else {**item, "encrypted_content": sealed}


def _sealed(item_id: object, summary: object) -> str:
    """What a reasoning item's signature covers: its id and summary, as sent back."""
    return orjson.dumps([item_id, summary], option=orjson.OPT_SORT_KEYS).decode()


def _items(meta: Meta, answer: Answer) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [_reasoning(meta, answer)] if answer.thinking else []
    if answer.content:
        items.append(_text_item(meta, answer.content))
    for call in answer.calls or []:
        items.append(_call_item(call.id, call.name, call.arguments))
    return items


def _text_item(meta: Meta, text: str) -> dict[str, Any]:
    return {"id": "msg_" + meta.id.removeprefix("gen-"), "type": "message", "status": "completed",
            "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": []}]}


def _call_item(call_id: str, name: str, arguments: str, status: str = "completed") -> dict[str, Any]:
    return {"id": "fc_" + call_id.removeprefix("call_"), "type": "function_call", "status": status,
            "call_id": call_id, "name": name, "arguments": arguments}


def _response(meta: Meta, status: str, output: list[dict[str, Any]], use: dict[str, Any] | None,
              error: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": "resp_" + meta.id.removeprefix("gen-"), "object": "response", "created_at": meta.created,
            "status": status, "error": error, "incomplete_details": None, "model": meta.model, "output": output,
            "usage": _usage(use) if use is not None else None}


def completion(meta: Meta, answer: Answer, use: dict[str, Any], error: dict[str, Any] | None = None) -> bytes:
    if error:
        failure = {"code": "server_error", "message": error.get("message", "")}
        return dumps(_response(meta, "failed", [], use, failure))
    return dumps(_response(meta, "completed", _items(meta, answer), use))


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + dumps({"type": kind, **data}) + b"\n\n"


def sse_parts(meta: Meta, answer: Answer, use: dict[str, Any] | None, rng: random.Random) -> SseParts:
    start = _event("response.created", {"response": _response(meta, "in_progress", [], None)})
    tokens: list[tuple[int, bytes]] = []
    done = b""
    index = 0
    if answer.thinking:  # the reasoning item comes whole before the answer's items
        reasoning = _reasoning(meta, answer)
        start += _event("response.output_item.added", {"output_index": 0, "item": {
            "id": reasoning["id"], "type": "reasoning", "summary": []}})
        start += _event("response.output_item.done", {"output_index": 0, "item": reasoning})
        index = 1
    if answer.content:
        item = _text_item(meta, answer.content)
        added = _event("response.output_item.added", {"output_index": index, "item": {
            **item, "content": [], "status": "in_progress"}})
        for k, piece in enumerate(split(answer.content, rng)):
            delta = _event("response.output_text.delta", {"item_id": item["id"], "output_index": index,
                                                          "content_index": 0, "delta": piece})
            tokens.append((len(piece), (added if k == 0 else b"") + delta))
        done = _event("response.output_item.done", {"output_index": index, "item": item})
        index += 1
    for call in answer.calls or []:
        item = _call_item(call.id, call.name, call.arguments)
        added = _event("response.output_item.added", {"output_index": index,
                                                      "item": {**item, "arguments": "", "status": "in_progress"}})
        tokens.append((len(call.name), done + added))
        tokens.extend((len(frag), _event("response.function_call_arguments.delta", {
            "item_id": item["id"], "output_index": index, "delta": frag})) for frag in split(call.arguments, rng))
        done = (_event("response.function_call_arguments.done", {"item_id": item["id"], "output_index": index,
                                                                 "arguments": call.arguments})
                + _event("response.output_item.done", {"output_index": index, "item": item}))
        index += 1
    return SseParts(role=start, tokens=tokens, finish=done, usage=None)


def closing(meta: Meta, answer: Answer, use: dict[str, Any]) -> bytes:
    return _event("response.completed", {"response": _response(meta, "completed", _items(meta, answer), use)})


def stream_error_chunk(meta: Meta, code: int, message: str) -> bytes:
    return _event("response.failed", {"response": _response(
        meta, "failed", [], None, {"code": "server_error", "message": message})})


def signature_problem(body: Any, key: bytes) -> str | None:
    """Why a reasoning item sent back does not verify (OpenAI's own 400 messages), or None."""
    items = body.get("input") if isinstance(body, dict) else None
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict) or item.get("type") != "reasoning":
            continue
        item_id = item.get("id")
        if "encrypted_content" not in item:  # nothing stored (store: false): the item cannot be resolved
            return (f"Item with id '{item_id}' not found. Items are not persisted when `store` is set to false. "
                    "Try again with `store` set to true, or remove this item from your input.")
        if not verifies(key, _sealed(item_id, item.get("summary")), item["encrypted_content"]):
            return f"The encrypted content for item {item_id} could not be verified."
    return None
