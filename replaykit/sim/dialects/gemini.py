"""Gemini on the simulator's wire: `GenerateContentResponse` bodies and `alt=sse` streams of them (the last
chunk carries the finish reason and usage), Google error envelopes `{error: {code, message, status}}`."""

from __future__ import annotations

import random
from typing import Any

import orjson

from replaykit.sim.dialects.history import call_input, chat_body, text_of, tool
from replaykit.sim.faults import Answer
from replaykit.sim.wire import Meta, SseParts, dumps, split

PROCESSING = b""
STREAM_TYPE = b"text/event-stream"
_FINISH = {"tool_calls": "STOP", "stop": "STOP", "length": "MAX_TOKENS"}
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           408: "DEADLINE_EXCEEDED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE",
           503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def to_chat(body: Any, model: str | None, stream: bool | None) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
        return None
    messages: list[dict[str, Any]] = []
    system = body.get("systemInstruction") or body.get("system_instruction")
    if isinstance(system, dict):
        messages.append({"role": "system", "content": _text(system.get("parts"))})
    ids = iter(range(1_000_000))
    pending: list[str] = []  # call ids of the last model turn, answered in order by function responses
    for content in body["contents"]:
        if isinstance(content, dict):
            pending = _content(content, messages, ids, pending)
    tools = [tool(f.get("name"), f.get("description"), f.get("parametersJsonSchema") or f.get("parameters"))
             for t in body.get("tools") or () if isinstance(t, dict)
             for f in t.get("functionDeclarations") or () if isinstance(f, dict)]
    config = body.get("generationConfig")
    seed = config.get("seed") if isinstance(config, dict) else None
    return chat_body(model, messages, tools, bool(stream), body, seed)


def _text(parts: object) -> str:
    if not isinstance(parts, list):
        return ""
    return text_of([p for p in parts if isinstance(p, dict) and not p.get("thought")])


def _content(content: dict[str, Any], messages: list[dict[str, Any]], ids: Any, pending: list[str]) -> list[str]:
    parts = [p for p in content.get("parts") or () if isinstance(p, dict)]
    if content.get("role") == "model":
        calls = [{"id": f"call_{next(ids)}", "type": "function",
                  "function": {"name": p["functionCall"].get("name"),
                               "arguments": orjson.dumps(p["functionCall"].get("args") or {}).decode()}}
                 for p in parts if isinstance(p.get("functionCall"), dict)]
        turn: dict[str, Any] = {"role": "assistant", "content": _text(parts) or None}
        if calls:
            turn["tool_calls"] = calls
        messages.append(turn)
        return [str(c["id"]) for c in calls]
    responses = [p["functionResponse"] for p in parts if isinstance(p.get("functionResponse"), dict)]
    if not responses:
        messages.append({"role": "user", "content": _text(parts)})
        return pending
    for k, response in enumerate(responses):
        value = response.get("response")
        result = value.get("result") if isinstance(value, dict) and set(value) == {"result"} else value
        messages.append({"role": "tool", "tool_call_id": pending[k] if k < len(pending) else "",
                         "content": result if isinstance(result, str) else orjson.dumps(result).decode()})
    return pending[len(responses):]


def error_body(code: int, message: str, provider: str | None = None, raw: str | None = None) -> bytes:
    return dumps({"error": {"code": code, "message": message, "status": _STATUS.get(code, "UNKNOWN")}})


def _usage(use: dict[str, Any]) -> dict[str, Any]:
    return {"promptTokenCount": use["prompt_tokens"], "candidatesTokenCount": use["completion_tokens"],
            "totalTokenCount": use["prompt_tokens"] + use["completion_tokens"]}


def chunk(meta: Meta, parts: list[dict[str, Any]], finish: str | None = None,
           use: dict[str, Any] | None = None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    chunk: dict[str, Any] = {"candidates": [candidate]}
    if use is not None:
        chunk["usageMetadata"] = _usage(use)
    chunk.update(modelVersion=meta.model, responseId=meta.id.removeprefix("gen-"))
    return chunk


def call_part(name: str, arguments: str) -> dict[str, Any]:
    return {"functionCall": {"name": name, "args": call_input(arguments)}}


def completion(meta: Meta, answer: Answer, use: dict[str, Any], error: dict[str, Any] | None = None) -> bytes:
    if error:
        return error_body(int(error.get("code") or 500), str(error.get("message") or ""))
    parts: list[dict[str, Any]] = [{"text": answer.content}] if answer.content else []
    parts += [call_part(c.name, c.arguments) for c in answer.calls or []]
    return dumps(chunk(meta, parts, _FINISH.get(answer.finish_reason, "STOP"), use))


def _data(chunk: dict[str, Any]) -> bytes:
    return b"data: " + dumps(chunk) + b"\r\n\r\n"  # Google's SSE ends events with CRLF pairs


def sse_parts(meta: Meta, answer: Answer, use: dict[str, Any] | None, rng: random.Random) -> SseParts:
    """Text in pieces; each call whole in one chunk (Gemini does not stream a call's arguments)."""
    tokens = [(len(p), _data(chunk(meta, [{"text": p}]))) for p in split(answer.content or "", rng)]
    tokens += [(len(c.name) + len(c.arguments), _data(chunk(meta, [call_part(c.name, c.arguments)])))
               for c in answer.calls or []]
    if not tokens:  # nothing generated (an empty call list): one empty text chunk still opens the stream
        tokens = [(0, _data(chunk(meta, [{"text": ""}])))]
    return SseParts(role=b"", tokens=tokens, finish=b"", usage=None)


def finish_reason(answer: Answer) -> str:
    return _FINISH.get(answer.finish_reason, "STOP")


def closing(meta: Meta, answer: Answer, use: dict[str, Any]) -> bytes:
    return _data(chunk(meta, [], finish_reason(answer), use))


def stream_errorchunk(meta: Meta, code: int, message: str) -> bytes:
    return _data({"error": {"code": 503, "message": message, "status": "UNAVAILABLE"}})
